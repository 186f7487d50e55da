/**
 * The demo's first run and triage over the demo store through the API.
 *
 *   npx tsx bench/demo-triage.ts                 # demo size, seed 7 (what `npm start` builds)
 *   npx tsx bench/demo-triage.ts --size=tiny     # quick
 *
 * Phases, each timed in wall-clock and in CPU time of this process (all threads; the machine is
 * shared, so CPU time is the figure that does not depend on other people's load):
 *   load       generate, validate and bulk-load the scenario, import its watchlists (`tessera load`)
 *   prepare    what `tessera demo` adds on first run: the resolution run and the back-check of the
 *              last 90 days of travel against the watchlists (`prepareDemo`), split into its steps
 *   api        /api/triage and /api/graph in process on that store, as fr.analyst: rank (cold), rank
 *              again (gathered signals reused), a what-if plan (reused), the link chart's
 *              neighbourhood of the top subject (the projection triage made), rank by records (another
 *              projection), and a rank after a statement write (both caches invalidated)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import pino from 'pino';
import { createApp, graphPlugin, triagePlugin } from '../src/api/index.js';
import { importScenarioWatchlist } from '../src/cli/commands/watch.js';
import { openSession } from '../src/cli/context.js';
import { DEMO_RESOLUTION_KEY, DEMO_SCREENING_KEY, prepareDemo, type DemoResolution, type DemoScreening } from '../src/cli/demo.js';
import { DEMO_PASSWORD, loadScenario } from '../src/cli/load.js';
import { ProjectionCache } from '../src/graph/index.js';
import { validateStatement } from '../src/model/index.js';
import { generateScenario, type ScenarioSize } from '../src/scenario/index.js';
import { writeResult } from './_util.js';

const arg = (name: string, fallback: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3) ?? fallback;
const size = arg('size', 'demo') as ScenarioSize;
const seed = Number(arg('seed', '7'));

interface Timed {
  wallS: number;
  cpuS: number;
}
async function timed<T>(fn: () => Promise<T>): Promise<Timed & { value: T }> {
  const w = performance.now();
  const c = process.cpuUsage();
  const value = await fn();
  const cpu = process.cpuUsage(c);
  return { wallS: round((performance.now() - w) / 1000), cpuS: round((cpu.user + cpu.system) / 1e6), value };
}
const round = (x: number) => Math.round(x * 100) / 100;

const dir = mkdtempSync(join(os.tmpdir(), 'tessera-bench-demo-'));
const loadBefore = os.loadavg()[0]!;
try {
  const session = await openSession(new Command(), { databaseUrl: `sqlite:${join(dir, `demo-${size}-${seed}.sqlite`)}` });
  try {
    const scenario = generateScenario({ size, seed });
    const load = await timed(async () => {
      const summary = await loadScenario(session.gov, scenario);
      await importScenarioWatchlist(session, scenario);
      return summary;
    });
    const ctx = await session.context();
    const prepare = await timed(() => prepareDemo(session, ctx));
    const resolution = JSON.parse((await session.store.getMeta(DEMO_RESOLUTION_KEY))!) as DemoResolution;
    const screening = JSON.parse((await session.store.getMeta(DEMO_SCREENING_KEY))!) as DemoScreening;

    const cache = new ProjectionCache();
    const { app } = createApp({ gov: session.gov, config: session.config, logger: pino({ level: 'silent' }), plugins: [graphPlugin(), triagePlugin()], projections: cache });
    const login = await app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId: ctx.userId, password: DEMO_PASSWORD }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const csrf = ((await login.json()) as { csrfToken: string }).csrfToken;
    const headers = { cookie, 'x-csrf-token': csrf, 'content-type': 'application/json' };
    await app.request('/api/session/context', { method: 'PUT', headers, body: JSON.stringify({ purpose: ctx.purpose, caseId: ctx.caseId }) });
    const request = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await app.request(path, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
      return (await res.json()) as T;
    };
    type Rank = { total: number; resolution: { clusters: number }; subjects: { subject: string; contributions: { signal: string }[] }[] };
    const rank = (query = '') => request<Rank>('GET', `/api/triage/rank?limit=5000${query}`);
    const rankCold = await timed(() => rank());
    const rankAgain = await timed(() => rank());
    const plan = await timed(() => request<{ plan: { assignments: unknown[] } }>('POST', '/api/triage/plans', { capacity: { teams: Array.from({ length: 20 }, (_, i) => ({ id: `team-${i + 1}`, agents: 30 })) }, limit: 100 }));
    const top = rankCold.value.subjects[0]!.subject;
    const chart = await timed(() => request<{ nodes: unknown[] }>('GET', `/api/graph/neighbours/${encodeURIComponent(top)}?hops=2`));
    const byRecords = await timed(() => rank('&resolved=false'));
    const afterWrite = await timed(async () => {
      const [person] = await session.store.statementsOf(top);
      const { id: _id, original: _original, ...core } = person!;
      await session.gov.systemWrite('bench', 'a statement write between rankings (cache invalidation)', [validateStatement({ ...core, prop: 'notes', value: `bench note ${Date.now()}` })]);
      return rank();
    });
    const hitsSubjects = rankCold.value.subjects.filter((s) => s.contributions.some((c) => c.signal === 'recentHits')).length;
    const result = {
      size,
      seed,
      loadAverage: { start: round(loadBefore), end: round(os.loadavg()[0]!) },
      maxRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      load: { wallS: load.wallS, cpuS: load.cpuS, statements: load.value.statements },
      prepare: { wallS: prepare.wallS, cpuS: prepare.cpuS, resolution, screening },
      triageApi: {
        subjects: rankCold.value.total,
        clusters: rankCold.value.resolution.clusters,
        subjectsWithRecentHits: hitsSubjects,
        rankCold: { wallS: rankCold.wallS, cpuS: rankCold.cpuS },
        rankAgain: { wallS: rankAgain.wallS, cpuS: rankAgain.cpuS },
        planWhatIf: { wallS: plan.wallS, cpuS: plan.cpuS, assignments: plan.value.plan.assignments.length },
        chartNeighbourhood: { wallS: chart.wallS, cpuS: chart.cpuS, nodes: chart.value.nodes.length },
        rankByRecords: { wallS: byRecords.wallS, cpuS: byRecords.cpuS, subjects: byRecords.value.total },
        rankAfterWrite: { wallS: afterWrite.wallS, cpuS: afterWrite.cpuS },
        projectionCache: cache.stats(),
      },
    };
    console.log(JSON.stringify(result, null, 2));
    console.log(`wrote ${writeResult('demo-triage', result)}`);
  } finally {
    await session.close();
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
