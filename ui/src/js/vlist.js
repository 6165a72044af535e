// @ts-check
/**
 * The arithmetic of the virtualized products table: which rows are on screen, which
 * keyset pages hold them, and how a scroll position maps to a row when the list is
 * taller than a browser lets an element be (1M rows × 32 px > WebKit's ~33M px).
 */

/** The tallest spacer we create; beyond it scroll positions are scaled. */
export const MAX_SCROLL_HEIGHT = 8_000_000;

/**
 * @param {number} total rows in the list
 * @param {number} rowHeight px
 * @returns {number} the spacer's height in px
 */
export function scrollHeight(total, rowHeight) {
  return Math.min(total * rowHeight, MAX_SCROLL_HEIGHT);
}

/**
 * The list's own offset (px from its first row) shown at the top of the viewport.
 * Linear in the scroll position, so the first row is at the top and the last row at
 * the bottom exactly.
 * @param {{ scrollTop: number, viewportHeight: number, rowHeight: number, total: number }} v
 */
export function virtualTop({ scrollTop, viewportHeight, rowHeight, total }) {
  const full = total * rowHeight;
  const spacer = scrollHeight(total, rowHeight);
  if (full <= viewportHeight) return 0;
  if (spacer === full) return scrollTop;
  const ratio = (full - viewportHeight) / (spacer - viewportHeight);
  return Math.min(scrollTop * ratio, full - viewportHeight);
}

/**
 * The scroll position that shows row `index` at the top (inverse of `virtualTop`).
 * @param {number} index
 * @param {{ viewportHeight: number, rowHeight: number, total: number }} v
 */
export function scrollTopFor(index, { viewportHeight, rowHeight, total }) {
  const full = total * rowHeight;
  const spacer = scrollHeight(total, rowHeight);
  const top = Math.max(0, Math.min(index * rowHeight, full - viewportHeight));
  if (spacer === full || full <= viewportHeight) return top;
  return top / ((full - viewportHeight) / (spacer - viewportHeight));
}

/**
 * Rows to render: the visible ones plus `overscan` on each side.
 * @param {{ scrollTop: number, viewportHeight: number, rowHeight: number, total: number, overscan?: number }} v
 * @returns {{ first: number, last: number, offset: number }} `last` exclusive; `offset`
 *   is where row `first` goes, in px from the viewport's top
 */
export function visibleRange(v) {
  const { viewportHeight, rowHeight, total, overscan = 8 } = v;
  if (total <= 0) return { first: 0, last: 0, offset: 0 };
  const top = virtualTop(v);
  const first = Math.max(0, Math.floor(top / rowHeight) - overscan);
  const last = Math.min(total, Math.ceil((top + viewportHeight) / rowHeight) + overscan);
  return { first, last, offset: first * rowHeight - top };
}

/**
 * The keyset pages that hold rows `first` to `last` (exclusive).
 * @param {number} first
 * @param {number} last
 * @param {number} pageSize
 * @returns {number[]}
 */
export function pagesFor(first, last, pageSize) {
  if (last <= first) return [];
  const pages = [];
  for (let p = Math.floor(first / pageSize); p <= Math.floor((last - 1) / pageSize); p++) pages.push(p);
  return pages;
}

/**
 * Keeps the most recently used pages, so scrolling back is instant and memory stays
 * bounded however far the user scrolls.
 * @template T
 */
export class PageCache {
  /** @param {number} capacity */
  constructor(capacity) {
    this.capacity = capacity;
    /** @type {Map<number, T>} */
    this.pages = new Map();
  }

  /** @param {number} page */
  get(page) {
    const value = this.pages.get(page);
    if (value !== undefined) {
      this.pages.delete(page);
      this.pages.set(page, value);
    }
    return value;
  }

  /** @param {number} page @param {T} value */
  set(page, value) {
    this.pages.delete(page);
    this.pages.set(page, value);
    while (this.pages.size > this.capacity) {
      const oldest = this.pages.keys().next().value;
      if (oldest === undefined) break;
      this.pages.delete(oldest);
    }
  }

  clear() {
    this.pages.clear();
  }
}
