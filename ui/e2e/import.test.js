// End-to-end: the import wizard in the real app, on the kind of file Turkish Excel saves
// (`;`-separated, Windows-1254, a title row above the header).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { launch, text, waitFor, waitText } from './driver.js';

/** Windows-1254 bytes of the Turkish letters Latin-1 lacks; the rest are Latin-1. */
const CP1254 = { 'Ğ': 0xd0, 'İ': 0xdd, 'Ş': 0xde, 'ğ': 0xf0, 'ı': 0xfd, 'ş': 0xfe };

/** @param {string} text */
function windows1254(text) {
  return Buffer.from([...text].map((ch) => CP1254[ch] ?? ch.charCodeAt(0)));
}

/** @param {string} dir @param {string} name @param {string[]} lines */
function sheet(dir, name, lines) {
  const path = join(dir, name);
  writeFileSync(path, windows1254(lines.join('\r\n') + '\r\n'));
  return path;
}

/** Opens `path` in the wizard and waits for its mapping grid. */
async function open(browser, path) {
  const input = await waitFor(browser, '#import-path');
  await input.setValue(path);
  await (await browser.$('#import-open')).click();
  await waitFor(browser, '[data-testid="import-grid"]');
}

/** Runs the dry run and returns the counts line. */
async function check(browser) {
  await (await browser.$('#import-check')).click();
  return waitText(browser, '[data-testid="import-counts"]', /\d+ satır/, 20_000);
}

test('import wizard: mapping, dry run with row errors, apply, undo', async () => {
  const { browser, dir, stop } = await launch();
  try {
    const header = 'Stok Kodu;Ürün Adı;Satış Fiyatı;Stok;Kategori';
    const bad = sheet(dir, 'hatali.csv', ['Mağaza ürün listesi;;;;', header, 'LMB-1;IŞIK Lamba;1.234,50;12;Aydınlatma', 'KBL-2;Kablo;abc;5;Elektrik']);
    const good = sheet(dir, 'urunler.csv', ['Mağaza ürün listesi;;;;', header,
      'LMB-1;IŞIK Lamba;1.234,50;12;Aydınlatma', 'KBL-2;Uzatma Kablosu 3 m;89,90;5;Elektrik', 'ŞRT-3;Şerit LED ığdır;45;0;Aydınlatma']);
    await waitFor(browser, '#product-search');
    await browser.execute(() => { location.hash = '#/import'; });

    // The title row is skipped; each column gets its field from the Turkish header.
    await open(browser, bad);
    assert.equal(await (await browser.$('#import-header')).getValue(), '2');
    const mapped = await browser.execute(() => [...document.querySelectorAll('[data-testid="import-grid"] select')].map((s) => /** @type {HTMLSelectElement} */ (s).value));
    assert.deepEqual(mapped, ['sku', 'name', 'price', 'stock', 'category']);
    assert.match(await text(browser, '[data-testid="import-preview-errors"]'), /abc.*Sayı değil\./);

    // The dry run names the bad cell and refuses to apply; nothing is written.
    assert.match(await check(browser), /2 satır: 1 yeni, 0 güncellenecek, 0 değişmeyecek, 1 hatalı satır/);
    assert.equal(await (await browser.$('#import-apply')).isEnabled(), false);
    const error = await browser.execute(() => [...document.querySelectorAll('[data-testid="import-errors"] tbody td')].map((td) => td.textContent));
    assert.deepEqual(error, ['4', 'Satış Fiyatı', 'abc', 'Sayı değil.']);

    // The fixed file goes in at once, Turkish letters intact.
    await open(browser, good);
    assert.match(await check(browser), /3 satır: 3 yeni, 0 güncellenecek, 0 değişmeyecek, 0 hatalı satır; 2 stok hareketi/);
    await (await browser.$('#import-apply')).click();
    assert.match(await waitText(browser, '[data-testid="import-summary"]', /#1/, 20_000), /#1: 3 yeni/);
    await browser.execute(() => { location.hash = '#/products'; });
    await waitText(browser, '[data-testid="product-count"]', /^3 ürün$/);
    assert.equal(await text(browser, '.row[data-sku="ŞRT-3"] [data-col="name"]'), 'Şerit LED ığdır');
    assert.equal(await text(browser, '.row[data-sku="LMB-1"] [data-col="price"]'), '1.234,50 ₺');

    // A price typed after the import: undo says whose edit it would overwrite, and asks again.
    await browser.executeAsync((done) => {
      const { core } = /** @type {any} */ (window).__TAURI__;
      core.invoke('price_set', { sku: 'LMB-1', group: 1, sale: '1300', list: null }).then(() => done('ok'), (e) => done(e));
    });
    // Undo from the history: the products go back to the trash, their stock reversed.
    await browser.execute(() => { location.hash = '#/import'; });
    await (await waitFor(browser, '[data-testid="import-history"] tr[data-batch="1"] button')).click();
    await (await waitFor(browser, '[data-testid="dialog-ok"]')).click();
    assert.match(await waitText(browser, '[data-testid="undo-edited"]', /LMB-1/), /#1 içe aktarmasından sonra şunlar düzenlendi: LMB-1\. Geri almak/);
    assert.equal(await text(browser, '[data-testid="dialog-ok"]'), 'Yine de geri al');
    await (await browser.$('[data-testid="dialog-ok"]')).click();
    await waitText(browser, '[data-testid="import-history"] tr[data-batch="1"]', /geri alındı/);
    await browser.execute(() => { location.hash = '#/products'; });
    assert.match(await waitText(browser, '[data-testid="empty"]', /Henüz ürün yok/), /Henüz ürün yok/);
  } finally {
    await stop();
  }
});

test('import wizard: a field on two columns is a problem to settle before the check', async () => {
  const { browser, dir, stop } = await launch();
  try {
    const twice = sheet(dir, 'iki-fiyat.csv', ['Stok Kodu;Ürün Adı;Satış Fiyatı;Satış Fiyatı', 'L-1;Lamba;10;12']);
    await waitFor(browser, '#product-search');
    await browser.execute(() => { location.hash = '#/import'; });
    await open(browser, twice);
    assert.equal(await text(browser, '[data-testid="import-mapping-problems"]'),
      '“Satış fiyatı 1” iki sütuna eşlenmiş: C (Satış Fiyatı) ve D (Satış Fiyatı). Hangisi doğruysa onu bırakıp diğerini “kullanma” yapın.');
    assert.equal(await (await browser.$('#import-check')).isEnabled(), false);

    // Column C (an old price) set to ignore: the mapping is usable, D's price goes in.
    await browser.execute(() => {
      const picker = /** @type {HTMLSelectElement} */ (document.querySelector('[data-testid="import-grid"] select[data-column="C"]'));
      picker.value = '';
      picker.dispatchEvent(new Event('change'));
    });
    await browser.waitUntil(async () => !(await (await browser.$('[data-testid="import-mapping-problems"]')).isExisting()), { timeout: 10_000 });
    assert.match(await check(browser), /1 satır: 1 yeni/);
    await (await browser.$('#import-apply')).click();
    await waitText(browser, '[data-testid="import-summary"]', /#1/, 20_000);
    await browser.execute(() => { location.hash = '#/products'; });
    assert.equal(await waitText(browser, '.row[data-sku="L-1"] [data-col="price"]', /12/), '12,00 ₺');
  } finally {
    await stop();
  }
});
