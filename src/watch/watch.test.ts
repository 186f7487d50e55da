import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { beCtx, frCtx, seedWorld } from '../../test/support/governance.js';
import { stmt } from '../../test/support/statements.js';
import type { Governance } from '../governance/index.js';
import { TesseraError, scoringView, type Statement } from '../model/index.js';
import { nameSimilarity, nameProfile } from '../resolve/index.js';
import { openStore, type Store } from '../store/index.js';
import {
  AlertInput,
  ScreeningIndex,
  WatchService,
  bestBirthDateScore,
  compareBirthDates,
  featuresOf,
  parseBirthDate,
  profileScore,
  travelSubject,
  watchConfig,
  type ScreeningFeatures,
} from './index.js';

const grading = { system: 'EU4x4', source: 'B', info: '2' } as const;
const far = { now: Date.parse('2025-01-01T00:00:00Z'), threshold: 0.7 };
const always = { activeUntil: Number.POSITIVE_INFINITY, quietUntil: Number.POSITIVE_INFINITY };

function features(names: string[], dob: string[] = [], selectors: ScreeningFeatures['selectors'] = []): ScreeningFeatures {
  return { names, birthDates: dob.map((d) => parseBirthDate(d)!), selectors };
}

describe('dates of birth', () => {
  it('tolerates a day/month swap and partial dates, and rejects other differences', () => {
    const d = (s: string) => parseBirthDate(s)!;
    expect(compareBirthDates(d('1990-04-05'), d('1990-04-05')).score).toBe(1);
    expect(compareBirthDates(d('1990-04-05'), d('05/04/1990')).score).toBe(1);
    expect(compareBirthDates(d('1990-04-05'), d('1990-05-04')).score).toBe(0.95);
    expect(compareBirthDates(d('1990'), d('1990-05-04')).score).toBe(0.85);
    expect(compareBirthDates(d('1990-04-05'), d('1990-04-06')).score).toBe(0);
    expect(compareBirthDates(d('1991-04-05'), d('1990-04-05')).score).toBe(0);
    expect(parseBirthDate('31/02/x')).toBeUndefined();
  });
  it('the allocation-free best score agrees with the explained comparison (property)', () => {
    const date = fc.tuple(fc.integer({ min: 1988, max: 1990 }), fc.option(fc.integer({ min: 1, max: 12 })), fc.integer({ min: 1, max: 12 })).map(([y, m, d]) => parseBirthDate(m === null ? String(y) : `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`)!);
    fc.assert(
      fc.property(fc.array(date, { minLength: 1, maxLength: 3 }), fc.array(date, { minLength: 1, maxLength: 3 }), (a, b) => {
        expect(bestBirthDateScore(a, b)).toBe(Math.max(...a.flatMap((x) => b.map((y) => compareBirthDates(x, y).score))));
      }),
    );
  });
});

describe('screening index', () => {
  it('scores names exactly as the resolver’s nameSimilarity', () => {
    const pairs = [
      ['Abdelkarim Bensaid', 'Abd al-Karim Ben Saeed'],
      ['Youssef El Amrani', 'Yusuf Amrani'],
      ['Jonas Virtanen', 'Maria Lindqvist'],
    ] as const;
    for (const [a, b] of pairs) expect(profileScore(nameProfile(a), nameProfile(b))).toBeCloseTo(nameSimilarity(a, b), 10);
  });

  it('finds transliterated names, confirms with the date of birth, and explains', () => {
    const idx = new ScreeningIndex();
    idx.upsert({ id: 'a1', version: 1, subject: { entityIds: [], names: ['Abdelkarim Bensaid'], birthDates: ['1988-03-14'], selectors: [] } }, always);
    idx.upsert({ id: 'a2', version: 1, subject: { entityIds: [], names: ['Marta Kowalczyk'], birthDates: ['1975-01-02'], selectors: [] } }, always);
    const [m, ...rest] = idx.screen(features(['عبد الكريم بن سعيد'], ['14/03/1988']), far);
    expect(rest).toHaveLength(0);
    expect(m?.alertId).toBe('a1');
    expect(m?.matched.map((f) => f.field).sort()).toEqual(['birthDate', 'name']);
    expect(m?.explanation.join(' ')).toMatch(/resembles/);
    expect(idx.screen(features(['Abd al-Karim Ben Saeed'], ['1988']), far)[0]?.alertId).toBe('a1');
    // Skeletons disagree (YOUCEFI: c as k; YUSFI: s) but metaphone codes agree: still blocked together.
    idx.upsert({ id: 'a3', version: 1, subject: { entityIds: [], names: ['YOUCEFI Abd al-Hamid'], birthDates: [], selectors: [] } }, always);
    expect(idx.screen(features(['ABDELHAMID YUSFI']), far).map((m) => m.alertId)).toEqual(['a3']);
    // Same name, born in another year: the namesake is not raised.
    expect(idx.screen(features(['Abdelkarim Bensaid'], ['1961-07-30']), far)).toHaveLength(0);
  });

  it('never misses an exact selector, whatever the name (property)', () => {
    const idx = new ScreeningIndex();
    const docs: string[] = [];
    for (let i = 0; i < 2_000; i++) {
      const doc = `P${(1_000_000 + i * 7919).toString(36).toUpperCase()}`;
      docs.push(doc);
      idx.upsert({ id: `a${i}`, version: 1, subject: { entityIds: [], names: [`Person ${i}`], birthDates: [], selectors: [{ kind: 'document', value: doc }] } }, always);
    }
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1_999 }), fc.string(), fc.constantFrom('', ' ', '-'), (i, name, sep) => {
        const doc = docs[i]!;
        const written = `${doc.slice(0, 3)}${sep}${doc.slice(3).toLowerCase()}`;
        const subject = travelSubject({ travellerName: name.trim() || 'Unknown Traveller', documentNumber: written }, 'line 1', 'test');
        const matches = idx.screen(subject.features, far);
        return matches.some((m) => m.alertId === `a${i}` && m.exact && m.score === 1);
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with the naive all-pairs scan on name variants', () => {
    const first = ['Mohamed', 'Youssef', 'Karim', 'Samir', 'Omar', 'Bilal', 'Hamza', 'Anis', 'Mehdi', 'Rachid'];
    const variants: Record<string, string> = { Mohamed: 'Muhammad', Youssef: 'Yusuf', Karim: 'Kareem', Samir: 'Sameer', Omar: 'Umar', Bilal: 'Bilel', Hamza: 'Hamzah', Anis: 'Anes', Mehdi: 'Mahdi', Rachid: 'Rashid' };
    const last = ['Benali', 'El Amrani', 'Haddad', 'Bensaid', 'Khalil', 'Mansour', 'Saidi', 'Touati', 'Zerrouki', 'Brahimi', 'Cherif', 'Lahlou'];
    const idx = new ScreeningIndex();
    let n = 0;
    for (const f of first) for (const l of last) for (const y of [1980, 1990]) idx.upsert({ id: `a${n++}`, version: 1, subject: { entityIds: [], names: [`${f} ${l}`], birthDates: [`${y}-02-11`], selectors: [] } }, always);
    let naiveTotal = 0;
    let found = 0;
    for (const f of first) {
      for (const l of last.slice(0, 6)) {
        const rec = features([`${variants[f]} ${l.toUpperCase()}`], ['11/02/1990']);
        const naive = new Set(idx.screenNaive(rec, far).map((m) => m.alertId));
        const fast = new Set(idx.screen(rec, far).map((m) => m.alertId));
        naiveTotal += naive.size;
        for (const id of naive) if (fast.has(id)) found++;
        for (const id of fast) expect(naive.has(id)).toBe(true);
      }
    }
    expect(naiveTotal).toBeGreaterThanOrEqual(60);
    expect(found / naiveTotal).toBeGreaterThanOrEqual(0.98);
  });

  it('drops a removed alert and screens quiet and lapsed alerts by their window', () => {
    const idx = new ScreeningIndex();
    const subject = { entityIds: [], names: ['Karim Haddad'], birthDates: ['1990-01-01'], selectors: [] };
    idx.upsert({ id: 'a', version: 1, subject }, { activeUntil: far.now - 1, quietUntil: far.now + 1 });
    expect(idx.screen(features(['Karim Haddad'], ['1990-01-01']), far)[0]?.mode).toBe('quiet');
    idx.upsert({ id: 'a', version: 2, subject }, { activeUntil: far.now - 2, quietUntil: far.now - 1 });
    expect(idx.screen(features(['Karim Haddad'], ['1990-01-01']), far)).toHaveLength(0);
    idx.remove('a');
    expect(idx.size).toBe(0);
  });
});

describe('watch service', () => {
  let store: Store;
  let gov: Governance;
  let clock: Date;
  let watch: WatchService;
  const supervisorCtx = { userId: 'fr.super', purpose: 'Approve the removal of a watchlist alert', caseId: 'FR-OP-ATLAS' };

  beforeEach(async () => {
    store = await openStore({ url: 'sqlite::memory:' });
    gov = await seedWorld(store);
    await gov.upsertUser({ id: 'fr.super', name: 'Supervisor FR', agency: 'FR-CT', roles: ['supervisor'], clearance: 'SECRET' });
    await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.super'], openedAt: '2024-01-01T00:00:00Z' });
    clock = new Date('2025-03-01T09:00:00Z');
    watch = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT', now: () => clock });
  });
  afterEach(async () => {
    await store.close();
  });

  const person: Statement[] = [
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'name', value: 'Youssef El Amrani' }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'birthDate', value: '1991-06-02' }),
    stmt({ entityId: 'fr-ct:p1', schema: 'Person', prop: 'passportNumber', value: 'FR 12AB34567' }),
  ];

  async function alertOnPerson() {
    await gov.writeStatements(frCtx, [
      ...person,
      stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'person', value: 'fr-ct:p1' }),
      stmt({ entityId: 'fr-ct:pu1', schema: 'PhoneUse', prop: 'phone', value: 'fr-ct:ph1' }),
      stmt({ entityId: 'fr-ct:ph1', schema: 'Phone', prop: 'number', value: '+32470123456' }),
      stmt({ entityId: 'fr-ct:d1', schema: 'IdentityDocument', prop: 'number', value: 'MA-778899' }),
      stmt({ entityId: 'fr-ct:d1', schema: 'IdentityDocument', prop: 'holder', value: 'fr-ct:p1' }),
    ]);
    return watch.addAlert(frCtx, { subject: { entityIds: ['fr-ct:p1'] }, threatLevel: 'S12', reasons: 'Returned from a conflict zone in 2024', grading, action: 'discreet-check' });
  }

  it('issues an alert from a resolved entity with a one-year review date and audits it', async () => {
    const alert = await alertOnPerson();
    expect(alert.agency).toBe('FR-CT');
    expect(alert.reviewBy).toBe('2026-03-01');
    expect(alert.subject.names).toContain('Youssef El Amrani');
    expect(alert.subject.selectors).toContainEqual({ kind: 'document', value: 'FR12AB34567' });
    // The person's own objects, found through links: a phone used, a document held.
    expect(alert.subject.selectors).toEqual(expect.arrayContaining([{ kind: 'phone', value: '+32470123456' }, { kind: 'document', value: 'MA778899' }]));
    const audit = await store.readAudit(1, 1000);
    expect(audit.some((a) => a.action === 'watch.alert.add' && a.entityIds.includes('fr-ct:p1'))).toBe(true);
    expect((await gov.verifyAudit()).problems).toEqual([]);
  });

  it('refuses bad alerts with clear errors', async () => {
    const base = { subject: { names: ['Omar Haddad'] }, threatLevel: 'S3', reasons: 'Financing of a terrorist group', grading, action: 'inquiry-check' } as const;
    expect(AlertInput.safeParse({ ...base, caseId: 'FR-OP-ATLAS' }).success).toBe(false); // no owner agency
    await expect(watch.addAlert(frCtx, { ...base, reviewBy: '2025-02-01' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'reviewBy' });
    await expect(watch.addAlert(frCtx, { ...base, threatLevel: 'S17' })).rejects.toMatchObject({ code: 'VALIDATION', field: 'threatLevel' });
    await expect(watch.addAlert(frCtx, { ...base, agency: 'BE-CT' })).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(watch.addAlert(frCtx, { ...base, subject: {} })).rejects.toMatchObject({ code: 'VALIDATION', field: 'subject' });
    await expect(watch.addAlert(frCtx, { ...base, subject: { entityIds: ['fr-ct:nobody'] } })).rejects.toMatchObject({ code: 'VALIDATION' });
    await expect(watch.addAlert({ ...frCtx, purpose: 'test' }, base)).rejects.toMatchObject({ code: 'PURPOSE_REQUIRED' });
  });

  it('queues alerts for review four months before expiry; extension needs a documented re-assessment', async () => {
    const alert = await alertOnPerson();
    expect(await watch.dueForReview(frCtx)).toHaveLength(0);
    clock = new Date('2025-11-02T09:00:00Z'); // within four months of 2026-03-01
    const due = await watch.dueForReview(frCtx);
    expect(due.map((d) => d.alert.id)).toEqual([alert.id]);
    expect(due[0]!.overdue).toBe(false);
    await expect(watch.reviewAlert(frCtx, alert.id, { assessment: 'still bad', extend: true })).rejects.toMatchObject({ field: 'assessment' });
    const extended = await watch.reviewAlert(frCtx, alert.id, { assessment: 'Contacts with the network continued in 2025; keep watching', extend: true, threatLevel: 'S14' });
    expect(extended.reviewBy).toBe('2026-11-02');
    expect(extended.threatLevel).toBe('S14');
    expect(extended.history.at(-1)).toMatchObject({ kind: 'extended', by: 'fr.analyst' });
    expect(await watch.dueForReview(frCtx)).toHaveLength(0);
    // Another agency cannot touch it.
    await expect(watch.reviewAlert(beCtx, alert.id, { assessment: 'Belgian view on the French alert subject', extend: true })).rejects.toMatchObject({ code: 'FORBIDDEN' });
  });

  it('removal needs a second person with the supervisor role; the subject then stays on quiet watch', async () => {
    const alert = await alertOnPerson();
    await expect(watch.decideRemoval(supervisorCtx, alert.id, true, 'approved')).rejects.toMatchObject({ code: 'CONFLICT' });
    await watch.requestRemoval(frCtx, alert.id, 'No activity for two years; threat assessment lowered by the unit');
    await expect(watch.decideRemoval(frCtx, alert.id, true, 'I approve my own request')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(watch.decideRemoval({ ...frCtx, userId: 'fr.junior' }, alert.id, true, 'junior approves')).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    const removed = await watch.decideRemoval(supervisorCtx, alert.id, true, 'Re-assessment reviewed and agreed');
    expect(removed.status).toBe('delisted');
    expect(removed.quietUntil?.slice(0, 10)).toBe('2028-03-01');

    // A delisted subject travelling raises a low-priority notice to the former issuer, not a hit.
    const summary = await watch.screenRecords(frCtx, [travelSubject({ id: 'pnr-1', travellerName: 'Yusuf Amrani', travellerBirthDate: '02/06/1991', departure: '2025-03-02T10:00:00Z' }, 'pnr-1', 'AF PNR')]);
    expect(summary).toMatchObject({ hits: 0, notices: 1 });
    const [notice] = await watch.listHits(frCtx);
    expect(notice).toMatchObject({ kind: 'notice', priority: 'low', alertId: alert.id });
    // After the quiet period, nothing.
    clock = new Date('2028-03-02T00:00:00Z');
    const later = await watch.screenRecords(frCtx, [travelSubject({ id: 'pnr-2', travellerName: 'Yusuf Amrani', travellerBirthDate: '1991-06-02' }, 'pnr-2', 'AF PNR')]);
    expect(later.notices + later.hits).toBe(0);
  });

  it('files hit reports to the issuer’s inbox, remembers false positives until the data change', async () => {
    const alert = await alertOnPerson();
    const travel = (id: string, extra: Record<string, string> = {}) => travelSubject({ id, travellerName: 'Youssef EL-AMRANI', travellerBirthDate: '1991-02-06', origin: 'CDG', destination: 'IST', departure: '2025-03-05T07:00:00Z', ...extra }, id, 'AF PNR');
    const first = await watch.screenRecords(beCtx, [travel('pnr-10')]);
    expect(first.hits).toBe(1);
    // The Belgian screener does not see the French inbox; the issuer does.
    expect(await watch.listHits(beCtx)).toHaveLength(0);
    const [hit] = await watch.listHits(frCtx);
    expect(hit).toMatchObject({ kind: 'hit', agency: 'FR-CT', alertId: alert.id, recommendedAction: 'discreet-check', status: 'open' });
    expect(hit!.encountered).toMatchObject({ where: 'CDG → IST', when: '2025-03-05T07:00:00Z', by: 'AF PNR' });
    expect(hit!.explanation.join(' ')).toMatch(/day and month swapped/);
    await expect(watch.decideHit(beCtx, hit!.id, 'false-positive', 'not ours')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    await expect(watch.decideHit(frCtx, hit!.id, 'maybe', 'unsure')).rejects.toMatchObject({ code: 'VALIDATION' });
    const decided = await watch.decideHit(frCtx, hit!.id, 'false-positive', 'Different person: checked photo at the border');
    expect(decided.status).toBe('false-positive');
    // Same traveller data again (another booking): suppressed.
    const again = await watch.screenRecords(frCtx, [travel('pnr-11')]);
    expect(again).toMatchObject({ hits: 0, suppressed: 1 });
    // The data change (a document number appears): raised again.
    const changed = await watch.screenRecords(frCtx, [travel('pnr-12', { documentNumber: 'FR12AB34567' })]);
    expect(changed.hits).toBe(1);
    expect((await watch.listHits(frCtx, { status: 'open' }))[0]!.matched.some((m) => m.field === 'document')).toBe(true);
    const actions = (await store.readAudit(1, 1000)).map((a) => a.action);
    expect(actions).toEqual(expect.arrayContaining(['watch.screen', 'watch.hit.list', 'watch.hit.decide']));
  });

  it('escalates a hit to the supervisors’ queue with the reason; only a supervisor decides it then, and every step is audited', async () => {
    const alert = await alertOnPerson();
    await watch.screenRecords(frCtx, [travelSubject({ id: 'pnr-20', travellerName: 'Youssef EL-AMRANI', travellerBirthDate: '1991-06-02', departure: '2025-03-05T07:00:00Z' }, 'pnr-20', 'AF PNR')]);
    const [hit] = await watch.listHits(frCtx, { status: 'open' });
    expect(hit!.alertId).toBe(alert.id);
    await expect(watch.decideHit(frCtx, hit!.id, 'escalated', 'unsure')).rejects.toMatchObject({ code: 'VALIDATION', field: 'note' });
    const reason = 'Travelling with a minor; a supervisor must decide whether to act';
    const escalated = await watch.decideHit(frCtx, hit!.id, 'escalated', reason);
    expect(escalated.status).toBe('escalated');
    // The supervisors' queue: escalated hits of the agency, with who escalated and why.
    const queue = await watch.listHits(supervisorCtx, { status: 'escalated' });
    expect(queue.map((h) => h.id)).toEqual([hit!.id]);
    expect(queue[0]!.decisions.at(-1)).toMatchObject({ by: 'fr.analyst', decision: 'escalated', note: reason });
    expect(await watch.listHits(frCtx, { status: 'open' })).toHaveLength(0);
    await expect(watch.decideHit(frCtx, hit!.id, 'escalated', reason)).rejects.toMatchObject({ code: 'CONFLICT' });
    // The analyst (and any non-supervisor) can no longer decide it; another agency never could.
    await expect(watch.decideHit(frCtx, hit!.id, 'confirmed', 'It is him after all')).rejects.toMatchObject({ code: 'FORBIDDEN', field: 'role' });
    await expect(watch.decideHit(beCtx, hit!.id, 'confirmed', 'Belgian view of the hit')).rejects.toMatchObject({ code: 'FORBIDDEN' });
    const dismissed = await watch.decideHit(supervisorCtx, hit!.id, 'false-positive', 'Different person: the minor’s guardian, checked');
    expect(dismissed.status).toBe('false-positive');
    expect(dismissed.decisions.map((d) => [d.by, d.decision])).toEqual([
      ['fr.analyst', 'escalated'],
      ['fr.super', 'false-positive'],
    ]);
    expect(await watch.listHits(supervisorCtx, { status: 'escalated' })).toHaveLength(0);
    // The supervisor's dismissal suppresses the pair like any false positive.
    const again = await watch.screenRecords(frCtx, [travelSubject({ id: 'pnr-21', travellerName: 'Youssef EL-AMRANI', travellerBirthDate: '1991-06-02', departure: '2025-03-09T07:00:00Z' }, 'pnr-21', 'AF PNR')]);
    expect(again).toMatchObject({ hits: 0, suppressed: 1 });
    const audit = (await store.readAudit(1, 1000)).filter((e) => e.details.hitId === hit!.id);
    expect(audit.map((e) => [e.action, e.outcome, e.userId])).toEqual([
      ['watch.hit.escalate', 'allowed', 'fr.analyst'],
      ['watch.hit.decide', 'refused', 'fr.analyst'],
      ['watch.hit.decide', 'refused', 'be.analyst'],
      ['watch.hit.decide', 'allowed', 'fr.super'],
    ]);
    expect(audit[0]!.details).toMatchObject({ decision: 'escalated', queue: 'supervisors', from: 'open' });
    expect(audit[3]!.details).toMatchObject({ decision: 'false-positive', escalatedBy: 'fr.analyst' });
    expect(JSON.stringify(audit)).not.toContain('minor'); // reasons stay with the hit, not in the log
  });

  it('protected characteristics never change a screening score', async () => {
    await watch.addAlert(frCtx, { subject: { names: ['Samir Haddad'], birthDates: ['1985-09-09'] }, threatLevel: 'S8', reasons: 'Suspected facilitator of travel', grading, action: 'inquiry-check' });
    const base: Record<string, string[]> = { name: ['Sameer Hadad'], birthDate: ['1985-09-09'] };
    const scores = (extra: Record<string, string[]>) => watch.index.screen(featuresOf('Person', scoringView('Person', { ...base, ...extra })), { now: clock.getTime(), threshold: 0.7 });
    await watch.loadIndex();
    const plain = scores({});
    expect(plain).toHaveLength(1);
    fc.assert(
      fc.property(fc.record({ nationality: fc.constantFrom('FR', 'SY', 'MA'), religion: fc.string(), ethnicity: fc.string(), politicalOpinion: fc.string(), health: fc.string() }), (p) => {
        const withProtected = scores(Object.fromEntries(Object.entries(p).map(([k, v]) => [k, [v]])));
        expect(withProtected).toEqual(plain);
      }),
      { numRuns: 50 },
    );
  });

  it('screens entities handed over by ingest; a failing screen is queued and retried, never thrown', async () => {
    await watch.addAlert(frCtx, { subject: { names: ['Bilal Touati'], selectors: [{ kind: 'phone', value: '+33 6 12 34 56 78' }] }, threatLevel: 'S5', reasons: 'Contact of a convicted attacker', grading, action: 'specific-check' });
    const phone = [stmt({ entityId: 'fr-ct:ph9', schema: 'Phone', prop: 'number', value: '+33612345678' })];
    await store.writeStatements(phone);
    const port = watch.screeningPort();
    await port.screen([{ id: 'fr-ct:ph9', schema: 'Phone', statements: phone }], { sourceId: 'FR-CT/telco', file: 'calls.csv' });
    const [hit] = await watch.listHits(frCtx);
    expect(hit).toMatchObject({ kind: 'hit', priority: 'high', recommendedAction: 'specific-check' });
    expect(hit!.encountered.by).toMatch(/FR-CT\/telco/);

    // A Belgian record not released to FR-CT: the French inbox learns only that BE-CT holds a match.
    const bePhone = [stmt({ entityId: 'be-ct:ph7', schema: 'Phone', prop: 'number', value: '+33612345678', source: { agency: 'BE-CT', collectedAt: '2024-02-01T00:00:00Z' }, handling: { codes: ['H2'], releasableTo: [] } })];
    await port.screen([{ id: 'be-ct:ph7', schema: 'Phone', statements: bePhone }], { sourceId: 'BE-CT/telco', file: 'be.csv' });
    const withheld = (await watch.listHits(frCtx)).find((h) => h.encountered.ref === 'be-ct:ph7')!;
    expect(withheld.encountered.what).toMatch(/held by BE-CT, not released to FR-CT/);
    expect(withheld.encountered.what + withheld.explanation.join(' ')).not.toContain('612345678');
    expect(withheld.matched.every((m) => m.recordValue === '(withheld by handling)')).toBe(true);

    // A broken screen (the store refuses records) is queued, not thrown.
    const broken = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT', now: () => clock });
    const original = store.findRecords.bind(store);
    let fail = true;
    store.findRecords = ((...args: Parameters<Store['findRecords']>) => (fail && args[0] === 'watch-alerts' ? Promise.reject(new Error('disk unavailable')) : original(...args))) as Store['findRecords'];
    await expect(broken.screeningPort().screen([{ id: 'fr-ct:ph9', schema: 'Phone', statements: phone }], { sourceId: 'FR-CT/telco', file: 'calls2.csv' })).resolves.toBeUndefined();
    expect(await broken.pendingCount()).toBe(1);
    fail = false;
    const retry = await broken.retryPending();
    expect(retry).toMatchObject({ retried: 1, stillPending: 0 });
    // Already reported for the same record and data: not filed twice.
    expect(retry.summary[0]).toMatchObject({ hits: 0, duplicates: 1 });
  });

  it('back-checks stored travel in a departure window; a repeated back-check files nothing new', async () => {
    await watch.addAlert(frCtx, { subject: { names: ['Bilal Touati'], birthDates: ['1993-04-17'] }, threatLevel: 'S5', reasons: 'Contact of a convicted attacker', grading, action: 'inquiry-check' });
    const trip = (id: string, departure: string, name: string) => [
      stmt({ entityId: id, schema: 'TravelEvent', prop: 'travellerName', value: name }),
      stmt({ entityId: id, schema: 'TravelEvent', prop: 'travellerBirthDate', value: '1993-04-17' }),
      stmt({ entityId: id, schema: 'TravelEvent', prop: 'departure', value: departure }),
    ];
    await store.writeStatements([
      ...trip('fr-ct:t1', '2025-02-10T08:00:00Z', 'TOUATI Bilal'), // in the window: a hit
      ...trip('fr-ct:t2', '2024-06-01T08:00:00Z', 'Bilal Touati'), // before it: not screened
      ...trip('fr-ct:t3', '2025-02-11T09:00:00Z', 'Marta Lindqvist'), // in it, nobody we look for
      stmt({ entityId: 'fr-ct:t4', schema: 'TravelEvent', prop: 'travellerName', value: 'Bilal Touati' }), // no departure: not screened
    ]);
    const progress: number[] = [];
    const first = await watch.backCheckTravel({ from: '2025-01-01', to: '2025-03-01', sourceId: 'FR-CT/pnr', file: 'back-check', batchSize: 1, onProgress: (done) => progress.push(done) });
    expect(first).toMatchObject({ records: 2, hits: 1, notices: 0, duplicates: 0 });
    expect(progress).toEqual([1, 2]);
    const hits = await watch.listHits(frCtx);
    expect(hits.map((h) => h.encountered.ref)).toEqual(['fr-ct:t1']);
    expect(hits[0]!.encountered.by).toMatch(/FR-CT\/pnr/);
    const again = await watch.backCheckTravel({ from: '2025-01-01', to: '2025-03-01', sourceId: 'FR-CT/pnr', file: 'back-check' });
    expect(again).toMatchObject({ records: 2, hits: 0, duplicates: 1 });
    expect((await store.readAudit(1, 1000)).filter((e) => e.action === 'watch.screen.ingest' && e.details.sourceId === 'FR-CT/pnr').length).toBeGreaterThanOrEqual(3);
    await expect(watch.backCheckTravel({ from: '2025-03-01', to: '2025-01-01', sourceId: 'x', file: 'x' })).rejects.toMatchObject({ field: 'to' });
  });

  it('imports existing alerts (bootstrap) with their dates, completing subjects from the store', async () => {
    await store.writeStatements([...person, stmt({ entityId: 'fr-ct:d9', schema: 'IdentityDocument', prop: 'number', value: 'XK-4455' }), stmt({ entityId: 'fr-ct:d9', schema: 'IdentityDocument', prop: 'holder', value: 'fr-ct:p1' })]);
    const base = { agency: 'FR-CT', caseId: 'FR-OP-ATLAS', subjectEntityIds: ['fr-ct:p1'], reasons: 'Imported from the legacy list', grading, action: 'discreet-check', issuedAt: '2024-05-01' } as const;
    const n = await watch.importAlerts('load', 'Demo scenario load', [
      { ...base, id: 'FR-CT-AL-1', threatLevel: 'S9', reviewBy: '2025-05-01', status: 'active' },
      { ...base, id: 'FR-CT-AL-2', threatLevel: 'S2', reviewBy: '2025-05-01', status: 'delisted', delistedAt: '2024-12-01' },
    ]);
    expect(n).toBe(2);
    const [a1] = (await watch.listAlerts(frCtx, { status: 'active' })).filter((a) => a.id === 'FR-CT-AL-1');
    expect(a1!.subject.names).toContain('Youssef El Amrani');
    expect(a1!.subject.selectors).toContainEqual({ kind: 'document', value: 'XK4455' });
    expect((await watch.listAlerts(frCtx, { status: 'delisted' }))[0]!.quietUntil?.slice(0, 10)).toBe('2027-12-01');
    await expect(watch.importAlerts('load', 'Demo scenario load', [{ ...base, id: 'x', threatLevel: 'S99', reviewBy: '2025-05-01', status: 'active' }])).rejects.toMatchObject({ field: 'threatLevel' });
    expect((await store.readAudit(1, 1000)).some((e) => e.action === 'watch.alert.import' && e.userId === 'system:load')).toBe(true);
  });

  it('rejects garbage travel records with the record and field named', () => {
    expect(() => travelSubject('nope', 'line 3', 'x')).toThrow(TesseraError);
    expect(() => travelSubject({ seat: '12A' }, 'line 4', 'x')).toThrow(/traveller name or a selector/);
    expect(() => travelSubject({ travellerName: 'A B', travellerBirthDate: '31/31/1990' }, 'line 5', 'x')).toThrow(/line 5.*travellerBirthDate/);
    expect(() => travelSubject({ travellerName: ['A'] }, 'line 6', 'x')).toThrow(/array/);
  });
});
