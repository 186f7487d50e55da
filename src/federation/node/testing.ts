import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';
import type { Hono } from 'hono';

/**
 * Test helpers for the node layer (used by its unit tests and the e2e; no production code imports
 * them): a fake clock, a logger whose lines can be inspected, and an in-process "network" that
 * routes a node's HTTP requests to other nodes' inbox apps without sockets.
 */
export class FakeClock {
  #t: number;
  constructor(start = '2026-03-01T09:00:00.000Z') {
    this.#t = Date.parse(start);
  }
  now = (): Date => new Date(this.#t);
  advance(ms: number): void {
    this.#t += ms;
  }
  get ms(): number {
    return this.#t;
  }
}

export interface CapturedLog {
  readonly logger: Logger;
  readonly lines: Record<string, unknown>[];
  /** Lines whose msg matches, newest last. */
  find(msg: RegExp): Record<string, unknown>[];
}

export function captureLog(): CapturedLog {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l.trim()) lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  const logger = pino({ level: 'debug' }, stream);
  return { logger, lines, find: (msg) => lines.filter((l) => msg.test(String(l['msg']))) };
}

/** Routes fetches by host to in-process apps; a host that is down throws like a refused connection. */
export class InProcessNetwork {
  readonly #apps = new Map<string, Hono>();
  readonly down = new Set<string>();
  /** Hosts whose answer is lost after the request was processed (a connection reset mid-exchange). */
  readonly loseAnswers = new Map<string, number>();

  attach(host: string, app: Hono): string {
    this.#apps.set(host, app);
    return `http://${host}`;
  }

  fetch = async (url: string, init: RequestInit): Promise<Response> => {
    const host = new URL(url).host;
    const app = this.#apps.get(host);
    if (!app || this.down.has(host)) throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    const res = await app.request(url, init);
    const lose = this.loseAnswers.get(host) ?? 0;
    if (lose > 0) {
      this.loseAnswers.set(host, lose - 1);
      throw Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNRESET' } });
    }
    return res;
  };
}
