import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { messages } from '../src/js/messages.js';

const here = new URL('.', import.meta.url).pathname;
const jsDir = join(here, '../src/js');

function sources() {
  const files = [];
  for (const entry of readdirSync(jsDir, { recursive: true })) if (String(entry).endsWith('.js')) files.push(join(jsDir, String(entry)));
  return files.map((f) => readFileSync(f, 'utf8')).join('\n') + readFileSync(join(here, '../src/index.html'), 'utf8');
}

test('Turkish and English have the same keys, none empty', () => {
  const tr = Object.keys(messages.tr).sort();
  const en = Object.keys(messages.en).sort();
  assert.deepEqual(tr.filter((k) => !en.includes(k)), [], 'missing in English');
  assert.deepEqual(en.filter((k) => !tr.includes(k)), [], 'missing in Turkish');
  for (const lang of ['tr', 'en']) for (const [k, v] of Object.entries(messages[lang])) assert.ok(v.trim(), `${lang} ${k} is empty`);
});

test('both languages use the same placeholders', () => {
  const names = (s) => [...s.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
  for (const key of Object.keys(messages.tr)) assert.deepEqual(names(messages.en[key]), names(messages.tr[key]), key);
});

test('every key the code names exists', () => {
  const code = sources();
  const used = new Set([...code.matchAll(/\bt\('([\w.]+)'/g), ...code.matchAll(/data-i18n="([\w.]+)"/g)].map((m) => m[1]));
  // Keys built from a fixed set of values.
  const families = {
    status: ['all', 'active', 'inactive', 'deleted'],
    sort: ['name', 'sku', 'created', 'updated', 'on_hand', 'price'],
    column: ['sku', 'name', 'category', 'brand', 'on_hand', 'price', 'barcode', 'variants', 'updated_at'],
    movement: ['add', 'sub', 'set', 'count', 'import', 'sale', 'cancel', 'sync', 'undo'],
    order_status: ['awaiting', 'approved', 'shipped', 'cancelled'],
    catalog: ['categories', 'brands', 'tags', 'new_categories', 'new_brands', 'new_tags', 'no_categories', 'no_brands', 'no_tags'],
    task: ['backup', 'restore'],
    settings: ['backup_done', 'restore_done'],
    entity: ['category', 'brand', 'tag'],
    sync_kind: ['sopyo', 'stokdurumu', 'kolaybi'],
    sync_token: ['sopyo', 'stokdurumu', 'kolaybi'],
    sync_dir: ['both', 'pull', 'push', 'off'],
    sync_plan: ['free', 'basic', 'pro', 'enterprise'],
    sync_status: ['running', 'ok', 'partial', 'failed', 'cancelled'],
    sync_phase: ['login', 'pull_products', 'apply', 'pull_orders', 'push', 'push_stock'],
    count: ['status_open', 'status_posted', 'status_undone', 'scope_category', 'scope_brand', 'post_confirm_keep', 'post_confirm_zero'],
  };
  for (const [family, values] of Object.entries(families)) for (const v of values) used.add(`${family}.${v}`);
  const missing = [...used].filter((k) => !(k in messages.tr));
  assert.deepEqual(missing, []);
});

test('every error code of the core has a message', () => {
  const core = ['error.rs', 'sync/error.rs', 'stock/count.rs', 'import/error.rs'].map((f) => readFileSync(join(here, '../../src', f), 'utf8')).join('\n');
  const codes = [...core.matchAll(/=> "([a-z_]+\.[a-z_]+)"/g)].map((m) => m[1]);
  assert.ok(codes.length > 20, 'codes found in src/error.rs');
  const missing = codes.filter((c) => !(`error.${c}` in messages.tr));
  assert.deepEqual(missing, []);
});

test('every field the catalog, stock and orders refuse as invalid is explained in both languages', () => {
  const dirs = ['catalog', 'stock', 'orders'].map((d) => join(here, '../../src', d));
  const rust = dirs.flatMap((d) => readdirSync(d).map((f) => readFileSync(join(d, f), 'utf8'))).join('\n');
  const fields = new Set([...rust.matchAll(/(?:Error::invalid|check_amount)\("([\w/]+)"/g), ...rust.matchAll(/\("(\w+)", f\.\w+\)/g)].map((m) => m[1]));
  assert.ok(fields.size > 15, `fields found: ${[...fields]}`);
  for (const lang of ['tr', 'en']) {
    const missing = [...fields].filter((f) => !(`error.input.invalid.${f}` in messages[lang]));
    assert.deepEqual(missing, [], lang);
  }
});

test('an invalid input reads in the user language, by its field', async () => {
  // The language switch remembers the choice: a stand-in for the WebView's storage.
  const store = new Map();
  Object.assign(globalThis, { localStorage: { getItem: (k) => store.get(k) ?? null, setItem: (k, v) => store.set(k, v) }, document: { documentElement: {} } });
  const { errorText, setLang } = await import('../src/js/i18n.js');
  const err = { code: 'input.invalid', message: 'qty: at most 4 decimal places', details: { field: 'qty', reason: 'at most 4 decimal places' } };
  setLang('tr');
  assert.match(errorText(err), /^Miktar sıfırdan büyük olmalı/);
  setLang('en');
  assert.match(errorText(err), /^The quantity must be more than zero/);
  const unknown = { code: 'input.invalid', details: { field: 'token', reason: 'is empty' } };
  assert.match(errorText(unknown), /is empty/, 'a field without its own text keeps the core reason');
});
