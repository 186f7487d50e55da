import { describe, expect, it } from 'vitest';
import { burnerSuccession, type CallRecord, type CellRecord, dormancy, type HandsetRecord, proxyPhones } from './patterns.js';
import { mulberry32 } from './random.js';

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T00:00:00Z');

/**
 * A small synthetic world: 60 background phones calling at random over 200 days, and 8 subjects
 * who each drop a phone on a known day and continue on a new one — through the same handset
 * (subjects 0–2), with the same contacts only (3–5), or at the same cell sites with a few contacts (6–7).
 */
function world(seed: number): { calls: CallRecord[]; handsets: HandsetRecord[]; cells: CellRecord[]; truth: Map<string, string> } {
  const random = mulberry32(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(random() * xs.length)]!;
  const calls: CallRecord[] = [];
  const handsets: HandsetRecord[] = [];
  const cells: CellRecord[] = [];
  const truth = new Map<string, string>();
  const background = Array.from({ length: 60 }, (_, i) => `bg${i}`);
  let id = 0;
  const call = (from: string, to: string, day: number): void => void calls.push({ id: `c${id++}`, from, to, time: T0 + day * DAY + Math.floor(random() * DAY) });
  for (let i = 0; i < 1500; i++) {
    const a = pick(background);
    const b = pick(background);
    if (a !== b) call(a, b, Math.floor(random() * 200));
  }
  for (let s = 0; s < 8; s++) {
    const oldPhone = `old${s}`;
    const newPhone = `new${s}`;
    truth.set(oldPhone, newPhone);
    const switchDay = 60 + s * 10;
    const circle = Array.from({ length: 8 }, () => pick(background));
    const mode = s < 3 ? 'handset' : s < 6 ? 'contacts' : 'cells';
    const contactsNew = mode === 'cells' ? circle.slice(0, 2) : circle.slice(0, 6).concat(pick(background));
    for (let d = 0; d < 40; d++) call(oldPhone, pick(circle), switchDay - 40 + d);
    for (let d = 0; d < 40; d++) call(pick(contactsNew), newPhone, switchDay + 2 + d);
    if (mode === 'handset') {
      handsets.push({ id: `h${s}a`, phone: oldPhone, handset: `imei${s}`, time: T0 + (switchDay - 30) * DAY });
      handsets.push({ id: `h${s}b`, phone: newPhone, handset: `imei${s}`, time: T0 + (switchDay + 3) * DAY });
    }
    if (mode === 'cells') {
      for (let d = 0; d < 10; d++) {
        cells.push({ id: `x${s}o${d}`, phone: oldPhone, cell: `cell${s}-${d % 4}`, time: T0 + (switchDay - 20 + d) * DAY });
        cells.push({ id: `x${s}n${d}`, phone: newPhone, cell: `cell${s}-${d % 4}`, time: T0 + (switchDay + 5 + d) * DAY });
      }
    }
  }
  return { calls, handsets, cells, truth };
}

describe('burner succession', () => {
  it('recovers the successor of each dropped phone as its top candidate (precision and recall)', () => {
    const w = world(1);
    const found = burnerSuccession(w, { asOf: T0 + 200 * DAY });
    const top = new Map<string, string>();
    for (const c of found) if (!top.has(c.oldPhone)) top.set(c.oldPhone, c.newPhone);
    const correct = [...w.truth].filter(([o, n]) => top.get(o) === n).length;
    const truePairs = found.filter((c) => w.truth.get(c.oldPhone) === c.newPhone).length;
    expect(correct / w.truth.size).toBe(1);
    // Background phones stay active to the end, so nothing else is offered as a succession.
    expect(truePairs / found.length).toBeGreaterThanOrEqual(0.8);
    // Handset evidence ranks above contact-only evidence.
    expect(found[0]!.sharedHandsets.length).toBe(1);
  });
  it('explains each candidate with the signal and the records behind it', () => {
    const w = world(2);
    const found = burnerSuccession(w, { asOf: T0 + 200 * DAY });
    const viaHandset = found.find((c) => c.oldPhone === 'old0' && c.newPhone === 'new0')!;
    expect(viaHandset.sharedHandsets).toEqual(['imei0']);
    expect(viaHandset.evidence).toEqual(expect.arrayContaining(['h0a', 'h0b']));
    expect(viaHandset.reasons.join(' ')).toMatch(/same handset imei0/);
    const viaContacts = found.find((c) => c.oldPhone === 'old4' && c.newPhone === 'new4')!;
    expect(viaContacts.contactJaccard).toBeGreaterThan(0.4);
    expect(viaContacts.evidence.every((id) => w.calls.some((c) => c.id === id))).toBe(true);
    const viaCells = found.find((c) => c.oldPhone === 'old7' && c.newPhone === 'new7')!;
    expect(viaCells.sharedCells).toHaveLength(4);
    expect(viaCells.gapDays).toBeGreaterThan(0);
  });
  it('needs the old phone to have gone silent, and the new one to appear near that time', () => {
    const w = world(3);
    // Before subject 7 switched (day 130), old7 is not silent.
    expect(burnerSuccession(w, { asOf: T0 + 125 * DAY }).some((c) => c.oldPhone === 'old7')).toBe(false);
    expect(burnerSuccession(w, { asOf: T0 + 200 * DAY, maxGapDays: 0, maxOverlapDays: 0 }).some((c) => c.newPhone === 'new0')).toBe(false);
    expect(() => burnerSuccession(w, { minScore: -1 })).toThrow(/minScore/);
  });
});

describe('proxy phones', () => {
  it("finds the watched person's contacts reached through a partner's phone after theirs fell silent", () => {
    const calls: CallRecord[] = [];
    let id = 0;
    const call = (from: string, to: string, day: number): void => void calls.push({ id: `c${id++}`, from, to, time: T0 + day * DAY });
    const contacts = ['k1', 'k2', 'k3', 'k4', 'k5'];
    contacts.forEach((k, i) => call('ph-watched', k, 10 + i));
    ['s1', 's2', 's3'].forEach((s, i) => call('ph-partner', s, 5 + i));
    // After day 40 the watched phone is silent; the partner's phone reaches k1–k4.
    ['k1', 'k2', 'k3', 'k4'].forEach((k, i) => call('ph-partner', k, 50 + i));
    ['k1', 'k5'].forEach((k, i) => call('ph-cousin', k, 12 + i));
    ['s1', 's2'].forEach((s, i) => call('ph-friend', s, 12 + i));
    const found = proxyPhones(
      {
        calls,
        phoneUse: [
          { id: 'u1', person: 'P-watched', phone: 'ph-watched' },
          { id: 'u2', person: 'P-partner', phone: 'ph-partner' },
          { id: 'u3', person: 'P-cousin', phone: 'ph-cousin' },
          { id: 'u4', person: 'P-friend', phone: 'ph-friend' },
        ],
        relations: [
          { id: 'r1', person: 'P-watched', relative: 'P-partner', kind: 'partner' },
          { id: 'r2', person: 'P-cousin', relative: 'P-watched', kind: 'family' },
          { id: 'r3', person: 'P-friend', relative: 'P-watched', kind: 'associate' },
        ],
      },
      ['P-watched'],
    );
    expect(found.map((f) => f.proxyPhone)).toEqual(['ph-partner', 'ph-cousin']);
    const partner = found[0]!;
    expect(partner.coverage).toBeCloseTo(4 / 5, 12);
    expect(partner.afterSilence).toEqual(['k1', 'k2', 'k3', 'k4']);
    expect(partner.evidence).toEqual(expect.arrayContaining(['r1', 'u2']));
    expect(found[1]!.afterSilence).toEqual([]);
    expect(found[1]!.score).toBeLessThan(partner.score);
  });
});

describe('dormancy', () => {
  it('flags a sharp drop as quiet — never as cleared — and will not judge thin data', () => {
    const activity = [];
    for (let d = 0; d < 120; d += 2) activity.push({ id: `a${d}`, subject: 'steady', time: T0 + d * DAY });
    for (let d = 0; d < 90; d += 2) activity.push({ id: `b${d}`, subject: 'dropped', time: T0 + d * DAY });
    activity.push({ id: 'b-late', subject: 'dropped', time: T0 + 100 * DAY });
    activity.push({ id: 'c1', subject: 'thin', time: T0 + 50 * DAY });
    const found = dormancy(activity, { asOf: T0 + 120 * DAY });
    const by = new Map(found.map((f) => [f.subject, f]));
    expect(by.get('dropped')!.status).toBe('quiet');
    expect(by.get('dropped')!.note).toMatch(/does not indicate disengagement/);
    expect(by.get('steady')!.status).toBe('active');
    expect(by.get('thin')!.status).toBe('insufficient-data');
    expect(found[0]!.subject).toBe('dropped');
    expect(JSON.stringify(found)).not.toMatch(/clear/i);
  });
});
