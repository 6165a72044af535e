// @ts-check
/**
 * Keyboard-wedge barcode scanners: a cheap USB scanner "types" the code and Enter, much
 * faster than a person. This module tells the two apart by keystroke timing and turns
 * keystrokes back into the code's characters whatever the keyboard layout (a scanner that
 * emulates a US keyboard, seen through a Turkish Q or F layout, must still give digits).
 * Pure: it sees plain key records, so it is tested without a DOM.
 */
import { parseNumber } from './format.js';

/** @typedef {'us' | 'tr-q' | 'tr-f'} Layout */
/** @typedef {{ key: string, code?: string, shiftKey?: boolean, timeStamp: number }} Keystroke */
/** @typedef {{ type: 'scan', code: string } | { type: 'enter', text: string }} ScanEvent */

/** What the number row gives with Shift held, 1 to 0, per layout. */
const SHIFTED_DIGITS = {
  us: '!@#$%^&*()',
  'tr-q': "!'^+%&/()=",
  'tr-f': '!"^$%&\'()=',
};
const DIGITS = '1234567890';

/**
 * Maps characters a layout puts on the number row (shifted) back to digits, and the
 * Turkish dotless ı / dotted İ back to i / I; other characters are left alone.
 * @param {string} text
 * @param {Layout} layout
 */
export function normalizeDigits(text, layout) {
  const shifted = SHIFTED_DIGITS[layout];
  let out = '';
  for (const ch of text) {
    const i = shifted.indexOf(ch);
    out += i >= 0 ? DIGITS[i] : ch === 'ı' ? 'i' : ch === 'İ' ? 'I' : ch;
  }
  return out;
}

/**
 * The character a keystroke stands for in a barcode. The physical key (`code`) does not
 * depend on the layout, so digits and Latin letters are read from it; other keys fall
 * back to `key` through `normalizeDigits`. Null for keys that type nothing (Shift ...).
 * @param {Keystroke} stroke
 * @param {Layout} layout
 * @returns {string | null}
 */
export function keystrokeChar(stroke, layout) {
  const code = stroke.code ?? '';
  let match = /^(?:Digit|Numpad)(\d)$/.exec(code);
  if (match) return match[1];
  match = /^Key([A-Z])$/.exec(code);
  if (match) return stroke.shiftKey ? match[1] : match[1].toLowerCase();
  // A US scanner's hyphen is the Minus key ("*" on a Turkish Q layout).
  if ((code === 'Minus' && !stroke.shiftKey) || code === 'NumpadSubtract') return '-';
  if ([...stroke.key].length !== 1) return null;
  return normalizeDigits(stroke.key, layout);
}

/**
 * A detector fed every keystroke of the counting screen. A run of characters each
 * within `maxGapMs` of the previous, at least `minLength` long and ended by Enter, is a
 * scan; an Enter after slower keys is typing (a quantity, a code typed by hand).
 * @param {{ maxGapMs?: number, minLength?: number, layout?: Layout }} [options]
 */
export function createScanDetector({ maxGapMs = 50, minLength = 4, layout = 'us' } = {}) {
  let buffer = '';
  let typed = '';
  let last = -Infinity;
  let fast = true;

  return {
    /**
     * @param {Keystroke} stroke
     * @returns {ScanEvent | null} a scan or an Enter of typed text; null while a code builds up
     */
    feed(stroke) {
      const gap = stroke.timeStamp - last;
      last = stroke.timeStamp;
      if (stroke.key === 'Enter') {
        const event = fast && buffer.length >= minLength && gap <= maxGapMs
          ? /** @type {ScanEvent} */ ({ type: 'scan', code: buffer })
          : /** @type {ScanEvent} */ ({ type: 'enter', text: typed });
        buffer = '';
        typed = '';
        fast = true;
        return event;
      }
      const ch = keystrokeChar(stroke, layout);
      if (ch === null) return null;
      if (gap > maxGapMs && buffer.length > 0) fast = false;
      buffer += ch;
      typed += normalizeDigits(stroke.key.length === 1 ? stroke.key : ch, layout);
      return null;
    },
    /** Forgets a half-read code (the screen lost focus, a dialog opened). */
    reset() {
      buffer = '';
      typed = '';
      fast = true;
      last = -Infinity;
    },
  };
}

/** A quantity typed before a code: `5*`, `5x`, `2,5*`. */
export const QUANTITY_PREFIX = /^\s*[\d.,]+\s*[*xX×]/;

/**
 * What the counting screen's box holds, as a code and a quantity: `5*8690000000019`
 * counts five; anything else counts `fallback` (the quantity box). The quantity is the
 * core's decimal text, or null when it is not a number.
 * @param {string} text
 * @param {string} fallback
 * @param {import('./format.js').Lang} lang
 * @returns {{ code: string, qty: string | null }}
 */
export function splitQuantity(text, fallback, lang) {
  const match = /^\s*([\d.,]+)\s*[*xX×]\s*(\S+)\s*$/.exec(text);
  if (match) return { code: match[2], qty: parseNumber(match[1], lang) };
  return { code: text.trim(), qty: parseNumber(fallback, lang) };
}
