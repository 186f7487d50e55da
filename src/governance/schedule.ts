import { createCheckpoint, storedCheckpointKey, type AuditCheckpoint, type CheckpointKey } from './checkpoint.js';
import type { ActiveAlertLookup } from './ports.js';
import { runRetention, type RetentionReport } from './retention.js';
import type { Governance } from './service.js';

export interface RetentionScheduleOptions {
  /** How often to run (default: every 24 hours). */
  readonly everyMs?: number;
  readonly alerts?: ActiveAlertLookup;
  /** Checkpoint key (default: the key kept in the store). */
  readonly checkpointKey?: CheckpointKey;
  /** Called after each run with its report and checkpoint (e.g. to copy the checkpoint to an anchor). */
  readonly onRun?: (report: RetentionReport, checkpoint: AuditCheckpoint) => void | Promise<void>;
  readonly onError?: (error: unknown) => void;
}

/**
 * The server's scheduled job: applies retention, then signs a checkpoint of the audit chain head, on
 * a timer (first run at start). Runs never overlap. Returns a stop function for shutdown.
 */
export function scheduleRetention(gov: Governance, options: RetentionScheduleOptions = {}): { stop: () => void; runNow: () => Promise<void> } {
  let running: Promise<void> | undefined;
  const runNow = async () => {
    if (running) return running;
    running = (async () => {
      try {
        const report = await runRetention(gov, { actor: 'scheduler', ...(options.alerts ? { alerts: options.alerts } : {}) });
        const checkpoint = await createCheckpoint(gov, options.checkpointKey ?? (await storedCheckpointKey(gov.store)));
        await options.onRun?.(report, checkpoint);
      } catch (e) {
        options.onError?.(e);
      } finally {
        running = undefined;
      }
    })();
    return running;
  };
  const timer = setInterval(() => void runNow(), options.everyMs ?? 86_400_000);
  timer.unref();
  void runNow();
  return { stop: () => clearInterval(timer), runNow };
}
