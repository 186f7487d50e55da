import cliProgress from 'cli-progress';

/** Progress of a long command: a bar on a terminal, plain lines (every ~2 s) otherwise. */
export interface Progress {
  update(done: number, total?: number): void;
  stop(summary?: string): void;
}

/** Starts progress reporting on stderr. */
export function startProgress(label: string, total = 0, unit = 'items'): Progress {
  const started = Date.now();
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      { format: `${label} [{bar}] {percentage}% {value}/{total} ${unit} · {rate}/s · ETA {eta_formatted}`, hideCursor: true, stream: process.stderr, etaBuffer: 50 },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0, { rate: 0 });
    return {
      update(done, newTotal) {
        if (newTotal !== undefined) bar.setTotal(newTotal);
        bar.update(done, { rate: Math.round(done / Math.max(0.001, (Date.now() - started) / 1000)) });
      },
      stop(summary) {
        bar.stop();
        if (summary) process.stderr.write(`${summary}\n`);
      },
    };
  }
  let last = 0;
  let knownTotal = total;
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) knownTotal = newTotal;
      const now = Date.now();
      if (now - last < 2000 && done !== knownTotal) return;
      last = now;
      const secs = (now - started) / 1000;
      const rate = done / Math.max(0.001, secs);
      const eta = knownTotal > done && rate > 0 ? ` · ETA ${Math.ceil((knownTotal - done) / rate)} s` : '';
      process.stderr.write(`${label}: ${done}${knownTotal ? `/${knownTotal}` : ''} ${unit} · ${Math.round(rate)}/s${eta}\n`);
    },
    stop(summary) {
      process.stderr.write(`${summary ?? `${label}: done`} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`);
    },
  };
}
