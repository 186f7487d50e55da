import { serve, type ServerType } from '@hono/node-server';
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import type { EnvelopeLimits } from '../envelope.js';
import type { FederationNode } from './node.js';

/** The path peers POST envelopes to, under a node's federation endpoint. */
export const INBOX_PATH = '/fed/v1/envelopes';

/** The largest envelope any message type may have: the body limit of the inbox. */
export function inboxBodyLimit(limits: EnvelopeLimits): number {
  return Math.max(limits.maxBytes, ...Object.values(limits.maxBytesByType).filter((n): n is number => n !== undefined));
}

/**
 * The node's federation inbox, a Hono app on its own port (apart from the analysts' API): one
 * route that takes an envelope and answers with the signed receipt, and a health route. Anything
 * else is 404. Refusals of unauthenticated input carry no reason — the node's log has it.
 */
export function createInboxApp(node: FederationNode, options: { maxBodyBytes?: number } = {}): Hono {
  const app = new Hono();
  const maxSize = options.maxBodyBytes ?? inboxBodyLimit(node.limits);
  app.post(
    INBOX_PATH,
    bodyLimit({
      maxSize,
      onError: (c) => {
        node.logger.warn({ reason: 'oversized', limit: maxSize, length: c.req.header('content-length') }, 'federation: envelope refused');
        return c.json({ error: 'refused' }, 413);
      },
    }),
    async (c) => {
      const raw = new Uint8Array(await c.req.arrayBuffer());
      const answer = await node.receive(raw);
      return c.body(answer.body, answer.status, { 'content-type': 'application/json' });
    },
  );
  app.get('/fed/v1/health', (c) => c.json({ agency: node.self, keyId: node.identity.keyId }));
  app.notFound((c) => c.json({ error: 'not found' }, 404));
  app.onError((e, c) => {
    node.logger.error({ err: e }, 'federation: inbox error');
    return c.json({ error: 'try again later' }, 503);
  });
  return app;
}

export interface RunningInbox {
  readonly url: string;
  readonly server: ServerType;
  close(): Promise<void>;
}

/** Serves the inbox on host:port (0 picks a free port) and resolves once it listens. */
export function startInbox(node: FederationNode, options: { host: string; port: number; maxBodyBytes?: number }): Promise<RunningInbox> {
  const app = createInboxApp(node, options.maxBodyBytes === undefined ? {} : { maxBodyBytes: options.maxBodyBytes });
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: app.fetch, hostname: options.host, port: options.port }, (info) => {
      const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
      node.logger.info({ url }, 'federation inbox listening');
      resolve({
        url,
        server,
        close: () =>
          new Promise<void>((done, fail) => {
            if ('closeAllConnections' in server) server.closeAllConnections();
            server.close((err) => (err ? fail(err) : done()));
          }),
      });
    });
    server.once('error', reject);
  });
}
