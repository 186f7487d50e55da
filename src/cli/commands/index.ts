import type { Command } from 'commander';
import { registerCoreCommands } from './core.js';
import { registerFederationCommands } from './federation.js';
import { registerGraphCommands } from './graph.js';
import { registerIngestCommands } from './ingest.js';
import { registerNodeCommands } from './node.js';
import { registerPrivacyCommands } from './privacy.js';
import { registerResolveCommands } from './resolve.js';
import { registerScenarioCommands } from './scenario.js';
import { registerServeCommands } from './serve.js';
import { registerTriageCommands } from './triage.js';
import { registerWatchCommands } from './watch.js';

/**
 * Every capability registers its commands here (one line each), so `main.ts` stays small.
 * Each register function adds subcommands to the root program.
 */
export function registerAll(program: Command): void {
  registerCoreCommands(program);
  registerFederationCommands(program);
  registerGraphCommands(program);
  registerIngestCommands(program);
  registerNodeCommands(program);
  registerPrivacyCommands(program);
  registerResolveCommands(program);
  registerScenarioCommands(program);
  registerServeCommands(program);
  registerTriageCommands(program);
  registerWatchCommands(program);
}
