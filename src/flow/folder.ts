import { FlowLoadError, checkedFlow, parseYamlWith, sortProblems } from './load.js';
import type { FlowProblem, Path } from './load.js';
import {
  flowMainFileSchema,
  flowPartFileSchema,
  type FlowDefinition,
  type Step,
} from './schema.js';

/** One YAML file of a flow folder, as read from disk. */
export interface FlowSource {
  file: string;
  text: string;
}

type Locate = (path: Path, message: string) => FlowProblem;

/**
 * A flow folder (`flows/<flow id>/`) as one flow: the first source is `flow.yaml` (the flow's
 * id, start, interrupts, phrases, … and maybe steps), every other source holds steps only, so
 * a volunteer can keep a branch of the guide, its words in both languages beside each step,
 * in one file. Every problem of every file is reported at once, at its file and line.
 */
export function parseFlowFolder(sources: readonly FlowSource[]): FlowDefinition {
  const { data, locate } = readFlowFolder(sources);
  return checkedFlow(data, locate);
}

/**
 * The folder's files validated and merged, not yet cross-checked: what the lint needs to
 * report reference problems as its own, with every problem located in its file.
 */
export function readFlowFolder(sources: readonly FlowSource[]): {
  data: FlowDefinition;
  locate: Locate;
} {
  const [main, ...parts] = sources;
  if (!main) throw new FlowLoadError([{ file: '.', line: 1, column: 1, message: 'no flow.yaml' }]);
  const problems: FlowProblem[] = [];
  const read = <T>(source: FlowSource, schema: Parameters<typeof parseYamlWith<T>>[2]) => {
    try {
      return parseYamlWith(source.text, source.file, schema);
    } catch (error) {
      if (!(error instanceof FlowLoadError)) throw error;
      problems.push(...error.problems);
      return undefined;
    }
  };
  const head = read(main, flowMainFileSchema);
  const rest = parts.map((part) => read(part, flowPartFileSchema));
  if (!head || problems.length > 0) throw new FlowLoadError(problems);

  // Which file each step is written in, so a problem on a step points into that file.
  const steps: Record<string, Step> = {};
  const home = new Map<string, Locate>();
  const files = [
    { steps: head.data.steps ?? {}, locate: head.locate },
    ...rest.flatMap((r) => (r ? [{ steps: r.data.steps, locate: r.locate }] : [])),
  ];
  for (const { steps: own, locate } of files) {
    for (const [id, step] of Object.entries(own)) {
      const first = home.get(id);
      if (first) {
        const there = first(['steps', id], '').file;
        problems.push(locate(['steps', id], `step "${id}" is also written in ${there}`));
        continue;
      }
      steps[id] = step;
      home.set(id, locate);
    }
  }
  if (problems.length > 0) throw new FlowLoadError(sortProblems(problems));
  const locate: Locate = (path, message) => {
    const inStep =
      path[0] === 'steps' && typeof path[1] === 'string' ? home.get(path[1]) : undefined;
    return (inStep ?? head.locate)(path, message);
  };
  return { data: { ...head.data, steps }, locate };
}
