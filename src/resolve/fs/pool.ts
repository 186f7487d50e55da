import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { PreparedRecords } from './fields.js';
import { compareLevels } from './kernel.js';

/**
 * A pool of worker_threads comparing candidate pairs in parallel. Records are cloned once into each
 * worker; pairs travel in transferable Int32Array batches and levels come back as Uint8Array, so memory
 * stays bounded by (records + one batch per worker). With `threads: 1` it runs in-process.
 */
export class ComparisonPool {
  private readonly workers: Worker[];
  private readonly prepared: PreparedRecords;
  private nextId = 0;

  private constructor(prepared: PreparedRecords, workers: Worker[]) {
    this.prepared = prepared;
    this.workers = workers;
  }

  /** Starts `threads` workers (default: all cores); 1 means no workers. */
  static create(prepared: PreparedRecords, threads = availableParallelism()): ComparisonPool {
    const workers: Worker[] = [];
    if (threads > 1) {
      const isTs = import.meta.url.endsWith('.ts');
      const url = new URL(isTs ? './worker.ts' : './worker.js', import.meta.url);
      // Under tsx/vitest the worker is TypeScript: a tiny bootstrap registers tsx's ESM hook in the
      // worker thread first (Node 20 workers do not inherit the parent's loader hooks).
      const boot = isTs
        ? `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`
        : undefined;
      for (let t = 0; t < threads; t++) {
        workers.push(boot ? new Worker(boot, { eval: true, workerData: prepared }) : new Worker(url, { workerData: prepared }));
      }
    }
    return new ComparisonPool(prepared, workers);
  }

  /** Number of worker threads (0 = in-process). */
  get threads(): number {
    return this.workers.length;
  }

  private run(worker: Worker, pairs: Int32Array): Promise<Uint8Array> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const onMessage = (msg: { id: number; levels: Uint8Array }): void => {
        if (msg.id !== id) return;
        worker.off('message', onMessage);
        worker.off('error', onError);
        resolve(msg.levels);
      };
      const onError = (e: Error): void => {
        worker.off('message', onMessage);
        reject(e);
      };
      worker.on('message', onMessage);
      worker.on('error', onError);
      worker.postMessage({ id, pairs }, [pairs.buffer as ArrayBuffer]);
    });
  }

  /** Comparison levels of `pairs` (i0, j0, i1, j1, …), batched across the workers. */
  async compare(pairs: Int32Array, batchPairs = 65_536): Promise<Uint8Array> {
    const F = this.prepared.fields.length;
    const n = pairs.length >> 1;
    if (this.workers.length === 0 || n < 2048) return compareLevels(this.prepared, pairs);
    const out = new Uint8Array(n * F);
    let cursor = 0;
    const next = async (w: Worker): Promise<void> => {
      while (cursor < n) {
        const start = cursor;
        const end = Math.min(n, start + batchPairs);
        cursor = end;
        const levels = await this.run(w, pairs.slice(start * 2, end * 2));
        out.set(levels, start * F);
      }
    };
    await Promise.all(this.workers.map(next));
    return out;
  }

  /** Stops the workers. */
  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
