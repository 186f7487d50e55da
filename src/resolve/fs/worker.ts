import { parentPort, workerData } from 'node:worker_threads';
import type { PreparedRecords } from './fields.js';
import { compareLevels } from './kernel.js';

// One comparison worker: holds the prepared records (sent once) and answers pair batches with levels.
const prepared = workerData as PreparedRecords;
parentPort?.on('message', (msg: { id: number; pairs: Int32Array }) => {
  const levels = compareLevels(prepared, msg.pairs);
  parentPort?.postMessage({ id: msg.id, levels }, [levels.buffer as ArrayBuffer]);
});
