/** api: HTTP (Hono + zod OpenAPI) — sessions, CSRF, security headers, core routes, plug-in points for capabilities, the web app. */
export { createApp, openApiDocument, openApiConfig, API_VERSION, type TesseraApp } from './app.js';
export { startServer, type RunningServer } from './server.js';
export { workContext, sessionOf, type ApiDeps, type ApiPlugin, type ApiServices, type AppEnv } from './context.js';
export { createRouter } from './router.js';
export { errorResponses, ErrorBody } from './schemas.js';
export { SESSION_COOKIE, type Session } from './session.js';
export { webRootDefault } from './web-root.js';
export { watchPlugin, watchRoutes } from './routes/watch.js';
export { resolvePlugin, resolveRoutes } from './routes/resolve.js';
export { graphPlugin, graphRoutes } from './routes/graph.js';
export { mapPlugin, mapRoutes } from './routes/map.js';
export { triagePlugin, triageRoutes } from './routes/triage.js';
export { federationPlugin, federationRoutes, defaultFederationService } from './routes/federation.js';
