// End-to-end: the real Raf window (Tauri + WebKitWebDriver), each test on its own
// catalog file. Run by scripts/test.sh under xvfb-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { appPids, CLI, launch, text, waitFor, waitText } from './driver.js';

/** Creates a product through the editor (Ctrl+N) and waits for its page. */
async function createProduct(browser, sku, name) {
  await browser.keys(['Control', 'n']);
  await (await waitFor(browser, '#f-sku')).setValue(sku);
  await (await browser.$('#f-name')).setValue(name);
  await (await browser.$('#save-product')).click();
  await browser.waitUntil(async () => (await browser.getUrl()).endsWith(`#/product/${encodeURIComponent(sku)}`), { timeout: 10_000 });
  await waitFor(browser, '#adjust-submit');
}

/** The rows of the history table, newest first: [kind, change, after]. */
function history(browser) {
  return browser.execute(() =>
    [...document.querySelectorAll('[data-testid="history"] tbody tr[data-movement]')].map((tr) =>
      [...tr.children].slice(3, 6).map((td) => td.textContent)));
}

test('a product with a Renk × Beden variant matrix and prices', async () => {
  const { browser, stop } = await launch();
  try {
    const empty = await waitText(browser, '[data-testid="empty"]', /Henüz ürün yok/);
    assert.match(empty, /Henüz ürün yok/, 'a new catalog says what to do next');
    await createProduct(browser, 'TS-1', 'Tişört Basic');

    // Enter (U+E007 in WebDriver) starts the second line, as a user would.
    await (await browser.$('#axes')).setValue('Renk: Beyaz, Siyah\uE007Beden: S, M, L');
    await (await browser.$('#generate-variants')).click();
    await browser.waitUntil(async () => (await browser.$$('[data-testid="variants"] tbody tr')).length === 6, { timeout: 10_000 });
    const skus = await browser.execute(() => [...document.querySelectorAll('[data-testid="variants"] tbody tr')].map((tr) => tr.dataset.sku));
    assert.deepEqual(skus.sort(), ['TS-1-BEYAZ-L', 'TS-1-BEYAZ-M', 'TS-1-BEYAZ-S', 'TS-1-SIYAH-L', 'TS-1-SIYAH-M', 'TS-1-SIYAH-S']);

    await (await browser.$('#price-sale-1')).setValue('1.234,5');
    await (await browser.$('#price-list-1')).setValue('1.500');
    await (await browser.$('#price-sale-2')).setValue('999,90');
    await (await browser.$('#save-prices')).click();
    await browser.waitUntil(async () => (await (await browser.$('#price-sale-1')).getValue()) === '1.234,50', { timeout: 10_000 });
    assert.equal(await (await browser.$('#price-list-1')).getValue(), '1.500,00');
    assert.equal(await (await browser.$('#price-sale-2')).getValue(), '999,90');

    // A variant's own barcode and price; empty groups show the product's price greyed.
    await (await browser.$('button[data-edit="TS-1-SIYAH-L"]')).click();
    assert.equal(await (await waitFor(browser, '#vprice-sale-2')).getAttribute('placeholder'), '999,90');
    await (await browser.$('#v-barcode')).setValue('8690000000017');
    await (await browser.$('#vprice-sale-1')).setValue('1.299,9');
    await (await browser.$('[data-testid="dialog-ok"]')).click();
    await waitText(browser, '[data-testid="variants"] tr[data-sku="TS-1-SIYAH-L"]', /8690000000017/);
    await (await browser.$('button[data-edit="TS-1-SIYAH-L"]')).click();
    assert.equal(await (await waitFor(browser, '#vprice-sale-1')).getValue(), '1.299,90');
    await browser.keys(['Escape']);
    // Removing a variant without stock leaves five.
    await browser.waitUntil(async () => !(await browser.$('dialog').isExisting()), { timeout: 10_000 });
    await (await browser.$('button[data-remove="TS-1-BEYAZ-S"]')).click();
    await (await waitFor(browser, '[data-testid="dialog-ok"]')).click();
    await browser.waitUntil(async () => (await browser.$$('[data-testid="variants"] tbody tr')).length === 5, { timeout: 10_000 });

    await browser.execute(() => { location.hash = '#/products'; });
    const price = await waitText(browser, '.row[data-sku="TS-1"] [data-col="price"]', /₺/);
    assert.equal(price, '1.234,50 ₺');
    assert.equal(await text(browser, '.row[data-sku="TS-1"] [data-col="name"]'), 'Tişört Basic');

    // A manual order's line finds the product by name, then offers its variants.
    await browser.execute(() => { location.hash = '#/orders'; });
    await (await waitFor(browser, '#new-order')).click();
    const options = () => browser.execute(() => [...document.querySelectorAll('dialog datalist option')].map((o) => /** @type {HTMLOptionElement} */ (o).value));
    await (await waitFor(browser, 'dialog .line-sku')).setValue('tişört');
    await browser.waitUntil(async () => (await options()).includes('TS-1'), { timeout: 10_000 });
    await (await browser.$('dialog .line-sku')).setValue('TS-1');
    await browser.waitUntil(async () => (await options()).length === 5, { timeout: 10_000 });
    assert.ok((await options()).every((sku) => sku.startsWith('TS-1-')), 'the variants of TS-1');
  } finally {
    await stop();
  }
});

test('adjust stock, see the history, undo a movement', async () => {
  const { browser, stop } = await launch();
  try {
    await waitFor(browser, '#product-search');
    await createProduct(browser, 'LED-9W', 'IŞIK LED Ampul 9W');

    await (await browser.$('#adjust-qty')).setValue('12');
    await (await browser.$('#adjust-reason')).setValue('tedarikçi teslimatı');
    await (await browser.$('#adjust-submit')).click();
    assert.match(await waitText(browser, '[data-testid="on-hand"]', /12 adet/), /Eldeki: 12 adet/);

    await (await waitFor(browser, '#adjust-op')).selectByAttribute('value', 'sub');
    await (await browser.$('#adjust-qty')).setValue('3,5');
    await (await browser.$('#adjust-submit')).click();
    assert.match(await waitText(browser, '[data-testid="on-hand"]', /8,5 adet/), /Eldeki: 8,5 adet/);
    await browser.waitUntil(async () => (await history(browser)).length === 2, { timeout: 10_000 });
    assert.deepEqual(await history(browser), [['Çıkış', '-3,5', '8,5'], ['Giriş', '+12', '12']]);

    // Undo the subtraction: a compensating movement, the original struck through.
    await (await browser.$('[data-testid="history"] tr[data-movement="2"] button.undo')).click();
    assert.match(await waitText(browser, '[data-testid="on-hand"]', /Eldeki: 12 adet/), /Eldeki: 12 adet/);
    await browser.waitUntil(async () => (await history(browser)).length === 3, { timeout: 10_000 });
    assert.deepEqual((await history(browser))[0], ['Geri alma (#2)', '+3,5', '12']);
    assert.match(await text(browser, '[data-testid="history"] tr[data-movement="2"]'), /#3 ile geri alındı/);

    // The ledger screen shows the same three movements.
    await browser.execute(() => { location.hash = '#/movements'; });
    await browser.waitUntil(async () => (await browser.$$('[data-testid="ledger"] tbody tr')).length === 3, { timeout: 10_000 });
  } finally {
    await stop();
  }
});

test('search ışık finds IŞIK; English switches the UI and its number format live', async () => {
  const { browser, stop } = await launch();
  try {
    await waitFor(browser, '#product-search');
    await createProduct(browser, 'LED-9W', 'IŞIK LED Ampul 9W');
    await (await browser.$('#price-sale-1')).setValue('1234,56');
    await (await browser.$('#save-prices')).click();
    await browser.waitUntil(async () => (await (await browser.$('#price-sale-1')).getValue()) === '1.234,56', { timeout: 10_000 });
    await createProduct(browser, 'KBL-1', 'Uzatma Kablosu 3 m');

    await browser.execute(() => { location.hash = '#/products'; });
    await waitText(browser, '[data-testid="product-count"]', /2 ürün/);
    // Ctrl+F focuses the search box from anywhere.
    await (await browser.$('.scroller')).click();
    await browser.keys(['Control', 'f']);
    await browser.keys('ışık'.split(''));
    assert.equal(await waitText(browser, '[data-testid="product-count"]', /^1 ürün$/), '1 ürün');
    const rows = await browser.execute(() => [...document.querySelectorAll('.rows .row[data-sku]')].map((row) => row.dataset.sku));
    assert.deepEqual(rows, ['LED-9W']);
    assert.equal(await text(browser, '.row[data-sku="LED-9W"] [data-col="price"]'), '1.234,56 ₺');

    await (await browser.$('a[data-route="settings"]')).click();
    await (await waitFor(browser, '#language')).selectByAttribute('value', 'en');
    assert.equal(await waitText(browser, 'a[data-route="products"]', /^Products$/), 'Products');
    assert.equal(await text(browser, 'main h1'), 'Settings');
    assert.equal(await browser.execute(() => document.documentElement.lang), 'en');

    await (await browser.$('a[data-route="products"]')).click();
    assert.equal(await waitText(browser, '.row[data-sku="LED-9W"] [data-col="price"]', /₺1,234\.56/), '₺1,234.56');
    assert.equal(await text(browser, '[data-testid="product-count"]'), '1 products');
    assert.match(await (await browser.$('#product-search')).getAttribute('placeholder'), /^Search/);
  } finally {
    await stop();
  }
});

test('the price header sorts the table by price, products without one last', async () => {
  const { browser, stop } = await launch({
    seed: [
      ['init'],
      ['product', 'add', 'LAMBA-1', 'Masa Lambası', '--price', '250'],
      ['product', 'add', 'KABLO', 'Uzatma Kablosu', '--price', '49.9'],
      ['product', 'add', 'LAMBA-2', 'Tavan Lambası'],
      ['product', 'add', 'LAMBA-3', 'Duvar Lambası', '--price', '1250'],
    ],
  });
  const order = () => browser.execute(() => [...document.querySelectorAll('.rows .row[data-sku]')].map((row) => row.dataset.sku));
  const waitOrder = async (expected) => {
    await browser.waitUntil(async () => JSON.stringify(await order()) === JSON.stringify(expected), { timeout: 10_000 }).catch(() => {});
    assert.deepEqual(await order(), expected);
  };
  try {
    await waitText(browser, '[data-testid="product-count"]', /4 ürün/);
    await waitOrder(['LAMBA-3', 'LAMBA-1', 'LAMBA-2', 'KABLO']); // by name: Duvar, Masa, Tavan, Uzatma

    const priceHead = '.row.head [data-sort="price"]';
    await (await browser.$(`${priceHead} .sort-head`)).click();
    await waitOrder(['KABLO', 'LAMBA-1', 'LAMBA-3', 'LAMBA-2']);
    assert.equal(await (await browser.$(priceHead)).getAttribute('aria-sort'), 'ascending');
    assert.equal(await browser.execute(() => /** @type {HTMLSelectElement} */ (document.querySelector('select[aria-label="Sıralama"]'))?.value ?? null), 'price');

    // Again: descending, and the product without a price stays last.
    await (await browser.$(`${priceHead} .sort-head`)).click();
    await waitOrder(['LAMBA-3', 'LAMBA-1', 'KABLO', 'LAMBA-2']);
    assert.equal(await (await browser.$(priceHead)).getAttribute('aria-sort'), 'descending');

    // The order holds with a search.
    await (await browser.$('#product-search')).setValue('lamba');
    await waitText(browser, '[data-testid="product-count"]', /^3 ürün$/);
    await waitOrder(['LAMBA-3', 'LAMBA-1', 'LAMBA-2']);
  } finally {
    await stop();
  }
});

test('a small damaged catalog, refused as it opens, is named in the banner; a backup restored over it brings it back', async () => {
  // A small catalog (checked as it opens): a few thousand products, so it spans many pages.
  const files = mkdtempSync(join(tmpdir(), 'raf-sheet-'));
  const [sheet, backup] = [join(files, 'urunler.csv'), join(files, 'yedek.db')];
  const rows = Array.from({ length: 3000 }, (_, i) => `P-${i};Ürün ${i} ${'uzun bir ad '.repeat(8)}`);
  writeFileSync(sheet, ['Stok Kodu;Ürün Adı', ...rows].join('\n'));
  const { browser, dir, stop } = await launch({
    seed: [['init'], ['import', sheet], ['backup', backup]],
    prepare: (db) => {
      // Garbage over the middle of the closed file, as a failing disk would leave it.
      const size = statSync(db).size;
      assert.ok(size > 256 * 1024, `a file of many pages, got ${size} bytes`);
      const fd = openSync(db, 'r+');
      writeSync(fd, Buffer.alloc(64 * 1024, 0x5a), 0, 64 * 1024, Math.floor(size / 2));
      closeSync(fd);
    },
  });
  try {
    const banner = await waitText(browser, '[data-testid="banner"]', /bozuk/);
    assert.match(banner, /Katalog dosyası bozuk\. Ayarlar’dan bir yedeği geri yükleyin\./);
    assert.equal(await text(browser, '[data-testid="banner"] a'), 'Ayarlar');
    assert.match(await (await browser.$('[data-testid="banner"] a')).getAttribute('href'), /#\/settings$/);

    // Settings' restore (its file dialog aside): the backup takes the damaged file's place
    // and Raf starts again on it, which ends this WebDriver session.
    const db = join(dir, 'raf.db');
    const before = appPids(db);
    browser.executeAsync((path, done) => {
      const { core } = /** @type {any} */ (window).__TAURI__;
      core.invoke('restore', { path, task: 1, onProgress: new core.Channel() }).then(() => done('ok'), (e) => done(e));
    }, backup).catch(() => {});
    const restarted = () => appPids(db).some((pid) => !before.includes(pid));
    const deadline = Date.now() + 20_000;
    while (!restarted() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    assert.ok(restarted(), 'Raf started again');
    assert.ok(existsSync(`${db}.damaged`), 'the damaged file is kept beside the restored one');
    const listed = spawnSync(CLI, ['--db', db, '--json', 'product', 'list', '--count'], { encoding: 'utf8' });
    assert.equal(listed.status, 0, listed.stderr);
    assert.equal(JSON.parse(listed.stdout).count, 3000);
  } finally {
    await stop();
  }
});

test('without a GPU the app paints with no GL: Mesa and its LLVM are never loaded; with one, GL is used', async () => {
  const { browser, dir, stop } = await launch();
  try {
    assert.match(await waitText(browser, '[data-testid="empty"]', /Henüz ürün yok/), /Henüz ürün yok/, 'the window is up');
    const [pid] = appPids(join(dir, 'raf.db'));
    const maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
    const gl = ['libLLVM', 'swrast_dri', 'libGLX_mesa', 'libEGL_mesa'].filter((lib) => maps.includes(lib));
    const gpu = existsSync('/dev/dri') && readdirSync('/dev/dri').some((node) => node.startsWith('renderD'));
    if (gpu) assert.ok(maps.includes('libGLX_') || maps.includes('libEGL_'), 'with a GPU, GTK and WebKit use GL');
    else assert.deepEqual(gl, [], 'no GPU render node: nothing of Mesa mapped (src-tauri/src/webkit.rs)');
  } finally {
    await stop();
  }
});
