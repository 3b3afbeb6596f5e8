// Runs once per `npm test`, before any test file: the shipped flow's covering paths (every
// sequence of steps and every answer at every step), built once and handed to every file
// that replays them, instead of each file building the path graph again.
import type { TestProject } from 'vitest/node';
import { pathGraph, type FlowPath } from '../src/flow/paths.js';
import { loadKit } from './helpers.js';

export const PATHS_TODAY = '2026-11-28';

declare module 'vitest' {
  export interface ProvidedContext {
    /** pathGraph(shipped flow, PATHS_TODAY).covering() */
    coveringPaths: FlowPath[];
    /** How many different paths the same graph has (counted, not enumerated). */
    pathCount: number;
  }
}

export default async function setup(project: TestProject): Promise<void> {
  const kit = await loadKit();
  const graph = pathGraph(kit.flow, PATHS_TODAY);
  project.provide('coveringPaths', graph.covering());
  project.provide('pathCount', graph.count);
}
