import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { admits, partyOf, receiptVerdict, releaseVerdict, type Marked, type Party } from './handling.js';

type Copy = Marked & { id: string };

const mark = (originator: string, codes: string[], releasableTo: string[], id = 's1'): Copy => ({ id, source: { agency: originator }, handling: { codes, releasableTo } });
const ES = partyOf('ES-CT');
const BE = partyOf('BE-CT');
const FR = partyOf('FR-CT');

describe('handling rules across agencies (pure)', () => {
  it('admits by agency, country or every partner', () => {
    expect(admits(['BE-CT'], BE)).toBe(true);
    expect(admits(['BE'], BE)).toBe(true);
    expect(admits(['*'], BE)).toBe(true);
    expect(admits(['FR', 'ES-CT'], BE)).toBe(false);
    expect(admits([], BE)).toBe(false);
    expect(admits(['BE'], partyOf('BE-FED', 'BE'))).toBe(true);
  });

  it('the originator releases within its releasable-to list, or by an explicit grant that names the requester on the copy', () => {
    expect(releaseVerdict(mark('ES-CT', ['H2'], ['BE-CT']), { holder: ES, requester: BE })).toMatchObject({ ok: true });
    const refused = releaseVerdict(mark('ES-CT', [], []), { holder: ES, requester: BE });
    expect(refused).toMatchObject({ ok: false, reason: 'not-releasable' });
    const granted = releaseVerdict(mark('ES-CT', ['H1'], ['FR-CT']), { holder: ES, requester: BE, grant: true });
    expect(granted.ok && granted.statement.handling).toEqual({ codes: ['H1'], releasableTo: ['FR-CT', 'BE-CT'] });
  });

  it('a received statement goes on only if it is not H2 and its list names the requester; a grant changes nothing for others’ statements', () => {
    expect(releaseVerdict(mark('ES-CT', ['H2'], ['*']), { holder: BE, requester: FR, grant: true })).toMatchObject({ ok: false, reason: 'h2-no-further-dissemination' });
    expect(releaseVerdict(mark('ES-CT', ['H1', 'H3'], ['BE-CT']), { holder: BE, requester: FR, grant: true })).toMatchObject({ ok: false, reason: 'not-releasable' });
    expect(releaseVerdict(mark('ES-CT', ['H1'], ['FR']), { holder: BE, requester: FR })).toMatchObject({ ok: true });
    // Back to its originator is always allowed (it holds it already).
    expect(releaseVerdict(mark('ES-CT', ['H2'], []), { holder: BE, requester: ES })).toMatchObject({ ok: true });
  });

  it('the receiver keeps only what names it, and never an H2 statement forwarded by a third agency', () => {
    expect(receiptVerdict(mark('ES-CT', ['H2'], ['BE-CT']), { self: BE, sender: ES })).toMatchObject({ ok: true });
    expect(receiptVerdict(mark('ES-CT', ['H2'], ['*']), { self: FR, sender: BE })).toMatchObject({ ok: false, reason: 'h2-no-further-dissemination' });
    expect(receiptVerdict(mark('ES-CT', [], ['BE-CT']), { self: FR, sender: BE })).toMatchObject({ ok: false, reason: 'not-releasable' });
    expect(receiptVerdict(mark('ES-CT', [], ['FR']), { self: FR, sender: BE })).toMatchObject({ ok: true });
    expect(receiptVerdict(mark('FR-CT', ['H2'], []), { self: FR, sender: BE })).toMatchObject({ ok: true });
  });

  /*
   * The property of issue 8 ("handling codes are enforced across nodes"): whatever sequence of
   * releases and forwards happens among four agencies — honest holders that check before they
   * release, dishonest ones that send whatever they hold, originators granting explicitly — no
   * statement is ever held by an agency its originator's handling excludes, and an H2 statement is
   * held only by its originator and agencies that received it from the originator itself.
   * (A sender forging the handling of another agency's statement is out of scope: detecting that
   * needs originator signatures on statements; see docs/federation.md.)
   */
  const AGENCIES: readonly Party[] = [partyOf('AA-ONE'), partyOf('BB-TWO'), partyOf('CC-THREE'), partyOf('CC-FOUR')];
  const releasable = fc.uniqueArray(fc.constantFrom('*', 'AA', 'BB', 'CC', ...AGENCIES.map((a) => a.agency)), { maxLength: 3 });
  const statement = fc.record({
    originator: fc.integer({ min: 0, max: AGENCIES.length - 1 }),
    codes: fc.subarray(['H1', 'H2', 'H3']),
    releasableTo: releasable,
  });
  const step = fc.record({
    from: fc.integer({ min: 0, max: AGENCIES.length - 1 }),
    to: fc.integer({ min: 0, max: AGENCIES.length - 1 }),
    statement: fc.nat(),
    honest: fc.boolean(),
    grant: fc.boolean(),
  });

  /** Independent oracle: the original marking (plus grants the originator made) admits the agency. */
  function permitted(original: { releasableTo: readonly string[] }, agency: Party, granted: ReadonlySet<string>): boolean {
    return original.releasableTo.some((r) => r === '*' || r === agency.agency || r === agency.country) || granted.has(agency.agency);
  }

  it('no sequence of releases and forwards lets a statement reach an agency its handling excludes (property)', () => {
    fc.assert(
      fc.property(fc.array(statement, { minLength: 1, maxLength: 6 }), fc.array(step, { maxLength: 40 }), (specs, steps) => {
        const originals = specs.map((s, i) => mark(AGENCIES[s.originator]!.agency, s.codes, s.releasableTo, `s${i}`));
        // What each agency holds: statement id → its copy (as received).
        const held = AGENCIES.map(() => new Map<string, Copy>());
        originals.forEach((s, i) => held[specs[i]!.originator]!.set(s.id, s));
        const grants = originals.map(() => new Set<string>());
        const deliveries: { statementId: string; from: string; to: string }[] = [];
        for (const st of steps) {
          if (st.from === st.to) continue;
          const holder = AGENCIES[st.from]!;
          const requester = AGENCIES[st.to]!;
          const i = st.statement % originals.length;
          const copy = held[st.from]!.get(originals[i]!.id);
          if (!copy) continue;
          let sent: Copy | undefined = copy;
          if (st.honest) {
            const v = releaseVerdict(copy, { holder, requester, grant: st.grant });
            sent = v.ok ? v.statement : undefined;
            if (v.ok && v.statement !== copy) grants[i]!.add(requester.agency);
          }
          if (!sent) continue;
          const kept = receiptVerdict(sent, { self: requester, sender: holder });
          if (kept.ok) {
            held[st.to]!.set(sent.id, kept.statement);
            deliveries.push({ statementId: sent.id, from: holder.agency, to: requester.agency });
          }
        }
        originals.forEach((s, i) => {
          const originator = s.source.agency;
          AGENCIES.forEach((a, k) => {
            if (a.agency === originator || !held[k]!.has(s.id)) return;
            expect(permitted(s.handling, a, grants[i]!)).toBe(true);
            if (s.handling.codes.includes('H2')) {
              for (const d of deliveries.filter((x) => x.statementId === s.id && x.to === a.agency)) expect(d.from).toBe(originator);
            }
          });
        });
      }),
      { numRuns: 500 },
    );
  });

  it('the rules still let permitted sharing through (the property is not vacuous)', () => {
    const s = mark('AA-ONE', ['H1'], ['BB', 'CC-THREE']);
    const [a, b, c, d] = AGENCIES as [Party, Party, Party, Party];
    const toB = releaseVerdict(s, { holder: a, requester: b });
    expect(toB.ok && receiptVerdict(toB.statement, { self: b, sender: a }).ok).toBe(true);
    const bToC = releaseVerdict(s, { holder: b, requester: c });
    expect(bToC.ok && receiptVerdict(bToC.statement, { self: c, sender: b }).ok).toBe(true);
    expect(releaseVerdict(s, { holder: b, requester: d }).ok).toBe(false);
  });
});
