import { Worker } from 'node:worker_threads';
import { TesseraError, type ErrorCode } from '../model/index.js';
import { batchDecoder, type WireBatch } from './batch.js';
import { BatchCommitter, resumePoint, withSinkRun, type IngestOptions, type IngestProgress, type IngestReport } from './commit.js';
import type { CompiledMapping } from './mapping/index.js';
import type { IngestSink } from './ports.js';
import type { Envelope } from './statements.js';

/** What the worker thread is given (structured-cloneable). */
export interface WorkerJob {
  readonly path: string;
  /** The file as given (messages and quarantine entries name it). */
  readonly file: string;
  /** The mapping's validated document and file name: the worker compiles it again. */
  readonly mappingDocument: CompiledMapping['document'];
  readonly mappingFile: string;
  readonly envelope: Envelope;
  readonly sourceId: string;
  readonly resumeFrom: number;
  readonly batchSize: number;
  readonly screening: boolean;
}

/** Messages from the worker. */
export type FromWorker =
  | { readonly type: 'ready' }
  | { readonly type: 'hashes'; readonly seq: number; readonly hashes: readonly string[] }
  | { readonly type: 'batch'; readonly seq: number; readonly batch: WireBatch; readonly bytesRead: number }
  | { readonly type: 'end'; readonly bytesRead: number }
  | { readonly type: 'error'; readonly message: string; readonly code?: ErrorCode; readonly record?: string; readonly field?: string };

/** Messages to the worker: which rows the sink holds (and through which batch the sink was written when asked), and write acknowledgements. */
export type ToWorker = { readonly type: 'known'; readonly seq: number; readonly known: readonly string[]; readonly writtenThrough: number } | { readonly type: 'written'; readonly seq: number };

/** The worker's heap: its caches are bounded (a few tens of MB); the cap keeps V8 from growing lazily past the ingest's memory bound. */
const WORKER_LIMITS = { maxOldGenerationSizeMb: 256 };

function startWorker(job: WorkerJob): Worker {
  const isTs = import.meta.url.endsWith('.ts');
  const url = new URL(isTs ? './worker.ts' : './worker.js', import.meta.url);
  // Under tsx/vitest the worker is TypeScript: a bootstrap registers tsx's ESM hook in the worker
  // thread first (Node 20 workers do not inherit the parent's loader hooks).
  if (isTs) {
    const boot = `import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); });`;
    return new Worker(boot, { eval: true, workerData: job, resourceLimits: WORKER_LIMITS });
  }
  return new Worker(url, { workerData: job, resourceLimits: WORKER_LIMITS });
}

/**
 * Ingests a mapped file on two threads: a worker reads, hashes, maps and normalises (the CPU-heavy
 * part); this thread answers its row-hash lookups, writes each batch atomically through the sink,
 * hands entities to screening and reports progress. Batches are written in file order and a
 * checkpoint moves with each, so counts, idempotency, quarantine and resume are those of the
 * in-process loop (`ingestStream`); the worker runs at most a few batches ahead.
 */
export async function ingestInWorker(
  job: { readonly file: string; readonly path: string; readonly size: number; readonly mtimeMs: number; readonly sourceId: string; readonly mapping: CompiledMapping; readonly envelope: Envelope },
  sink: IngestSink,
  options: IngestOptions,
  onProgress?: (p: IngestProgress) => void,
): Promise<IngestReport> {
  const resumeFrom = await resumePoint(job, sink, options);
  const worker = startWorker({
    path: job.path,
    file: job.file,
    mappingDocument: job.mapping.document,
    mappingFile: job.mapping.file,
    envelope: job.envelope,
    sourceId: job.sourceId,
    resumeFrom,
    batchSize: Math.max(1, options.batchSize ?? 2000),
    screening: options.screening !== undefined,
  });
  const send = (m: ToWorker) => worker.postMessage(m);

  // Messages become a queue the write loop below consumes in order.
  const inbox: FromWorker[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const notify = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };
  const next = async (): Promise<FromWorker> => {
    for (;;) {
      if (failure) throw failure;
      const m = inbox.shift();
      if (m) return m;
      await new Promise<void>((r) => (wake = r));
    }
  };
  let writtenThrough = -1;
  worker.on('message', (m: FromWorker) => {
    if (m.type === 'hashes') {
      // Answered at once, ahead of the writes: the worker covers batches written after this point itself.
      const through = writtenThrough;
      sink.knownRowHashes(job.sourceId, m.hashes).then(
        (known) => send({ type: 'known', seq: m.seq, known: [...known], writtenThrough: through }),
        (e: unknown) => {
          failure ??= e instanceof Error ? e : new Error(String(e));
          notify();
        },
      );
      return;
    }
    if (m.type === 'error') failure ??= m.code ? new TesseraError(m.code, m.message, { ...(m.record === undefined ? {} : { record: m.record }), ...(m.field === undefined ? {} : { field: m.field }) }) : new Error(`ingest worker: ${m.message}`);
    else inbox.push(m);
    notify();
  });
  worker.on('error', (e) => {
    failure ??= e;
    notify();
  });
  worker.on('exit', (code) => {
    failure ??= new Error(`ingest worker stopped unexpectedly (exit code ${code})`);
    notify();
  });

  let stopped: Promise<number> | undefined;
  const stop = () => {
    worker.removeAllListeners('exit');
    return (stopped ??= worker.terminate());
  };
  try {
    const first = await next();
    if (first.type !== 'ready') throw new Error(`ingest worker: expected ready, got ${first.type}`);
    const committer = new BatchCommitter(job, sink, options, onProgress);
    const decode = batchDecoder();
    const interrupted = await withSinkRun(sink, async () => {
      for (;;) {
        const m = await next();
        if (m.type === 'end') {
          committer.bytesRead = m.bytesRead;
          break;
        }
        if (m.type !== 'batch') continue;
        await committer.commit(decode(m.batch), m.bytesRead);
        writtenThrough = m.seq;
        send({ type: 'written', seq: m.seq });
        if (options.signal?.aborted) return true;
      }
      await sink.clearCheckpoint(job.sourceId, job.path);
      // The worker's memory is given back before the sink ends the run (a bulk load builds its indexes then).
      await stop();
      return false;
    });
    return committer.report(job.mapping.name, resumeFrom, interrupted);
  } finally {
    await stop();
  }
}
