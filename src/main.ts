import { runCli } from './cli.js';

/** Composition root: `.env`, then the command on this process's streams and exit code. */
loadDotEnv();
// `npm run flow -- paths | head`: a reader that stops early is not an error.
process.stdout.on('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EPIPE') throw error;
  process.exit(process.exitCode ?? 0);
});
process.exitCode = await runCli(process.argv.slice(2), process.env, {
  input: process.stdin,
  output: process.stdout,
  error: (text) => void process.stderr.write(text),
  interactive: Boolean(process.stdin.isTTY),
  privateFiles: true,
});

/** `.env` in the working directory, when there is one (as .env.example says); real env wins. */
function loadDotEnv(): void {
  try {
    process.loadEnvFile();
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
  }
}
