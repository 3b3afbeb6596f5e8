import { readFile, readdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { transcriptSchema, type Transcript } from '../../authoring/transcript.js';
import { parseYamlWith } from '../../flow/load.js';

export async function loadTranscript(path: string): Promise<Transcript> {
  return parseYamlWith(
    await readFile(path, 'utf8'),
    relative(process.cwd(), path) || path,
    transcriptSchema,
  ).data;
}

/** `test/transcripts/*.yaml`, sorted. */
export async function listTranscripts(dir: string): Promise<string[]> {
  return (await readdir(dir))
    .filter((f) => f.endsWith('.yaml'))
    .sort()
    .map((f) => join(dir, f));
}
