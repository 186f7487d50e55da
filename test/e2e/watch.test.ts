import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { runCli } from '../../src/cli/main.js';
import { openStore } from '../../src/store/index.js';
import { frCtx, seedWorld } from '../support/governance.js';
import { stmt } from '../support/statements.js';

/** Runs the CLI in-process, capturing what it prints. */
async function tessera(argv: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const o = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out += String(chunk)), true));
  const e = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((err += String(chunk)), true));
  try {
    return { code: await runCli(argv), out, err };
  } finally {
    o.mockRestore();
    e.mockRestore();
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tessera-watch-e2e-'));
const db = `sqlite:${join(dir, 'watch.sqlite')}`;
const as = (user: string, purpose = 'Screen travel records against the watchlist of Atlas', caseId = 'FR-OP-ATLAS') => ['--db', db, '--user', user, '--purpose', purpose, '--case', caseId];
const fr = as('fr.analyst');
const sup = as('fr.super', 'Approve the removal of an alert of Atlas');
const be = as('be.analyst', 'Check a Belgian lead against French holdings', 'BE-OP-DUNE');

function jsonl(name: string, rows: readonly unknown[], garbage: readonly string[] = []): string {
  const path = join(dir, name);
  writeFileSync(path, [...rows.map((r) => JSON.stringify(r)), ...garbage].join('\n'));
  return path;
}

interface HitJson {
  id: string;
  kind: string;
  priority: string;
  status: string;
  alertId: string;
  recommendedAction: string;
  matched: { field: string }[];
  explanation: string[];
  encountered: { ref: string; where?: string; by: string };
}

beforeAll(async () => {
  const store = await openStore({ url: db });
  const gov = await seedWorld(store);
  await gov.upsertUser({ id: 'fr.super', name: 'Supervisor FR', agency: 'FR-CT', roles: ['supervisor'], clearance: 'SECRET' });
  await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.super'], openedAt: '2024-01-01T00:00:00Z' });
  await gov.writeStatements(frCtx, [
    stmt({ entityId: 'fr-ct:p-amrani', schema: 'Person', prop: 'name', value: 'Youssef El Amrani' }),
    stmt({ entityId: 'fr-ct:p-amrani', schema: 'Person', prop: 'birthDate', value: '1991-06-02' }),
    stmt({ entityId: 'fr-ct:p-amrani', schema: 'Person', prop: 'passportNumber', value: 'FR 12AB34567' }),
    stmt({ entityId: 'fr-ct:p-amrani', schema: 'Person', prop: 'nationality', value: 'FR' }),
  ]);
  await store.close();
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('tessera watch / screen / hits (SQLite)', () => {
  let alertId = '';
  let hits: HitJson[] = [];

  it('issues an alert on a resolved person and lists it; bad alerts get clear errors', async () => {
    const add = await tessera([...fr, '--json', 'watch', 'add', '--entity', 'fr-ct:p-amrani', '--name', 'يوسف العمراني', '--level', 'S12', '--reasons', 'Returned from a conflict zone; contacts with cell Atlas', '--action', 'discreet-check']);
    expect(add.code, add.err).toBe(0);
    const alert = JSON.parse(add.out) as { id: string; agency: string; reviewBy: string; subject: { names: string[]; selectors: { kind: string; value: string }[] } };
    alertId = alert.id;
    expect(alert.agency).toBe('FR-CT');
    expect(alert.subject.selectors).toContainEqual({ kind: 'document', value: 'FR12AB34567' });
    const list = await tessera([...fr, 'watch', 'list']);
    expect(list.out).toContain(alertId);
    expect(list.out).toMatch(/S12\s+discreet-check/);

    const past = await tessera([...fr, 'watch', 'add', '--name', 'Omar Haddad', '--level', 'S3', '--reasons', 'Financing of a terrorist group', '--action', 'inquiry-check', '--review-by', '2020-01-01']);
    expect(past.code).toBe(1);
    expect(past.err).toMatch(/VALIDATION.*review date 2020-01-01 is not in the future/);
    const level = await tessera([...fr, 'watch', 'add', '--name', 'Omar Haddad', '--level', 'S99', '--reasons', 'Financing of a terrorist group', '--action', 'arrest']);
    expect(level.err).toMatch(/unknown threat level "S99"/);
    const sel = await tessera([...fr, 'watch', 'add', '--selector', 'shoe:42', '--level', 'S3', '--reasons', 'Financing of a terrorist group', '--action', 'arrest']);
    expect(sel.err).toMatch(/KIND:VALUE/);
  });

  it('screens a travel file: hits reach the issuer’s inbox with explanations, garbage lines are rejected and reported', async () => {
    const file = jsonl(
      'pnr.jsonl',
      [
        { id: 'pnr-1', travellerName: 'EL-AMRANI Yusuf', travellerBirthDate: '1991-02-06', origin: 'CDG', destination: 'IST', departure: '2026-01-10T07:00:00Z', carrier: 'TK' },
        { id: 'pnr-2', travellerName: 'Jan Peeters', travellerBirthDate: '1980-01-01', documentNumber: 'fr12ab34567', origin: 'BRU', destination: 'AMS' },
        { id: 'pnr-3', travellerName: 'Maria Lindqvist', travellerBirthDate: '1975-03-03', documentNumber: 'SE9988776' },
      ],
      ['{not json', '{"seat":"12A"}', '[1,2]'],
    );
    const r = await tessera([...be, '--json', 'screen', file, '--mapping', 'travel-jsonl']);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { records: number; hits: number; rejected: number; errors: { line: number; message: string }[] };
    expect(summary).toMatchObject({ records: 3, hits: 2, rejected: 3 });
    expect(summary.errors.map((e) => e.line)).toEqual([4, 5, 6]);
    expect(summary.errors[0]!.message).toMatch(/not JSON/);

    // The Belgian screener sees nothing of the French inbox.
    const beInbox = await tessera([...be, '--json', 'hits', 'list']);
    expect(JSON.parse(beInbox.out)).toEqual([]);
    const inbox = await tessera([...fr, '--json', 'hits', 'list']);
    hits = JSON.parse(inbox.out) as HitJson[];
    expect(hits).toHaveLength(2);
    const byRef = Object.fromEntries(hits.map((h) => [h.encountered.ref, h]));
    expect(byRef['pnr-2']).toMatchObject({ priority: 'high', alertId, recommendedAction: 'discreet-check' });
    expect(byRef['pnr-2']!.matched.map((m) => m.field)).toContain('document');
    expect(byRef['pnr-1']!.explanation.join(' ')).toMatch(/resembles.*day and month swapped/s);
    expect(byRef['pnr-1']!.encountered.where).toBe('CDG → IST');

    const bad = await tessera([...fr, 'screen', file, '--mapping', 'airline-csv']);
    expect(bad.code).toBe(1);
    expect(bad.err).toMatch(/VALIDATION.*mapping.*airline-csv/);
  });

  it('remembers a false-positive decision until the data change', async () => {
    const pnr1 = hits.find((h) => h.encountered.ref === 'pnr-1')!;
    const foreign = await tessera([...be, 'hits', 'decide', pnr1.id, '--decision', 'false-positive', '--note', 'not ours to decide']);
    expect(foreign.code).toBe(1);
    expect(foreign.err).toMatch(/FORBIDDEN/);
    const d = await tessera([...fr, 'hits', 'decide', pnr1.id, '--decision', 'false-positive', '--note', 'Different person: photo checked at the gate']);
    expect(d.code, d.err).toBe(0);
    const again = jsonl('pnr2.jsonl', [{ id: 'pnr-7', travellerName: 'EL-AMRANI Yusuf', travellerBirthDate: '1991-02-06', origin: 'ORY', destination: 'TUN' }]);
    const r = JSON.parse((await tessera([...fr, '--json', 'screen', again])).out) as { hits: number; suppressed: number };
    expect(r).toMatchObject({ hits: 0, suppressed: 1 });
    const changed = jsonl('pnr3.jsonl', [{ id: 'pnr-8', travellerName: 'EL-AMRANI Yusuf', travellerBirthDate: '1991-02-06', phone: '+33 6 11 22 33 44' }]);
    expect((JSON.parse((await tessera([...fr, '--json', 'screen', changed])).out) as { hits: number }).hits).toBe(1);
  });

  it('escalates a hit to the supervisors’ queue; only a supervisor decides it then', async () => {
    const pnr2 = hits.find((h) => h.encountered.ref === 'pnr-2')!;
    const esc = await tessera([...fr, 'hits', 'decide', pnr2.id, '--decision', 'escalated', '--note', 'Exact passport match but a different age: the supervisor decides']);
    expect(esc.code, esc.err).toBe(0);
    expect(esc.out).toMatch(/escalated — it waits in the supervisors' queue of FR-CT/);
    const queue = JSON.parse((await tessera([...sup, '--json', 'hits', 'list', '--status', 'escalated'])).out) as (HitJson & { decisions: { by: string; note: string }[] })[];
    expect(queue.map((h) => h.id)).toEqual([pnr2.id]);
    expect(queue[0]!.decisions.at(-1)).toMatchObject({ by: 'fr.analyst', note: 'Exact passport match but a different age: the supervisor decides' });
    const analyst = await tessera([...fr, 'hits', 'decide', pnr2.id, '--decision', 'confirmed', '--note', 'It is him after all']);
    expect(analyst.code).toBe(1);
    expect(analyst.err).toMatch(/FORBIDDEN.*escalated to the supervisors of FR-CT by fr\.analyst; a supervisor decides it/);
    const decided = await tessera([...sup, 'hits', 'decide', pnr2.id, '--decision', 'confirmed', '--note', 'Passport checked against the issuing record']);
    expect(decided.code, decided.err).toBe(0);
    expect(decided.out).toMatch(/: confirmed$/m);
  });

  it('lists alerts due for review and extends one with a documented re-assessment', async () => {
    const soon = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
    const add = await tessera([...fr, '--json', 'watch', 'add', '--name', 'Samir Haddad', '--dob', '1985-09-09', '--level', 'S5', '--reasons', 'Suspected facilitator of travel', '--action', 'inquiry-check', '--review-by', soon]);
    const id = (JSON.parse(add.out) as { id: string }).id;
    const due = await tessera([...fr, 'watch', 'due']);
    expect(due.out).toContain(id);
    expect(due.out).not.toContain(alertId);
    const noReason = await tessera([...fr, 'watch', 'review', id, '--assessment', 'ok', '--extend']);
    expect(noReason.err).toMatch(/documented re-assessment is required/);
    const ok = await tessera([...fr, 'watch', 'review', id, '--assessment', 'Travel pattern continued in the last quarter; keep the alert', '--extend']);
    expect(ok.code, ok.err).toBe(0);
    expect((await tessera([...fr, 'watch', 'due'])).out).not.toContain(id);
  });

  it('removal takes two people; the delisted subject raises only low-priority notices', async () => {
    const req = await tessera([...fr, 'watch', 'remove', alertId, '--assessment', 'No activity for two years; the unit lowered the assessment']);
    expect(req.code, req.err).toBe(0);
    const self = await tessera([...fr, 'watch', 'approve', alertId, '--note', 'approving my own request']);
    expect(self.code).toBe(1);
    expect(self.err).toMatch(/four-eyes rule/);
    const ok = await tessera([...sup, 'watch', 'approve', alertId, '--note', 'Re-assessment read and agreed']);
    expect(ok.code, ok.err).toBe(0);
    expect(ok.out).toMatch(/quiet watch until \d{4}-\d{2}-\d{2}/);
    const file = jsonl('pnr4.jsonl', [{ id: 'pnr-9', travellerName: 'Jan Peeters', documentNumber: 'FR12AB34567', origin: 'BRU', destination: 'MAD' }]);
    const r = JSON.parse((await tessera([...fr, '--json', 'screen', file])).out) as { hits: number; notices: number };
    expect(r).toMatchObject({ hits: 0, notices: 1 });
    const notices = JSON.parse((await tessera([...fr, '--json', 'hits', 'list', '--kind', 'notice'])).out) as HitJson[];
    expect(notices[0]).toMatchObject({ kind: 'notice', priority: 'low', alertId });
    const show = await tessera([...fr, 'watch', 'show', alertId]);
    expect(show.out).toMatch(/removal-requested[\s\S]*removal-approved/);
  });

  it('screens a file through an ingest mapping (PNR), storing nothing but the hit reports', async () => {
    const add = await tessera([...fr, '--json', 'watch', 'add', '--name', 'Marco Bellandi', '--selector', 'document:YA1234567', '--level', 'S6', '--reasons', 'Courier for the network in 2024', '--action', 'specific-check']);
    expect(add.code, add.err).toBe(0);
    const id = (JSON.parse(add.out) as { id: string }).id;
    const r = await tessera([...fr, '--json', 'screen', join(process.cwd(), 'examples/data/pnr.jsonl'), '--mapping', join(process.cwd(), 'examples/mappings/pnr.yaml')]);
    expect(r.code, r.err).toBe(0);
    const summary = JSON.parse(r.out) as { records: number; hits: number };
    expect(summary.records).toBeGreaterThan(3);
    expect(summary.hits).toBeGreaterThanOrEqual(1);
    const list = JSON.parse((await tessera([...fr, '--json', 'hits', 'list', '--alert', id])).out) as HitJson[];
    expect(list.some((h) => h.matched.some((m) => m.field === 'document'))).toBe(true);
  });

  it('demo: load imports the watchlists; ingesting the scenario PNR feed fills the issuers’ inboxes', async () => {
    const demo = `sqlite:${join(dir, 'demo.sqlite')}`;
    const load = await tessera(['--db', demo, 'load', '--size', 'tiny', '--seed', '3']);
    expect(load.code, load.err).toBe(0);
    const alerts = JSON.parse((await tessera(['--db', demo, '--json', 'watch', 'list'])).out) as { id: string; status: string; reviewBy: string }[];
    expect(alerts.length).toBeGreaterThan(0);
    // Active alerts were reviewed on time: their review dates lie ahead.
    expect(alerts.filter((a) => a.status === 'active').every((a) => a.reviewBy > new Date().toISOString().slice(0, 10))).toBe(true);
    const gen = join(dir, 'gen');
    expect((await tessera(['scenario', 'generate', '--size', 'tiny', '--seed', '3', '--out', gen])).code).toBe(0);
    const mapping = join(dir, 'scenario-pnr.yaml');
    writeFileSync(
      mapping,
      [
        'name: scenario-pnr',
        'format: csv',
        'source: { grading: B3, handling: H2 }',
        'defaults: { dateFormats: [DD/MM/YYYY, "DD/MM/YYYY HH:mm:ss"] }',
        'entities:',
        '  travel:',
        '    schema: TravelEvent',
        '    key: $row',
        '    idPrefix: pnr',
        '    properties:',
        "      travellerName: { column: passenger_name, pattern: '^([^/]+)/(.+?)(?: (?:MR|MRS|MS|MSTR|MISS|DR))?$', replace: '$2 $1' }",
        '      travellerBirthDate: date_of_birth',
        '      documentNumber: document_number',
        '      departure: departure',
        '      serviceNumber: flight',
      ].join('\n'),
    );
    const ingest = await tessera(['--db', demo, '--json', 'ingest', join(gen, 'raw', 'FR-CT', 'pnr.csv'), '--mapping', mapping, '--agency', 'FR-CT']);
    expect(ingest.code, ingest.err).toBe(0);
    expect((JSON.parse(ingest.out) as { screeningErrors: number }).screeningErrors).toBe(0);
    const inbox = JSON.parse((await tessera(['--db', demo, '--json', 'hits', 'list'])).out) as HitJson[];
    expect(inbox.length).toBeGreaterThan(0);
    expect(inbox.every((h) => h.explanation.length > 0 && alerts.some((a) => a.id === h.alertId))).toBe(true);
  });

  it('keeps the audit chain intact across every watch action', async () => {
    const v = await tessera(['--db', db, 'audit', 'verify']);
    expect(v.code, v.err + v.out).toBe(0);
  });
});
