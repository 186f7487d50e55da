import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
/** The tsx loader by absolute URL, so the CLI also runs with a working directory outside the repository (`cwd`). */
const tsxLoader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the real CLI in a child process (tsx loader), as a user would. */
export function tessera(args: readonly string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const r = spawnSync(process.execPath, ['--import', tsxLoader, join(root, 'src', 'cli', 'main.ts'), ...args], {
    cwd: options.cwd ?? root,
    env: { ...process.env, ...options.env, FORCE_COLOR: '0' },
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 180_000,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
