import { existsSync } from 'node:fs';
import { TesseraError } from '../../model/index.js';
import { escapeHtml } from './dossier-html.js';

/** Chromium flags for a headless print on a server: no sandbox (containers), no GPU, nothing phoning home. */
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-dev-shm-usage'];

/** At most this many Chromium processes print at once (each takes ~100 MB); later requests wait their turn. */
const MAX_CONCURRENT_PRINTS = 2;
let printing = 0;
const waiting: (() => void)[] = [];

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (printing >= MAX_CONCURRENT_PRINTS) await new Promise<void>((resolve) => waiting.push(resolve));
  printing++;
  try {
    return await work();
  } finally {
    printing--;
    waiting.shift()?.();
  }
}

/** Refuses a PDF export up front (before anything is disclosed) when Chromium is not installed. */
export function assertChromium(chromiumPath: string): void {
  if (!existsSync(chromiumPath)) {
    throw new TesseraError(
      'CONFIG',
      `PDF dossiers are printed by Chromium, which is not installed at ${chromiumPath}: install Debian's chromium (apt-get install chromium) or set TESSERA_CHROMIUM to its path. The HTML format works without it.`,
      { field: 'format', context: { chromiumPath } },
    );
  }
}

/**
 * Prints a self-contained HTML document to an A4 PDF with headless Chromium (playwright-core), the
 * marking in the header and page numbers in the footer of every page. The page has JavaScript off
 * and every network request refused, so the document can load nothing and run nothing.
 */
export async function printPdf(html: string, options: { readonly chromiumPath: string; readonly marking: string }): Promise<Buffer> {
  assertChromium(options.chromiumPath);
  const { chromium } = await import('playwright-core');
  return slot(async () => {
    const browser = await chromium.launch({ executablePath: options.chromiumPath, headless: true, args: CHROMIUM_ARGS });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      const page = await context.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      const small = 'font: 8px sans-serif; width: 100%; padding: 0 14mm; color: #111;';
      return await page.pdf({
        format: 'A4',
        printBackground: true,
        preferCSSPageSize: true,
        displayHeaderFooter: true,
        headerTemplate: `<div style="${small} text-align: center; font-weight: bold; text-transform: uppercase;">${escapeHtml(options.marking)}</div>`,
        footerTemplate: `<div style="${small} text-align: right;">page <span class="pageNumber"></span> of <span class="totalPages"></span></div>`,
      });
    } finally {
      await browser.close();
    }
  });
}
