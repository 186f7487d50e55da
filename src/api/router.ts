import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppEnv } from './context.js';
import { fromZodIssues } from './errors.js';

/**
 * A router for one capability's routes: zod-validated inputs, failures thrown as VALIDATION
 * TesseraErrors so the app's single error mapping answers them. Capabilities build their routes
 * with this and are mounted with `app.route('/api/<path>', router)`.
 */
export function createRouter(): OpenAPIHono<AppEnv> {
  return new OpenAPIHono<AppEnv>({
    defaultHook: (result) => {
      if (!result.success) throw fromZodIssues(result.error.issues);
    },
  });
}
