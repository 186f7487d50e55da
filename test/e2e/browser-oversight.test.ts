import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Download, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type RunningServer } from '../../src/api/index.js';
import { ensureWebBuild } from '../../src/cli/commands/serve.js';
import { loadConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/governance/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { seedApiWorld, TEST_PASSWORD, XSS_NAME } from '../support/api.js';
import { chromiumMissing, launchChromium } from '../support/browser.js';
import { PURPOSE } from '../support/governance.js';

/**
 * Dossier export and oversight in a real browser: a stored XSS probe written through the API stays
 * text in the app and in its dossier; a dossier redacted for a partner is downloaded (HTML and PDF)
 * with its withheld counts; the DPO opens the audit viewer and the DPO report and sees the
 * disclosures; roles decide who sees which view.
 */
const OUT = join(process.cwd(), 'test-output', 'screenshots');
const FILES = join(process.cwd(), 'test-output', 'dossiers');
const missing = chromiumMissing();
const DPO_PURPOSE = 'Quarterly lawfulness review of disclosures';

describe.skipIf(missing !== undefined)('dossiers, audit viewer and DPO report in Chromium', () => {
  let store: Store;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let xssId: string;
  const consoleErrors: string[] = [];
  const shot = (name: string, p: Page = page) => p.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    mkdirSync(FILES, { recursive: true });
    const webRoot = await ensureWebBuild(() => undefined);
    store = await openStore({ url: 'sqlite::memory:' });
    const gov = await seedApiWorld(store);
    const passwordHash = hashPassword(TEST_PASSWORD);
    await gov.upsertUser({ id: 'fr.dpo', name: 'DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET', passwordHash });
    await gov.upsertUser({ id: 'fr.auditor', name: 'Auditor FR', agency: 'FR-CT', roles: ['auditor'], clearance: 'SECRET', passwordHash });
    // A deputy DPO who is a member of no case: oversight work needs none.
    await gov.upsertUser({ id: 'fr.dpo2', name: 'Deputy DPO FR', agency: 'FR-CT', roles: ['dpo'], clearance: 'SECRET', passwordHash });
    await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.dpo', 'fr.auditor'], openedAt: '2024-01-01T00:00:00Z' });
    server = await startServer({ gov, config: loadConfig({}, { databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: 0 }), logger: pino({ level: 'silent' }), webRoot });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1360, height: 860 }, acceptDownloads: true });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  });

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  async function signIn(userId: string, purpose: string): Promise<void> {
    await page.goto(server.url);
    await page.getByLabel('User').fill(userId);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Case').selectOption('FR-OP-ATLAS');
    await dialog.getByLabel('Purpose').fill(purpose);
    await dialog.getByRole('button', { name: 'Start working' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  async function signOut(): Promise<void> {
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
  }

  /** Exports from the open dialog and returns the download. */
  async function exportFrom(options: { recipient: string; clearance: string; format: 'HTML' | 'PDF'; name?: string }): Promise<Download> {
    const dialog = page.getByRole('dialog', { name: /Export dossier/ });
    await dialog.getByLabel('Recipient agency').selectOption(options.recipient);
    await dialog.getByLabel('Recipient cleared up to').selectOption(options.clearance);
    await dialog.getByLabel(options.format).check();
    await dialog.getByLabel('File name (optional)').fill(options.name ?? '');
    const download = page.waitForEvent('download');
    await dialog.getByRole('button', { name: 'Export', exact: true }).click();
    return download;
  }

  /** Saves a download under test-output/dossiers with its suggested name (so a browser opens it by its type). */
  async function saved(download: Download): Promise<string> {
    const path = join(FILES, download.suggestedFilename());
    await download.saveAs(path);
    return path;
  }

  const captionShown = (text: string) => page.locator('.entity-caption').filter({ hasText: text }).first().waitFor();

  it('keeps a name with markup, recorded through the API, as text in the profile', async () => {
    await signIn('fr.analyst', PURPOSE);
    // Written through the API as an analyst would (session cookie + CSRF token), not seeded.
    xssId = await page.evaluate(async (name) => {
      const session = (await (await fetch('/api/session')).json()) as { csrfToken: string };
      const res = await fetch('/api/entities', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken },
        body: JSON.stringify({ schema: 'Person', values: [{ prop: 'name', value: name }, { prop: 'notes', value: '<b onmouseover="window.__xss=3">bold?</b>' }], grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: { releasableTo: ['*'] } }),
      });
      return ((await res.json()) as { entityId: string }).entityId;
    }, XSS_NAME);
    expect(xssId).toMatch(/^fr-ct:/);
    await page.goto(`${server.url}/#/entity/${encodeURIComponent(xssId)}`);
    await captionShown('Zora');
    await expect(page.locator('.entity-caption').textContent()).resolves.toBe(XSS_NAME);
    await expect(page.locator('.entity-view img, .entity-view script, .entity-view b').count()).resolves.toBe(0);
    await page.locator('.value-text', { hasText: 'onmouseover' }).hover();
    await expect(page.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).resolves.toBeUndefined();
    await shot('40-xss-recorded-through-api');
  });

  it('exports a subject dossier redacted for a partner, with the withheld counts in the app and the file', async () => {
    await page.goto(`${server.url}/#/entity/fr-ct%3Ap1`);
    await captionShown('Karim Benali');
    await page.getByRole('button', { name: 'Export dossier' }).click();
    await page.getByRole('dialog', { name: /Export dossier: Karim Benali/ }).waitFor();
    await page.getByRole('dialog').getByLabel('Recipient agency').selectOption('ES-CT');
    await page.getByRole('dialog').getByLabel('Recipient cleared up to').selectOption('RESTRICTED');
    await shot('41-dossier-dialog');
    const download = await exportFrom({ recipient: 'ES-CT', clearance: 'RESTRICTED', format: 'HTML', name: '../../etc/passwd' });
    expect(download.suggestedFilename()).toBe('etc-passwd.html');
    const htmlPath = await saved(download);
    const html = readFileSync(htmlPath, 'utf8');
    // Withheld from Spain: the alias released to nobody and the SECRET passport; the Bora note is not even the author's to see.
    expect(html).toContain('2 statements withheld;');
    expect(html).toMatch(/data-reason="classification"><th scope="row">classification<\/th><td>[^<]+<\/td><td class="n">1</);
    expect(html).toMatch(/data-reason="releasability"><th scope="row">releasability<\/th><td>[^<]+<\/td><td class="n">1</);
    for (const secret of ['Abou Karim', 'FR88K12345', 'Bora site']) expect(html).not.toContain(secret);
    const result = page.getByTestId('dossier-result');
    await expect(result.textContent()).resolves.toMatch(/Exported etc-passwd\.html for ES-CT \(disclosure #\d+\): \d+ statements disclosed, 2 withheld \(1 classification, 1 releasability\)\./);
    await shot('42-dossier-exported');

    // The downloaded file as the recipient would open it (print layout).
    const viewer = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    await viewer.goto(`file://${htmlPath}`);
    await viewer.emulateMedia({ media: 'print' });
    await expect(viewer.locator('h1').textContent()).resolves.toBe('Subject dossier: Karim Benali');
    await shot('43-dossier-html-print', viewer);
    await viewer.close();

    // The same dossier as PDF, printed by the server's Chromium.
    await page.getByRole('button', { name: 'Export dossier' }).click();
    const pdf = await exportFrom({ recipient: 'BE-CT', clearance: 'SECRET', format: 'PDF' });
    expect(pdf.suggestedFilename()).toMatch(/^dossier-fr-ct-p1-for-BE-CT-\d{4}-\d{2}-\d{2}\.pdf$/);
    const pdfPath = await saved(pdf);
    const bytes = readFileSync(pdfPath);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    await expect(page.getByTestId('dossier-result').textContent()).resolves.toMatch(/for BE-CT .*1 withheld \(1 releasability\)/);
    const pdfViewer = await browser.newPage({ viewport: { width: 900, height: 1200 } });
    await pdfViewer.goto(`file://${pdfPath}`).catch(() => undefined); // Chromium's PDF viewer
    await pdfViewer.waitForTimeout(800); // the viewer draws the first page
    await shot('44-dossier-pdf', pdfViewer);
    await pdfViewer.close();
  });

  it('exports the XSS probe’s dossier with the markup escaped: no script runs when it is opened', async () => {
    await page.goto(`${server.url}/#/entity/${encodeURIComponent(xssId)}`);
    await captionShown('Zora');
    await page.getByRole('button', { name: 'Export dossier' }).click();
    const download = await exportFrom({ recipient: 'BE-CT', clearance: 'UNCLASSIFIED', format: 'HTML' });
    const viewer = await browser.newPage();
    await viewer.goto(`file://${await saved(download)}`);
    await expect(viewer.locator('h1').textContent()).resolves.toBe(`Subject dossier: ${XSS_NAME}`);
    await expect(viewer.locator('img, script, b').count()).resolves.toBe(0);
    await expect(viewer.evaluate(() => (globalThis as unknown as { __xss?: number }).__xss)).resolves.toBeUndefined();
    await viewer.close();
  });

  it('exports the case dossier from the case view', async () => {
    await page.getByRole('navigation').getByRole('button', { name: 'Case' }).click();
    await page.locator('.case-view').waitFor();
    await page.getByRole('button', { name: 'Export dossier' }).click();
    const download = await exportFrom({ recipient: 'BE-CT', clearance: 'SECRET', format: 'HTML' });
    expect(download.suggestedFilename()).toMatch(/^dossier-FR-OP-ATLAS-for-BE-CT-/);
    expect(readFileSync(await saved(download), 'utf8')).toContain('<h1>Case dossier: Operation Atlas</h1>');
    await shot('45-case-view');
  });

  it('keeps the audit viewer and DPO report from analysts', async () => {
    await expect(page.getByRole('navigation').getByRole('button', { name: 'Audit log' }).count()).resolves.toBe(0);
    await page.goto(`${server.url}/#/audit`);
    await expect(page.locator('.audit-view [role=alert]').textContent()).resolves.toMatch(/needs role dpo or auditor; user fr\.analyst has analyst/);
    await signOut();
  });

  it('lets the DPO find the disclosures in the audit viewer, with the chain verified', async () => {
    await signIn('fr.dpo', DPO_PURPOSE);
    await page.getByRole('navigation').getByRole('button', { name: 'Audit log' }).click();
    const chain = page.getByTestId('chain-status');
    await chain.waitFor();
    await expect(chain.textContent()).resolves.toMatch(/^Audit chain intact: \d+ entries verified; no signed checkpoint yet\.$/);
    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Method / action').fill('export.*');
    await filters.getByLabel('User').fill('fr.analyst');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByTestId('audit-matched').textContent()).resolves.toMatch(/^4 matching entries/); // two subject dossiers (HTML, PDF), the XSS probe's, the case's
    const rows = page.locator('.audit-table tbody tr');
    await expect(rows.first().textContent()).resolves.toContain('export.dossier');
    await expect(page.locator('.audit-table tbody').textContent()).resolves.toContain('ES-CT');
    // The purpose column shows the stated purpose as text.
    await expect(rows.first().locator('.purpose-cell').textContent()).resolves.toBe(PURPOSE);
    await rows.first().click();
    await expect(page.locator('.audit-details pre').textContent()).resolves.toContain('"recipients"');
    await shot('46-audit-viewer');

    await filters.getByLabel('Method / action').fill('refused.*');
    await filters.getByLabel('User').fill('');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect(page.locator('.audit-table tbody').textContent()).resolves.toContain('refused.audit.search'); // the analyst's attempt
  });

  it('shows the DPO report with disclosures per partner', async () => {
    await page.getByRole('navigation').getByRole('button', { name: 'DPO report' }).click();
    const disclosures = page.getByTestId('dpo-disclosures');
    await disclosures.waitFor();
    await expect(disclosures.textContent()).resolves.toMatch(/ES-CTcross-borderES\d/);
    await expect(disclosures.textContent()).resolves.toContain('BE-CT');
    await expect(page.getByTestId('dpo-chain').textContent()).resolves.toMatch(/^Audit chain intact/);
    await shot('47-dpo-report');
    await signOut();
  });

  it('lets a DPO who is in no case reach the audit viewer in an oversight context, with case views closed', async () => {
    const purpose = 'Quarterly lawfulness review without case membership';
    await page.goto(server.url);
    await page.getByLabel('User').fill('fr.dpo2');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    // No case to choose: the chooser offers oversight, and it is chosen.
    const choice = dialog.getByLabel('Case');
    await expect(choice.locator('option').allTextContents()).resolves.toEqual(['Oversight (no case)']);
    await dialog.getByTestId('oversight-note').waitFor();
    await dialog.getByLabel('Purpose').fill(purpose);
    await dialog.getByRole('button', { name: 'Start working' }).click();
    await dialog.waitFor({ state: 'detached' });
    // The session starts on the audit viewer, with the chain verified.
    const chain = page.getByTestId('chain-status');
    await chain.waitFor();
    await expect(chain.textContent()).resolves.toMatch(/^Audit chain intact/);
    await expect(page.getByTestId('work-context').textContent()).resolves.toMatch(/Case: Oversight \(no case\)Purpose: Quarterly lawfulness review without case membership/);
    const nav = page.getByRole('navigation');
    await expect(nav.getByRole('button').allTextContents()).resolves.toEqual(['Audit log', 'DPO report']);
    // Its own choice of context is in the log, with the purpose and no case.
    const filters = page.getByRole('form', { name: 'Audit filters' });
    await filters.getByLabel('Method / action').fill('session.context');
    await filters.getByLabel('User').fill('fr.dpo2');
    await filters.getByRole('button', { name: 'Filter' }).click();
    await expect(page.getByTestId('audit-matched').textContent()).resolves.toMatch(/^1 matching entr/);
    const row = page.locator('.audit-table tbody tr').first();
    await expect(row.locator('.purpose-cell').textContent()).resolves.toBe(purpose);
    await expect(row.locator('td').nth(5).textContent()).resolves.toBe('—');
    await row.click();
    await expect(page.locator('.audit-details pre').textContent()).resolves.toContain('"oversight": true');
    await shot('48-oversight-no-case');
    await nav.getByRole('button', { name: 'DPO report' }).click();
    await page.getByTestId('dpo-disclosures').waitFor();
    // Case work stays closed, and nothing was even asked of the server.
    await page.goto(`${server.url}/#/search`);
    await expect(page.getByTestId('case-work-needed').textContent()).resolves.toMatch(/Search is case work/);
    const refused = (await page.evaluate(async () => (await fetch('/api/audit/entries?user=fr.dpo2&outcome=refused')).json())) as { matched: number };
    expect(refused.matched).toBe(0);
    await signOut();
  });

  it('shows an auditor the audit log but not the DPO report', async () => {
    await signIn('fr.auditor', 'Internal audit of consultations this quarter');
    const nav = page.getByRole('navigation');
    await expect(nav.getByRole('button', { name: 'Audit log' }).count()).resolves.toBe(1);
    await expect(nav.getByRole('button', { name: 'DPO report' }).count()).resolves.toBe(0);
    await signOut();
    expect(consoleErrors).toEqual([]); // no script errors, no CSP violations
  });
});
