// Starts the real desktop app under tauri-driver (WebKitWebDriver) for one test, with
// its own catalog file and its own data folders, and returns a webdriverio session.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { remote } from 'webdriverio';

const here = new URL('.', import.meta.url).pathname;
const APP = process.env.RAF_DESKTOP_BIN ?? resolve(here, '../../target/debug/raf-desktop');
/** Each launch gets its own pair of ports: a WebKitWebDriver still exiting from the
 * previous test must not answer for the next one. */
let nextPort = 4444 + (process.pid % 50) * 40;

/** Polls tauri-driver until WebKitWebDriver behind it answers (it listens before that). */
async function waitReady(port, deadline = Date.now() + 20_000) {
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/status`);
      if (res.ok && (await res.json()).value?.ready) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('tauri-driver did not become ready');
}

/** The `raf` CLI built next to the desktop binary (cargo puts both in the same folder). */
export const CLI = process.env.RAF_CLI_BIN ?? join(dirname(APP), 'raf');

/**
 * @param {{ seed?: string[][], prepare?: (db: string) => void }} [options] `seed`: `raf` CLI
 *   commands run on the test's catalog file before the app starts (e.g.
 *   `['product', 'add', 'SKU', 'Name']`); `prepare`: then called with the file's path
 * @returns {Promise<{ browser: WebdriverIO.Browser, dir: string, stop: () => Promise<void> }>}
 */
export async function launch({ seed = [], prepare = () => {} } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'raf-e2e-'));
  for (const args of seed) {
    const run = spawnSync(CLI, ['--db', join(dir, 'raf.db'), ...args], { encoding: 'utf8', env: { ...process.env, HOME: dir } });
    if (run.status !== 0) throw new Error(`raf ${args.join(' ')}: ${run.stderr || run.error}`);
  }
  prepare(join(dir, 'raf.db'));
  const env = {
    ...process.env,
    RAF_DB: join(dir, 'raf.db'),
    // WebKit's storage (the chosen language) and the window state stay inside the test.
    XDG_DATA_HOME: join(dir, 'data'),
    XDG_CONFIG_HOME: join(dir, 'config'),
    XDG_CACHE_HOME: join(dir, 'cache'),
  };
  const port = nextPort;
  nextPort += 2;
  // tauri-driver's output is noise unless something fails (it logs a connection error
  // while WebKitWebDriver starts); the test's own assertions say what went wrong.
  const driver = spawn('tauri-driver', ['--port', String(port), '--native-port', String(port + 1)], { env, stdio: process.env.RAF_E2E_VERBOSE ? 'inherit' : 'ignore' });
  try {
    await waitReady(port);
    const browser = await remote({
      hostname: '127.0.0.1',
      port,
      logLevel: 'error',
      capabilities: /** @type {any} */ ({ 'tauri:options': { application: APP }, 'wdio:enforceWebDriverClassic': true }),
    });
    await browser.setTimeout({ implicit: 0 });
    const stop = async () => {
      await browser.deleteSession().catch(() => {});
      await stopDriver(driver);
      // The next test's app would hand over to this one (single instance) if it lingered.
      await stopApp(env.RAF_DB);
      // WebKit's helpers may still be flushing their cache into it: a leftover temp dir is harmless.
      try {
        rmSync(dir, { recursive: true, force: true, maxRetries: 5 });
      } catch {}
    };
    return { browser, dir, stop };
  } catch (err) {
    await stopDriver(driver);
    throw err;
  }
}

/** The app processes started for this test: those whose RAF_DB is this test's file. */
export function appPids(db) {
  const found = spawnSync('pgrep', ['-x', 'raf-desktop'], { encoding: 'utf8' }).stdout.split('\n').filter(Boolean);
  return found.map(Number).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0').includes(`RAF_DB=${db}`);
    } catch {
      return false; // exited meanwhile
    }
  });
}

/**
 * Ends this test's app if closing the session did not (the next test's app would hand
 * over to it: single instance), and waits until it is gone.
 */
async function stopApp(db, deadline = Date.now() + 10_000) {
  let asked = false;
  while (Date.now() < deadline) {
    const pids = appPids(db);
    if (!pids.length) return;
    if (!asked && Date.now() > deadline - 8_000) {
      for (const pid of pids) process.kill(pid, 'SIGTERM');
      asked = true;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('raf-desktop did not exit after its session ended');
}

/** SIGTERM lets tauri-driver stop WebKitWebDriver too (no orphan holding the port). */
function stopDriver(driver) {
  return new Promise((done) => {
    if (driver.exitCode !== null) return done();
    driver.once('exit', done);
    driver.kill('SIGTERM');
  });
}

/** The element's text (textContent: WebDriver's rendered-text rules hide the table's rows). */
export function text(browser, selector) {
  return browser.execute((s) => document.querySelector(s)?.textContent ?? '', selector);
}

/** Text of the element once it matches `expected` (a regexp), or the last text seen. */
export async function waitText(browser, selector, expected, timeout = 10_000) {
  let last = '';
  await browser
    .waitUntil(async () => {
      last = await text(browser, selector);
      return expected.test(last);
    }, { timeout, interval: 100 })
    .catch(() => {});
  return last;
}

/** Waits for a hash route to finish rendering `selector`. */
export async function waitFor(browser, selector, timeout = 10_000) {
  const el = await browser.$(selector);
  await el.waitForExist({ timeout });
  return el;
}
