// @ts-check
/**
 * Numbers, money and dates in the user's language. Amounts arrive from the core as
 * exact decimal strings ("1234.5"); they are grouped here as text, never through a
 * float, so a price shows exactly what is stored.
 */

/** @typedef {'tr' | 'en'} Lang */

/** @type {Record<Lang, { group: string, decimal: string, locale: string }>} */
const SEPARATORS = {
  tr: { group: '.', decimal: ',', locale: 'tr-TR' },
  en: { group: ',', decimal: '.', locale: 'en-GB' },
};

/**
 * `"1234.5"` -> `"1.234,5"` (tr) or `"1,234.5"` (en). `minDecimals` pads the fraction
 * (prices show two places); trailing zeros beyond it are dropped.
 * @param {string | number | null | undefined} value
 * @param {Lang} lang
 * @param {number} [minDecimals]
 */
export function formatDecimal(value, lang, minDecimals = 0) {
  if (value === null || value === undefined || value === '') return '';
  const text = String(value).trim();
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(text);
  if (!match) return text;
  const [, sign, whole, fraction = ''] = match;
  const { group, decimal } = SEPARATORS[lang];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, group);
  let frac = fraction.replace(/0+$/, '');
  if (frac.length < minDecimals) frac = frac.padEnd(minDecimals, '0');
  const isZero = /^0*$/.test(whole + fraction);
  return (isZero ? '' : sign) + grouped + (frac ? decimal + frac : '');
}

/** @type {Record<string, string>} */
const CURRENCY_SYMBOLS = { TRY: '₺', USD: '$', EUR: '€', GBP: '£' };

/**
 * A price with its currency: `1.234,56 ₺` in Turkish, `₺1,234.56` in English.
 * @param {string | null | undefined} value
 * @param {Lang} lang
 * @param {string} [currency]
 */
export function formatMoney(value, lang, currency = 'TRY') {
  if (value === null || value === undefined || value === '') return '';
  const amount = formatDecimal(value, lang, 2);
  const symbol = CURRENCY_SYMBOLS[currency] ?? currency + ' ';
  return lang === 'tr' ? `${amount} ${symbol.trim()}` : `${symbol}${amount}`;
}

/**
 * Reads a number typed by the user in `lang`'s convention and returns it as the core's
 * canonical decimal text, or null when it is not a number. In Turkish `1.234,56` and
 * `3,5`; in English `1,234.56` and `3.5`. A lone separator followed by other than three
 * digits is taken as the decimal point either way (`12.5` in Turkish is 12,5: nobody
 * writes a thousands group of one digit).
 * @param {string} text
 * @param {Lang} lang
 * @returns {string | null}
 */
export function parseNumber(text, lang) {
  let s = String(text).replace(/\s/g, '');
  const sign = s.startsWith('-') ? '-' : '';
  s = s.replace(/^[-+]/, '');
  const { group, decimal } = SEPARATORS[lang];
  let [whole, fraction] = s.includes(decimal) ? splitOnce(s, decimal) : [s, ''];
  if (!s.includes(decimal)) {
    const parts = s.split(group);
    if (parts.length === 2 && parts[1].length !== 3) [whole, fraction] = parts;
  }
  const groups = whole.split(group);
  const wellGrouped = groups[0].length >= 1 && groups[0].length <= 3 && groups.slice(1).every((g) => g.length === 3);
  if (groups.length > 1 && !wellGrouped) return null;
  whole = groups.join('');
  if (!/^\d+$/.test(whole) || !/^\d*$/.test(fraction)) return null;
  const canonical = (fraction ? `${whole}.${fraction}` : whole).replace(/^0+(?=\d)/, '');
  return /^[0.]*$/.test(canonical) ? canonical : sign + canonical;
}

/** @param {string} s @param {string} sep @returns {[string, string]} */
function splitOnce(s, sep) {
  const at = s.indexOf(sep);
  return [s.slice(0, at), s.slice(at + 1)];
}

/**
 * A stored timestamp (UTC, RFC 3339) in the user's local time: `22.11.2026 14:05` (tr),
 * `22/11/2026, 14:05` (en).
 * @param {string | null | undefined} iso
 * @param {Lang} lang
 * @param {boolean} [withTime]
 */
export function formatDate(iso, lang, withTime = true) {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  /** @type {Intl.DateTimeFormatOptions} */
  const options = withTime ? { dateStyle: 'short', timeStyle: 'short' } : { dateStyle: 'short' };
  return new Intl.DateTimeFormat(SEPARATORS[lang].locale, options).format(date);
}

/**
 * A day the user picked (`YYYY-MM-DD`, their calendar) as the UTC instants the core
 * stores: its first and its last millisecond. A day in Istanbul starts at 21:00 UTC the
 * evening before, so filtering by the UTC date would move late sales to the next day.
 * @param {string} day
 * @returns {{ first: string, last: string } | null}
 */
export function localDay(day) {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!match) return null;
  const [y, m, d] = match.slice(1).map(Number);
  const start = new Date(y, m - 1, d);
  const next = new Date(y, m - 1, d + 1);
  return { first: start.toISOString(), last: new Date(next.getTime() - 1).toISOString() };
}
