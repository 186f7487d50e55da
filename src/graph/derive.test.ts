import { describe, expect, it } from 'vitest';
import { coPresenceLinks, sharedAttributeLinks } from './derive.js';

describe('shared attribute links', () => {
  it('links subjects sharing a phone or handset, weighted by how many they share, with the records as evidence', () => {
    const r = sharedAttributeLinks(
      [
        { id: 'u1', subject: 'p:a', key: 'ph:1' },
        { id: 'u2', subject: 'p:b', key: 'ph:1' },
        { id: 'u3', subject: 'p:a', key: 'ph:2' },
        { id: 'u4', subject: 'p:b', key: 'ph:2' },
        { id: 'u5', subject: 'p:c', key: 'ph:3' },
        { id: 'u6', subject: 'p:a', key: 'ph:1' },
      ],
      'SharedPhone',
    );
    expect(r.edges).toEqual([{ source: 'p:a', target: 'p:b', kind: 'SharedPhone', weight: 2, count: 2, evidence: expect.arrayContaining(['u1', 'u2', 'u3', 'u4', 'u6']) as unknown }]);
    expect(r.skipped).toEqual([]);
  });
  it('does not turn a crowd (a hotel address) into a clique, and says so', () => {
    const many = Array.from({ length: 40 }, (_, i) => ({ id: `a${i}`, subject: `p:${i}`, key: 'addr:hotel' }));
    const r = sharedAttributeLinks([...many, { id: 'x1', subject: 'p:1', key: 'addr:flat' }, { id: 'x2', subject: 'p:2', key: 'addr:flat' }], 'SharedAddress');
    expect(r.edges).toHaveLength(1);
    expect(r.skipped).toEqual([{ key: 'addr:hotel', subjects: 40 }]);
    expect(() => sharedAttributeLinks([], 'SharedAddress', { maxGroup: 1 })).toThrow(/maxGroup/);
  });
});

describe('co-presence links', () => {
  it('links people on the same flight or at the same place within the window, counting occasions', () => {
    const r = coPresenceLinks(
      [
        { id: 't1', subject: 'p:a', place: 'AF1234@2024-03-01', time: '2024-03-01T08:00:00Z' },
        { id: 't2', subject: 'p:b', place: 'AF1234@2024-03-01', time: '2024-03-01T08:00:00Z' },
        { id: 't3', subject: 'p:a', place: 'cafe', time: '2024-04-01T12:00:00Z' },
        { id: 't4', subject: 'p:b', place: 'cafe', time: '2024-04-01T13:30:00Z' },
        { id: 't5', subject: 'p:c', place: 'cafe', time: '2024-04-01T18:00:00Z' },
      ],
      'CoLocation',
    );
    expect(r.edges).toHaveLength(1);
    expect(r.edges[0]).toMatchObject({ source: 'p:a', target: 'p:b', weight: 2, first: Date.parse('2024-03-01T08:00:00Z'), last: Date.parse('2024-04-01T13:30:00Z') });
    expect([...r.edges[0]!.evidence].sort()).toEqual(['t1', 't2', 't3', 't4']);
    expect(() => coPresenceLinks([{ id: 'x', subject: 'p:a', place: 'p', time: 'never' }], 'CoLocation')).toThrow(/record x, field time: not a valid time/);
  });
});
