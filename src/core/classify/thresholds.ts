/**
 * The lowest probability at which the classifier's reading is taken where the rules found
 * no answer, per kind of step (a choice, a yes/no question, a safety screen's yes/no). Chosen with `npm run flow -- nlu-eval` on the dev half of
 * test/corpus/nlu/ so that misreads stay at or under 1% (see docs/architecture.md).
 */
export const THRESHOLDS = { choice: 0.7, yesno: 0.9, strict: 1.01 };
