import { Command, CommanderError } from 'commander';
import { isTesseraError } from '../model/index.js';
import { registerAll } from './commands/index.js';
import { addGlobalOptions } from './context.js';

/** Builds the `tessera` command tree (exported for e2e tests that run it in-process). */
export function buildProgram(): Command {
  const program = new Command('tessera')
    .description('Tessera — federated intelligence sharing and link analysis')
    .showHelpAfterError()
    .exitOverride();
  addGlobalOptions(program);
  registerAll(program);
  return program;
}

/** Runs the CLI, printing TesseraErrors as one clear line and exiting non-zero. */
export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode;
    if (isTesseraError(e)) {
      process.stderr.write(`error [${e.code}]: ${e.message}\n`);
      return e.status >= 500 ? 2 : 1;
    }
    process.stderr.write(`error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 2;
  }
}

const isMain = process.argv[1] !== undefined && /(?:main\.ts|tessera(?:\.js)?)$/.test(process.argv[1]);
if (isMain) {
  process.exitCode = await runCli(process.argv.slice(2));
}
