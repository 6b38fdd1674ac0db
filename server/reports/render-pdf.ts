import { existsSync } from 'node:fs';

/**
 * The PDF is the HTML report printed by headless Chromium through playwright-core (which
 * downloads no browser of its own: it drives the one installed on the machine). Chromium is
 * optional: without it every other format works and the PDF fails with a message saying how
 * to install it or which path to set.
 */

export type Paper = 'A4' | 'Letter';

export interface PdfRenderer {
  /** Resolves to the PDF bytes; rejects with ChromiumMissingError when no browser can be started. */
  render(html: string, paper: Paper): Promise<Buffer>;
}

/** Where Chromium is looked for when PILLARBOARD_CHROMIUM is not set, in order. */
export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/usr/bin/google-chrome-stable'];

export const CHROMIUM_INSTALL_HINT =
  'install Chromium (Debian/Ubuntu: apt-get install chromium) or set PILLARBOARD_CHROMIUM to the path of a Chromium or Chrome binary';

export class ChromiumMissingError extends Error {
  constructor(detail: string) {
    super(`PDF reports need Chromium: ${detail}; ${CHROMIUM_INSTALL_HINT}. JSON, Markdown and HTML reports work without it.`);
    this.name = 'ChromiumMissingError';
  }
}

const LAUNCH_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** The Chromium binary to use: `configured` (PILLARBOARD_CHROMIUM) if given, else the first candidate that exists. */
export function findChromium(configured?: string): { path: string } | { missing: string } {
  if (configured) return existsSync(configured) ? { path: configured } : { missing: `PILLARBOARD_CHROMIUM=${configured} does not exist` };
  const found = CHROMIUM_CANDIDATES.find((p) => existsSync(p));
  return found ? { path: found } : { missing: `no browser at ${CHROMIUM_CANDIDATES.join(', ')}` };
}

/**
 * A renderer that starts one Chromium per PDF and closes it afterwards (a weekly report does
 * not justify a browser kept running), one at a time: concurrent calls queue, so a machine
 * never runs two browsers for reports. Each render is bounded by `timeoutMs`.
 */
export function chromiumPdfRenderer(opts: { executablePath?: string; timeoutMs?: number } = {}): PdfRenderer {
  let queue: Promise<unknown> = Promise.resolve();
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const renderOne = async (html: string, paper: Paper): Promise<Buffer> => {
    const found = findChromium(opts.executablePath);
    if ('missing' in found) throw new ChromiumMissingError(found.missing);
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    let browser: import('playwright-core').Browser;
    try {
      browser = await chromium.launch({ executablePath: found.path, args: LAUNCH_ARGS, timeout: timeoutMs });
    } catch (err) {
      throw new ChromiumMissingError(`${found.path} could not be started (${firstLine((err as Error).message)})`);
    }
    try {
      const page = await browser.newPage();
      page.setDefaultTimeout(timeoutMs);
      // The HTML is self-contained; nothing may be fetched while printing it.
      await page.route('**/*', (route) => (route.request().url().startsWith('data:') ? route.continue() : route.abort()));
      await page.setContent(html, { waitUntil: 'load', timeout: timeoutMs });
      const pdf = await page.pdf({ format: paper, printBackground: true, margin: { top: '14mm', bottom: '14mm', left: '12mm', right: '12mm' } });
      return Buffer.from(pdf);
    } finally {
      await browser.close().catch(() => undefined);
    }
  };
  return {
    render(html, paper) {
      const run = queue.then(() => renderOne(html, paper));
      queue = run.catch(() => undefined);
      return run;
    },
  };
}

function firstLine(s: string): string {
  return s.split('\n').find((l) => l.trim() !== '')?.trim() ?? s;
}
