import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (apt-get install chromium), driven by playwright-core. */
export const CHROMIUM_BIN = '/usr/bin/chromium';

const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

/** One headless Chromium; the caller closes it. Two shared cores: run one at a time. */
export function launchChromium(extraArgs: string[] = []): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_BIN, args: [...ARGS, ...extraArgs], timeout: 30_000 });
}
