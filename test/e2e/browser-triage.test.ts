import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, triagePlugin, type RunningServer } from '../../src/api/index.js';
import { ensureWebBuild } from '../../src/cli/commands/serve.js';
import { loadConfig } from '../../src/config/index.js';
import { hashPassword, type Governance } from '../../src/governance/index.js';
import { ResolutionService } from '../../src/resolve/index.js';
import { openStore, type Store } from '../../src/store/index.js';
import { AS_OF, chloeTravels, emilInBelgium, triageWorld } from '../../src/triage/world.test-helper.js';
import { travelSubject, WatchService, watchConfig } from '../../src/watch/index.js';
import { seedApiWorld, TEST_PASSWORD } from '../support/api.js';
import { frCtx } from '../support/governance.js';

/**
 * Triage in a real browser (same set-up as browser.test.ts: Debian's Chromium via playwright-core;
 * skipped with the reason when it is missing, a failure in CI): a supervisor opens triage, reads a
 * subject's reasons, plans a capacity, changes one allocation and records the decision with a
 * reason, replays it, and sees a risk that rose since. Screenshots go to test-output/screenshots/.
 */
const CHROMIUM = '/usr/bin/chromium';
const OUT = join(process.cwd(), 'test-output', 'screenshots');
const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium)`;
if (missing && process.env.CI === 'true') throw new Error(`browser tests must run in CI: ${missing}`);
if (missing) console.warn(`[skip] triage browser test skipped: ${missing}`);

const PURPOSE = 'Weekly triage of surveillance capacity for Operation Atlas';

/** The API test world plus the triage world: a resolved person (FR + BE records), an alert with a border hit, the scenario's reference time. */
async function seedTriageWorld(store: Store): Promise<Governance> {
  const gov = await seedApiWorld(store);
  await gov.upsertUser({ id: 'fr.chief', name: 'Supervisor FR', agency: 'FR-CT', roles: ['analyst', 'supervisor'], clearance: 'SECRET', passwordHash: hashPassword(TEST_PASSWORD) });
  await gov.upsertCase({ id: 'FR-OP-ATLAS', name: 'Operation Atlas', agency: 'FR-CT', legalBasis: 'counter-terrorism-full', members: ['fr.analyst', 'fr.junior', 'fr.chief'], openedAt: '2024-01-01T00:00:00Z' });
  await gov.systemWrite('test', 'Triage fixture world for the browser test', [...triageWorld(), ...emilInBelgium()]);
  await store.setMeta('scenario', JSON.stringify({ referenceTime: AS_OF }));
  await new ResolutionService(gov).judge(frCtx, 'fr-ct:emil', 'be-ct:emil', 'white', 'Same man: name variant and the same circle of contacts');
  const watch = new WatchService(gov, { config: watchConfig(), nodeAgency: 'FR-CT' });
  await watch.addAlert(frCtx, {
    subject: { entityIds: ['fr-ct:dario'], names: ['Dario Inventato'] },
    threatLevel: 'S9',
    reasons: 'Quiet after a busy winter; contact of the Atlas network',
    grading: { system: 'EU4x4', source: 'B', info: '2' },
    action: 'discreet-check',
  });
  await watch.screenRecords(frCtx, [travelSubject({ id: 'pnr-77', travellerName: 'Dario Inventato', destination: 'Istanbul', departure: '2025-06-20T08:00:00Z' }, 'pnr-77', 'fixture PNR')]);
  return gov;
}

describe.skipIf(missing !== undefined)('triage in Chromium', () => {
  let store: Store;
  let gov: Governance;
  let server: RunningServer;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    mkdirSync(OUT, { recursive: true });
    const webRoot = await ensureWebBuild(() => undefined);
    store = await openStore({ url: 'sqlite::memory:' });
    gov = await seedTriageWorld(store);
    server = await startServer({ gov, config: loadConfig({}, { databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: 0 }), logger: pino({ level: 'silent' }), webRoot, plugins: [triagePlugin()] });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
    });
    page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    page.on('console', (m) => {
      if (m.type() === 'error' && !m.text().startsWith('Failed to load resource')) consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(e.message));
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
    await store?.close();
  });

  const shot = async (name: string) => {
    await page.evaluate('window.scrollTo(0, 0)'); // the sticky context bar stays on top in a full-page shot
    await page.screenshot({ path: join(OUT, `${name}.png`), fullPage: true });
  };
  const row = (label: string) => page.locator('[data-testid="triage-table"] tbody tr[data-subject]', { hasText: label });

  it('ranks with reasons, plans a capacity with its chart, records a changed allocation with a reason, and replays it', async () => {
    await page.goto(server.url);
    await page.getByLabel('User').fill('fr.chief');
    await page.getByLabel('Password').fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.waitFor();
    await dialog.getByLabel('Case').selectOption('FR-OP-ATLAS');
    await dialog.getByLabel('Purpose').fill(PURPOSE);
    await dialog.getByRole('button', { name: 'Start working' }).click();
    await dialog.waitFor({ state: 'detached' });

    await page.getByRole('navigation').getByRole('button', { name: 'Triage' }).click();
    await row('Amir Testa').waitFor();
    await expect(page.locator('.triage-header').textContent()).resolves.toMatch(/subjects ranked as of 2025-07-01 .* 1 person\(s\) resolved across 2 records/);
    await expect(page.locator('[data-testid="triage-table"] tbody tr[data-subject]').first().getAttribute('data-subject')).resolves.toBe('fr-ct:amir');
    // Flags: Dario went quiet and was hit at the border; Emil is one person across two agencies' records.
    await expect(row('Dario Inventato').locator('.flags').textContent()).resolves.toMatch(/quiet.*watchlist hit/);
    await expect(row('Emil').textContent()).resolves.toContain('2 records');

    // Amir's explanation: signals with their weights and evidence linking to profiles.
    await row('Amir Testa').getByRole('button', { name: 'Why?' }).click();
    const explanation = page.getByTestId('explanation-fr-ct:amir');
    await explanation.locator('a.chip').first().waitFor();
    await expect(explanation.textContent()).resolves.toContain('travel to a conflict-zone gateway');
    await expect(explanation.textContent()).resolves.toContain('new contact with a watched subject');
    const links = await explanation.locator('a.chip').evaluateAll((as) => as.map((a) => a.getAttribute('href')));
    expect(links).toEqual(expect.arrayContaining(['#/entity/fr-ct%3Atr1', '#/entity/fr-ct%3Apos1']));
    await expect(explanation.textContent()).resolves.toMatch(/Not judged for lack of data/);

    // Capacity: two teams, a what-if plan with the capacity chart.
    await page.getByLabel('Team 1 name').fill('north');
    await page.getByLabel('Team 1 agents').fill('30');
    await page.getByRole('button', { name: 'Add team' }).click();
    await page.getByLabel('Team 2 name').fill('south');
    await page.getByLabel('Team 2 agents').fill('8');
    await page.getByRole('button', { name: 'Plan with this capacity' }).click();
    await page.getByTestId('plan-summary').waitFor();
    await expect(page.getByTestId('plan-summary').textContent()).resolves.toMatch(/of 38 agents used/);
    const chart = page.getByTestId('capacity-chart');
    await expect(chart.locator('circle.point.chosen').count()).resolves.toBe(1);
    await expect(chart.locator('circle.point').count()).resolves.toBeGreaterThan(5);
    await expect(chart.textContent()).resolves.toMatch(/2 team\(s\) declared cover/);
    await expect(row('Amir Testa').locator('td.measure select').first().inputValue()).resolves.not.toBe('none');

    // The supervisor moves Dario to the south team: south is then over its 8 agents, which the panel
    // says before the server would refuse it; dropping Bruno's periodic checks makes room.
    await expect(page.getByLabel('Measure for Dario Inventato').inputValue()).resolves.toBe('periodic');
    await page.getByLabel('Team for Dario Inventato').selectOption('south');
    await expect(page.locator('.decision-form [role="alert"]').textContent()).resolves.toMatch(/Over capacity: south needs 10 of 8 agents/);
    await page.getByLabel('Measure for Bruno Fictif').selectOption('none');
    await expect(page.locator('.decision-form [role="alert"]').count()).resolves.toBe(0);
    await expect(page.locator('.decision-form').textContent()).resolves.toContain('2 change(s) to the proposed allocation');
    const decideButton = page.getByRole('button', { name: 'Record decision with changes' });
    await expect(decideButton.isDisabled()).resolves.toBe(true); // no reason yet
    await page.getByLabel('Decision reason').fill('Dario crossed the border: the south team takes him over; Bruno stays quiet, checks paused');
    await shot('triage-plan');
    await decideButton.click();
    await expect(page.getByTestId('triage-done').textContent()).resolves.toMatch(/^Decision decision-\w+ recorded: 2 change\(s\)/);
    // The plan now shows what was decided, read-only.
    await expect(page.getByTestId('plan-decided').textContent()).resolves.toMatch(/Decided by fr\.chief .*2 change\(s\), 3 subject\(s\) allocated/);
    await expect(row('Dario Inventato').locator('td.measure').textContent()).resolves.toBe('periodic @south');
    await expect(row('Bruno Fictif').locator('td.measure').textContent()).resolves.toBe('uncovered');

    // History and replay of what was shown.
    await page.locator('.triage-history').getByRole('button', { name: 'Replay' }).first().click();
    const replay = page.getByTestId('triage-replay');
    await replay.waitFor();
    await expect(replay.textContent()).resolves.toMatch(/fr\.chief changed plan plan-\w+ .*Dario crossed the border/);
    await expect(replay.textContent()).resolves.toMatch(/Dario Inventato: periodic @south/);
    await shot('triage-decision');

    // New evidence after the decision: Chloé's risk rose, and the ranking says so.
    await gov.systemWrite('test', 'Later records for the rose-since flag', chloeTravels());
    await page.getByRole('button', { name: 'Rank again' }).click();
    await row('Chloé Exemple').locator('.flag.rose').waitFor();
    await expect(page.getByLabel('Team 2 name').inputValue()).resolves.toBe('south'); // the drafted capacity is kept
    await expect(page.getByRole('heading', { name: /^Ranking/ }).textContent()).resolves.toMatch(/1 rose since the last decision/);
    await shot('triage-rose');

    const audit = await store.readAudit(0, 100_000);
    expect(audit.some((e) => e.action === 'triage.decide' && e.userId === 'fr.chief' && e.outcome === 'allowed')).toBe(true);
    expect(consoleErrors).toEqual([]);
  }, 120_000);
});
