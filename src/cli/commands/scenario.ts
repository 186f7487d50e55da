import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { stateDir } from '../../config/index.js';
import { TesseraError } from '../../model/index.js';
import { generateScenario, writeScenario, SCENARIO_SIZES, type ScenarioSize, type ScenarioTruth } from '../../scenario/index.js';
import { withSession, type CliSession } from '../context.js';
import { prepareDemo, tourResolutionAndHits } from '../demo.js';
import { loadScenario, type LoadSummary } from '../load.js';
import { printLogins, runServer, servedPlugins } from './serve.js';
import { printJson, printTable, say } from '../output.js';
import { importScenarioWatchlist } from './watch.js';
import { startProgress } from '../progress.js';

function parseSize(size: string): ScenarioSize {
  if (!(SCENARIO_SIZES as readonly string[]).includes(size)) throw new TesseraError('VALIDATION', `unknown scenario size "${size}" (use ${SCENARIO_SIZES.join(', ')})`, { field: 'size' });
  return size as ScenarioSize;
}

function parseSeed(seed: string): number {
  const n = Number(seed);
  if (!Number.isInteger(n)) throw new TesseraError('VALIDATION', `seed must be an integer, got "${seed}"`, { field: 'seed' });
  return n;
}

/** Loads a generated scenario into the session's store with progress. */
async function load(s: CliSession, size: ScenarioSize, seed: number, truthPath: string | undefined, agency?: string): Promise<LoadSummary> {
  const scenario = generateScenario({ size, seed });
  const progress = startProgress(`loading ${size} scenario`, scenario.estimatedStatements, 'statements');
  const summary = await loadScenario(s.gov, scenario, { progress, ...(truthPath ? { truthPath } : {}), ...(agency ? { agency } : {}) });
  await importScenarioWatchlist(s, agency ? { watchlist: scenario.watchlist.filter((w) => w.agency === agency) } : scenario);
  progress.stop(`loaded ${summary.statements.toLocaleString('en')} statements (${summary.inserted.toLocaleString('en')} new) into ${s.store.location}`);
  return summary;
}

/** `scenario generate`, `load` and `demo`. */
export function registerScenarioCommands(program: Command): void {
  program
    .command('scenario')
    .description('deterministic synthetic multi-agency data with ground truth')
    .command('generate')
    .description('write a scenario: statements.jsonl, truth.json, manifest.json and raw source files (CDR, PNR, border crossings, reports)')
    .option('--size <size>', `scenario size: ${SCENARIO_SIZES.join(', ')}`, 'tiny')
    .option('--seed <n>', 'seed (same seed, same bytes)', '7')
    .requiredOption('--out <dir>', 'output directory')
    .action(async (opts: { size: string; seed: string; out: string }) => {
      const scenario = generateScenario({ size: parseSize(opts.size), seed: parseSeed(opts.seed) });
      const progress = startProgress(`generating ${opts.size} scenario`, scenario.estimatedStatements, 'statements');
      const manifest = await writeScenario(scenario, opts.out, { onProgress: (p) => progress.update(p.statements) });
      progress.stop(`wrote ${manifest.counts.statements.toLocaleString('en')} statements, ground truth and raw files to ${opts.out}`);
      printTable(Object.entries(manifest.counts.byAgency).map(([agency, statements]) => ({ agency, statements })));
    });

  program
    .command('load')
    .description('generate a synthetic scenario and load it (agencies, demo users, cases, statements) into the store')
    .option('--size <size>', `scenario size: ${SCENARIO_SIZES.join(', ')}`, 'tiny')
    .option('--seed <n>', 'seed (same seed, same data)', '7')
    .option('--truth <path>', 'write the ground truth here (JSON)')
    .option('--agency <id>', "load only this agency's statements and alerts (a federation node's own part)")
    .action(async (opts: { size: string; seed: string; truth?: string; agency?: string }, cmd: Command) => {
      await withSession(cmd, async (s) => {
        const summary = await load(s, parseSize(opts.size), parseSeed(opts.seed), opts.truth, opts.agency);
        if (s.json) printJson(summary);
        else printLoadSummary(summary);
      });
    });

  program
    .command('demo')
    .description('generate and load the demo scenario into embedded SQLite, resolve persons and screen its recent travel against the watchlists (first run), tour it, then serve the web app on http://127.0.0.1:8080')
    .option('--size <size>', 'scenario size', 'demo')
    .option('--seed <n>', 'seed', '7')
    .option('--fresh', 'rebuild the demo store from scratch')
    .option('--no-serve', 'only load and tour; do not start the web app')
    .action(async (opts: { size: string; seed: string; fresh?: boolean; serve: boolean }, cmd: Command) => {
      const dir = stateDir();
      const path = join(dir, `demo-${opts.size}-${opts.seed}.sqlite`);
      if (opts.fresh) for (const f of [path, `${path}-wal`, `${path}-shm`]) rmSync(f, { force: true });
      const truthPath = join(dir, `demo-${opts.size}-${opts.seed}.truth.json`);
      await withSession(
        cmd,
        async (s) => {
          const empty = (await s.store.stats()).statements === 0;
          if (empty) printLoadSummary(await load(s, parseSize(opts.size), parseSeed(opts.seed), truthPath));
          else say(`Using the demo store at ${s.store.location} (run with --fresh to rebuild).`);
          // Resolution and the travel back-check, once (first run, or a demo store made before them).
          await prepareDemo(s, await s.context());
          await tour(s, existsSync(truthPath) ? (JSON.parse(readFileSync(truthPath, 'utf8')) as ScenarioTruth) : undefined);
          if (!opts.serve) return printLogins(s.gov);
          say('');
          const server = await runServer({ config: s.config, gov: s.gov, logLevel: 'warn', plugins: servedPlugins() });
          say('Press Ctrl-C to stop.');
          await new Promise<void>((resolve) => {
            const stop = () => void server.close().finally(resolve);
            process.once('SIGINT', stop);
            process.once('SIGTERM', stop);
          });
        },
        { databaseUrl: `sqlite:${path}` },
      );
    });
}

function printLoadSummary(s: LoadSummary): void {
  say(`Loaded ${s.agencies} agencies, ${s.users} users, ${s.cases} cases and ${s.statements.toLocaleString('en')} statements in ${s.seconds.toFixed(1)} s.`);
  say(`Demo context: user ${s.demoContext.userId}, case ${s.demoContext.caseId}, purpose "${s.demoContext.purpose}"`);
}

/** A short tour of the demo: holdings, one subject as several agencies hold him, resolved persons, watchlist hits, the audit chain. */
async function tour(s: CliSession, truth: ScenarioTruth | undefined): Promise<void> {
  const ctx = await s.context();
  const stats = await s.gov.stats(ctx);
  say(`\n== Holdings: ${stats.statements.toLocaleString('en')} statements about ${stats.entities.toLocaleString('en')} entities ==`);
  printTable(Object.entries(stats.byAgency).map(([agency, statements]) => ({ agency, statements })));
  // A cell leader held by several agencies under different spellings — what resolution must link.
  const leader = truth?.persons
    .filter((p) => p.role === 'leader')
    .sort((a, b) => b.records.length - a.records.length)[0];
  if (leader) {
    const seen = await s.gov.readEntities(ctx, leader.records);
    say(`\n== One person, ${leader.records.length} records in ${new Set(leader.records.map((r) => r.slice(0, 5))).size} agencies; as ${ctx.userId} may see them ==`);
    printTable(
      [...seen.values()].map((e) => ({
        record: e.id,
        name: e.properties.name?.map((v) => v.value).join(' | ') ?? e.caption,
        born: e.properties.birthDate?.map((v) => `${v.value}${v.provenance[0]?.original ? ` (${v.provenance[0].original})` : ''}`).join(' | ') ?? '',
        sources: e.agencies.join(', '),
      })),
    );
  }
  await tourResolutionAndHits(s, ctx, leader);
  const audit = await s.gov.verifyAudit();
  say(`\n== Audit chain: ${audit.problems.length === 0 ? 'intact' : 'BROKEN'} (${audit.entries} entries; every query above is logged) ==`);
  const db = s.store.dialect === 'sqlite' ? `sqlite:${s.store.location}` : '<url>';
  say(`\nTry: npx tessera --db ${db} search <name>  ·  npx tessera --db ${db} entity show <id>  ·  npx tessera --db ${db} audit verify`);
}
