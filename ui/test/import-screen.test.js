import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { messages } from '../src/js/messages.js';
import { columnLetter, fieldLabel, problemText, rowErrorText } from '../src/js/screens/import.js';

test('columns are lettered as a spreadsheet letters them', () => {
  assert.deepEqual([0, 1, 25, 26, 27, 51, 52, 701, 702].map(columnLetter), ['A', 'B', 'Z', 'AA', 'AB', 'AZ', 'BA', 'ZZ', 'AAA']);
});

test('every field the core maps has a label, priced groups numbered', () => {
  assert.equal(fieldLabel('price'), 'Satış fiyatı 1');
  assert.equal(fieldLabel('price10'), 'Satış fiyatı 10');
  assert.equal(fieldLabel('list_price3'), 'Liste fiyatı 3');
  assert.equal(fieldLabel('option:Renk'), 'Seçenek: Renk');
  // The names the core gives its fields (`impl Display for Field`).
  const mapping = readFileSync(new URL('../../src/import/mapping.rs', import.meta.url), 'utf8');
  const fields = [...mapping.matchAll(/Field::\w+ => f\.write_str\("(\w+)"\)/g)].map((m) => m[1]);
  assert.ok(fields.includes('tags') && fields.includes('purchase_currency'), `fields found: ${fields}`);
  for (const f of fields) assert.doesNotMatch(fieldLabel(f), /^import\./, f);
});

test('every row error the core reads a cell with has a text in both languages', () => {
  const record = readFileSync(new URL('../../src/import/record.rs', import.meta.url), 'utf8');
  const codes = [...record.matchAll(/\("(import\.\w+)", format!/g)].map((m) => m[1]);
  assert.ok(codes.includes('import.not_yes_no') && codes.includes('import.bad_tag'), `codes found: ${codes}`);
  for (const lang of ['tr', 'en']) assert.deepEqual(codes.filter((c) => !(`import_row.${c}` in messages[lang])), [], lang);
});

test('row errors read in Turkish by code, else the core text', () => {
  assert.equal(rowErrorText({ row: 3, column: 'Fiyat', value: 'abc', code: 'import.not_a_number', message: '"abc" is not a number' }), 'Sayı değil.');
  assert.equal(rowErrorText({ row: 3, column: 'X', value: '', code: 'import.something_new', message: 'why' }), 'why');
});

test('every problem a mapping can have reads in both languages, fields by their labels', () => {
  assert.equal(problemText({ problem: 'twice', field: 'price', first: 'C (Satış Fiyatı)', second: 'D (Satış Fiyatı)' }),
    '“Satış fiyatı 1” iki sütuna eşlenmiş: C (Satış Fiyatı) ve D (Satış Fiyatı). Hangisi doğruysa onu bırakıp diğerini “kullanma” yapın.');
  assert.match(problemText({ problem: 'key_missing', field: 'sku' }), /“Stok kodu” olarak eşlenmemiş/);
  const mapping = readFileSync(new URL('../../src/import/mapping.rs', import.meta.url), 'utf8');
  const kinds = [...mapping.matchAll(/MappingProblem::(\w+) \{ [^}]*\} =>/g)].map((m) => m[1].replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase()));
  assert.deepEqual(kinds, ['twice', 'key_missing', 'no_column']);
  for (const lang of ['tr', 'en']) assert.deepEqual(kinds.filter((k) => !(`import.problem.${k}` in messages[lang])), [], lang);
});
