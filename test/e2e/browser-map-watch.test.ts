import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mapPlugin, startServer, watchPlugin, type RunningServer } from '../../src/api/index.js';
import { ensureWebBuild } from '../../src/cli/commands/serve.js';
import { loadConfig } from '../../src/config/index.js';
import { hashPassword } from '../../src/governance/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { travelSubject, WatchService, watchConfig } from '../../src/watch/index.js';
import { seedApiWorld, TEST_PASSWORD } from '../support/api.js';
import { chromiumMissing, launchChromium } from '../support/browser.js';
import { frCtx, PURPOSE } from '../support/governance.js';
import { seedMapWorld } from '../support/map.js';

/**
 * The map and the watchlist views in a real browser (Debian's Chromium with software WebGL): the
 * offline map draws the basemap and the features and opens a popup with the sources; the hits inbox
 * shows why a hit matched and a decision made there is stored; a removal asked for by the analyst is
 * approved by a second person (four eyes).
 */
const OUT = join(process.cwd(), 'test-output', 'screenshots');
const missing = chromiumMissing();

function inDays(days: number): string {
  return new Date(Date.now() + days * 86_400_000).toISOString().slice(0, 10);
}

describe.skipIf(missing !== undefined)('map, watchlist and hits inbox in Chromium', () => {
  let store: Store;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  let hitId: string;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const webRoot = await ensureWebBuild(() => undefined);
    store = await openStore({ url: 'sqlite::memory:' });
    const gov = await seedApiWorld(store);
    await seedMapWorld(gov);
    await gov.upsertUser({ id: 'fr.super', name: 'Supervisor FR', agency: 'FR-CT', roles: ['supervisor'], clearance: 'SECRET', passwordHash: hashPassword(TEST_PASSWORD) });
    await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.super'], openedAt: '2024-01-01T00:00:00Z' });
    // An alert on Karim Benali due for review in 60 days, and a PNR record that hits it (fictional).
    const watch = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
    await watch.addAlert(frCtx, {
      subject: { entityIds: ['fr-ct:p1'], names: ['Karim Benali'], birthDates: ['1990-04-02'] },
      threatLevel: 'S12',
      reasons: 'Repeated contact with a facilitation network under investigation in Operation Atlas',
      grading: { system: 'EU4x4', source: 'B', info: '2' },
      action: 'discreet-check',
      reviewBy: inDays(60),
    });
    const record = { id: 'pnr-501', travellerName: 'BENALI Karim', travellerBirthDate: '02/04/1990', origin: 'CDG', destination: 'IST', departure: '2026-03-02T10:00:00Z', carrier: 'TK', flight: 'TK1824' };
    const screened = await watch.screenRecords(frCtx, [travelSubject(record, 'pnr-501', 'TK PNR feed')]);
    expect(screened.hits).toBeGreaterThanOrEqual(1);
    hitId = (await watch.listHits(frCtx, { status: 'open' }))[0]!.id;

    server = await startServer({
      gov,
      config: loadConfig({}, { databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: 0 }),
      logger: pino({ level: 'silent' }),
      webRoot,
      plugins: [mapPlugin(), watchPlugin()],
    });
    browser = await launchChromium({ webgl: true });
    page = await browser.newPage({ viewport: { width: 1440, height: 1000 } });
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

  const shot = (name: string) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });

  async function signIn(userId: string, purpose: string): Promise<void> {
    await page.goto(server.url);
    await page.getByLabel('User').fill(userId);
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Case').selectOption('FR-OP-ATLAS');
    await dialog.getByLabel('Purpose').fill(purpose);
    await dialog.getByRole('button', { name: 'Start working' }).click();
    await dialog.waitFor({ state: 'detached' });
  }

  /** Where on the page the map canvas shows this colour (read back from the WebGL frame), or null. */
  function findColour(rgb: [number, number, number], tolerance = 40): Promise<{ x: number; y: number; count: number } | null> {
    return page.evaluate(
      ([r, g, b, tol]) => {
        // Runs in the page; the test project has no DOM typings, so the few calls used are typed here.
        interface Box {
          left: number;
          top: number;
          width: number;
          height: number;
        }
        interface Canvas {
          width: number;
          height: number;
          getBoundingClientRect(): Box;
          getContext(kind: '2d'): { drawImage(c: Canvas, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
        }
        const { document } = globalThis as unknown as { document: { querySelector(sel: string): Canvas | null; createElement(tag: 'canvas'): Canvas } };
        const canvas = document.querySelector('.map-canvas canvas');
        if (!canvas) return null;
        const copy = document.createElement('canvas');
        copy.width = canvas.width;
        copy.height = canvas.height;
        const ctx = copy.getContext('2d')!;
        ctx.drawImage(canvas, 0, 0);
        const px = ctx.getImageData(0, 0, copy.width, copy.height).data;
        let count = 0;
        let first: [number, number] | null = null;
        for (let i = 0; i < px.length; i += 4) {
          if (Math.abs(px[i]! - r!) + Math.abs(px[i + 1]! - g!) + Math.abs(px[i + 2]! - b!) > tol!) continue;
          count++;
          first ??= [(i / 4) % copy.width, Math.floor(i / 4 / copy.width)];
        }
        if (!first) return null;
        const box = canvas.getBoundingClientRect();
        return { x: box.left + (first[0] * box.width) / copy.width, y: box.top + (first[1] * box.height) / copy.height, count };
      },
      [...rgb, tolerance] as [number, number, number, number],
    );
  }

  it('draws the offline map of a subject and his network, and a click opens the sources', async () => {
    await signIn('fr.analyst', PURPOSE);
    // From the profile: its Map button, then the network switch in the map's options.
    await page.goto(`${server.url}/#/entity/${encodeURIComponent('fr-ct:p1')}`);
    await page.locator('.entity-header').getByRole('button', { name: 'Map', exact: true }).click();
    await page.locator('[data-testid="map-canvas"][data-scope="entity:fr-ct:p1"][data-map-state="ready"]').waitFor({ timeout: 30_000 });
    await page.getByLabel('Include the network (one link away)').check();
    await page.waitForURL(/#\/map\/fr-ct%3Ap1\?network=1$/);
    const canvas = page.getByTestId('map-canvas');
    await page.locator('[data-testid="map-canvas"][data-scope="entity:fr-ct:p1:network"][data-map-state="ready"]').waitFor({ timeout: 30_000 });
    // The count is updated once the map has drawn the new data (it may lag 'ready' on a loaded machine).
    await expect.poll(async () => Number(await canvas.getAttribute('data-rendered-features')), { timeout: 20_000 }).toBeGreaterThan(5);
    await expect(page.getByTestId('map-summary').textContent()).resolves.toMatch(/features: 1 address, 3 travel, 1 border crossing, 1 encounter, 1 meeting, 3 co-location, 4 place · 2 subjects/);
    const size = await page.locator('.map-canvas canvas').boundingBox();
    expect(size!.width).toBeGreaterThan(600);
    expect(size!.height).toBeGreaterThan(400);
    // The frame holds land (basemap), flights (blue) and co-location rings (amber): WebGL really drew them.
    expect((await findColour([0xf6, 0xf4, 0xee], 6))?.count).toBeGreaterThan(10_000);
    expect((await findColour([0x1f, 0x5f, 0xa8]))?.count).toBeGreaterThan(50);
    const ring = await findColour([0xe0, 0x9b, 0x00]);
    expect(ring).not.toBeNull();
    await expect(page.locator('.feature-list tbody tr').count()).resolves.toBe(10);
    const flightRow = page.locator('.feature-list tbody tr', { hasText: 'Flight TK1824' }).filter({ hasText: 'Karim Benali' });
    await expect(flightRow.locator('td').nth(3).textContent()).resolves.toBe('BE-CT, FR-CT');
    await shot('10-map-network');

    await page.mouse.click(ring!.x, ring!.y);
    const popup = page.getByTestId('map-popup');
    await popup.waitFor();
    await expect(popup.textContent()).resolves.toMatch(/Co-location/);
    await expect(popup.locator('.chip.agency').allTextContents()).resolves.toEqual(expect.arrayContaining(['FR-CT']));
    await expect(popup.locator('.chip.grading').allTextContents()).resolves.toEqual(expect.arrayContaining(['B2']));
    await expect(popup.locator('.chip.handling').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringMatching(/releasable to all partners/)]));
    await shot('11-map-popup');

    // The case map: what Operation Atlas holds.
    await page.getByRole('navigation').getByRole('button', { name: 'Map' }).click();
    await page.waitForURL(/#\/map$/);
    await page.locator('[data-testid="map-canvas"][data-scope="case:FR-OP-ATLAS"][data-map-state="ready"]').waitFor({ timeout: 30_000 });
    await expect(page.getByRole('heading', { level: 2 }).first().textContent()).resolves.toContain('Map of the case Operation Atlas');
    await expect(page.getByTestId('map-summary').textContent()).resolves.toMatch(/\d+ travel/);
    // Only what is recorded under the case: Karim's flight without the Belgian copy the entity map showed.
    const karimFlight = page.locator('.feature-list tbody tr', { hasText: 'Flight TK1824' }).filter({ hasText: 'Karim Benali' });
    await expect(karimFlight.locator('td').nth(3).textContent()).resolves.toBe('FR-CT');
    await shot('12-map-case');
    expect(consoleErrors).toEqual([]);
  });

  it('shows why a hit matched in the inbox, and stores the decision taken there', async () => {
    await page.getByRole('navigation').getByRole('button', { name: 'Hits inbox' }).click();
    const list = page.getByTestId('hit-list');
    await list.locator('button').first().waitFor();
    await list.locator('button').first().click();
    const report = page.getByTestId('hit-report');
    await report.waitFor();
    await expect(page.getByTestId('matched-fields').locator('tbody th').allTextContents()).resolves.toEqual(expect.arrayContaining(['name', 'birthDate']));
    await expect(report.textContent()).resolves.toContain('Repeated contact with a facilitation network'); // the alert's reasons
    await expect(page.getByTestId('hit-status').textContent()).resolves.toBe('open');
    await shot('13-hit-report');

    await report.getByLabel('Reason (kept with the decision)').fill('Seen at the gate by the border police; identity checked');
    await report.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('hit-status').filter({ hasText: /^confirmed$/ }).waitFor();
    await page.getByTestId('hit-decisions').waitFor();
    await expect(list.locator('button').count()).resolves.toBe(0); // it left the open inbox
    // Persisted: the API answers the decided hit to a fresh request.
    const stored = await page.evaluate(async (id) => (await fetch(`/api/watch/hits/${encodeURIComponent(id)}`)).json(), hitId);
    expect(stored).toMatchObject({ id: hitId, status: 'confirmed', decisions: [{ by: 'fr.analyst', decision: 'confirmed', note: 'Seen at the gate by the border police; identity checked' }] });
    await shot('14-hit-decided');
  });

  it('escalates a hit to the supervisors with a reason; the analyst then waits for their decision', async () => {
    await page.goto(`${server.url}/#/hits/${encodeURIComponent(hitId)}?status=all`);
    const report = page.getByTestId('hit-report');
    await page.getByTestId('hit-status').filter({ hasText: /^confirmed$/ }).waitFor();
    // The supervisors' queue is a filter of supervisors only.
    await expect(page.getByLabel('Show hits').locator('option').allTextContents()).resolves.not.toContain('Escalated to supervisors');
    await report.getByLabel('Reason (kept with the decision)').fill('Identity confirmed, but travelling with a minor: a supervisor decides the action');
    await report.getByRole('button', { name: 'Escalate to a supervisor' }).click();
    await page.getByTestId('hit-status').filter({ hasText: /^escalated to supervisors$/ }).waitFor();
    await expect(page.getByTestId('hit-escalation').textContent()).resolves.toMatch(/supervisors of FR-CT by fr\.analyst on .*travelling with a minor/);
    await expect(page.getByTestId('awaiting-supervisor').textContent()).resolves.toMatch(/only a supervisor decides/);
    await expect(report.getByRole('button', { name: 'Confirm' }).count()).resolves.toBe(0);
    const stored = await page.evaluate(async (id) => (await fetch(`/api/watch/hits/${encodeURIComponent(id)}`)).json(), hitId);
    expect(stored).toMatchObject({ status: 'escalated', decisions: [{ decision: 'confirmed' }, { by: 'fr.analyst', decision: 'escalated' }] });
    await shot('17-hit-escalated');
  });

  it('lists alerts and the due queue, and removes an alert only with a second person (four eyes)', async () => {
    await page.getByRole('navigation').getByRole('button', { name: 'Watchlist' }).click();
    await expect(page.getByTestId('alert-table').textContent()).resolves.toContain('Karim Benali');
    await page.getByRole('button', { name: 'Due for review' }).click();
    const due = page.getByTestId('due-queue');
    await due.waitFor();
    await expect(due.textContent()).resolves.toMatch(/(59|60) days left/);
    await shot('15-watch-due');
    await due.getByLabel('Documented re-assessment').fill('Source withdrawn; no contact with the network for two years');
    await due.getByRole('button', { name: 'Ask for removal' }).click();
    await expect(page.getByTestId('watch-done').textContent()).resolves.toMatch(/waits for a second person/);

    await page.getByRole('button', { name: 'Removals awaiting approval' }).click();
    const approvals = page.getByTestId('approvals');
    await approvals.waitFor();
    await expect(approvals.textContent()).resolves.toContain('You asked for this removal');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await signIn('fr.super', 'Approve the removal of a watchlist alert after re-assessment');
    await page.goto(`${server.url}/#/watchlist?tab=approvals`);
    await approvals.waitFor();
    await approvals.getByLabel('Your reasons').fill('Re-assessment reviewed and agreed');
    await shot('16-watch-approval');
    await approvals.getByRole('button', { name: 'Approve removal' }).click();
    await expect(page.getByTestId('watch-done').textContent()).resolves.toMatch(/approved: delisted/);
    const alerts = (await page.evaluate(async () => (await fetch('/api/watch/alerts')).json())) as { alerts: unknown[] };
    expect(alerts.alerts[0]).toMatchObject({ status: 'delisted', history: [{ kind: 'created' }, { kind: 'removal-requested', by: 'fr.analyst' }, { kind: 'removal-approved', by: 'fr.super' }] });
    expect(consoleErrors).toEqual([]);
  });

  it('puts the escalated hit in the supervisor’s queue with its reason; the supervisor decides it', async () => {
    await page.getByRole('navigation').getByRole('button', { name: 'Hits inbox' }).click();
    await page.getByLabel('Show hits').selectOption('escalated');
    const list = page.getByTestId('hit-list');
    await list.locator('button').first().waitFor();
    await expect(list.locator('button').count()).resolves.toBe(1);
    await expect(list.locator('button').first().textContent()).resolves.toMatch(/escalated by fr\.analyst: Identity confirmed, but travelling with a minor/);
    await list.locator('button').first().click();
    const report = page.getByTestId('hit-report');
    await page.getByTestId('hit-escalation').waitFor();
    await expect(report.getByRole('heading', { name: 'Supervisor’s decision' }).count()).resolves.toBe(1);
    await expect(report.getByRole('button', { name: 'Escalate to a supervisor' }).count()).resolves.toBe(0);
    await shot('18-hit-supervisor-queue');
    await report.getByLabel('Reason (kept with the decision)').fill('Discreet check only; the minor travels with her mother');
    await report.getByRole('button', { name: 'Confirm' }).click();
    await page.getByTestId('hit-status').filter({ hasText: /^confirmed$/ }).waitFor();
    await expect(list.locator('button').count()).resolves.toBe(0); // it left the queue
    const stored = await page.evaluate(async (id) => (await fetch(`/api/watch/hits/${encodeURIComponent(id)}`)).json(), hitId);
    expect(stored).toMatchObject({ status: 'confirmed', decisions: [{ decision: 'confirmed' }, { decision: 'escalated' }, { by: 'fr.super', decision: 'confirmed', note: 'Discreet check only; the minor travels with her mother' }] });
    expect(consoleErrors).toEqual([]);
  });
});
