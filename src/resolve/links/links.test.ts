import { describe, expect, it } from 'vitest';
import { LinkBook, MemoryJudgementRepository } from './index.js';

const clock = (): Date => new Date('2026-01-15T10:00:00Z');
const who = { by: 'analyst.a', why: 'same passport photo and date of birth' };

describe('link states (Reg. 2019/817 Art. 30–33)', () => {
  it('starts yellow, records who/when/why, and keeps judged colours across re-runs', async () => {
    const book = new LinkBook({ clock });
    book.recordCandidates([{ left: 'fr-dgsi:2', right: 'fr-dgsi:1', probability: 0.62, weight: 3.1 }]);
    expect(book.link('fr-dgsi:1', 'fr-dgsi:2').colour).toBe('yellow');
    const { judgement } = await book.judge('fr-dgsi:1', 'fr-dgsi:2', 'white', who);
    expect(judgement).toMatchObject({ left: 'fr-dgsi:1', right: 'fr-dgsi:2', colour: 'white', by: 'analyst.a', at: '2026-01-15T10:00:00.000Z' });
    // A later run with a low score refreshes the score but never the analyst's colour.
    book.recordCandidates([{ left: 'fr-dgsi:1', right: 'fr-dgsi:2', probability: 0.1 }]);
    const s = book.link('fr-dgsi:2', 'fr-dgsi:1');
    expect(s.colour).toBe('white');
    expect(s.probability).toBe(0.1);
  });

  it('undo restores the previous colour and keeps both entries in the history', async () => {
    const book = new LinkBook({ clock });
    await book.judge('a:1', 'b:1', 'green', who);
    await book.judge('a:1', 'b:1', 'white', { by: 'analyst.b', why: 'new document shows same person' });
    await book.undo('a:1', 'b:1', { by: 'analyst.c', why: 'document was forged' });
    const s = book.link('a:1', 'b:1');
    expect(s.colour).toBe('green');
    expect(s.history.map((h) => h.action)).toEqual(['judge', 'judge', 'undo']);
    await book.undo('a:1', 'b:1', { by: 'analyst.c', why: 'green was also wrong' });
    expect(book.link('a:1', 'b:1').colour).toBe('yellow');
    await expect(book.undo('a:1', 'b:1', { by: 'analyst.c', why: 'x' })).rejects.toThrow(/no judgement to undo/);
  });

  it('requires a reason and an analyst, and two different records', async () => {
    const book = new LinkBook();
    await expect(book.judge('a:1', 'b:1', 'white', { by: 'x', why: ' ' })).rejects.toThrow(/reason/);
    await expect(book.judge('a:1', 'b:1', 'white', { by: '', why: 'y' })).rejects.toThrow(/analyst/);
    await expect(book.judge('a:1', 'a:1', 'white', who)).rejects.toThrow(/two different/);
  });

  it('a red link raises an alert to the owners of both records', async () => {
    const book = new LinkBook();
    const { alert } = await book.judge('de-bka:7', 'fr-dgsi:9', 'red', { ...who, why: 'same fingerprints, two identities' });
    expect(alert?.owners).toEqual(['de-bka', 'fr-dgsi']);
  });

  it('clusters white and above-threshold links, never across a green pair', async () => {
    const book = new LinkBook();
    book.recordCandidates([
      { left: 'x:1', right: 'x:2', probability: 0.99 },
      { left: 'x:2', right: 'x:3', probability: 0.95 },
      { left: 'x:3', right: 'x:4', probability: 0.3 },
      { left: 'x:5', right: 'x:6', probability: 0.97 },
    ]);
    await book.judge('x:1', 'x:3', 'green', { ...who, why: 'twins' });
    await book.judge('x:4', 'x:5', 'white', who);
    const { clusters, warnings } = book.clusters(0.9);
    // x:1–x:2 (0.99) joins first; x:2–x:3 would put the green pair x:1/x:3 together: refused.
    expect(clusters).toContainEqual(['x:1', 'x:2']);
    expect(clusters).toContainEqual(['x:3']);
    expect(clusters).toContainEqual(['x:4', 'x:5', 'x:6']);
    expect(warnings.join('\n')).toMatch(/x:2 – x:3.*green/);
  });

  it('refuses a white judgement that would merge clusters holding a green pair', async () => {
    const book = new LinkBook();
    await book.judge('p:1', 'p:2', 'white', who);
    await book.judge('p:3', 'p:4', 'white', who);
    await book.judge('p:1', 'p:4', 'green', { ...who, why: 'different persons, shared address' });
    await expect(book.judge('p:2', 'p:3', 'white', who)).rejects.toMatchObject({ code: 'CONFLICT' });
  });

  it('is rebuilt from its append-only repository', async () => {
    const repo = new MemoryJudgementRepository();
    const book = await LinkBook.open(repo, clock);
    await book.judge('r:1', 'r:2', 'white', who);
    await book.judge('r:2', 'r:3', 'green', who);
    await book.undo('r:2', 'r:3', { by: 'analyst.a', why: 'mistake' });
    const again = await LinkBook.open(repo, clock);
    expect(again.link('r:1', 'r:2').colour).toBe('white');
    expect(again.link('r:2', 'r:3').colour).toBe('yellow');
    expect((await repo.load()).length).toBe(3);
    const next = await again.judge('r:3', 'r:4', 'white', who);
    expect(next.judgement.seq).toBe(4);
  });
});
