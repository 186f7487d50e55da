import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/** Debian's Chromium, driven by playwright-core (installed by .ci/run when missing). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Why browser tests cannot run here, or undefined when they can. In CI (CI=true) a missing Chromium
 * is a failure; elsewhere the suite is skipped with the reason printed.
 */
export function chromiumMissing(): string | undefined {
  const missing = existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found (install Debian's chromium: apt-get install -y chromium)`;
  if (missing && process.env.CI === 'true') throw new Error(`browser tests must run in CI: ${missing}`);
  if (missing) console.warn(`[skip] browser tests skipped: ${missing}`);
  return missing;
}

/**
 * Headless Chromium with the flags the issue names. `webgl` swaps `--disable-gpu` for SwiftShader
 * (software WebGL through ANGLE), which MapLibre and sigma.js need to draw in a headless browser.
 */
export function launchChromium(options: { webgl?: boolean } = {}): Promise<Browser> {
  const graphics = options.webgl ? ['--use-angle=swiftshader', '--enable-unsafe-swiftshader', '--ignore-gpu-blocklist'] : ['--disable-gpu'];
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', ...graphics, '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'],
  });
}
