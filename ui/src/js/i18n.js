// @ts-check
/**
 * Turkish (default) and English. `t(key, params)` looks a message up in the current
 * language; errors from the core are translated by their stable `code`, with the
 * values in `details`. Switching the language re-renders the UI at once.
 */
import { messages } from './messages.js';
import { formatDecimal } from './format.js';

/** @typedef {import('./format.js').Lang} Lang */

/** @type {Lang} */
let current = 'tr';
/** @type {(() => void)[]} */
const listeners = [];

/** @returns {Lang} */
export function lang() {
  return current;
}

/** Restores the language chosen last time (this machine). */
export function initLang() {
  const saved = localStorage.getItem('raf.lang');
  current = saved === 'en' ? 'en' : 'tr';
  document.documentElement.lang = current;
}

/** @param {Lang} next */
export function setLang(next) {
  if (next === current) return;
  current = next;
  localStorage.setItem('raf.lang', next);
  document.documentElement.lang = next;
  for (const listener of listeners) listener();
}

/** @param {() => void} listener */
export function onLangChange(listener) {
  listeners.push(listener);
}

/**
 * @param {string} key
 * @param {Record<string, string | number | null | undefined>} [params] `{name}` in the message
 * @returns {string}
 */
export function t(key, params = {}) {
  const text = messages[current][key] ?? messages.tr[key] ?? key;
  const shown = (/** @type {unknown} */ v) => (Array.isArray(v) ? v.join(', ') : String(v ?? ''));
  return text.replace(/\{(\w+)\}/g, (_, name) => shown(params[name]));
}

/** Fills the elements that carry a data-i18n attribute (the static parts of index.html). */
export function applyStatic() {
  for (const el of document.querySelectorAll('[data-i18n]')) {
    el.textContent = t(/** @type {HTMLElement} */ (el).dataset.i18n ?? '');
  }
}

/**
 * An error from a command (`{code, message, details}`) in the user's language. Unknown
 * codes fall back to the English message of the core rather than to nothing.
 * @param {unknown} err
 */
export function errorText(err) {
  const e = /** @type {{ code?: string, message?: string, details?: Record<string, any> }} */ (err ?? {});
  // An invalid input is explained by its field (the core's reason is English).
  const byField = `error.${e.code}.${e.details?.field}`;
  const key = e.code === 'input.invalid' && messages[current][byField] ? byField : `error.${e.code}`;
  if (e.code && messages[current][key]) {
    const details = { ...(e.details ?? {}) };
    for (const amount of ['on_hand', 'delta']) if (amount in details) details[amount] = formatDecimal(details[amount], current);
    if (details.field) details.field = t(`field.${details.field}`);
    if (details.kind) details.kind = t(`entity.${details.kind}`);
    return t(key, details);
  }
  return t('error.unknown', { message: e.message ?? String(err) });
}
