import type { Command } from 'commander';
import { registerCoreCommands } from './core.js';
import { registerScenarioCommands } from './scenario.js';
import { registerServeCommands } from './serve.js';

/**
 * Every capability registers its commands here (one line each), so `main.ts` stays small.
 * Each register function adds subcommands to the root program.
 */
export function registerAll(program: Command): void {
  registerCoreCommands(program);
  registerScenarioCommands(program);
  registerServeCommands(program);
}
