import type { QueryContext } from '../governance/index.js';
import { isTesseraError } from '../model/index.js';
import { ResolutionService, RUNS } from '../resolve/index.js';
import { WatchService, watchConfig } from '../watch/index.js';
import type { CliSession } from './context.js';
import { printTable, say } from './output.js';
import { startProgress } from './progress.js';

/** Store meta key: what the demo's resolution run produced (the tour prints it on later runs too). */
export const DEMO_RESOLUTION_KEY = 'demo.resolution';
/** Store meta key: what the demo's back-check of the scenario's travel filed. */
export const DEMO_SCREENING_KEY = 'demo.screening';
/** The travel the demo screens: the last 90 days before the scenario's reference time (triage's recent-hits window). */
export const DEMO_BACK_CHECK_DAYS = 90;
const DAY = 86_400_000;

export interface DemoResolution {
  readonly runId: string;
  readonly by: string;
  readonly records: number;
  readonly candidatePairs: number;
  readonly stored: number;
  readonly seconds: number;
}

export interface DemoScreening {
  readonly from: string;
  readonly to: string;
  readonly trips: number;
  readonly hits: number;
  readonly notices: number;
  readonly seconds: number;
}

/** What `prepareDemo` did this time (undefined: that step had been done before). */
export interface DemoPreparation {
  readonly resolution?: DemoResolution;
  readonly screening?: DemoScreening;
}

async function meta<T>(s: CliSession, key: string): Promise<T | undefined> {
  const raw = await s.store.getMeta(key);
  return raw ? (JSON.parse(raw) as T) : undefined;
}

/** The loaded scenario's reference time (what "recent" means in the demo), else now. */
async function referenceTime(s: CliSession): Promise<Date> {
  const scenario = await meta<{ referenceTime?: string }>(s, 'scenario');
  const t = scenario?.referenceTime === undefined ? Number.NaN : Date.parse(scenario.referenceTime);
  return Number.isFinite(t) ? new Date(t) : new Date();
}

/**
 * Makes the demo store what an agency's store would be after its daily work, so triage, the hits
 * inbox and the link chart have something to show. Each step runs once (first run, or an older demo
 * store that lacks it):
 *
 * - **Resolution**: `ResolutionService.run` as the demo user (as `tessera resolve run` does) over the
 *   Person records that user may read; its links make clusters (resolved persons) for triage and
 *   the link chart.
 * - **Screening**: the scenario's travel records (PNR and border crossings) of the last
 *   `DEMO_BACK_CHECK_DAYS` days before the scenario's reference time, screened through the
 *   WatchService against the watchlists `load` imported — hits and post-delisting notices land in
 *   the issuing agencies' inboxes.
 */
export async function prepareDemo(s: CliSession, ctx: QueryContext): Promise<DemoPreparation> {
  const resolution = await refusedAs('resolution run', () => resolveOnce(s, ctx));
  const screening = await refusedAs('travel back-check', () => screenOnce(s));
  return { ...(resolution ? { resolution } : {}), ...(screening ? { screening } : {}) };
}

/**
 * A step the demo user's case does not allow (another `--case`, say) is said and skipped, not fatal:
 * the tour still runs, and the next run tries again.
 */
async function refusedAs<T>(what: string, step: () => Promise<T>): Promise<T | undefined> {
  try {
    return await step();
  } catch (e) {
    if (!isTesseraError(e)) throw e;
    process.stderr.write(`warning: demo ${what} skipped (${e.code}: ${e.message})\n`);
    return undefined;
  }
}

async function resolveOnce(s: CliSession, ctx: QueryContext): Promise<DemoResolution | undefined> {
  let resolution: DemoResolution | undefined;
  if ((await s.store.countRecords(RUNS)) === 0) {
    const progress = startProgress(`resolving persons: matching the Person records ${ctx.userId} may read`);
    const started = performance.now();
    const report = await new ResolutionService(s.gov).run(ctx);
    resolution = { runId: report.runId, by: report.by, records: report.records, candidatePairs: report.candidatePairs, stored: report.stored, seconds: round1((performance.now() - started) / 1000) };
    await s.store.setMeta(DEMO_RESOLUTION_KEY, JSON.stringify(resolution));
    progress.stop(`resolution run ${report.runId}: ${report.records.toLocaleString('en')} Person records, ${report.candidatePairs.toLocaleString('en')} candidate pairs, ${report.stored.toLocaleString('en')} links stored`);
  }
  return resolution;
}

async function screenOnce(s: CliSession): Promise<DemoScreening | undefined> {
  let screening: DemoScreening | undefined;
  if ((await s.store.getMeta(DEMO_SCREENING_KEY)) === undefined) {
    const to = await referenceTime(s);
    const from = new Date(to.getTime() - DEMO_BACK_CHECK_DAYS * DAY);
    const progress = startProgress(`screening the travel of ${day(from)} – ${day(to)} (PNR, border) against the watchlists`, 0, 'trips');
    const started = performance.now();
    const watch = new WatchService(s.gov, { config: watchConfig(), nodeAgency: s.config.nodeAgency });
    const r = await watch.backCheckTravel({
      from: from.toISOString(),
      to: to.toISOString(),
      sourceId: 'demo/travel-feed',
      file: `scenario travel ${day(from)} – ${day(to)} (back-check)`,
      onProgress: (done, total) => progress.update(done, total),
    });
    screening = { from: from.toISOString(), to: to.toISOString(), trips: r.records, hits: r.hits, notices: r.notices, seconds: round1((performance.now() - started) / 1000) };
    await s.store.setMeta(DEMO_SCREENING_KEY, JSON.stringify(screening));
    progress.stop(`screened ${r.records.toLocaleString('en')} trips: ${r.hits} hits and ${r.notices} post-delisting notices filed in the issuers' inboxes`);
  }
  return screening;
}

/**
 * The tour's part about resolution and screening: resolved persons as the demo user sees them
 * (and whether resolution joined the records of `person`), and the hits in the user's inbox.
 */
export async function tourResolutionAndHits(s: CliSession, ctx: QueryContext, person?: { readonly records: readonly string[] }): Promise<void> {
  await refusedAs('tour of resolved persons', () => tourResolution(s, ctx, person));
  await refusedAs('tour of the hits inbox', () => tourHits(s, ctx));
}

async function tourResolution(s: CliSession, ctx: QueryContext, person?: { readonly records: readonly string[] }): Promise<void> {
  const { clusters } = await new ResolutionService(s.gov).clusters(ctx);
  const clusteredRecords = clusters.reduce((n, c) => n + c.length, 0);
  const run = await meta<DemoResolution>(s, DEMO_RESOLUTION_KEY);
  say(`\n== Resolution: ${clusters.length.toLocaleString('en')} persons resolved from ${clusteredRecords.toLocaleString('en')} records, as ${ctx.userId} may see them ==`);
  if (run) say(`(run ${run.runId} by ${run.by}: ${run.records.toLocaleString('en')} Person records, ${run.candidatePairs.toLocaleString('en')} candidate pairs, ${run.stored.toLocaleString('en')} links stored; in the link chart and triage each resolved person is one subject)`);
  if (person) {
    const mine = new Set(person.records);
    const joined = clusters.map((c) => c.filter((id) => mine.has(id))).sort((a, b) => b.length - a.length)[0] ?? [];
    say(joined.length > 1 ? `The person above: resolution joins ${joined.length} of the records you see into one person (${joined.join(', ')}).` : 'The person above: resolution has not joined the records you see (judge the link: tessera resolve candidates --entity ID).');
  }
}

async function tourHits(s: CliSession, ctx: QueryContext): Promise<void> {
  const back = await meta<DemoScreening>(s, DEMO_SCREENING_KEY);
  const watch = new WatchService(s.gov, { config: watchConfig(), nodeAgency: s.config.nodeAgency });
  const inbox = await watch.listHits(ctx, { limit: 5_000 });
  const principal = await s.gov.principalOf(ctx.userId);
  say(`\n== Watchlist hits: ${back ? `the travel of ${day(new Date(back.from))} – ${day(new Date(back.to))} (${back.trips.toLocaleString('en')} trips) screened: ${back.hits} hits and ${back.notices} notices in all inboxes; ` : ''}${inbox.length} in ${principal.agency}'s inbox ==`);
  printTable(
    inbox.slice(0, 5).map((h) => ({ hit: h.id, kind: h.kind, priority: h.priority, alert: h.alertId, action: h.recommendedAction, score: h.score.toFixed(2), encountered: h.encountered.what, when: h.encountered.when?.slice(0, 10) ?? '' })),
  );
  if (inbox.length > 5) say(`… and ${inbox.length - 5} more (tessera hits list; the Hits inbox in the web app)`);
}

function day(d: Date): string {
  return d.toISOString().slice(0, 10);
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}
