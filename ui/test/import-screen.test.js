import { test } from 'node:test';
import assert from 'node:assert/strict';
import { columnLetter, fieldLabel, rowErrorText } from '../src/js/screens/import.js';

test('columns are lettered as a spreadsheet letters them', () => {
  assert.deepEqual([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter), ['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
});

test('every field the core maps has a label, priced groups numbered', () => {
  assert.equal(fieldLabel('price'), 'Satış fiyatı 1');
  assert.equal(fieldLabel('price10'), 'Satış fiyatı 10');
  assert.equal(fieldLabel('list_price3'), 'Liste fiyatı 3');
  assert.equal(fieldLabel('option:Renk'), 'Seçenek: Renk');
  for (const f of ['sku', 'barcode', 'name', 'description', 'parent', 'options', 'stock', 'unit', 'vat', 'category', 'brand', 'min_stock']) {
    assert.doesNotMatch(fieldLabel(f), /^import\./, f);
  }
});

test('row errors read in Turkish by code, else the core text', () => {
  assert.equal(rowErrorText({ row: 3, column: 'Fiyat', value: 'abc', code: 'import.not_a_number', message: '"abc" is not a number' }), 'Sayı değil.');
  assert.equal(rowErrorText({ row: 3, column: 'X', value: '', code: 'import.something_new', message: 'why' }), 'why');
});
