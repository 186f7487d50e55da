import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphPlugin, startServer, type RunningServer } from '../../src/api/index.js';
import { ensureWebBuild } from '../../src/cli/commands/serve.js';
import { loadConfig } from '../../src/config/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { seedApiWorld, TEST_PASSWORD } from '../support/api.js';
import { CHROMIUM, chromiumMissing } from '../support/browser.js';
import { seedChartWorld } from '../support/chart-world.js';
import { PURPOSE } from '../support/governance.js';

/**
 * The link chart and the timeline in a real browser (Debian's Chromium, WebGL through SwiftShader)
 * on the chart world of test/support/chart-world.ts: open a profile, open its link chart, expand
 * nodes from the panel and by double-clicking the canvas, filter by grading, find a path, read a
 * derived link's evidence, colour communities, then the entity, network and case timelines.
 */
const OUT = join(process.cwd(), 'test-output', 'screenshots');

/**
 * Runs in the page (plain JavaScript: the browser decodes the PNG): pixels within `tol` of the colour,
 * their count and centre in image pixels.
 */
const COLOUR_SCAN = `async (data, r, g, b, tol) => {
  const img = new Image();
  img.src = 'data:image/png;base64,' + data;
  await img.decode();
  const canvas = document.createElement('canvas');
  canvas.width = img.width;
  canvas.height = img.height;
  const ctx = canvas.getContext('2d');
  ctx.drawImage(img, 0, 0);
  const px = ctx.getImageData(0, 0, img.width, img.height).data;
  let n = 0, sx = 0, sy = 0;
  for (let i = 0; i < px.length; i += 4) {
    if (Math.abs(px[i] - r) + Math.abs(px[i + 1] - g) + Math.abs(px[i + 2] - b) > tol) continue;
    n++;
    sx += (i / 4) % img.width;
    sy += Math.floor(i / 4 / img.width);
  }
  return n === 0 ? null : { x: sx / n, y: sy / n, count: n, width: img.width };
}`;
const missing = chromiumMissing();

describe.skipIf(missing !== undefined)('link chart and timeline in Chromium', () => {
  let store: Store;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const webRoot = await ensureWebBuild(() => undefined);
    store = await openStore({ url: 'sqlite::memory:' });
    const gov = await seedApiWorld(store);
    await seedChartWorld(gov);
    server = await startServer({ gov, config: loadConfig({}, { databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: 0 }), logger: pino({ level: 'silent' }), webRoot, plugins: [graphPlugin()] });
    // The flags (--disable-gpu included) plus SwiftShader, so sigma gets WebGL without a GPU.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
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

  /** Timelines are long pages (full page); the chart fills the window (no resize, so no re-render for the shot). */
  const shot = (name: string, fullPage = !name.includes('chart')) => page.screenshot({ path: join(OUT, `${name}.png`), fullPage });
  const count = () => page.getByTestId('chart-count');
  /** Waits until the chart shows exactly this many nodes. */
  const nodesShown = (n: number) => page.getByTestId('chart-count').filter({ hasText: new RegExp(`^${n} nodes · `) }).waitFor({ timeout: 20_000 });
  const layoutSettled = () => page.locator('[data-testid="chart-canvas"][data-layout="stopped"]').waitFor({ timeout: 30_000 });
  const nodeDetails = () => page.getByTestId('node-details');
  /** Back to no selection (every node in its colour, the node finder in the panel). */
  const unselect = async () => {
    if (await nodeDetails().count()) await nodeDetails().getByRole('button', { name: '← all nodes' }).click();
    if (await page.getByTestId('edge-details').count()) await page.getByTestId('edge-details').locator('button.back').click();
    if (await nodeDetails().count()) await nodeDetails().getByRole('button', { name: '← all nodes' }).click();
    await page.getByPlaceholder('name, number, id').waitFor();
  };

  /**
   * Pixels of this colour on the chart as displayed, with their centre in page coordinates. The frame
   * is taken as a screenshot (sigma's WebGL buffers are not preserved for read-back) and decoded by
   * the page itself.
   */
  async function colourOnChart(rgb: [number, number, number], tolerance = 40): Promise<{ x: number; y: number; count: number } | null> {
    const stage = page.locator('.chart-canvas');
    const box = (await stage.boundingBox())!;
    const png = (await stage.screenshot()).toString('base64');
    const found = (await page.evaluate(`(${COLOUR_SCAN})(${JSON.stringify(png)}, ${rgb.join(', ')}, ${tolerance})`)) as { x: number; y: number; count: number; width: number } | null;
    if (!found) return null;
    const scale = box.width / found.width;
    return { x: box.x + found.x * scale, y: box.y + found.y * scale, count: found.count };
  }

  it('opens the link chart from a profile, expands nodes from the panel and on the canvas, and draws derived links dashed', async () => {
    await page.goto(server.url);
    await page.getByLabel('User').fill('fr.analyst');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Case').selectOption('FR-OP-ATLAS');
    await dialog.getByLabel('Purpose').fill(PURPOSE);
    await dialog.getByRole('button', { name: 'Start working' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.goto(`${server.url}/#/entity/${encodeURIComponent('fr-ct:p1')}`);
    await page.locator('.entity-caption', { hasText: 'Karim Benali' }).waitFor();
    await page.getByRole('button', { name: 'Open in link chart' }).click();
    await page.waitForURL(/#\/chart\/fr-ct%3Ap1$/);
    // One hop: Karim, his phone, Samir, Ines, Walid and Istanbul airport.
    await nodesShown(6);
    await expect(nodeDetails().locator('h3').textContent()).resolves.toContain('Karim Benali');
    await expect(page.getByTestId('work-context').textContent()).resolves.toContain('Operation Atlas (FR-OP-ATLAS)');
    await layoutSettled();
    // WebGL drew persons (blue), the phone (green), and the derived links in dashed amber.
    expect((await colourOnChart([0x1f, 0x5f, 0xa8]))?.count).toBeGreaterThan(300);
    expect((await colourOnChart([0x2e, 0x7d, 0x32]))?.count).toBeGreaterThan(20);
    expect((await colourOnChart([0xe0, 0x8a, 0x00]))?.count).toBeGreaterThan(40);
    await shot('20-chart-opened');

    // Expand Ines from the panel: her sibling Tomas joins.
    await unselect();
    await page.getByPlaceholder('name, number, id').fill('Ines');
    await page.locator('.chart-panel .link-row', { hasText: 'Ines Marchal' }).click();
    await nodeDetails().getByRole('button', { name: 'Expand' }).click();
    await nodesShown(7);
    await layoutSettled();

    // Double-click the phone on the canvas (nothing selected, so no node is faded): the number it called joins.
    await unselect();
    // The unselected frame may take a few draws to reach the canvas (software WebGL, loaded machine).
    const found: { green: Awaited<ReturnType<typeof colourOnChart>> } = { green: null };
    await expect
      .poll(async () => {
        found.green = await colourOnChart([0x2e, 0x7d, 0x32]);
        return found.green !== null;
      }, { timeout: 15_000 })
      .toBe(true);
    await page.mouse.dblclick(found.green!.x, found.green!.y);
    await nodesShown(8);
    await expect(count().textContent()).resolves.toMatch(/^8 nodes · \d+ links/);
    await layoutSettled();
    await shot('21-chart-expanded');
    expect(consoleErrors).toEqual([]);
  });

  it('shows a derived link’s evidence, filters by grading, finds a path and colours communities', async () => {
    await unselect();
    await page.getByPlaceholder('name, number, id').fill('Karim');
    await page.locator('.chart-panel .link-row', { hasText: 'Karim Benali' }).click();
    await nodeDetails().locator('.link-row', { hasText: 'co-travel' }).click();
    const details = page.getByTestId('edge-details');
    await details.waitFor();
    await expect(details.locator('.derived-note').textContent()).resolves.toMatch(/Derived link: on the same flight/);
    const evidence = page.getByTestId('evidence');
    await evidence.waitFor();
    await expect(evidence.locator('li').count()).resolves.toBeGreaterThanOrEqual(2);
    await expect(evidence.textContent()).resolves.toContain('fr-ct:tr2');
    await expect(evidence.locator('.chip.grading').allTextContents()).resolves.toEqual(expect.arrayContaining(['B2']));
    await expect(evidence.locator('.chip.agency').allTextContents()).resolves.toEqual(expect.arrayContaining(['FR-CT']));
    await shot('22-chart-evidence');

    // Walid and Tomas are tied by an association graded X4 only; at B2 or better the path runs through Karim and Ines.
    await page.getByLabel('Minimum grading').selectOption('B2');
    await unselect();
    await page.getByPlaceholder('name, number, id').fill('Walid');
    await page.locator('.chart-panel .link-row', { hasText: 'Walid Chergui' }).click();
    await nodeDetails().getByRole('button', { name: 'Path from here' }).click();
    await unselect();
    await page.getByPlaceholder('name, number, id').fill('Tomas');
    await page.locator('.chart-panel .link-row', { hasText: 'Tomas Brenner' }).click();
    await nodeDetails().getByRole('button', { name: 'Path to here' }).click();
    await page.getByTestId('chart-path').getByRole('button', { name: 'Find path' }).click();
    await page.locator('.path-result').waitFor();
    await expect(page.locator('.path-result').textContent()).resolves.toBe('3 hops: Walid Chergui → Karim Benali → Ines Marchal → Tomas Brenner');
    await layoutSettled();
    expect((await colourOnChart([0xd6, 0x27, 0x28]))?.count).toBeGreaterThan(100); // the path in red
    await shot('23-chart-path-graded');

    await page.getByLabel('Minimum grading').selectOption('');
    await page.getByTestId('chart-path').getByRole('button', { name: 'Find path' }).click();
    await page.locator('.path-result', { hasText: '1 hop: Walid Chergui → Tomas Brenner' }).waitFor();

    await page.getByLabel('Communities').check();
    await page.getByTestId('chart-measures').waitFor();
    await expect(page.getByTestId('chart-measures').textContent()).resolves.toMatch(/\d+ communities in the readable network \(modularity 0\.\d\d\)/);
    await page.getByLabel('Size by centrality').check();
    await expect(nodeDetails().getByTestId('node-measures').textContent()).resolves.toMatch(/^Community \d+ \(\d+ members\) · betweenness 0\.\d{4}/);
    await page.getByTestId('chart-path').getByRole('button', { name: 'clear' }).click();
    await shot('24-chart-communities');
    expect(consoleErrors).toEqual([]);
  });

  it('shows the entity, network and case timelines by day with sources, grading and handling', async () => {
    await page.goto(`${server.url}/#/entity/${encodeURIComponent('fr-ct:p1')}`);
    await page.locator('.entity-caption', { hasText: 'Karim Benali' }).waitFor();
    await page.locator('.entity-tools').getByRole('button', { name: 'Timeline' }).click();
    await page.waitForURL(/#\/timeline\/fr-ct%3Ap1$/);
    await page.getByTestId('timeline-count').waitFor();
    await expect(page.getByTestId('timeline-title').textContent()).resolves.toBe('Timeline of Karim Benali');
    const days = await page.locator('.day-heading').allTextContents();
    expect(days.length).toBeGreaterThanOrEqual(4);
    expect(days.map((d) => d.slice(0, 10))).toEqual([...days.map((d) => d.slice(0, 10))].sort()); // oldest first
    expect(days).toEqual(expect.arrayContaining([expect.stringMatching(/^2024-01-20\s*Saturday$/), expect.stringMatching(/^2024-02-10\s*Saturday$/)]));
    const meeting = page.locator('.timeline-day[aria-label="2024-01-20"] [data-testid="timeline-event"]');
    await expect(meeting.textContent()).resolves.toMatch(/19:30\s*Meeting/);
    await expect(meeting.locator('dd button').allTextContents()).resolves.toEqual(expect.arrayContaining(['Samir Haddou', 'Ines Marchal', 'Café du Nord, Lille']));
    await expect(meeting.locator('.chip.handling').allTextContents()).resolves.toEqual(expect.arrayContaining([expect.stringContaining('H1')]));
    await expect(meeting.locator('.chip.grading').allTextContents()).resolves.toEqual(expect.arrayContaining(['B2']));
    await expect(page.getByTestId('work-context').textContent()).resolves.toContain('Operation Atlas (FR-OP-ATLAS)');
    await shot('25-timeline-entity');

    await page.getByLabel('Order').selectOption('newest');
    const newest = await page.locator('.day-heading').allTextContents();
    expect(newest[0]!.slice(0, 10) >= newest[newest.length - 1]!.slice(0, 10)).toBe(true);

    // The network of the chart.
    await page.getByRole('navigation').getByRole('button', { name: 'Link chart' }).click();
    await page.getByRole('button', { name: 'Timeline of this network' }).click();
    await page.waitForURL(/#\/timeline\?ids=/);
    await page.getByTestId('timeline-title').filter({ hasText: /^Timeline of a network of 8 entities$/ }).waitFor();
    await page.getByTestId('timeline-count').waitFor();
    await expect(page.locator('[data-testid="timeline-event"]', { hasText: 'Communication' }).count()).resolves.toBe(3);
    await shot('26-timeline-network');

    // The case: what is filed under Operation Atlas.
    await page.getByRole('navigation').getByRole('button', { name: 'Timeline' }).click();
    await page.getByTestId('timeline-title').filter({ hasText: 'Timeline of case Operation Atlas (FR-OP-ATLAS)' }).waitFor();
    await page.getByTestId('timeline-count').waitFor();
    await expect(page.locator('[data-testid="timeline-event"]', { hasText: 'Meeting' }).count()).resolves.toBe(1);
    await shot('27-timeline-case');
    expect(consoleErrors).toEqual([]);
  });
});
