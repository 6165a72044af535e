import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDate, formatDecimal, formatMoney, parseNumber } from '../src/js/format.js';

test('decimals are grouped by language, exactly as stored', () => {
  assert.equal(formatDecimal('1234.56', 'tr'), '1.234,56');
  assert.equal(formatDecimal('1234.56', 'en'), '1,234.56');
  assert.equal(formatDecimal('1234567', 'tr'), '1.234.567');
  assert.equal(formatDecimal('-3.5000', 'tr'), '-3,5');
  assert.equal(formatDecimal('0.1', 'en'), '0.1');
  assert.equal(formatDecimal('-0.0000', 'tr'), '0');
  assert.equal(formatDecimal('12345678901234567.8901', 'en'), '12,345,678,901,234,567.8901', 'no float rounding');
  assert.equal(formatDecimal(null, 'tr'), '');
});

test('money pads to two decimals and places the currency by language', () => {
  assert.equal(formatMoney('1234.5', 'tr'), '1.234,50 ₺');
  assert.equal(formatMoney('1234.5', 'en'), '₺1,234.50');
  assert.equal(formatMoney('9.999', 'tr', 'EUR'), '9,999 €');
  assert.equal(formatMoney(null, 'tr'), '');
});

test('numbers typed the Turkish way and the English way', () => {
  assert.equal(parseNumber('1.234,56', 'tr'), '1234.56');
  assert.equal(parseNumber('3,5', 'tr'), '3.5');
  assert.equal(parseNumber('12.5', 'tr'), '12.5', 'a lone point before other than three digits is a decimal point');
  assert.equal(parseNumber('1.234', 'tr'), '1234');
  assert.equal(parseNumber('1,234.56', 'en'), '1234.56');
  assert.equal(parseNumber('1,234', 'en'), '1234');
  assert.equal(parseNumber('3,5', 'en'), '3.5');
  assert.equal(parseNumber(' -2 ', 'tr'), '-2');
  assert.equal(parseNumber('007', 'tr'), '7');
  for (const bad of ['', 'abc', '1.23.4', '1,2,3', '--1', '1e5']) assert.equal(parseNumber(bad, 'tr'), null, bad);
});

test('dates show in the local time zone in each language', () => {
  process.env.TZ = 'Europe/Istanbul';
  assert.match(formatDate('2026-11-22T10:45:00.000Z', 'tr'), /^22\.11\.2026 \d\d:45$/);
  assert.match(formatDate('2026-11-22T10:45:00.000Z', 'en'), /^22\/11\/2026, \d\d:45$/);
  assert.equal(formatDate('2026-11-22T10:45:00.000Z', 'tr', false), '22.11.2026');
  assert.equal(formatDate(null, 'tr'), '');
});
