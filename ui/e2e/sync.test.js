// End-to-end: the Sync screen in the real app against the fake Sopyo, stokdurumu and
// KolayBi servers (the `fake_*` examples, real HTTP on 127.0.0.1). Tokens go to keyring's
// mock store (RAF_KEYRING=mock: kept for the app process's life).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer } from 'node:http';
import { dirname, join, resolve } from 'node:path';
import { launch, text, waitFor, waitText } from './driver.js';

const here = new URL('.', import.meta.url).pathname;
const EXAMPLES = join(dirname(process.env.RAF_DESKTOP_BIN ?? resolve(here, '../../target/debug/raf-desktop')), 'examples');

/**
 * Starts `fake_<kind>` on a free port with `count` sample products; resolves with its
 * base URL and the first line it printed (which names the token, and the Channel).
 */
function startFake(kind, count) {
  const child = spawn(join(EXAMPLES, `fake_${kind}`), ['127.0.0.1:0', String(count)], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((done, fail) => {
    let out = '';
    child.on('error', fail);
    child.on('exit', (code) => fail(new Error(`fake_${kind} exited (${code}): ${out}`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const url = /listening on (\S+)/.exec(out);
      if (url) done({ url: url[1], banner: out, stop: () => child.kill('SIGTERM') });
    });
  });
}

/**
 * A proxy on 127.0.0.1 that answers every request `delay` ms late (a slow shop API), so
 * a run lasts long enough to watch its progress and cancel it.
 */
function slowProxy(target, delay) {
  const server = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    await new Promise((r) => setTimeout(r, delay));
    const headers = Object.fromEntries(['authorization', 'content-type', 'accept'].filter((h) => req.headers[h]).map((h) => [h, req.headers[h]]));
    const upstream = await fetch(`${target}${req.url}`, { method: req.method, headers, body: chunks.length ? Buffer.concat(chunks) : undefined });
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(Buffer.from(await upstream.arrayBuffer()));
  });
  return new Promise((done) => server.listen(0, '127.0.0.1', () => done({ origin: `http://127.0.0.1:${server.address().port}`, close: () => server.close() })));
}

/** Calls the fake Sopyo's own API as a logged-in client: `(method, path, body) => json`. */
async function sopyoClient(url, token) {
  const login = await fetch(`${url}/auth/login`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ api_token: token }),
  }).then((r) => r.json());
  const headers = { authorization: `Bearer ${login.access_token.token}`, accept: 'application/json', 'content-type': 'application/json' };
  return (method, path, body) => fetch(`${url}${path}`, { method, headers, body: body && JSON.stringify(body) }).then((r) => r.json());
}

/** What the fake Sopyo holds for `sku`. */
async function sopyoProduct(url, token, sku) {
  const api = await sopyoClient(url, token);
  return (await api('GET', `/products?stock_code[eq]=${encodeURIComponent(sku)}`)).data[0];
}

/** Sets price group 1 of `sku` in the product editor. */
async function setLocalPrice(browser, sku, value) {
  await browser.execute((s) => { location.hash = `#/product/${s}`; }, sku);
  // The previous product's editor stays until the hash change is handled: wait for this one.
  await browser.waitUntil(async () => (await browser.execute(() => document.getElementById('f-sku')?.value)) === sku, { timeout: 10_000 });
  const sale = await waitFor(browser, '#price-sale-1');
  await sale.clearValue();
  await sale.setValue(value);
  await (await browser.$('#save-prices')).click();
  await browser.waitUntil(async () => (await (await browser.$('#price-sale-1')).getValue()) === value, { timeout: 10_000 });
}

/** Adds a connection through the Add-connection dialog. */
async function addConnection(browser, { kind, name, url, token, channel }) {
  await (await waitFor(browser, '#sync-add')).click();
  await (await waitFor(browser, '#sync-kind')).selectByAttribute('value', kind);
  await (await browser.$('#sync-name')).setValue(name);
  await (await browser.$('#sync-url')).setValue(url);
  await (await browser.$('#sync-token')).setValue(token);
  if (channel) await (await waitFor(browser, '#sync-channel')).setValue(channel);
  await (await browser.$('[data-testid="dialog-ok"]')).click();
  await waitFor(browser, `[data-connection="${name}"] .sync-now`);
}

/** Clicks Sync now on a card and waits for the run to finish; returns its status. */
async function syncNow(browser, name) {
  const before = await browser.execute((n) => document.querySelector(`[data-connection="${n}"] [data-testid="last-run"]`)?.textContent ?? '', name);
  await (await waitFor(browser, `[data-connection="${name}"] .sync-now`)).click();
  await browser.waitUntil(async () => {
    const now = await browser.execute((n) => {
      const card = document.querySelector(`[data-connection="${n}"]`);
      const last = card?.querySelector('[data-testid="last-run"]');
      return card?.dataset.running === 'false' && last?.dataset.status ? last.textContent : '';
    }, name);
    return now && now !== before;
  }, { timeout: 60_000, interval: 200 });
  return browser.execute((n) => document.querySelector(`[data-connection="${n}"] [data-testid="last-run"]`).dataset.status, name);
}

/** The indicator's pending count once it equals `n` (or the last one seen). */
async function waitPending(browser, n) {
  let seen = '';
  await browser.waitUntil(async () => {
    seen = await browser.execute(() => document.getElementById('sync-indicator').dataset.pending);
    return seen === String(n);
  }, { timeout: 15_000, interval: 200 }).catch(() => {});
  return Number(seen);
}

test('Sync screen: Sopyo pull and push, then stokdurumu and KolayBi, from the real app', async () => {
  process.env.RAF_KEYRING = 'mock';
  const sopyo = await startFake('sopyo', 12);
  const stok = await startFake('stokdurumu', 0);
  const kolay = await startFake('kolaybi', 0);
  const sopyoToken = /API token: ([^)\s]+)/.exec(sopyo.banner)[1];
  const { browser, stop } = await launch();
  try {
    await waitFor(browser, '#product-search');
    await (await browser.$('a[data-route="sync"]')).click();
    assert.match(await waitText(browser, '[data-testid="empty"]', /Bağlantı yok/), /Bağlantı yok/);

    await addConnection(browser, { kind: 'sopyo', name: 'magaza', url: sopyo.url, token: sopyoToken });
    assert.equal(await text(browser, '[data-connection="magaza"] [data-testid="last-run"]'), 'Henüz eşitlenmedi.');
    await (await browser.$('[data-connection="magaza"] .test')).click();
    assert.match(await waitText(browser, '#toasts', /giriş başarılı/, 20_000), /magaza: giriş başarılı/);

    assert.equal(await syncNow(browser, 'magaza'), 'ok');
    assert.match(await text(browser, '[data-connection="magaza"] [data-testid="last-run"]'), /Çekilen: 12 ürün, 6 varyant, 1 sipariş/);
    assert.equal(await waitPending(browser, 0), 0, 'nothing left to send after the first pull');
    assert.match(await text(browser, '#sync-indicator'), /Eşitlendi/);

    // The pulled catalog is in the products screen.
    await (await browser.$('a[data-route="products"]')).click();
    assert.match(await waitText(browser, '[data-testid="product-count"]', /^12 ürün$/), /^12 ürün$/);
    assert.equal(await text(browser, '.row[data-sku="DEMO-0002"] [data-col="name"]'), 'Örnek ürün 2');

    // A local price edit waits as one pending change, then reaches the fake.
    await setLocalPrice(browser, 'DEMO-0002', '99,90');
    assert.equal(await waitPending(browser, 1), 1, 'the edit is queued for Sopyo');
    assert.match(await text(browser, '#sync-indicator'), /1 bekleyen değişiklik/);

    await (await browser.$('#sync-indicator')).click();
    assert.match(await waitText(browser, '[data-connection="magaza"] [data-testid="pending"]', /1 bekleyen/), /1 bekleyen değişiklik/);
    assert.equal(await syncNow(browser, 'magaza'), 'ok');
    assert.equal(await waitPending(browser, 0), 0);
    const remote = await sopyoProduct(sopyo.url, sopyoToken, 'DEMO-0002');
    assert.equal(Number(remote.price_1.sale_price), 99.9, 'the fake Sopyo holds the new price');

    // Both sides change the same prices: conflicts with both values; one keeps Raf's
    // value (sent on the next sync), the other takes the remote's.
    const api = await sopyoClient(sopyo.url, sopyoToken);
    for (const sku of ['DEMO-0003', 'DEMO-0004']) {
      const id = (await sopyoProduct(sopyo.url, sopyoToken, sku)).id;
      await api('PUT', `/products/${id}`, { price_1: { sale_price: 55 } });
      await setLocalPrice(browser, sku, '44,00');
    }
    await browser.execute(() => { location.hash = '#/sync'; });
    await syncNow(browser, 'magaza');
    await browser.waitUntil(async () => (await browser.$$('[data-testid="conflicts"] tr[data-conflict]')).length === 2, { timeout: 10_000 });
    const conflicts = await browser.execute(() => [...document.querySelectorAll('[data-testid="conflicts"] tr[data-conflict]')]
      .map((tr) => [...tr.children].slice(0, 5).map((td) => td.textContent)));
    assert.deepEqual(conflicts.sort(), [
      ['DEMO-0003', 'Fiyat grubu 1', 'magaza', '44,00', '55,00'],
      ['DEMO-0004', 'Fiyat grubu 1', 'magaza', '44,00', '55,00'],
    ]);
    await (await browser.$('//tr[td[1]="DEMO-0003"]//button[contains(@class,"take-remote")]')).click();
    await browser.waitUntil(async () => (await browser.$$('[data-testid="conflicts"] tr[data-conflict]')).length === 1, { timeout: 10_000 });
    await (await browser.$('//tr[td[1]="DEMO-0004"]//button[contains(@class,"keep-local")]')).click();
    assert.match(await waitText(browser, '[data-testid="conflicts"]', /Çakışma yok/), /Çakışma yok/);
    await syncNow(browser, 'magaza');
    assert.equal(Number((await sopyoProduct(sopyo.url, sopyoToken, 'DEMO-0004')).price_1.sale_price), 44, 'Raf’s value was sent');
    assert.equal(Number((await sopyoProduct(sopyo.url, sopyoToken, 'DEMO-0003')).price_1.sale_price), 55);
    await browser.execute(() => { location.hash = '#/product/DEMO-0003'; });
    await browser.waitUntil(async () => (await (await waitFor(browser, '#price-sale-1')).getValue()) === '55,00', { timeout: 10_000 });
    await browser.execute(() => { location.hash = '#/sync'; });

    // The other two kinds: added with their own credentials, and run.
    const stokKey = /API key: ([^)\s]+)/.exec(stok.banner)[1];
    const [, kolayKey, channel] = /API key: ([^,\s]+), Channel: ([^)\s]+)/.exec(kolay.banner);
    await addConnection(browser, { kind: 'stokdurumu', name: 'stok', url: stok.url, token: stokKey });
    await addConnection(browser, { kind: 'kolaybi', name: 'kolay', url: kolay.url, token: kolayKey, channel });
    const kinds = await browser.execute(() => [...document.querySelectorAll('[data-connection]')].map((c) => `${c.dataset.connection}:${c.dataset.kind}`));
    assert.deepEqual(kinds.sort(), ['kolay:kolaybi', 'magaza:sopyo', 'stok:stokdurumu']);
    for (const name of ['stok', 'kolay']) {
      assert.match(await syncNow(browser, name), /^(ok|partial)$/, `${name} ran`);
    }

    // Settings are saved (stokdurumu's plan sets its daily quota); a removed connection goes.
    await (await browser.$('[data-connection="stok"] .settings')).click();
    await (await waitFor(browser, '#sync-plan')).selectByAttribute('value', 'basic');
    await (await browser.$('[data-testid="dialog-ok"]')).click();
    await browser.waitUntil(async () => !(await browser.$('dialog').isExisting()), { timeout: 10_000 });
    await (await waitFor(browser, '[data-connection="stok"] .settings')).click();
    assert.equal(await (await waitFor(browser, '#sync-plan')).getValue(), 'basic');
    await browser.keys(['Escape']);
    await (await waitFor(browser, '[data-connection="kolay"] .remove')).click();
    await (await waitFor(browser, '[data-testid="dialog-ok"]')).click();
    await browser.waitUntil(async () => !(await browser.$('[data-connection="kolay"]').isExisting()), { timeout: 10_000 });

    // A refused key: the run fails, its card and the indicator say why.
    await addConnection(browser, { kind: 'sopyo', name: 'yanlis', url: sopyo.url, token: 'not-the-token' });
    assert.equal(await syncNow(browser, 'yanlis'), 'failed');
    assert.match(await waitText(browser, '#toasts', /401/), /API anahtarını kabul etmedi \(401\)/);
    assert.equal(await browser.execute(() => document.getElementById('sync-indicator').dataset.state), 'error');
    assert.match(await text(browser, '#sync-indicator'), /Eşitleme başarısız/);
  } finally {
    await stop();
    for (const fake of [sopyo, stok, kolay]) fake.stop();
  }
});

test('Sync screen: a slow run shows its progress and the indicator spins; Cancel stops it, the next run finishes', async () => {
  process.env.RAF_KEYRING = 'mock';
  const sopyo = await startFake('sopyo', 1000);
  const token = /API token: ([^)\s]+)/.exec(sopyo.banner)[1];
  const proxy = await slowProxy(new URL(sopyo.url).origin, 400);
  const { browser, stop } = await launch();
  try {
    await waitFor(browser, '#product-search');
    await browser.execute(() => { location.hash = '#/sync'; });
    await addConnection(browser, { kind: 'sopyo', name: 'yavas', url: `${proxy.origin}/api/v2`, token });
    await (await browser.$('[data-connection="yavas"] .sync-now')).click();
    // Ten pages of 100 products, each answered 400 ms late.
    assert.match(await waitText(browser, '[data-connection="yavas"] [data-testid="progress-text"]', /sayfa [1-9] \/ 10/, 20_000), /Ürünler çekiliyor: sayfa \d \/ 10/);
    assert.equal(await browser.execute(() => document.getElementById('sync-indicator').dataset.state), 'syncing');
    assert.match(await text(browser, '#sync-indicator'), /Eşitleniyor/);
    assert.equal(await (await browser.$('[data-connection="yavas"] .sync-now')).isEnabled(), false, 'one run at a time');
    await (await browser.$('[data-connection="yavas"] .cancel')).click();
    assert.match(await waitText(browser, '#toasts', /iptal/, 20_000), /İşlem iptal edildi/);
    await browser.waitUntil(async () => (await browser.execute(() => document.querySelector('[data-connection="yavas"] [data-testid="last-run"]')?.dataset.status)) === 'cancelled', { timeout: 10_000 });
    assert.match(await text(browser, '[data-connection="yavas"] [data-testid="last-run"]'), /iptal edildi/);
    assert.equal(await browser.execute(() => document.getElementById('sync-indicator').dataset.state), 'idle', 'a cancel is no error');

    // Each page read is applied as it arrives (a paused or cancelled scan keeps its work);
    // the next run reads on and ends with every product once.
    await (await browser.$('a[data-route="products"]')).click();
    const kept = Number((await waitText(browser, '[data-testid="product-count"]', /^[\d.]+ ürün$/)).replace(/\D/g, '') || '0');
    assert.ok(kept < 1000, `a cancelled pull stops early (${kept} products kept)`);
    await browser.execute(() => { location.hash = '#/sync'; });
    await syncNow(browser, 'yavas');
    await (await browser.$('a[data-route="products"]')).click();
    assert.equal(await waitText(browser, '[data-testid="product-count"]', /^1\.000 ürün$/, 20_000), '1.000 ürün', 'no product twice');
  } finally {
    await stop();
    proxy.close();
    sopyo.stop();
  }
});

test('Sync screen: without a keychain the Add dialog says so, in the user’s language', async () => {
  // No Secret Service to reach (a headless Linux box): keyring cannot store the key.
  delete process.env.RAF_KEYRING;
  const bus = process.env.DBUS_SESSION_BUS_ADDRESS;
  process.env.DBUS_SESSION_BUS_ADDRESS = 'unix:path=/nonexistent/raf-e2e-bus';
  const { browser, stop } = await launch();
  try {
    await waitFor(browser, '#product-search');
    await browser.execute(() => { location.hash = '#/sync'; });
    await (await waitFor(browser, '#sync-add')).click();
    await (await waitFor(browser, '#sync-name')).setValue('magaza');
    await (await browser.$('#sync-url')).setValue('http://127.0.0.1:9/api/v2');
    await (await browser.$('#sync-token')).setValue('test-api-token-0123456789');
    await (await browser.$('[data-testid="dialog-ok"]')).click();
    assert.match(await waitText(browser, 'dialog .form-error', /anahtar zinciri/, 20_000), /Bu bilgisayarda anahtar zinciri yok/);
    await browser.keys(['Escape']);
    assert.match(await waitText(browser, '[data-testid="empty"]', /Bağlantı yok/), /Bağlantı yok/, 'nothing was added');
  } finally {
    await stop();
    if (bus === undefined) delete process.env.DBUS_SESSION_BUS_ADDRESS;
    else process.env.DBUS_SESSION_BUS_ADDRESS = bus;
  }
});
