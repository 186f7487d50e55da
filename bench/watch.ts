/**
 * Watchlist screening bench (issue 6).
 *  1. Speed: one travel record against a 100,000-alert watchlist (p50/p95/p99, index vs the naive
 *     all-pairs scan in the same run), batch throughput through the index and through the full
 *     WatchService path (SQLite store, hit reports, audit chain), index rebuild time.
 *  2. Quality: recall on the synthetic scenario — every travel record of a watched (or delisted)
 *     subject should raise a hit (or a post-delisting notice) on the right alert; misses are listed.
 * Run: npx tsx bench/watch.ts [--alerts 100000] [--records 5000] [--naive 20] [--size demo]
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os, { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Governance } from '../src/governance/index.js';
import { DEFAULT_CLASSIFICATIONS, scoringView, type SchemaName, type StatementInput } from '../src/model/index.js';
import { generateScenario } from '../src/scenario/index.js';
import { NAME_TABLES, canonicalName, drawName, renderName, type Origin, type TrueName } from '../src/scenario/names.js';
import { Rng } from '../src/scenario/rng.js';
import { openStore } from '../src/store/index.js';
import { ScreeningIndex, WatchService, featuresOf, travelSubject, watchConfig, type ScreeningSubject } from '../src/watch/index.js';
import { percentile, writeResult } from './_util.js';

const { values: args } = parseArgs({
  options: {
    alerts: { type: 'string', default: '100000' },
    records: { type: 'string', default: '5000' },
    naive: { type: 'string', default: '20' },
    size: { type: 'string', default: 'demo' },
    seed: { type: 'string', default: '7' },
  },
});
const ALERTS = Number(args.alerts);
const RECORDS = Number(args.records);
const NAIVE = Number(args.naive);
const rng = new Rng(20261123);
const origins = Object.keys(NAME_TABLES) as Origin[];
const SYL = ['ka', 'ri', 'mo', 'sa', 'ne', 'lu', 'ta', 'vo', 'di', 'ber', 'an', 'el', 'go', 'min', 'ros', 'tek', 'ul', 'zar', 'pa', 'chi', 'dre', 'hal', 'ko', 've', 'nur', 'sel', 'bi', 'om', 'ja', 'fe'];
const round = (x: number, d = 3) => Math.round(x * 10 ** d) / 10 ** d;

function dob(): string {
  const y = rng.int(1955, 2006);
  const m = rng.int(1, 12);
  const d = rng.int(1, 28);
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}
function syllableSurname(): string {
  const n = rng.int(2, 4);
  let s = '';
  for (let i = 0; i < n; i++) s += rng.pick(SYL);
  return s[0]!.toUpperCase() + s.slice(1);
}
function docNumber(): string {
  return `${rng.pick(['FR', 'DE', 'BE', 'NL', 'ES', 'TR', 'MA'])}${rng.int(10_000_000, 99_999_999)}`;
}

interface Synthetic {
  id: string;
  truth: TrueName;
  /** Surname replaced by a generated one (half the list): a watchlist is more diverse than the name tables. */
  surname?: string;
  name: string;
  birthDate: string;
  doc?: string;
  phone?: string;
}

// ---- 1. speed -----------------------------------------------------------------------------------
console.log(`Building a ${ALERTS.toLocaleString('en')}-alert watchlist…`);
const alerts: Synthetic[] = [];
for (let i = 0; i < ALERTS; i++) {
  const truth = drawName(rng, rng.pick(origins), rng.chance(0.85) ? 'male' : 'female');
  const canon = canonicalName(truth);
  const surname = rng.chance(0.5) ? syllableSurname() : undefined;
  alerts.push({
    id: `fr-ct:wl-${String(i).padStart(6, '0')}`,
    truth,
    ...(surname ? { surname } : {}),
    name: `${canon.first} ${surname ?? canon.last}`,
    birthDate: dob(),
    ...(rng.chance(0.6) ? { doc: docNumber() } : {}),
    ...(rng.chance(0.3) ? { phone: `+3361${rng.int(1_000_000, 9_999_999)}` } : {}),
  });
}
const always = { activeUntil: Number.POSITIVE_INFINITY, quietUntil: Number.POSITIVE_INFINITY };
const index = new ScreeningIndex();
let t = performance.now();
for (const a of alerts) {
  index.upsert({ id: a.id, version: 1, subject: { entityIds: [], names: [a.name], birthDates: [a.birthDate], selectors: [...(a.doc ? [{ kind: 'document' as const, value: a.doc }] : []), ...(a.phone ? [{ kind: 'phone' as const, value: a.phone }] : [])] } }, always);
}
const buildMs = performance.now() - t;
console.log(`  index built in ${(buildMs / 1000).toFixed(1)} s`);

// Travel records: 5 % watched subjects (spelling variants, some with a swapped date or the document),
// the rest the background population (namesakes happen, as in life).
const house = () => ({ house: rng.int(0, 3), nativeScript: 0.1, typo: 0.08, surnameFirst: 0.3 });
const records: { subject: ScreeningSubject; expected?: string; exactExpected: boolean }[] = [];
for (let i = 0; i < RECORDS; i++) {
  let row: Record<string, string>;
  let expected: string | undefined;
  let exactExpected = false;
  if (rng.chance(0.05)) {
    const a = rng.pick(alerts);
    expected = a.id;
    const r = renderName(rng, a.truth, house());
    const name = a.surname ? `${r.first ?? canonicalName(a.truth).first} ${a.surname}` : r.full;
    const [y, m, d] = a.birthDate.split('-');
    const birth = rng.chance(0.1) ? `${y}-${d}-${m}` : `${d}/${m}/${y}`;
    const validBirth = Number(d) <= 12 || !birth.startsWith(`${y}-`) ? birth : `${d}/${m}/${y}`;
    row = { travellerName: name, travellerBirthDate: validBirth };
    if (a.doc && rng.chance(0.5)) {
      row.documentNumber = `${a.doc.slice(0, 2)} ${a.doc.slice(2)}`;
      exactExpected = true;
    }
  } else {
    const truth = drawName(rng, rng.pick(origins), rng.chance(0.6) ? 'male' : 'female');
    const r = renderName(rng, truth, house());
    row = { travellerName: rng.chance(0.5) ? `${r.first ?? ''} ${syllableSurname()}`.trim() : r.full, travellerBirthDate: dob(), documentNumber: docNumber() };
  }
  row.id = `pnr-${i}`;
  row.origin = 'CDG';
  row.destination = 'IST';
  records.push({ subject: travelSubject(row, `pnr-${i}`, 'bench PNR'), ...(expected ? { expected } : {}), exactExpected });
}

const opts = { now: Date.parse('2026-01-01T00:00:00Z'), threshold: watchConfig().hitThreshold };
// Warm-up (JIT, profile cache): one untimed pass over the records, as a long-running node would be.
for (const r of records) index.screen(r.subject.features, opts);
const latencies: number[] = [];
const cpuLatencies: number[] = [];
let matched = 0;
let expectedFound = 0;
let expectedTotal = 0;
let exactMissed = 0;
const plantedMisses: { record: string; alert: string; birthDates: string[] }[] = [];
const alertById = new Map(alerts.map((a) => [a.id, a]));
t = performance.now();
const cpu0 = process.cpuUsage();
for (const r of records) {
  const c = process.cpuUsage();
  const s = performance.now();
  const m = index.screen(r.subject.features, opts);
  latencies.push(performance.now() - s);
  const cd = process.cpuUsage(c);
  cpuLatencies.push((cd.user + cd.system) / 1000);
  if (m.length) matched++;
  if (r.expected) {
    expectedTotal++;
    const hit = m.find((x) => x.alertId === r.expected);
    if (hit) expectedFound++;
    else plantedMisses.push({ record: r.subject.features.names.join(' | '), alert: alertById.get(r.expected)?.name ?? '?', birthDates: [r.subject.features.birthDates.map((d) => d.raw).join(','), alertById.get(r.expected)?.birthDate ?? ''] });
    if (r.exactExpected && !hit?.exact) exactMissed++;
  }
}
const batchMs = performance.now() - t;
const cpuBatch = process.cpuUsage(cpu0);
const indexRate = RECORDS / (batchMs / 1000);
const indexCpuRate = RECORDS / ((cpuBatch.user + cpuBatch.system) / 1e6);

// Naive all-pairs scan on a sample, and how much of what it finds the index finds.
const naiveMs: number[] = [];
const indexedMs: number[] = [];
let naiveMatches = 0;
let naiveFoundByIndex = 0;
// Half planted watched travellers, half background, so that the comparison has matches to find.
const sample = [...records.filter((r) => r.expected).slice(0, Math.ceil(NAIVE / 2)), ...records.filter((r) => !r.expected).slice(0, Math.floor(NAIVE / 2))];
for (const r of sample) {
  let s = performance.now();
  const naive = index.screenNaive(r.subject.features, opts);
  naiveMs.push(performance.now() - s);
  s = performance.now();
  const fast = new Set(index.screen(r.subject.features, opts).map((m) => m.alertId));
  indexedMs.push(performance.now() - s);
  naiveMatches += naive.length;
  for (const m of naive) if (fast.has(m.alertId)) naiveFoundByIndex++;
}
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
const speed = {
  alerts: ALERTS,
  records: RECORDS,
  indexBuildSeconds: round(buildMs / 1000, 2),
  singleRecordMs: { p50: round(percentile(latencies, 50)), p95: round(percentile(latencies, 95)), p99: round(percentile(latencies, 99)), max: round(Math.max(...latencies)) },
  singleRecordCpuMs: { p50: round(percentile(cpuLatencies, 50)), p95: round(percentile(cpuLatencies, 95)), p99: round(percentile(cpuLatencies, 99)) },
  indexBatchRecordsPerSecond: Math.round(indexRate),
  indexBatchRecordsPerCpuSecond: Math.round(indexCpuRate),
  recordsWithMatches: matched,
  plantedWatchedTravellers: expectedTotal,
  plantedFound: expectedFound,
  plantedRecall: round(expectedFound / Math.max(1, expectedTotal)),
  exactSelectorMisses: exactMissed,
  plantedMisses: plantedMisses.slice(0, 20),
  naive: { sample: sample.length, meanMs: round(mean(naiveMs), 1), indexMeanMsSameSample: round(mean(indexedMs)), speedup: Math.round(mean(naiveMs) / Math.max(1e-6, mean(indexedMs))), naiveMatches, foundByIndex: naiveFoundByIndex, blockingRecall: round(naiveFoundByIndex / Math.max(1, naiveMatches)) },
};
console.log(`  one record vs ${ALERTS.toLocaleString('en')} alerts: p50 ${speed.singleRecordMs.p50} ms, p95 ${speed.singleRecordMs.p95} ms, p99 ${speed.singleRecordMs.p99} ms`);
console.log(`  (CPU time per record: p50 ${speed.singleRecordCpuMs.p50} ms, p95 ${speed.singleRecordCpuMs.p95} ms — the machine's load average was ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} cores)`);
console.log(`  index batch: ${speed.indexBatchRecordsPerSecond.toLocaleString('en')} records/s wall, ${speed.indexBatchRecordsPerCpuSecond.toLocaleString('en')} records per CPU-second; planted watched travellers found ${expectedFound}/${expectedTotal}; exact selector misses ${exactMissed}`);
for (const m of plantedMisses.slice(0, 5)) console.log(`  planted miss: "${m.record}" vs alert "${m.alert}" (${m.birthDates.join(' vs ')})`);
console.log(`  naive all-pairs: ${speed.naive.meanMs} ms/record vs index ${speed.naive.indexMeanMsSameSample} ms → ×${speed.naive.speedup}; index finds ${naiveFoundByIndex}/${naiveMatches} of the naive matches`);

// Full service path: alerts in SQLite, index rebuilt from the store, hit reports and audit written.
const dir = mkdtempSync(join(tmpdir(), 'tessera-watch-bench-'));
const store = await openStore({ url: `sqlite:${join(dir, 'bench.sqlite')}` });
const gov = new Governance(store, { classifications: DEFAULT_CLASSIFICATIONS });
await gov.upsertAgency({ id: 'FR-CT', name: 'French CT unit (fictional)', country: 'FR' });
await gov.upsertUser({ id: 'fr.analyst', name: 'Analyst FR', agency: 'FR-CT', roles: ['analyst'], clearance: 'SECRET' });
await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst'], openedAt: '2024-01-01T00:00:00Z' });
const ctx = { userId: 'fr.analyst', purpose: 'Screen the PNR batch of the day against the watchlist', caseId: 'FR-OP-ATLAS' };
t = performance.now();
await store.transaction(async (tx) => {
  for (const a of alerts) {
    const alert = {
      id: a.id,
      agency: 'FR-CT',
      caseId: 'FR-OP-ATLAS',
      subject: { entityIds: [], names: [a.name], birthDates: [a.birthDate], selectors: [...(a.doc ? [{ kind: 'document', value: a.doc }] : []), ...(a.phone ? [{ kind: 'phone', value: a.phone }] : [])] },
      threatLevel: 'S4',
      reasons: 'bench alert',
      grading: { system: 'EU4x4', source: 'B', info: '2' },
      action: 'discreet-check',
      createdBy: 'fr.analyst',
      createdAt: '2025-06-01T00:00:00Z',
      reviewBy: '2026-06-01',
      status: 'active',
      version: 1,
      history: [],
    };
    await tx.putRecord('watch-alerts', alert.id, alert, { agency: 'FR-CT', status: 'active', case: 'FR-OP-ATLAS', review: alert.reviewBy });
  }
});
const storeLoadMs = performance.now() - t;
const watch = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT', now: () => new Date('2026-01-01T00:00:00Z') });
t = performance.now();
await watch.loadIndex();
const rebuildMs = performance.now() - t;
const subjects = records.map((r) => r.subject);
t = performance.now();
const cpu1 = process.cpuUsage();
let serviceHits = 0;
for (let i = 0; i < subjects.length; i += 500) serviceHits += (await watch.screenRecords(ctx, subjects.slice(i, i + 500))).hits;
const serviceMs = performance.now() - t;
const serviceCpu = process.cpuUsage(cpu1);
const auditOk = (await gov.verifyAudit()).problems.length === 0;
await store.close();
rmSync(dir, { recursive: true, force: true });
const service = {
  storeWriteSeconds: round(storeLoadMs / 1000, 2),
  indexRebuildFromStoreSeconds: round(rebuildMs / 1000, 2),
  batchRecordsPerSecond: Math.round(RECORDS / (serviceMs / 1000)),
  batchRecordsPerCpuSecond: Math.round(RECORDS / ((serviceCpu.user + serviceCpu.system) / 1e6)),
  hitReportsFiled: serviceHits,
  auditChainVerified: auditOk,
};
console.log(`  service path (SQLite, reports, audit): ${service.batchRecordsPerSecond.toLocaleString('en')} records/s wall (${service.batchRecordsPerCpuSecond.toLocaleString('en')} per CPU-second), ${serviceHits} hit reports; rebuild from store ${service.indexRebuildFromStoreSeconds} s`);

// ---- 2. scenario recall -------------------------------------------------------------------------
console.log(`\nScenario recall (size ${args.size}, seed ${args.seed})…`);
const scenario = generateScenario({ size: args.size as 'tiny' | 'demo' | 'large', seed: Number(args.seed) });
const watchedIds = new Set(scenario.watchlist.map((w) => w.subjectEntityId));
const personProps = new Map<string, Record<string, string[]>>();
const travel = new Map<string, Record<string, string[]>>();
const add = (m: Map<string, Record<string, string[]>>, s: StatementInput) => {
  let p = m.get(s.entityId);
  if (!p) m.set(s.entityId, (p = {}));
  (p[s.prop] ??= []).push(s.value);
};
// The subject's own objects, as WatchService.addAlert finds them through links: documents held,
// phones used (PhoneUse → Phone.number).
const docs = new Map<string, Record<string, string[]>>();
const phoneUses = new Map<string, Record<string, string[]>>();
const phones = new Map<string, Record<string, string[]>>();
for (const batch of scenario.statements({ calls: false })) {
  for (const s of batch) {
    if (s.schema === 'TravelEvent') add(travel, s);
    else if (s.schema === 'Person' && watchedIds.has(s.entityId)) add(personProps, s);
    else if (s.schema === 'IdentityDocument') add(docs, s);
    else if (s.schema === 'PhoneUse') add(phoneUses, s);
    else if (s.schema === 'Phone') add(phones, s);
  }
}
const linkedSelectors = new Map<string, { kind: 'document' | 'phone'; value: string }[]>();
const link = (subject: string, sel: { kind: 'document' | 'phone'; value: string }) => {
  if (!watchedIds.has(subject)) return;
  let list = linkedSelectors.get(subject);
  if (!list) linkedSelectors.set(subject, (list = []));
  list.push(sel);
};
for (const d of docs.values()) for (const h of d.holder ?? []) for (const n of d.number ?? []) link(h, { kind: 'document', value: n });
for (const u of phoneUses.values()) for (const person of u.person ?? []) for (const ph of u.phone ?? []) for (const n of phones.get(ph)?.number ?? []) link(person, { kind: 'phone', value: n });
const DAY = 86_400_000;
const scenIndex = new ScreeningIndex();
for (const w of scenario.watchlist) {
  const props = personProps.get(w.subjectEntityId) ?? {};
  const f = featuresOf('Person', scoringView('Person', props));
  const issued = Date.parse(w.issuedAt);
  // Scenario alerts are kept in force by review (its truth counts travel after issue as watched).
  const window = w.status === 'delisted' && w.delistedAt ? { activeFrom: issued, activeUntil: Date.parse(w.delistedAt), quietUntil: Date.parse(w.delistedAt) + 3 * 365.25 * DAY } : { activeFrom: issued, activeUntil: Number.POSITIVE_INFINITY, quietUntil: Number.POSITIVE_INFINITY };
  scenIndex.upsert({ id: w.alertId, version: 1, subject: { entityIds: [w.subjectEntityId], names: [...f.names], birthDates: f.birthDates.map((d) => d.raw), selectors: [...f.selectors.filter((s) => s.kind !== 'entity'), ...(linkedSelectors.get(w.subjectEntityId) ?? [])] } }, window);
}
const truth = scenario.truth();
const raised = new Map<string, { alertId: string; mode: string; exact: boolean }[]>();
t = performance.now();
for (const [id, props] of travel) {
  const when = Date.parse(props.departure?.[0] ?? scenario.referenceTime);
  const f = featuresOf('TravelEvent' as SchemaName, scoringView('TravelEvent', props));
  const m = scenIndex.screen(f, { now: when, threshold: opts.threshold }, [id]);
  if (m.length) raised.set(id, m.map((x) => ({ alertId: x.alertId, mode: x.mode, exact: x.exact })));
}
const scenMs = performance.now() - t;
const misses: { travel: string; person: string; alerts: readonly string[]; kind: string; reason: string; name?: string; alertNames?: string[] }[] = [];
let found = 0;
const byKind = { active: { total: 0, found: 0 }, 'post-delisting': { total: 0, found: 0 } };
const expectedPairs = new Set<string>();
for (const w of truth.watchedTravel) {
  byKind[w.kind].total++;
  for (const a of w.alerts) expectedPairs.add(`${w.travelEntityId}|${a}`);
  const got = raised.get(w.travelEntityId) ?? [];
  const mode = w.kind === 'active' ? 'alert' : 'quiet';
  if (got.some((g) => w.alerts.includes(g.alertId) && g.mode === mode)) {
    found++;
    byKind[w.kind].found++;
  } else {
    const sub = scenario.watchlist.find((x) => x.alertId === w.alerts[0]);
    // Why missed: the naive scan at threshold 0 tells a blocking miss from a low score.
    const props = travel.get(w.travelEntityId) ?? {};
    const all = scenIndex.screenNaive(featuresOf('TravelEvent', scoringView('TravelEvent', props)), { now: Date.parse(props.departure?.[0] ?? scenario.referenceTime), threshold: 0 }, [w.travelEntityId]);
    const best = all.find((m) => w.alerts.includes(m.alertId));
    const reason = !best ? 'alert not in force at departure, or names unrelated' : best.score >= opts.threshold ? 'blocking' : `score ${best.score}: ${best.explanation.join('; ')}`;
    misses.push({ travel: w.travelEntityId, person: w.person, alerts: w.alerts, kind: w.kind, reason, ...(travel.get(w.travelEntityId)?.travellerName ? { name: travel.get(w.travelEntityId)!.travellerName![0]! } : {}), ...(sub ? { alertNames: personProps.get(sub.subjectEntityId)?.name ?? [] } : {}) });
  }
}
let raisedPairs = 0;
let truePairs = 0;
for (const [id, list] of raised) {
  for (const g of list) {
    raisedPairs++;
    if (expectedPairs.has(`${id}|${g.alertId}`)) truePairs++;
  }
}
const quality = {
  size: args.size,
  seed: Number(args.seed),
  alerts: scenario.watchlist.length,
  travelRecords: travel.size,
  screeningSeconds: round(scenMs / 1000, 2),
  watchedTravel: truth.watchedTravel.length,
  found,
  recall: round(found / Math.max(1, truth.watchedTravel.length)),
  byKind,
  raisedPairs,
  truePairs,
  precision: round(truePairs / Math.max(1, raisedPairs)),
  misses: misses.slice(0, 50),
};
console.log(`  ${travel.size.toLocaleString('en')} travel records vs ${scenario.watchlist.length} alerts in ${quality.screeningSeconds} s`);
console.log(`  recall ${found}/${truth.watchedTravel.length} = ${quality.recall} (active ${byKind.active.found}/${byKind.active.total}, post-delisting ${byKind['post-delisting'].found}/${byKind['post-delisting'].total}); precision of raised pairs ${quality.precision} (${truePairs}/${raisedPairs})`);
for (const m of misses.slice(0, 12)) console.log(`  missed: ${m.travel} booked as "${m.name ?? '?'}" — alert ${m.alerts.join(', ')} on ${JSON.stringify(m.alertNames)} — ${m.reason}`);

const path = writeResult('watch', {
  targets: { singleRecordP95Ms: 20, batchRecordsPerSecond: 2000 },
  speed,
  service,
  quality,
  loadAverage: os.loadavg().map((x) => round(x, 1)),
  // Wall-clock figures depend on what else the machine runs (see loadAverage); CPU-time figures are
  // what one dedicated core achieves.
  pass: {
    p95Wall: speed.singleRecordMs.p95 <= 20,
    p95Cpu: speed.singleRecordCpuMs.p95 <= 20,
    batchWall: service.batchRecordsPerSecond >= 2000,
    batchCpu: service.batchRecordsPerCpuSecond >= 2000,
    exactSelectors: exactMissed === 0,
  },
});
console.log(`\nWrote ${path}`);
