/**
 * Debian's chromium under playwright-core, as the notes measured it: headless, no sandbox (root), no background
 * networking (the machine has no network and chromium would retry), a HOME of its own in the test's temp folder.
 */
import * as path from 'path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.VOICEFLOW_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-dev-shm-usage',
];

export function launchBrowser(dir: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  const home = path.join(dir, 'home');
  return chromium.launchPersistentContext(path.join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
    viewport,
    env: {
      ...process.env,
      HOME: home,
      XDG_CONFIG_HOME: path.join(home, '.config'),
      XDG_CACHE_HOME: path.join(home, '.cache'),
      XDG_DATA_HOME: path.join(home, '.local', 'share'),
    },
    timeout: 60_000,
    // Our own signal handlers close the browser *and* stop code-server; playwright's would exit the process
    // (code 130) as soon as the browser is closed, leaving code-server running.
    handleSIGINT: false,
    handleSIGTERM: false,
  });
}
