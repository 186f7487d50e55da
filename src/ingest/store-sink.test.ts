import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openStore } from '../store/index.js';
import { ingestFile, listQuarantine, loadMapping, storeIngestSink } from './index.js';

const root = new URL('../../', import.meta.url).pathname;

describe('storeIngestSink (SQLite)', () => {
  it('writes statements, quarantine and row hashes; re-ingest is idempotent', async () => {
    const store = await openStore({ url: 'sqlite::memory:' });
    try {
      const sink = storeIngestSink(store);
      const mapping = loadMapping(join(root, 'examples/mappings/cdr.yaml'));
      const file = join(root, 'examples/data/cdr.csv');
      const first = await ingestFile(file, mapping, sink, { collectedAt: '2024-08-01T00:00:00Z' });
      const stats1 = await store.stats();
      const second = await ingestFile(file, mapping, sink, { collectedAt: '2024-08-01T00:00:00Z' });
      const stats2 = await store.stats();
      expect([first.written, first.quarantined, second.written, second.duplicates]).toEqual([5, 4, 0, 6]);
      expect(stats2).toEqual(stats1);
      const q = await listQuarantine(store, { sourceId: 'FR-CT/cdr-operator' });
      expect(q.map((e) => e.field).sort()).toEqual(['(row)', 'callee', 'imei', 'start']);
      expect(await sink.loadCheckpoint('FR-CT/cdr-operator', file)).toBeUndefined();
      expect((await store.statementsOf('fr-ct:phone.+33639981234')).map((s) => s.prop)).toEqual(['number']);
    } finally {
      await store.close();
    }
  });
});
