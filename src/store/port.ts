/** The store port is the core's (src/core/ports.ts); re-exported for the store modules. */
export type { SessionStore, Stored, WriteResult } from '../core/ports.js';
