/**
 * Link chart frame rate at 5,000 nodes: a fictional network of 5,000 persons and ~15,000
 * associations is loaded into a store, the chart opens on its centre with a 2-hop neighbourhood
 * (all 5,000 nodes, through the real API and governance), the layout runs and stops, then a script
 * pans (a dragged mouse circling) and zooms (wheel in and out) while every animation frame is counted.
 * The camera changes on every frame, and a frame counts as rendered only when sigma issued WebGL draw
 * calls in it, so the figure is frames actually drawn per second, not idle animation frames.
 *
 *   npx tsx bench/web-chart.ts [--nodes 5000] [--edges 15000] [--seconds 6]
 *
 * Headless Chromium has no GPU here: WebGL runs on SwiftShader (software rendering on the CPU),
 * so the figure is a floor for a workstation with a graphics card. Writes bench/results/web-chart.json
 * and a screenshot of the chart to test-output/screenshots/bench-chart-5000.png.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import pino from 'pino';
import { chromium } from 'playwright-core';
import { graphPlugin, startServer } from '../src/api/index.js';
import { ensureWebBuild } from '../src/cli/commands/serve.js';
import { loadConfig } from '../src/config/index.js';
import { hashPassword } from '../src/governance/index.js';
import { validateStatement, type Statement } from '../src/model/index.js';
import { openStore } from '../src/store/index.js';
import { PURPOSE, seedWorld } from '../test/support/governance.js';
import { percentile, writeResult } from './_util.js';

const arg = (name: string, dflt: number) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const NODES = arg('nodes', 5000);
const EDGES = arg('edges', 15000);
const SECONDS = arg('seconds', 6);
const HUBS = 50;
const CHROMIUM = '/usr/bin/chromium';
const PASSWORD = 'bench-password-123';

let seed = 7;
const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
const GIVEN = ['Karim', 'Yusuf', 'Lena', 'Marek', 'Sofia', 'Idris', 'Nadia', 'Tomas', 'Aylin', 'Bruno', 'Clara', 'Darius', 'Elif', 'Farid', 'Greta', 'Hamza'];
const FAMILY = ['Benali', 'Demiral', 'Vossberg', 'Kowalczy', 'Marchetti', 'Haddouri', 'Okonkwe', 'Lindqvar', 'Petrescu', 'Zahraoui', 'Brandtner', 'Castellot'];

/**
 * A centre, HUBS hubs tied to it, every other person tied to one hub (so two hops reach everyone),
 * then random associations (85 % inside a hub's group, 15 % across) up to EDGES links in all.
 */
function network(): { people: number; links: [number, number][] } {
  const links: [number, number][] = [];
  const seen = new Set<string>();
  const add = (a: number, b: number) => {
    if (a === b) return;
    const key = a < b ? `${a}-${b}` : `${b}-${a}`;
    if (seen.has(key)) return;
    seen.add(key);
    links.push([a, b]);
  };
  const hubOf = (p: number) => 1 + ((p - 1 - HUBS) % HUBS);
  for (let h = 1; h <= HUBS; h++) add(0, h);
  for (let p = HUBS + 1; p < NODES; p++) add(p, hubOf(p));
  const members = (h: number) => Math.floor((NODES - 1 - HUBS - (h - 1) + HUBS - 1) / HUBS);
  while (links.length < EDGES) {
    const a = HUBS + 1 + Math.floor(rand() * (NODES - HUBS - 1));
    if (rand() < 0.85) {
      const h = hubOf(a);
      const k = Math.floor(rand() * members(h));
      add(a, HUBS + 1 + (h - 1) + k * HUBS);
    } else add(a, HUBS + 1 + Math.floor(rand() * (NODES - HUBS - 1)));
  }
  return { people: NODES, links };
}

// In-page scripts, as plain JavaScript text (they run in Chromium, not in Node).

/** Wraps WebGL's draw calls with a counter (window.__draws). */
const COUNT_DRAWS = `
  window.__draws = 0;
  for (const proto of [WebGLRenderingContext.prototype, WebGL2RenderingContext.prototype]) {
    for (const name of ['drawArrays', 'drawElements', 'drawArraysInstanced', 'drawElementsInstanced']) {
      const original = proto[name];
      if (typeof original !== 'function') continue;
      proto[name] = function (...args) { window.__draws++; return original.apply(this, args); };
    }
  }`;

/** The WebGL renderer string (SwiftShader here). */
const WEBGL_RENDERER = `(() => {
  const gl = document.createElement('canvas').getContext('webgl2') || document.createElement('canvas').getContext('webgl');
  if (!gl) return 'no WebGL';
  const info = gl.getExtension('WEBGL_debug_renderer_info');
  return String(info ? gl.getParameter(info.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER));
})()`;

/**
 * Input on sigma's mouse layer for \`seconds\`: 'pan' drags the mouse round a circle, one move per
 * animation frame; 'zoom' turns the wheel every 100 ms, in for a second then out for a second (the
 * camera ends where it started; each wheel step animates for 250 ms, so the camera never rests);
 * 'idle' sends nothing. Resolves with every frame's time and the draw-call counter at that frame.
 */
const DRIVE = `(kind, seconds) => new Promise((resolve) => {
  const el = document.querySelector('.chart-canvas .sigma-mouse');
  const box = el.getBoundingClientRect();
  const cx = box.left + box.width / 2;
  const cy = box.top + box.height / 2;
  const at = (x, y) => ({ clientX: x, clientY: y, bubbles: true, cancelable: true, button: 0, buttons: 1, view: window });
  const times = [];
  const draws = [];
  let i = 0;
  let wheels = 0;
  if (kind === 'pan') el.dispatchEvent(new MouseEvent('mousedown', at(cx, cy)));
  const start = performance.now();
  const step = (t) => {
    times.push(t);
    draws.push(window.__draws);
    i++;
    if (kind === 'pan') el.dispatchEvent(new MouseEvent('mousemove', at(cx + 220 * Math.cos(i / 15), cy + 140 * Math.sin(i / 15))));
    if (kind === 'zoom' && t - start >= wheels * 100) {
      el.dispatchEvent(new WheelEvent('wheel', { ...at(cx, cy), deltaY: Math.floor(wheels / 10) % 2 ? 100 : -100, deltaMode: 0 }));
      wheels++;
    }
    if (t - start < seconds * 1000) requestAnimationFrame(step);
    else {
      if (kind === 'pan') el.dispatchEvent(new MouseEvent('mouseup', at(cx, cy)));
      resolve({ times, draws });
    }
  };
  requestAnimationFrame(step);
})`;

/**
 * CPU time (ms) used so far by the Chromium processes below a process, by type (browser, renderer,
 * gpu-process…), from /proc: the load-independent view of what each frame costs.
 */
function cpuOfTree(root: number): Record<string, number> {
  const parent = new Map<number, number>();
  const stats = new Map<number, { type: string; ms: number }>();
  const tick = 1000 / 100; // USER_HZ
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      parent.set(Number(entry), Number(fields[1]));
      if (!cmd.includes('chromium')) continue;
      stats.set(Number(entry), { type: /--type=([\w-]+)/.exec(cmd)?.[1] ?? 'browser', ms: (Number(fields[11]) + Number(fields[12])) * tick });
    } catch {
      // The process ended while we looked.
    }
  }
  const inTree = (pid: number): boolean => {
    for (let p: number | undefined = pid, depth = 0; p !== undefined && p > 1 && depth < 20; p = parent.get(p), depth++) if (p === root) return true;
    return false;
  };
  const out: Record<string, number> = {};
  for (const [pid, { type, ms }] of stats) if (inTree(pid)) out[type] = (out[type] ?? 0) + ms;
  return out;
}

/**
 * The control: the same number of WebGL canvases as sigma keeps (edges, nodes, highlighted nodes),
 * as large as the chart, cleared every frame and nothing drawn. Its frame rate is the ceiling this
 * browser, machine and load allow before the chart draws anything.
 */
const CONTROL = `(width, height, seconds) => new Promise((resolve) => {
  const host = document.createElement('div');
  host.style.position = 'fixed'; host.style.left = '0'; host.style.top = '0';
  document.body.appendChild(host);
  const gls = [0, 1, 2].map(() => {
    const c = document.createElement('canvas');
    c.width = width; c.height = height; c.style.position = 'absolute'; c.style.left = '0'; c.style.top = '0';
    host.appendChild(c);
    return c.getContext('webgl2', { antialias: false, preserveDrawingBuffer: false });
  });
  let frames = 0;
  const start = performance.now();
  const step = (t) => {
    frames++;
    gls.forEach((gl, i) => { gl.clearColor((frames % 60) / 60, i / 3, 0.5, 0.2); gl.clear(gl.COLOR_BUFFER_BIT); });
    if (t - start < seconds * 1000) requestAnimationFrame(step);
    else { host.remove(); resolve(frames / ((performance.now() - start) / 1000)); }
  };
  requestAnimationFrame(step);
})`;

async function main(): Promise<void> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install -y chromium)`);
  const t0 = performance.now();
  const webRoot = await ensureWebBuild(() => undefined);
  const store = await openStore({ url: 'sqlite::memory:' });
  const gov = await seedWorld(store);
  for (const u of await gov.users()) await gov.upsertUser({ ...u, passwordHash: hashPassword(PASSWORD) });
  const { people, links } = network();
  const base = { grading: { system: 'EU4x4', source: 'B', info: '2' }, handling: { codes: [], releasableTo: ['*'] }, classification: 'UNCLASSIFIED', subjectCategory: 'suspect', nature: 'fact', caseIds: [] };
  const source = { agency: 'FR-CT', documentId: 'bench-chart', collectedAt: '2024-01-15T10:00:00Z' };
  const mk = (entityId: string, schema: string, prop: string, value: string): Statement => validateStatement({ ...base, entityId, schema, prop, value, source });
  const statements: Statement[] = [];
  for (let i = 0; i < people; i++) statements.push(mk(`fr-ct:cp${i}`, 'Person', 'name', `${GIVEN[i % GIVEN.length]} ${FAMILY[(i * 7) % FAMILY.length]}-${i}`));
  links.forEach(([a, b], i) => {
    statements.push(mk(`fr-ct:ca${i}`, 'Associate', 'person', `fr-ct:cp${a}`));
    statements.push(mk(`fr-ct:ca${i}`, 'Associate', 'associate', `fr-ct:cp${b}`));
  });
  await gov.systemBulkWrite('bench', 'link chart frame-rate fixture', [statements]);
  const seedMs = performance.now() - t0;

  const server = await startServer({ gov, config: loadConfig({}, { databaseUrl: 'sqlite::memory:', host: '127.0.0.1', port: 0 }), logger: pino({ level: 'silent' }), webRoot, plugins: [graphPlugin()] });
  // The flags, plus SwiftShader so WebGL exists without a GPU.
  // --gpu-compositing leaves out --disable-gpu: Chromium then composites through SwiftShader too
  // (no read-back of every WebGL frame into the software compositor).
  const gpuCompositing = process.argv.includes('--gpu-compositing');
  const flags = ['--no-sandbox', ...(gpuCompositing ? [] : ['--disable-gpu']), '--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'];
  const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: flags });
  try {
    const page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    // Count WebGL draw calls, so a frame counts as rendered only when sigma drew in it.
    await page.addInitScript(COUNT_DRAWS);
    await page.goto(server.url);
    await page.getByLabel('User').fill('fr.analyst');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Case').selectOption('FR-OP-ATLAS');
    await dialog.getByLabel('Purpose').fill(PURPOSE);
    await dialog.getByRole('button', { name: 'Start working' }).click();
    await dialog.waitFor({ state: 'detached' });

    const opened = performance.now();
    await page.goto(`${server.url}/#/chart/${encodeURIComponent('fr-ct:cp0')}?hops=2&maxNodes=${NODES}`);
    await page.getByTestId('chart-count').filter({ hasText: new RegExp(`^${people} nodes · `) }).waitFor({ timeout: 180_000 });
    const loadMs = performance.now() - opened;
    const shown = (await page.getByTestId('chart-count').textContent()) ?? '';
    await page.locator('[data-testid="chart-canvas"][data-layout="stopped"]').waitFor({ timeout: 120_000 });
    const layoutMs = performance.now() - opened - loadMs;
    await page.locator('.chart-stage').click({ position: { x: 5, y: 300 } }); // nothing selected: every node in its colour
    await page.waitForTimeout(500);
    const renderer = String(await page.evaluate(WEBGL_RENDERER));
    /** Drives the camera from inside the page, one input event per animation frame, and records every frame. */
    const drive = async (kind: 'pan' | 'zoom' | 'idle', seconds: number) => (await page.evaluate(`(${DRIVE})(${JSON.stringify(kind)}, ${seconds})`)) as { times: number[]; draws: number[] };

    const browserPid = process.pid; // playwright starts Chromium as a child of this process
    /** Runs a phase and adds the CPU time Chromium spent per rendered frame. */
    const measure = async (kind: 'pan' | 'zoom' | 'idle', seconds: number) => {
      const before = cpuOfTree(browserPid);
      const frames = summarise(await drive(kind, seconds));
      const after = cpuOfTree(browserPid);
      const cpu = Object.fromEntries(Object.keys(after).map((k) => [k, Math.round((after[k] ?? 0) - (before[k] ?? 0))]));
      const total = Object.values(cpu).reduce((a, b) => a + b, 0);
      return { ...frames, cpuMs: cpu, cpuMsPerRenderedFrame: frames.renderedFrames ? +(total / frames.renderedFrames).toFixed(1) : null };
    };
    const summarise = ({ times, draws }: { times: number[]; draws: number[] }) => {
      const intervals = times.slice(1).map((t, i) => t - times[i]!);
      // A frame is rendered when WebGL draw calls happened between its callback and the next one.
      const rendered = draws.slice(1).filter((d, i) => d > draws[i]!).length;
      const seconds = (times.at(-1)! - times[0]!) / 1000;
      return {
        frames: intervals.length,
        fps: +(intervals.length / seconds).toFixed(1),
        renderedFrames: rendered,
        renderedFps: +(rendered / seconds).toFixed(1),
        frameMsP50: +percentile(intervals, 50).toFixed(1),
        frameMsP95: +percentile(intervals, 95).toFixed(1),
        frameMsMax: +Math.max(...intervals).toFixed(1),
        framesOver33ms: intervals.filter((x) => x > 33.4).length,
      };
    };
    /** The whole chart in view before each phase, so every phase draws the same picture. */
    const fit = async () => {
      await page.getByRole('button', { name: 'Fit', exact: true }).click();
      await page.waitForTimeout(800);
    };
    const idle = await measure('idle', 2);
    await fit();
    // Default for a chart this size: links hidden while the camera moves (level of detail).
    const pan = await measure('pan', SECONDS);
    await fit();
    const zoom = await measure('zoom', SECONDS);
    await fit();
    mkdirSync(join('test-output', 'screenshots'), { recursive: true });
    await page.screenshot({ path: join('test-output', 'screenshots', 'bench-chart-5000.png') });
    // Every link drawn on every frame too ("Links while moving" ticked).
    if (await page.getByLabel('Links while moving').count()) await page.getByLabel('Links while moving').check();
    await page.waitForTimeout(500);
    const panAllLinks = await measure('pan', SECONDS);
    await fit();
    const zoomAllLinks = await measure('zoom', SECONDS);
    const stage = (await page.locator('.chart-canvas').boundingBox())!;
    const controlFps = +Number(await page.evaluate(`(${CONTROL})(${Math.round(stage.width)}, ${Math.round(stage.height)}, 3)`)).toFixed(1);

    const result = {
      nodes: people,
      links: links.length,
      chartShows: shown.trim(),
      webgl: renderer,
      software: /swiftshader/i.test(renderer),
      chromiumFlags: flags,
      viewport: '1440x900',
      seedMs: Math.round(seedMs),
      openChartMs: Math.round(loadMs),
      layoutMs: Math.round(layoutMs),
      idle,
      pan,
      zoom,
      linksWhileMoving: { pan: panAllLinks, zoom: zoomAllLinks },
      control: { what: 'three blank WebGL canvases the size of the chart, cleared every frame', fps: controlFps, canvas: `${Math.round(stage.width)}x${Math.round(stage.height)}` },
      goal: '≥ 30 fps pan/zoom at 5,000 nodes',
      met: pan.renderedFps >= 30 && zoom.renderedFps >= 30,
      cpus: (await import('node:os')).cpus().length,
      loadAverageAtEnd: (await import('node:os')).loadavg()[0],
      note: 'WebGL on SwiftShader (CPU software rendering, no GPU); a frame counts when sigma issued draw calls in it. pan/zoom: the default for a chart above 3,000 links (links hidden while the camera moves, drawn when it stops); linksWhileMoving: every link drawn on every frame. cpuMs: CPU time of the Chromium processes during the phase (load-independent cost per frame).',
    };
    const path = writeResult('web-chart', result);
    console.log(JSON.stringify({ ...result, chromiumFlags: undefined }, null, 2));
    console.log(`wrote ${path}`);
  } finally {
    await browser.close();
    await server.close();
    await store.close();
  }
}

await main();
