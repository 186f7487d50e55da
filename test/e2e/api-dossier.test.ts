import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/api/index.js';
import { loadConfig } from '../../src/config/index.js';
import { apiFixture } from '../support/api.js';
import { PURPOSE } from '../support/governance.js';

/** Dossier export and the audit viewer through the API (in process; the PDF is printed by the real Chromium). */
const CHROMIUM = '/usr/bin/chromium';
const noChromium = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found`;
if (noChromium && process.env.CI === 'true') throw new Error(`PDF dossiers must be tested in CI: ${noChromium}`);

type Fixture = Awaited<ReturnType<typeof apiFixture>>;

describe('dossier export', () => {
  let f: Fixture;
  let fr: Session;
  const post = (s: Session, body: unknown) =>
    f.app.request('/api/dossiers', { method: 'POST', headers: { cookie: `tessera_session=${s.id}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const get = (s: Session, url: string) => f.app.request(url, { headers: { cookie: `tessera_session=${s.id}` } });
  const open = (fx: Fixture, userId: string, purpose = PURPOSE, caseId = 'FR-OP-ATLAS') => {
    const s = fx.sessions.open(userId, 'FR-CT');
    s.purpose = purpose;
    s.caseId = caseId;
    return s;
  };

  beforeAll(async () => {
    f = await apiFixture();
    await f.gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET' });
    fr = open(f, 'fr.analyst');
  });
  afterAll(async () => f.store.close());

  it('downloads an HTML dossier redacted for the recipient, with withheld counts in the document and the headers', async () => {
    const res = await post(fr, { subject: 'fr-ct:p1', recipient: 'ES-CT', clearance: 'RESTRICTED', format: 'html', name: 'Benali for Madrid' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="Benali-for-Madrid.html"');
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(JSON.parse(res.headers.get('x-tessera-withheld')!)).toEqual({ classification: 1, releasability: 1, H2: 0, H3: 0, total: 2 });
    const html = await res.text();
    expect(html).toContain('<h1>Subject dossier: Karim Benali</h1>');
    expect(html).toContain('2 statements withheld;');
    expect(html).toContain('+33612345678'); // the linked phone comes along
    expect(html).not.toContain('Abou Karim');
    const seq = Number(res.headers.get('x-tessera-disclosure'));
    const entry = (await f.store.readAudit(seq, 1))[0]!;
    expect(entry).toMatchObject({ action: 'export.dossier', outcome: 'allowed', userId: 'fr.analyst', details: { recipients: ['ES-CT'], format: 'html' } });
  });

  it('sanitises every suggested file name (no traversal, no header injection)', async () => {
    for (const [name, expected] of [
      ['../../../../etc/passwd', 'etc-passwd.html'],
      ['..\\..\\boot.ini', 'boot-ini.html'],
      ['x"\r\nContent-Type: text/plain', 'x-Content-Type-text-plain.html'],
      ['..', /^dossier-fr-ct-p1-for-BE-CT-\d{4}-\d{2}-\d{2}\.html$/],
    ] as const) {
      const res = await post(fr, { subject: 'fr-ct:p1', recipient: 'BE-CT', format: 'html', name });
      const disposition = res.headers.get('content-disposition')!;
      const file = /filename="([^"]+)"$/.exec(disposition)![1]!;
      if (typeof expected === 'string') expect(file, name).toBe(expected);
      else expect(file, name).toMatch(expected);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    }
  });

  it('exports the case dossier of the session’s case', async () => {
    const res = await post(fr, { caseId: 'FR-OP-ATLAS', recipient: 'BE-CT', clearance: 'SECRET', format: 'html' });
    expect(res.status).toBe(200);
    expect(await res.text()).toContain('<h1>Case dossier: Operation Atlas</h1>');
  });

  it.skipIf(noChromium !== undefined)('prints the PDF with headless Chromium', async () => {
    const res = await post(fr, { subject: 'fr-ct:p1', recipient: 'BE-CT', format: 'pdf' });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/pdf');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="dossier-fr-ct-p1-for-BE-CT-\d{4}-\d{2}-\d{2}\.pdf"$/);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pdf.length).toBeGreaterThan(10_000);
    expect(pdf.toString('latin1').match(/\/Type\s*\/Page\b/g)?.length).toBeGreaterThanOrEqual(1);
  });

  it('refuses a PDF clearly when Chromium is missing, before anything is disclosed', async () => {
    const g = await apiFixture({ config: loadConfig({}, { databaseUrl: 'sqlite::memory:', port: 0, chromiumPath: '/nonexistent/chromium' }) });
    try {
      const s = open(g, 'fr.analyst');
      const before = (await g.store.auditHead())!.seq;
      const refused = await g.app.request('/api/dossiers', {
        method: 'POST',
        headers: { cookie: `tessera_session=${s.id}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'fr-ct:p1', recipient: 'BE-CT', format: 'pdf' }),
      });
      expect(refused.status).toBe(500);
      const body = (await refused.json()) as { code: string; message: string; field: string };
      expect(body).toMatchObject({ code: 'CONFIG', field: 'format' });
      expect(body.message).toMatch(/Chromium, which is not installed at \/nonexistent\/chromium: install Debian's chromium/);
      const after = await g.store.readAudit(before + 1, 100);
      expect(after.filter((e) => e.action === 'export.dossier')).toEqual([]);
      const html = await g.app.request('/api/dossiers', {
        method: 'POST',
        headers: { cookie: `tessera_session=${s.id}`, 'x-csrf-token': s.csrfToken, 'content-type': 'application/json' },
        body: JSON.stringify({ subject: 'fr-ct:p1', recipient: 'BE-CT', format: 'html' }),
      });
      expect(html.status).toBe(200); // HTML needs no Chromium
    } finally {
      await g.store.close();
    }
  });

  it('shows the disclosures in the audit viewer and the DPO report', async () => {
    const dpo = open(f, 'fr.dpo', 'Quarterly lawfulness review of disclosures');
    const page = (await (await get(dpo, '/api/audit/entries?action=export.*&recipient=BE-CT&limit=2')).json()) as { entries: { seq: number; action: string; details: { recipients: string[] } }[]; matched: number; nextBeforeSeq: number | null };
    expect(page.matched).toBeGreaterThanOrEqual(5);
    expect(page.entries).toHaveLength(2);
    expect(page.entries[0]!.seq).toBeGreaterThan(page.entries[1]!.seq);
    expect(page.entries.every((e) => e.action === 'export.dossier' && e.details.recipients[0] === 'BE-CT')).toBe(true);
    const older = (await (await get(dpo, `/api/audit/entries?action=export.*&recipient=BE-CT&limit=2&before=${page.nextBeforeSeq}`)).json()) as { entries: { seq: number }[] };
    expect(older.entries[0]!.seq).toBeLessThan(page.entries[1]!.seq);
    const chain = (await (await get(dpo, '/api/audit/chain')).json()) as { intact: boolean; entries: number };
    expect(chain.intact).toBe(true);
    const report = (await (await get(dpo, '/api/dpo/report')).json()) as { disclosures: { recipient: string; crossBorder: boolean; disclosures: number }[] };
    expect(report.disclosures).toContainEqual(expect.objectContaining({ recipient: 'BE-CT', crossBorder: true }));
    expect(report.disclosures).toContainEqual(expect.objectContaining({ recipient: 'ES-CT', disclosures: 1 }));
  });
});
