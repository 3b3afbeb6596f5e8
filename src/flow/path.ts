/** Where something is in a flow's data (`['steps', 'ask-amount', 'next']`), for locating it. */
export type Path = readonly (string | number)[];
