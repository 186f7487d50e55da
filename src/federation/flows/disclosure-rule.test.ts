import { describe, expect, it } from 'vitest';
import { DISCLOSER, DISCLOSURE_TABLE, H3_CONDITIONS, RECIPIENT } from '../../../test/support/disclosure-table.js';
import { partyOf, releaseVerdict, type HandlingRefusal } from './handling.js';

/**
 * A federation release is a disclosure: the holder's check is governance's disclosure rule, so it
 * answers every row of the rule's table as exports and dossiers do — except classification, which
 * federation cannot check (partners' clearances are not recorded), so those rows answer on handling.
 */
const REFUSAL: Record<'releasability' | 'H2' | 'H3', HandlingRefusal> = { releasability: 'not-releasable', H2: 'h2-no-further-dissemination', H3: 'h3-conditions' };

describe('federation release follows the one disclosure rule', () => {
  const holder = partyOf(DISCLOSER);
  const requester = partyOf(RECIPIENT.agency);

  it.each(DISCLOSURE_TABLE.filter((r) => r.expected !== 'classification').map((r, i) => [r.label, r, i] as const))('%s', (_label, r, i) => {
    const marked = { id: `s${i}`, source: { agency: r.source }, handling: { codes: [...r.codes], releasableTo: [...r.releasableTo], ...(r.codes.includes('H3') ? { conditions: H3_CONDITIONS } : {}) } };
    const v = releaseVerdict(marked, { holder, requester, grant: r.grant === true });
    if (r.expected === undefined) expect(v.ok).toBe(true);
    else if (r.expected !== 'classification') expect(v).toMatchObject({ ok: false, reason: REFUSAL[r.expected] });
  });

  it('a grant that lets an own statement beyond its list sends a copy naming the requester; the conditions of an own H3 travel with it', () => {
    const own = { id: 'g1', source: { agency: DISCLOSER }, handling: { codes: ['H3'], releasableTo: ['ES'], conditions: H3_CONDITIONS } };
    const refused = releaseVerdict(own, { holder, requester });
    expect(refused).toMatchObject({ ok: false, reason: 'not-releasable', message: expect.stringContaining('may grant BE-CT explicitly') });
    const granted = releaseVerdict(own, { holder, requester, grant: true });
    expect(granted.ok && granted.statement.handling).toEqual({ codes: ['H3'], releasableTo: ['ES', 'BE-CT'], conditions: H3_CONDITIONS });
    const h3Only = releaseVerdict({ ...own, handling: { ...own.handling, releasableTo: ['BE'] } }, { holder, requester });
    expect(h3Only).toMatchObject({ ok: false, reason: 'h3-conditions', message: expect.stringContaining(H3_CONDITIONS) });
  });
});
