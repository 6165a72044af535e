// End-to-end: a stock count in the real Raf window. Two products are seeded with the
// `raf` CLI; a "scanner" types their barcodes fast with Enter; the lines show counts and
// variance; one difference is approved and posted; the ledger shows the count movement.
// An unknown barcode scanned twice becomes a new product on the spot, counted 2 and posted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, text, waitFor, waitText } from './driver.js';

const KALEM = '8690000000019';
const DEFTER = '8690000000026';
const ENTER = '\uE007';

/**
 * Types `code` and Enter into the focused scan box, as a keyboard-wedge scanner does.
 * One keys() call per character: WebKitWebDriver drops a repeated character inside one
 * action sequence (8690000000019 arrives as 869019).
 */
async function scan(browser, code) {
  for (const key of [...code, ENTER]) await browser.keys(key);
}

/** A line's cells: counted (its input's value), difference, value; null without a line. */
function line(browser, sku) {
  return browser.execute((sku) => {
    const tr = document.querySelector(`[data-testid="count-lines"] tr[data-sku="${sku}"]`);
    if (!tr) return null;
    const cell = (col) => tr.querySelector(`[data-col="${col}"]`);
    return { counted: cell('counted').querySelector('input').value, difference: cell('difference').textContent, value: cell('value').textContent };
  }, sku);
}

async function waitLine(browser, sku, counted) {
  let last = null;
  await browser.waitUntil(async () => (last = await line(browser, sku))?.counted === counted, { timeout: 10_000 }).catch(() => {});
  return last;
}

test('a count scanned with a keyboard-wedge scanner is approved, posted and seen in the ledger', async () => {
  const { browser, stop } = await launch({
    seed: [
      ['init'],
      ['product', 'add', 'KALEM', 'Kalem', '--barcode', KALEM, '--stock', '10', '--purchase-price', '2.5'],
      ['product', 'add', 'DEFTER', 'Defter', '--barcode', DEFTER, '--stock', '4'],
    ],
  });
  try {
    await (await waitFor(browser, 'a[data-route="count"]')).click();
    await (await waitFor(browser, '#count-name')).setValue('Raf 1');
    await (await browser.$('#count-start')).click();
    await browser.waitUntil(async () => (await browser.getUrl()).endsWith('#/count/1'), { timeout: 10_000 });
    const box = await waitFor(browser, '#count-scan');
    await box.click();

    for (let i = 0; i < 3; i++) await scan(browser, KALEM);
    assert.deepEqual(await waitLine(browser, 'KALEM', '3'), { counted: '3', difference: '-7', value: '-17,50 ₺' });
    await scan(browser, DEFTER);
    await scan(browser, `4*${DEFTER}`); // a quantity typed before the code
    assert.deepEqual(await waitLine(browser, 'DEFTER', '5'), { counted: '5', difference: '+1', value: '' });
    await scan(browser, '4006381333931');
    const unknown = await waitText(browser, '[data-testid="count-unknown"]', /4006381333931/);
    assert.match(unknown, /Bilinmeyen barkod 4006381333931/);
    assert.equal((await browser.$$('[data-testid="count-lines"] tbody tr')).length, 2, 'one line per item, never a duplicate');
    assert.match(await text(browser, '[data-testid="count-total"]'), /-17,50 ₺/);

    // Only KALEM's difference is approved: DEFTER's stays out of the post.
    await (await browser.$('tr[data-sku="KALEM"] [data-testid="approve"]')).click();
    await browser.waitUntil(() => browser.execute(() => !document.querySelector('tr[data-sku="KALEM"]').classList.contains('needs-approval')), { timeout: 10_000 });
    await (await browser.$('#count-post')).click();
    await (await waitFor(browser, '[data-testid="dialog-ok"]')).click();
    const toast = await waitText(browser, '[data-testid="toast-ok"]', /Sayım işlendi/);
    assert.match(toast, /1 hareket; onaysız 1 fark, bağlanmamış 1 barkod/);
    assert.equal(await waitText(browser, '[data-testid="count-state"]', /İşlendi/), 'İşlendi');

    await browser.execute(() => { location.hash = '#/movements'; });
    const ledger = await waitText(browser, '[data-testid="ledger"] tbody', /Sayım/);
    const rows = await browser.execute(() =>
      [...document.querySelectorAll('[data-testid="ledger"] tbody tr')].map((tr) => [...tr.children].slice(2, 6).map((td) => td.textContent)));
    assert.deepEqual(rows.filter((r) => r[1] === 'Sayım'), [['KALEM', 'Sayım', '-7', '3']], ledger);
  } finally {
    await stop();
  }
});

test('an unknown barcode becomes a new product on the spot, counted and posted', async () => {
  const { browser, stop } = await launch({ seed: [['init'], ['count', 'start', 'Raf 2']] });
  const BARCODE = '4006381333931';
  try {
    await browser.execute(() => { location.hash = '#/count/1'; });
    const box = await waitFor(browser, '#count-scan');
    await box.click();
    await scan(browser, BARCODE);
    await scan(browser, BARCODE);
    assert.match(await waitText(browser, '[data-testid="count-unknown"]', /2 kez/), /Bilinmeyen barkod 4006381333931 \(2 kez okutuldu\)/);

    await (await browser.$(`li[data-barcode="${BARCODE}"] [data-testid="count-create"]`)).click();
    assert.equal(await (await waitFor(browser, '#count-create-sku')).getValue(), BARCODE, 'the SKU is prefilled with the barcode');
    await (await browser.$('#count-create-sku')).setValue('SILGI');
    await (await browser.$('#count-create-name')).setValue('Silgi');
    await (await browser.$('#count-create-unit')).setValue('kutu');
    await (await browser.$('#count-create-price')).setValue('7,50');
    await (await browser.$('[data-testid="dialog-ok"]')).click();
    assert.match(await waitText(browser, '[data-testid="toast-ok"]', /SILGI eklendi/), /4006381333931 okutmaları sayıldı/);

    assert.deepEqual(await waitLine(browser, 'SILGI', '2'), { counted: '2', difference: '+2', value: '' });
    const expected = await browser.execute(() => document.querySelector('tr[data-sku="SILGI"] [data-col="expected"]').textContent);
    assert.equal(expected, '0');
    assert.equal((await browser.$$(`[data-testid="count-unknown"] li[data-barcode="${BARCODE}"]`)).length, 0, 'no longer unknown');

    await (await browser.$('tr[data-sku="SILGI"] [data-testid="approve"]')).click();
    await browser.waitUntil(() => browser.execute(() => !document.querySelector('tr[data-sku="SILGI"]').classList.contains('needs-approval')), { timeout: 10_000 });
    await (await browser.$('#count-post')).click();
    await (await waitFor(browser, '[data-testid="dialog-ok"]')).click();
    assert.match(await waitText(browser, '#toasts [data-testid="toast-ok"]:last-child', /Sayım işlendi/), /1 hareket/);

    await browser.execute(() => { location.hash = '#/product/SILGI'; });
    assert.match(await waitText(browser, '[data-testid="on-hand"]', /Eldeki: 2 kutu/), /Eldeki: 2 kutu/);
    assert.equal(await (await browser.$('#f-barcode')).getValue(), BARCODE);
  } finally {
    await stop();
  }
});
