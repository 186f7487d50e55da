/**
 * API load test: 50 concurrent simulated analysts on loopback against a seeded SQLite store.
 * Each analyst signs in, sets purpose and case, then loops: search (a third with a typo) → open the
 * first result's profile. Reports p50/p95/p99 per route and throughput; writes bench/results/api.json.
 *
 *   npx tsx bench/api.ts [--people 20000] [--analysts 50] [--seconds 20] [--think 1000]
 * Analysts pause --think ms (±50 %) between actions, as people do; --think 0 is a closed-loop stress run.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { startServer } from '../src/api/index.js';
import { loadConfig } from '../src/config/index.js';
import { hashPassword } from '../src/governance/index.js';
import { validateStatement, type Statement } from '../src/model/index.js';
import { openStore } from '../src/store/index.js';
import { seedWorld, PURPOSE } from '../test/support/governance.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const PEOPLE = arg('people', 20_000);
const ANALYSTS = arg('analysts', 50);
const SECONDS = arg('seconds', 20);
/** Pause between an analyst's actions (reading the screen); 0 = closed loop, the worst case. */
const THINK_MS = arg('think', 1000);

// Invented name parts (no real persons).
const GIVEN = ['Karim', 'Yusuf', 'Lena', 'Marek', 'Sofia', 'Idris', 'Nadia', 'Tomas', 'Aylin', 'Bruno', 'Clara', 'Darius', 'Elif', 'Farid', 'Greta', 'Hamza', 'Ines', 'Jonas', 'Kemal', 'Lucia'];
const FAMILY = ['Benali', 'Demiral', 'Vossberg', 'Kowalczy', 'Marchetti', 'Haddouri', 'Okonkwe', 'Lindqvar', 'Petrescu', 'Zahraoui', 'Brandtner', 'Castellot', 'Dubranek', 'Erdemir', 'Falcaro', 'Gorvanec', 'Hollstad', 'Ibrahimov', 'Jankowicz', 'Kessrani'];

let seed = 42;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;

function typo(s: string): string {
  const i = 2 + Math.floor(rand() * (s.length - 2));
  return s.slice(0, i) + s.slice(i + 1); // drop one letter after the first two
}

function percentile(sorted: number[], p: number): number {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]! : 0;
}

async function main(): Promise<void> {
  const store = await openStore({ url: 'sqlite::memory:' });
  const gov = await seedWorld(store);
  const passwordHash = hashPassword('bench-password-123');
  for (const u of await gov.users()) await gov.upsertUser({ ...u, passwordHash });

  const t0 = performance.now();
  const base = { grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: { codes: [], releasableTo: ['*'] }, classification: 'UNCLASSIFIED', subjectCategory: 'suspect', nature: 'fact', caseIds: [] };
  let batch: Statement[] = [];
  let statements = 0;
  const flush = async () => {
    if (batch.length) await gov.systemWrite('bench', 'API load-test fixture', batch);
    statements += batch.length;
    batch = [];
  };
  for (let i = 0; i < PEOPLE; i++) {
    const agency = i % 3 === 0 ? 'BE-CT' : 'FR-CT';
    const source = { agency, documentId: `doc-${i % 500}`, collectedAt: '2024-01-15T10:00:00Z' };
    const id = `${agency.toLowerCase()}:p${i}`;
    const phone = `${agency.toLowerCase()}:ph${i}`;
    const mk = (entityId: string, schema: string, prop: string, value: string) => validateStatement({ ...base, entityId, schema, prop, value, source });
    batch.push(mk(id, 'Person', 'name', `${pick(GIVEN)} ${pick(FAMILY)}-${i % 97}`));
    batch.push(mk(id, 'Person', 'birthDate', `19${60 + (i % 40)}-0${1 + (i % 9)}-1${i % 10}`));
    batch.push(mk(phone, 'Phone', 'number', `+3361${String(1_000_000 + i).padStart(7, '0')}`));
    batch.push(mk(`${agency.toLowerCase()}:pu${i}`, 'PhoneUse', 'person', id));
    batch.push(mk(`${agency.toLowerCase()}:pu${i}`, 'PhoneUse', 'phone', phone));
    if (batch.length >= 5_000) await flush();
  }
  await flush();
  const seedMs = performance.now() - t0;

  const server = await startServer({ gov, config: loadConfig({}, { databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: 0 }), logger: pino({ level: 'silent' }), loginAttempts: { perUser: 1000, perClient: 1000, windowMs: 60_000 } });
  const users = ['fr.analyst', 'fr.junior'];
  const latencies: Record<string, number[]> = { search: [], profile: [] };
  let errors = 0;

  const pause = () => (THINK_MS > 0 ? new Promise((r) => setTimeout(r, THINK_MS * (0.5 + rand()))) : Promise.resolve());

  async function signIn(n: number): Promise<Record<string, string>> {
    const userId = users[n % users.length]!;
    const login = await fetch(`${server.url}/api/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password: 'bench-password-123' }) });
    const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const headers = { cookie, 'x-csrf-token': csrfToken, 'content-type': 'application/json' };
    await fetch(`${server.url}/api/session/context`, { method: 'PUT', headers, body: JSON.stringify({ purpose: PURPOSE, caseId: 'FR-OP-ATLAS' }) });
    return headers;
  }

  async function analyst(headers: Record<string, string>): Promise<void> {
    const until = performance.now() + SECONDS * 1000;
    while (performance.now() < until) {
      const family = pick(FAMILY);
      const q = `${pick(GIVEN)} ${rand() < 0.33 ? typo(family) : family}`;
      let t = performance.now();
      const res = await fetch(`${server.url}/api/search?q=${encodeURIComponent(q)}&limit=20`, { headers });
      const body = (await res.json()) as { results?: { entityId: string }[] };
      latencies.search!.push(performance.now() - t);
      await pause();
      if (!res.ok) errors++;
      const first = body.results?.[0];
      if (!first) continue;
      t = performance.now();
      const p = await fetch(`${server.url}/api/entities/${encodeURIComponent(first.entityId)}`, { headers });
      await p.arrayBuffer();
      latencies.profile!.push(performance.now() - t);
      if (!p.ok) errors++;
      await pause();
    }
  }

  // Sign-ins first (scrypt is slow by design, ~0.1–0.4 s each); the clock starts after.
  const sessions: Record<string, string>[] = [];
  for (let i = 0; i < ANALYSTS; i++) sessions.push(await signIn(i));
  // --profile: CPU profile of the load phase only (seeding excluded), written to bench/results/api.cpuprofile.
  const profiling = process.argv.includes('--profile');
  const inspector = profiling ? new (await import('node:inspector/promises')).Session() : undefined;
  if (inspector) {
    inspector.connect();
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  const started = performance.now();
  await Promise.all(sessions.map((h) => analyst(h)));
  if (inspector) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(join('bench', 'results', 'api.cpuprofile.tmp'), JSON.stringify(profile));
  }
  const elapsed = (performance.now() - started) / 1000;
  await server.close();
  await store.close();

  const routes = Object.fromEntries(
    Object.entries(latencies).map(([route, xs]) => {
      const s = [...xs].sort((a, b) => a - b);
      return [route, { requests: s.length, p50Ms: +percentile(s, 50).toFixed(1), p95Ms: +percentile(s, 95).toFixed(1), p99Ms: +percentile(s, 99).toFixed(1), maxMs: +(s.at(-1) ?? 0).toFixed(1) }];
    }),
  );
  const all = Object.values(latencies).flat().sort((a, b) => a - b);
  const result = {
    bench: 'api',
    date: new Date().toISOString(),
    node: process.version,
    store: 'sqlite (in-memory)',
    people: PEOPLE,
    statements,
    seedSeconds: +(seedMs / 1000).toFixed(1),
    analysts: ANALYSTS,
    thinkMs: THINK_MS,
    seconds: +elapsed.toFixed(1),
    requests: all.length,
    requestsPerSecond: +(all.length / elapsed).toFixed(1),
    errors,
    overall: { p50Ms: +percentile(all, 50).toFixed(1), p95Ms: +percentile(all, 95).toFixed(1), p99Ms: +percentile(all, 99).toFixed(1) },
    routes,
    targets: { apiP95Ms: 200, searchP95Ms: 100 },
  };
  console.log(`API load test: ${ANALYSTS} analysts (think ${THINK_MS} ms), ${statements.toLocaleString('en')} statements (${PEOPLE.toLocaleString('en')} people), ${result.seconds} s`);
  console.log(`  ${result.requests} requests, ${result.requestsPerSecond} req/s, ${errors} errors`);
  for (const [route, r] of Object.entries(routes)) console.log(`  ${route.padEnd(8)} p50 ${r.p50Ms} ms  p95 ${r.p95Ms} ms  p99 ${r.p99Ms} ms  (${r.requests} requests)`);
  console.log(`  overall  p95 ${result.overall.p95Ms} ms (target ≤ 200 ms)`);
  mkdirSync(join('bench', 'results'), { recursive: true });
  writeFileSync(join('bench', 'results', 'api.json'), `${JSON.stringify(result, null, 2)}\n`);
}

await main();
