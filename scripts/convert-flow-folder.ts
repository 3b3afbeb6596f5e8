// One-time: `npx tsx scripts/convert-flow-folder.ts flows/<id>.yaml` writes flows/<id>/ from
// the flow file and locales/<lang>/<id>.json (the words move beside their steps). Kept with
// its test so another single-file flow can be converted the same way.
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { convertToFolder } from '../src/authoring/convert-folder.js';
import { LANGS, type Lang } from '../src/shared/types.js';

const file = resolve(process.argv[2] ?? 'flows/reward-code-recovery.yaml');
const id = basename(file).replace(/\.ya?ml$/, '');
const localesDir = resolve(process.argv[3] ?? 'locales');
const words = {} as Record<Lang, Record<string, unknown>>;
for (const lang of LANGS)
  words[lang] = JSON.parse(await readFile(join(localesDir, lang, `${id}.json`), 'utf8'));

/** This flow's branches, by step id: a letter prefix is a branch; ends go with their branch. */
const ENDS: Record<string, string> = {
  'end-scam': 'a-scam',
  'end-wrong-payment': 'b-mistake',
  'end-minor': 'c-minor',
  'end-promised': 'd-tip',
  'end-regret': 'd-tip',
  'end-elderly': 'e-elderly',
  'end-spouse': 's-spouse',
  'end-loan': 'l-loan',
};
const BRANCHES: Record<string, string> = {
  a: 'a-scam',
  b: 'b-mistake',
  c: 'c-minor',
  d: 'd-tip',
  e: 'e-elderly',
  s: 's-spouse',
  l: 'l-loan',
};
const partOf = (step: string): string =>
  ENDS[step] ??
  (step.startsWith('end-')
    ? 'other-ends'
    : (BRANCHES[/^([a-z])-/.exec(step)?.[1] ?? ''] ?? 'start'));

const out = join(dirname(file), id);
await mkdir(out, { recursive: true });
for (const converted of convertToFolder({ flowText: await readFile(file, 'utf8'), words, partOf }))
  await writeFile(join(out, `${converted.name}.yaml`), converted.text);
console.log(`wrote ${out}/`);
