import { createRoute, z } from '@hono/zod-openapi';
import { workContext, type ApiPlugin, type ApiServices } from '../context.js';
import { createRouter } from '../router.js';
import { errorResponses, ErrorBody, Grading, Handling } from '../schemas.js';
import { caseMap, entityMap, MAP_FEATURE_KINDS, type MapData } from '../services/map.js';

// ---- shapes -----------------------------------------------------------------------------------

const Position = z.tuple([z.number(), z.number()]).openapi({ description: '[longitude, latitude] (WGS 84)' });

const MapSource = z
  .object({
    agency: z.string(),
    documentId: z.string().optional(),
    collectedAt: z.string(),
    grading: Grading,
    handling: Handling,
    classification: z.string(),
    nature: z.string(),
  })
  .openapi('MapSource');

const MapFeature = z
  .object({
    type: z.literal('Feature'),
    id: z.string(),
    geometry: z.union([z.object({ type: z.literal('Point'), coordinates: Position }), z.object({ type: z.literal('LineString'), coordinates: z.array(Position) })]),
    properties: z.object({
      fid: z.string(),
      kind: z.enum(MAP_FEATURE_KINDS),
      label: z.string(),
      subjects: z.array(z.object({ id: z.string(), caption: z.string() })),
      time: z.string().optional(),
      endTime: z.string().optional(),
      mode: z.string().optional(),
      precision: z.enum(['exact', 'airport', 'city']).openapi({ description: 'exact: coordinates in the data; airport: IATA reference point; city: a city centre from the gazetteer' }),
      basis: z.string(),
      refs: z.array(z.string()).openapi({ description: 'entity ids of the records shown (open them in the profile)' }),
      sources: z.array(MapSource),
      details: z.array(z.object({ label: z.string(), value: z.string() })),
    }),
  })
  .openapi('MapFeature');

const MapBody = z
  .object({
    type: z.literal('FeatureCollection'),
    scope: z.object({ kind: z.enum(['entity', 'case']), id: z.string(), network: z.boolean(), from: z.string().optional(), to: z.string().optional() }),
    features: z.array(MapFeature),
    subjects: z.array(z.object({ id: z.string(), schema: z.string(), caption: z.string(), role: z.enum(['subject', 'network', 'linked']), via: z.string().optional() })),
    bbox: z.tuple([z.number(), z.number(), z.number(), z.number()]).optional(),
    counts: z.record(z.string(), z.number()),
    unlocated: z.array(z.object({ ref: z.string(), schema: z.string(), reason: z.string() })),
    withheld: z.record(z.string(), z.number()).optional(),
    truncated: z.boolean(),
  })
  .openapi('MapData', { description: 'A GeoJSON FeatureCollection of addresses, places, travel legs, border crossings, encounters, meetings and co-locations, each with its sources' });

const Window = {
  from: z.iso.date().optional().openapi({ description: 'only dated events from this day (YYYY-MM-DD)' }),
  to: z.iso.date().optional().openapi({ description: 'only dated events up to this day, inclusive' }),
};

const json = <T extends z.ZodType>(schema: T, description: string) => ({ description, content: { 'application/json': { schema } } });

/** The service's plain data as the documented body (responses are not re-validated at run time). */
const out = (m: MapData) => m as unknown as z.infer<typeof MapBody>;

/**
 * /api/map: GeoJSON for the offline map. The routes only parse the request; the map service reads
 * through governance with the session's purpose and case (refusals and reads audited there).
 */
export function mapRoutes({ gov }: ApiServices) {
  const app = createRouter();

  app.openapi(
    createRoute({
      method: 'get',
      path: '/entity/{id}',
      tags: ['map'],
      summary: 'Map of an entity: addresses, travel legs, border crossings, encounters, meetings; with network=true also the persons one link away, and co-locations',
      request: {
        params: z.object({ id: z.string().min(1).max(200).openapi({ param: { name: 'id', in: 'path' } }) }),
        query: z.object({ network: z.enum(['true', 'false']).optional().openapi({ description: 'add the network one link away (needs link-analysis)' }), ...Window }),
      },
      responses: { 200: json(MapBody, 'Map features'), ...errorResponses, 404: json(ErrorBody, 'No such entity') },
    }),
    async (c) => {
      const q = c.req.valid('query');
      const data = await entityMap(gov, workContext(c), c.req.valid('param').id, { network: q.network === 'true', ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) });
      return c.json(out(data), 200);
    },
  );

  app.openapi(
    createRoute({
      method: 'get',
      path: '/case',
      tags: ['map'],
      summary: 'Map of the session’s case: everything recorded under the case that the user may read',
      request: { query: z.object(Window) },
      responses: { 200: json(MapBody, 'Map features'), ...errorResponses },
    }),
    async (c) => {
      const q = c.req.valid('query');
      return c.json(out(await caseMap(gov, workContext(c), { ...(q.from ? { from: q.from } : {}), ...(q.to ? { to: q.to } : {}) })), 200);
    },
  );

  return app;
}

/** The map as an API plug-in: routes under /api/map. */
export function mapPlugin(): ApiPlugin {
  return { path: 'map', routes: (deps) => mapRoutes(deps) };
}
