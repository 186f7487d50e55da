import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
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

  it('loads an empty store in bulk through the worker thread, then ingests into the indexed store as usual', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tessera-store-sink-'));
    const store = await openStore({ url: `sqlite:${join(dir, 'bulk.sqlite')}` });
    try {
      const mapping = loadMapping(join(root, 'examples/mappings/cdr.yaml'));
      const rows = ['caller,callee,start,duration,cell_id,imei'];
      // 30 phones calling each other: every phone recurs in many batches.
      for (let i = 0; i < 600; i++) rows.push(`06 39 98 ${String(i % 30).padStart(2, '0')} 11,06 39 97 ${String((i * 7) % 30).padStart(2, '0')} 22,2024-03-14 08:${String(i % 60).padStart(2, '0')}:00,${i},c${i},352099001761481`);
      const file = join(dir, 'calls.csv');
      writeFileSync(file, `${rows.join('\n')}\n`);
      const sink = storeIngestSink(store);
      const r = await ingestFile(file, mapping, sink, { collectedAt: '2024-08-01T00:00:00Z', batchSize: 50, parallel: true });
      expect([r.written, r.quarantined]).toEqual([600, 0]);
      const stats = await store.stats();
      const ids = new Set<string>();
      for await (const batch of store.scanStatements()) for (const s of batch) ids.add(s.id);
      expect(stats.statements).toBe(ids.size);
      expect(stats.bySchema).toEqual({ Communication: 600, Handset: 1, HandsetUse: 30, Phone: 60 });
      expect((await store.statementsReferencing(['fr-ct:phone.+33639981211'], ['caller'])).length).toBe(20);
      expect(await store.beginBulkLoad()).toBeUndefined();
      // A second file into the now indexed store: written as usual, nothing twice.
      writeFileSync(file, `${rows.slice(0, 1).join('')}\n06 39 98 00 11,06 39 97 00 22,2024-03-15 09:00:00,5,c-new,352099001761481\n`);
      const more = await ingestFile(file, mapping, sink, { collectedAt: '2024-08-01T00:00:00Z', parallel: false });
      expect(more.written).toBe(1);
      expect((await store.stats()).statements).toBe(stats.statements + 7);
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
