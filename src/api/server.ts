import { serve, type ServerType } from '@hono/node-server';
import type { ApiDeps } from './context.js';
import { createApp, type TesseraApp } from './app.js';

export interface RunningServer extends TesseraApp {
  /** The URL the server listens on, e.g. http://127.0.0.1:8080 */
  readonly url: string;
  readonly server: ServerType;
  close(): Promise<void>;
}

/**
 * Starts the HTTP server on the configured host and port (port 0 picks a free one) and resolves
 * once it listens. The `serve` and `demo` commands call this.
 */
export async function startServer(deps: ApiDeps): Promise<RunningServer> {
  const built = createApp(deps);
  const { host, port } = deps.config;
  return new Promise((resolve, reject) => {
    const server = serve({ fetch: built.app.fetch, hostname: host, port }, (info) => {
      const url = `http://${info.family === 'IPv6' ? `[${info.address}]` : info.address}:${info.port}`;
      deps.logger.info({ url }, 'Tessera server listening');
      resolve({
        ...built,
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
