import { ExpectedError } from '../shared/errors.js';

// Apart from the loader (and its YAML parser) so that code which only reports or catches these
// does not load the parser: a compiled build starts from a cached flow without it.

/** One problem in a flow file, located for an editor: `file:line:column: message`. */
export interface FlowProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export function formatProblem(p: FlowProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.message}`;
}

export class FlowLoadError extends ExpectedError {
  override readonly name = 'FlowLoadError';
  constructor(readonly problems: FlowProblem[]) {
    super(problems.map(formatProblem).join('\n'));
  }
}
