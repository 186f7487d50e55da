import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapPlugin, openApiDocument } from '../../src/api/index.js';
import { apiFixture, TEST_PASSWORD } from '../support/api.js';
import { PURPOSE } from '../support/governance.js';
import { seedMapWorld } from '../support/map.js';

type Fixture = Awaited<ReturnType<typeof apiFixture>>;
interface Client {
  cookie: string;
  csrf: string;
}
interface Source {
  agency: string;
  documentId?: string;
  grading: { system: string; source: string; info: string };
  handling: { codes: string[]; releasableTo: string[] };
}
interface Feature {
  type: 'Feature';
  id: string;
  geometry: { type: 'Point'; coordinates: [number, number] } | { type: 'LineString'; coordinates: [number, number][] };
  properties: { kind: string; label: string; subjects: { id: string; caption: string }[]; time?: string; precision: string; basis: string; refs: string[]; sources: Source[]; details: { label: string; value: string }[] };
}
interface MapJson {
  type: string;
  features: Feature[];
  subjects: { id: string; caption: string; role: string; via?: string }[];
  bbox?: [number, number, number, number];
  counts: Record<string, number>;
  unlocated: { ref: string; reason: string }[];
  withheld?: Record<string, number>;
  truncated: boolean;
  code?: string;
  field?: string;
}

const ATLAS = { purpose: PURPOSE, caseId: 'FR-OP-ATLAS' };

async function signIn(f: Fixture, userId: string, context?: { purpose: string; caseId: string }): Promise<Client> {
  const res = await f.app.request('/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ userId, password: TEST_PASSWORD }) });
  expect(res.status).toBe(200);
  const client = { cookie: res.headers.get('set-cookie')!.split(';')[0]!, csrf: ((await res.json()) as { csrfToken: string }).csrfToken };
  if (context) {
    const set = await f.app.request('/api/session/context', { method: 'PUT', headers: { cookie: client.cookie, 'x-csrf-token': client.csrf, 'content-type': 'application/json' }, body: JSON.stringify(context) });
    expect(set.status).toBe(200);
  }
  return client;
}

async function get(f: Fixture, c: Client | undefined, path: string): Promise<{ status: number; body: MapJson }> {
  const res = await f.app.request(path, { headers: c ? { cookie: c.cookie } : {} });
  return { status: res.status, body: (await res.json()) as MapJson };
}

const byKind = (m: MapJson, kind: string) => m.features.filter((f) => f.properties.kind === kind);

describe('map API (/api/map)', () => {
  let f: Fixture;
  let fr: Client;
  beforeAll(async () => {
    f = await apiFixture({ plugins: [mapPlugin()] });
    await seedMapWorld(f.gov);
    fr = await signIn(f, 'fr.analyst', ATLAS);
  });
  afterAll(async () => f.store.close());

  it('refuses without a session (401) and without a purpose and case (403)', async () => {
    for (const path of ['/api/map/entity/fr-ct:p1', '/api/map/case']) {
      expect((await get(f, undefined, path)).status, path).toBe(401);
      const bare = await signIn(f, 'fr.analyst');
      const refused = await get(f, bare, path);
      expect(refused.status, path).toBe(403);
      expect(refused.body.code).toBe('PURPOSE_REQUIRED');
    }
  });

  it('maps an entity: its address at the city centre, its flights as great-circle legs with all their sources, its border check', async () => {
    const { status, body } = await get(f, fr, '/api/map/entity/fr-ct:p1');
    expect(status).toBe(200);
    expect(body.type).toBe('FeatureCollection');
    // Nadia is named by the meeting shown (linked), not mapped as a subject: no network without network=true.
    expect(body.subjects.map((s) => [s.id, s.role])).toEqual([
      ['fr-ct:p1', 'subject'],
      ['fr-ct:p4', 'linked'],
    ]);

    const [address] = byKind(body, 'address');
    expect(address?.geometry).toEqual({ type: 'Point', coordinates: [2.3522, 48.8566] });
    expect(address?.properties).toMatchObject({ label: '12 rue de la Paix, 75002 Paris', precision: 'city', basis: expect.stringContaining('Paris (FR), city centre') });

    // The Istanbul flight held by France and Belgium is one leg with both sources.
    const flights = byKind(body, 'travel').filter((t) => t.properties.label.includes('TK1824'));
    expect(flights).toHaveLength(1);
    const flight = flights[0]!;
    expect(flight.properties.label).toBe('Flight TK1824: Paris Charles de Gaulle (CDG) → Istanbul Airport (IST)');
    expect(flight.properties.refs.sort()).toEqual(['be-ct:trv1', 'fr-ct:trv1']);
    expect(flight.properties.sources.map((s) => [s.agency, `${s.grading.source}${s.grading.info}`, s.handling.codes.join('+')])).toEqual([
      ['BE-CT', 'A2', 'H2'],
      ['FR-CT', 'B2', 'H2'],
    ]);
    expect(flight.properties.precision).toBe('airport'); // IST has no coordinates in the data: the gazetteer's airport point
    expect(flight.geometry.type).toBe('LineString');
    const line = flight.geometry.coordinates as [number, number][];
    expect(line[0]).toEqual([2.5479, 49.0097]);
    expect(line.at(-1)).toEqual([28.7519, 41.2753]);
    expect(line.length).toBeGreaterThan(10);
    // A great circle from Paris to Istanbul bulges north of the straight chord in the middle.
    const mid = line[Math.floor(line.length / 2)]!;
    expect(mid[1]).toBeGreaterThan((49.0097 + 41.2753) / 2);

    const [crossing] = byKind(body, 'crossing');
    expect(crossing?.properties).toMatchObject({ label: 'Border crossing at Menton (IT–FR) (FRMENTON)', precision: 'exact', time: '2023-11-20T07:30:00Z' });
    const [encounter] = byKind(body, 'encounter');
    expect(encounter?.properties.details).toEqual([
      { label: 'Checked by', value: 'FR border police' },
      { label: 'Outcome', value: 'checked and released' },
    ]);
    expect(byKind(body, 'meeting')[0]?.properties.subjects.map((s) => s.caption).sort()).toEqual(['Karim Benali', 'Nadia Ferhat']);
    expect(body.bbox).toEqual([2.3522, 41.2753, 28.7519, 49.0097]);
  });

  it('leaves out what the user may not read and lists what it cannot place', async () => {
    const { body } = await get(f, fr, '/api/map/entity/fr-ct:p1');
    const refs = body.features.flatMap((x) => x.properties.refs);
    expect(refs).not.toContain('be-ct:trv9'); // Belgian, released to nobody
    expect(refs).not.toContain('fr-ct:trv8'); // Bora compartment
    expect(body.features.map((x) => x.properties.label).join(' ')).not.toMatch(/TK1900|TK1827/);
    expect(body.unlocated).toEqual([{ ref: 'fr-ct:trv4', schema: 'TravelEvent', reason: 'destination fr-ct:plc-nowhere has no known position' }]);
    expect(body.withheld).toMatchObject({ 'case-compartment': 1 });
  });

  it('adds the network one link away and finds co-locations: the shared flat and the same flight', async () => {
    const { status, body } = await get(f, fr, '/api/map/entity/fr-ct:p1?network=true');
    expect(status).toBe(200);
    expect(body.subjects).toEqual(expect.arrayContaining([expect.objectContaining({ id: 'fr-ct:p4', caption: 'Nadia Ferhat', role: 'network', via: 'Associate' })]));
    const co = byKind(body, 'co-location');
    const labels = co.map((c) => c.properties.label).sort();
    expect(labels).toEqual(['Same place, same day: Istanbul Airport (IST)', 'Same place, same day: Paris Charles de Gaulle (CDG)', 'Shared address: 12 rue de la Paix, 75002 Paris']);
    for (const c of co) expect(c.properties.subjects.map((s) => s.id).sort()).toEqual(['fr-ct:p1', 'fr-ct:p4']);
    const cdg = co.find((c) => c.properties.label.includes('CDG'))!;
    expect(cdg.geometry).toEqual({ type: 'Point', coordinates: [2.5479, 49.0097] });
    expect(cdg.properties.time).toBe('2024-03-02');
    expect(cdg.properties.refs.sort()).toEqual(['be-ct:trv1', 'fr-ct:trv1', 'fr-ct:trv2']);
    // The meeting already shows both together: no extra co-location for it.
    expect(labels.join(' ')).not.toContain('Lyon');
    // Both flatmates' spellings of the address are one place.
    expect(byKind(body, 'address').map((a) => a.properties.subjects.length).sort()).toEqual([2]);
  });

  it('filters dated events by a window and refuses a reversed one', async () => {
    const { body } = await get(f, fr, '/api/map/entity/fr-ct:p1?from=2024-01-01&to=2024-02-28');
    expect(byKind(body, 'travel')).toEqual([]);
    expect(byKind(body, 'meeting')).toHaveLength(1);
    expect(byKind(body, 'encounter')).toEqual([]);
    expect(byKind(body, 'address')).toHaveLength(1); // undated: kept
    expect(body.unlocated.map((u) => u.ref)).toEqual(['fr-ct:trv4']);
    const reversed = await get(f, fr, '/api/map/entity/fr-ct:p1?from=2024-03-01&to=2024-01-01');
    expect(reversed.status).toBe(400);
    expect(reversed.body).toMatchObject({ code: 'VALIDATION', field: 'from' });
    const bad = await get(f, fr, '/api/map/entity/fr-ct:p1?from=yesterday');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION', field: 'from' });
  });

  it('maps a place: what happened there', async () => {
    const { status, body } = await get(f, fr, '/api/map/entity/fr-ct:plc-menton');
    expect(status).toBe(200);
    expect(byKind(body, 'place').map((p) => p.properties.label)).toContain('Menton (IT–FR) (FRMENTON)');
    expect(byKind(body, 'encounter').map((e) => e.properties.refs[0])).toEqual(['fr-ct:enc1']);
    expect(byKind(body, 'crossing').map((e) => e.properties.refs[0])).toEqual(['fr-ct:trv3']);
  });

  it('needs link analysis in the legal basis for the network, and answers 404 for an unknown entity', async () => {
    const junior = await signIn(f, 'fr.junior', { purpose: 'Screen a traveller against the Bora watch', caseId: 'FR-OP-BORA' });
    expect((await get(f, junior, '/api/map/entity/fr-ct:p1')).status).toBe(200);
    const refused = await get(f, junior, '/api/map/entity/fr-ct:p1?network=true');
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('LEGAL_BASIS');
    const missing = await get(f, fr, '/api/map/entity/fr-ct:nobody');
    expect(missing.status).toBe(404);
  });

  it('maps the session case: what is recorded under it, with co-travel', async () => {
    const { status, body } = await get(f, fr, '/api/map/case');
    expect(status).toBe(200);
    const refs = body.features.flatMap((x) => x.properties.refs);
    expect(refs).toEqual(expect.arrayContaining(['fr-ct:trv1', 'fr-ct:trv2', 'fr-ct:trv3', 'fr-ct:enc1', 'fr-ct:mtg1', 'fr-ct:p1', 'fr-ct:p4']));
    expect(refs).not.toContain('be-ct:trv1'); // not recorded under the case (the map of the entity shows it)
    expect(refs).not.toContain('fr-ct:trv8');
    expect(body.subjects.filter((s) => s.role === 'subject').map((s) => s.id).sort()).toEqual(['fr-ct:p1', 'fr-ct:p4']);
    expect(byKind(body, 'co-location').length).toBeGreaterThanOrEqual(2);
    expect(body.counts.travel).toBe(byKind(body, 'travel').length);

    // Audited: the reads behind the maps are in the chain under the analyst's purpose.
    const audit = await f.store.readAudit();
    const mine = audit.filter((e) => e.userId === 'fr.analyst' && e.caseId === 'FR-OP-ATLAS');
    expect(mine.map((e) => e.action)).toEqual(expect.arrayContaining(['entity.read', 'references.read', 'references.link-analysis', 'scan.read']));
  });

  it('documents both routes in the OpenAPI document', () => {
    const doc = openApiDocument(f.app) as { paths: Record<string, Record<string, unknown>> };
    expect(doc.paths['/api/map/entity/{id}']?.get).toBeDefined();
    expect(doc.paths['/api/map/case']?.get).toBeDefined();
  });
});
