// @ts-check
/**
 * The products table: search as you type, filters, sort, a column chooser, multi-select
 * with bulk actions, and a virtualized body that scrolls through a million rows. Rows
 * come in keyset pages; jumping far ahead asks the core for the page anchors once.
 */
import { api } from '../ipc.js';
import { h, select } from '../dom.js';
import { formatDate, formatDecimal, formatMoney, parseNumber } from '../format.js';
import { lang, t } from '../i18n.js';
import { dialog, emptyState, go, showError, toast } from '../ui.js';
import { PageCache, pagesFor, scrollHeight, scrollTopFor, visibleRange } from '../vlist.js';

/** @typedef {import('../ipc.js').ProductRow} ProductRow */
/** @typedef {import('../ipc.js').ProductQuery} ProductQuery */

const ROW_HEIGHT = 32;
const PAGE_SIZE = 200;
const SEARCH_DELAY_MS = 150;

/** @typedef {import('../ipc.js').ProductQuery['sort']} Sort */
/** @typedef {{ key: string, width: string, cell: (row: ProductRow) => string, numeric?: boolean, sort?: Sort }} Column */

/** @type {Column[]} */
const COLUMNS = [
  { key: 'sku', width: '10rem', cell: (r) => r.sku, sort: 'sku' },
  { key: 'name', width: 'minmax(14rem, 3fr)', cell: (r) => r.name, sort: 'name' },
  { key: 'category', width: 'minmax(8rem, 1fr)', cell: (r) => r.category ?? '' },
  { key: 'brand', width: 'minmax(6rem, 1fr)', cell: (r) => r.brand ?? '' },
  { key: 'on_hand', width: '7rem', numeric: true, cell: (r) => `${formatDecimal(r.on_hand, lang())} ${r.unit}`, sort: 'on_hand' },
  // The price shown and sorted on is price group 1's (the query's `price_group` stays 1).
  { key: 'price', width: '8rem', numeric: true, cell: (r) => formatMoney(r.price, lang()), sort: 'price' },
  { key: 'barcode', width: '9rem', cell: (r) => r.barcode ?? '' },
  { key: 'variants', width: '5rem', numeric: true, cell: (r) => (r.variants ? String(r.variants) : '') },
  { key: 'updated_at', width: '9rem', cell: (r) => formatDate(r.updated_at, lang(), false), sort: 'updated' },
];
const DEFAULT_COLUMNS = ['sku', 'name', 'category', 'brand', 'on_hand', 'price'];

/** @returns {string[]} */
function shownColumns() {
  try {
    const saved = JSON.parse(localStorage.getItem('raf.columns') ?? 'null');
    if (Array.isArray(saved) && saved.length) return saved.filter((k) => COLUMNS.some((c) => c.key === k));
  } catch {}
  return DEFAULT_COLUMNS;
}

/** @returns {ProductQuery} */
export function defaultQuery() {
  return {
    search: null, category_id: null, brand_id: null, tag_id: null, status: 'all', low_stock: false,
    price_group: 1, price_min: null, price_max: null, sort: 'name', descending: false, limit: PAGE_SIZE, after: null,
  };
}

/** Reported once per app start, for the start-up benchmark. */
let firstPageShown = false;

/** The query survives visiting a product and coming back. */
let query = defaultQuery();

/** @param {HTMLElement} root */
export function render(root) {
  const columns = COLUMNS.filter((c) => shownColumns().includes(c.key));
  const grid = ['2.2rem', ...columns.map((c) => c.width)].join(' ');

  let generation = 0;
  let total = 0;
  /** False while the count of the current query is on its way. */
  let counted = false;
  /** @type {number[] | null} */
  let anchors = null;
  /** @type {Promise<void> | null} */
  let anchorsLoading = null;
  /** @type {Map<number, number | null>} where each page starts (`after`), as learned */
  let starts = new Map([[0, null]]);
  /** @type {PageCache<ProductRow[]>} */
  const pages = new PageCache(60);
  const loading = new Set();
  let active = -1;
  /** @type {Map<number, string>} selected product ids and their SKUs */
  const selected = new Map();

  // --- toolbar
  const search = h('input', {
    id: 'product-search',
    attrs: { type: 'search', placeholder: t('products.search'), value: query.search ?? '', 'aria-label': t('products.search') },
    data: { search: '' },
  });
  let searchTimer = 0;
  search.addEventListener('input', () => {
    clearTimeout(searchTimer);
    searchTimer = window.setTimeout(() => setQuery({ search: search.value.trim() || null }), SEARCH_DELAY_MS);
  });
  search.addEventListener('keydown', (e) => {
    if (e.key === 'ArrowDown' || e.key === 'Enter') {
      e.preventDefault();
      scroller.focus();
      moveActive(e.key === 'Enter' ? 0 : Math.max(active, 0));
    }
  });

  const category = select([['', t('products.all_categories')]], String(query.category_id ?? ''), { attrs: { 'aria-label': t('field.category') } });
  const brand = select([['', t('products.all_brands')]], String(query.brand_id ?? ''), { attrs: { 'aria-label': t('field.brand') } });
  const tag = select([['', t('products.all_tags')]], String(query.tag_id ?? ''), { attrs: { 'aria-label': t('field.tags') } });
  fillFilters(category, brand, tag);
  const status = select(
    ['all', 'active', 'inactive', 'deleted'].map((s) => [s, t(`status.${s}`)]),
    query.status,
    { attrs: { 'aria-label': t('products.status') } },
  );
  const low = h('input', { attrs: { type: 'checkbox', checked: query.low_stock } });
  const sort = select(
    ['name', 'sku', 'created', 'updated', 'on_hand', 'price'].map((s) => [s, t(`sort.${s}`)]),
    query.sort,
    { attrs: { 'aria-label': t('products.sort') } },
  );
  const direction = h('button', { class: 'icon', title: t('products.direction'), text: query.descending ? '↓' : '↑' });
  const id = (/** @type {HTMLSelectElement} */ el) => (el.value ? Number(el.value) : null);
  category.addEventListener('change', () => setQuery({ category_id: id(category) }));
  brand.addEventListener('change', () => setQuery({ brand_id: id(brand) }));
  tag.addEventListener('change', () => setQuery({ tag_id: id(tag) }));
  status.addEventListener('change', () => setQuery({ status: /** @type {any} */ (status.value) }));
  low.addEventListener('change', () => setQuery({ low_stock: low.checked }));
  sort.addEventListener('change', () => sortBy(/** @type {Sort} */ (sort.value), query.descending));
  direction.addEventListener('click', () => sortBy(query.sort, !query.descending));

  const toolbar = h(
    'header',
    { class: 'toolbar' },
    search, category, brand, tag, status,
    h('label', { class: 'check' }, low, t('products.low_stock')),
    sort, direction,
    h('button', { text: t('products.columns'), on: { click: chooseColumns } }),
    h('button', { class: 'primary', id: 'new-product', text: t('products.new'), title: 'Ctrl+N', on: { click: () => go('#/product/') } }),
  );

  // --- bulk actions
  const bulkCount = h('span');
  const bulkCategory = select([['', t('products.no_category')]], '');
  fillFilters(bulkCategory, null, null);
  const bulkGroup = select(
    Array.from({ length: 10 }, (_, i) => [String(i + 1), t('products.price_group_n', { n: i + 1 })]),
    '1',
  );
  const bulkPercent = h('input', { class: 'narrow', attrs: { type: 'text', inputmode: 'decimal', placeholder: '%' } });
  const bulkbar = h(
    'div',
    { class: 'bulkbar', attrs: { hidden: true } },
    bulkCount,
    bulkCategory,
    h('button', { text: t('products.set_category'), on: { click: () => bulk({ op: 'set_category', category_id: bulkCategory.value ? Number(bulkCategory.value) : null }) } }),
    bulkGroup,
    bulkPercent,
    h('button', { text: t('products.scale_prices'), on: { click: scalePrices } }),
    h('button', { class: 'danger', text: t('products.delete_selected'), on: { click: deleteSelected } }),
    h('button', { text: t('products.clear_selection'), on: { click: () => (selected.clear(), updateBulkbar(), draw()) } }),
  );

  // --- table
  const head = h('div', { class: 'row head' });
  head.style.gridTemplateColumns = grid;
  const all = h('input', { attrs: { type: 'checkbox', 'aria-label': t('products.select_page') } });
  all.addEventListener('change', () => {
    for (const row of visibleRows()) all.checked ? selected.set(row.id, row.sku) : selected.delete(row.id);
    updateBulkbar();
    draw();
  });
  // A sortable column's header sorts by it; a second click turns the direction.
  const heads = columns.map((c) => {
    const label = t(`column.${c.key}`);
    if (!c.sort) return h('span', { class: c.numeric ? 'num' : '', text: label });
    const sortKey = c.sort;
    const button = h('button', { class: 'sort-head', text: label, on: { click: () => sortBy(sortKey, query.sort === sortKey ? !query.descending : false) } });
    return h('span', { class: c.numeric ? 'num' : '', data: { sort: sortKey } }, button);
  });
  head.append(h('span', {}, all), ...heads);
  showSort();
  // The scroller holds a viewport-high window that sticks to its top, and a spacer below
  // it that gives the scrollbar the list's full height; rows move inside the window.
  const spacer = h('div', { class: 'spacer' });
  const rowsEl = h('div', { class: 'rows', attrs: { role: 'rowgroup' } });
  const windowEl = h('div', { class: 'window' }, rowsEl);
  const scroller = h('div', { class: 'scroller', attrs: { tabindex: 0, role: 'grid', 'aria-label': t('nav.products') } }, windowEl, spacer);
  const footer = h('footer', { class: 'status', data: { testid: 'product-count' } });
  const body = h('div', { class: 'table-body' });
  root.append(h('section', { class: 'screen products' }, toolbar, bulkbar, h('div', { class: 'table' }, head, body), footer));
  body.append(scroller);

  scroller.addEventListener('scroll', () => draw());
  scroller.addEventListener('keydown', (e) => {
    const perPage = Math.max(1, Math.floor(scroller.clientHeight / ROW_HEIGHT) - 1);
    const moves = { ArrowDown: 1, ArrowUp: -1, PageDown: perPage, PageUp: -perPage, Home: -Infinity, End: Infinity };
    if (e.key in moves) {
      e.preventDefault();
      moveActive(active + /** @type {Record<string, number>} */ (moves)[e.key]);
    } else if (e.key === 'Enter' && rowAt(active)) {
      go(`#/product/${encodeURIComponent(/** @type {ProductRow} */ (rowAt(active)).sku)}`);
    } else if (e.key === ' ' && rowAt(active)) {
      e.preventDefault();
      toggle(/** @type {ProductRow} */ (rowAt(active)));
    }
  });
  const resize = new ResizeObserver(() => draw());
  resize.observe(scroller);

  /**
   * @param {Sort} key
   * @param {boolean} descending
   */
  function sortBy(key, descending) {
    setQuery({ sort: key, descending });
    showSort();
  }

  /** The toolbar and the headers tell the current order. */
  function showSort() {
    sort.value = query.sort;
    direction.textContent = query.descending ? '↓' : '↑';
    for (const el of head.querySelectorAll('[data-sort]')) {
      const on = /** @type {HTMLElement} */ (el).dataset.sort === query.sort;
      el.setAttribute('aria-sort', on ? (query.descending ? 'descending' : 'ascending') : 'none');
    }
  }

  /** @param {Partial<ProductQuery>} change */
  function setQuery(change) {
    query = { ...query, ...change, after: null };
    reload();
  }

  async function reload() {
    const mine = ++generation;
    pages.clear();
    loading.clear();
    anchors = null;
    anchorsLoading = null;
    starts = new Map([[0, null]]);
    active = -1;
    scroller.scrollTop = 0;
    // The first page does not wait for the count: counting a million rows takes longer
    // than reading fifty. Until the count arrives, the first page tells what it can.
    counted = false;
    const count = api.countProducts(query);
    total = PAGE_SIZE;
    draw();
    try {
      const n = await count;
      if (mine !== generation) return;
      total = n;
    } catch (err) {
      showError(err);
      total = 0;
    }
    counted = true;
    footer.textContent = t('products.count', { n: formatDecimal(total, lang()) });
    draw();
  }

  function view() {
    return { scrollTop: scroller.scrollTop, viewportHeight: scroller.clientHeight, rowHeight: ROW_HEIGHT, total };
  }

  /** @param {number} index */
  function rowAt(index) {
    return pages.get(Math.floor(index / PAGE_SIZE))?.[index % PAGE_SIZE];
  }

  function visibleRows() {
    const { first, last } = visibleRange({ ...view(), overscan: 0 });
    const rows = [];
    for (let i = first; i < last; i++) {
      const row = rowAt(i);
      if (row) rows.push(row);
    }
    return rows;
  }

  function draw() {
    const viewport = scroller.clientHeight;
    windowEl.style.height = `${viewport}px`;
    spacer.style.height = `${Math.max(0, scrollHeight(total, ROW_HEIGHT) - viewport)}px`;
    body.querySelector('.empty')?.remove();
    if (total === 0) {
      rowsEl.replaceChildren();
      const filtered = query.search || query.category_id || query.brand_id || query.tag_id || query.low_stock || query.status !== 'all';
      body.append(
        filtered
          ? emptyState(t('products.none_found'), t('products.none_found_hint'))
          : emptyState(t('products.empty'), t('products.empty_hint'), h('button', { class: 'primary', text: t('products.new'), on: { click: () => go('#/product/') } })),
      );
      return;
    }
    const range = visibleRange(view());
    for (const page of pagesFor(range.first, range.last, PAGE_SIZE)) ensurePage(page);
    const rows = [];
    for (let i = range.first; i < range.last; i++) rows.push(rowElement(i, rowAt(i)));
    rowsEl.replaceChildren(...rows);
    rowsEl.style.transform = `translateY(${range.offset}px)`;
  }

  /**
   * @param {number} index
   * @param {ProductRow | undefined} row
   */
  function rowElement(index, row) {
    const el = h('div', { class: 'row', attrs: { role: 'row', 'aria-rowindex': index + 1 } });
    el.style.gridTemplateColumns = grid;
    if (!row) {
      el.classList.add('placeholder');
      el.append(h('span'), ...columns.map(() => h('span', { text: '…' })));
      return el;
    }
    el.dataset.sku = row.sku;
    el.classList.toggle('active', index === active);
    el.classList.toggle('selected', selected.has(row.id));
    el.classList.toggle('inactive', !row.active || row.deleted);
    el.classList.toggle('low', row.min_stock !== null && Number(row.on_hand) <= Number(row.min_stock));
    const box = h('input', { attrs: { type: 'checkbox', checked: selected.has(row.id), 'aria-label': row.sku } });
    box.addEventListener('click', (e) => e.stopPropagation());
    box.addEventListener('change', () => toggle(row));
    el.append(h('span', {}, box), ...columns.map((c) => h('span', { class: c.numeric ? 'num' : '', text: c.cell(row), data: { col: c.key } })));
    el.addEventListener('click', () => {
      active = index;
      draw();
    });
    el.addEventListener('dblclick', () => go(`#/product/${encodeURIComponent(row.sku)}`));
    return el;
  }

  /** @param {number} page */
  async function ensurePage(page) {
    if (pages.get(page) || loading.has(page)) return;
    let after = starts.get(page);
    if (after === undefined && anchors) after = anchors[page - 1];
    if (after === undefined) {
      // The page before it will give its start when it arrives; a jump needs the anchors
      // (one pass over the whole ordering: not for the next page).
      if (!loading.has(page - 1) && !pages.get(page - 1)) loadAnchors();
      return;
    }
    const mine = generation;
    loading.add(page);
    try {
      const result = await api.searchProducts({ ...query, limit: PAGE_SIZE, after });
      if (mine !== generation) return;
      pages.set(page, result.rows);
      if (result.next_after !== null) starts.set(page + 1, result.next_after);
      else if (!counted) total = page * PAGE_SIZE + result.rows.length;
      draw();
      if (!firstPageShown) {
        firstPageShown = true;
        requestAnimationFrame(() => api.uiReady('first_page').catch(() => {}));
      }
    } catch (err) {
      if (mine === generation) showError(err);
    } finally {
      if (mine === generation) loading.delete(page);
    }
  }

  function loadAnchors() {
    if (anchorsLoading) return;
    const mine = generation;
    anchorsLoading = api.pageAnchors({ ...query, limit: PAGE_SIZE }).then(
      (found) => {
        if (mine !== generation) return;
        anchors = found;
        draw();
      },
      (err) => showError(err),
    );
  }

  /** @param {number} index */
  function moveActive(index) {
    if (total === 0) return;
    active = Math.max(0, Math.min(total - 1, index));
    const { first, last } = visibleRange({ ...view(), overscan: 0 });
    if (active < first + 1 || active >= last - 1) {
      const top = active < first + 1 ? active : active - Math.floor(scroller.clientHeight / ROW_HEIGHT) + 1;
      scroller.scrollTop = scrollTopFor(Math.max(0, top), view());
    }
    draw();
  }

  /** @param {ProductRow} row */
  function toggle(row) {
    selected.has(row.id) ? selected.delete(row.id) : selected.set(row.id, row.sku);
    updateBulkbar();
    draw();
  }

  function updateBulkbar() {
    bulkbar.hidden = selected.size === 0;
    bulkCount.textContent = t('products.selected', { n: selected.size });
  }

  /** @param {import('../ipc.js').BulkChange} change */
  async function bulk(change) {
    try {
      const n = await api.bulkEdit([...selected.keys()], change);
      toast(t('products.bulk_done', { n }));
      selected.clear();
      updateBulkbar();
      reload();
    } catch (err) {
      showError(err);
    }
  }

  function scalePrices() {
    const percent = parseNumber(bulkPercent.value, lang());
    if (percent === null) return showError({ code: 'input.not_a_number', details: { input: bulkPercent.value } });
    bulk({ op: 'scale_prices', group: Number(bulkGroup.value), percent });
  }

  async function deleteSelected() {
    const ok = await dialog({
      title: t('products.delete_selected'),
      body: h('p', { text: t('products.delete_confirm', { n: selected.size }) }),
      ok: t('action.delete'),
      danger: true,
      onOk: () => true,
    });
    if (ok) bulk({ op: 'delete' });
  }

  async function chooseColumns() {
    const shown = new Set(shownColumns());
    const boxes = COLUMNS.map((c) => {
      const box = h('input', { attrs: { type: 'checkbox', checked: shown.has(c.key) }, data: { key: c.key } });
      return h('label', { class: 'check' }, box, t(`column.${c.key}`));
    });
    const chosen = await dialog({
      title: t('products.columns'),
      body: h('div', { class: 'stack' }, ...boxes),
      onOk: () => boxes.map((b) => /** @type {HTMLInputElement} */ (b.firstChild)).filter((b) => b.checked).map((b) => b.dataset.key ?? ''),
    });
    if (chosen && chosen.length) {
      localStorage.setItem('raf.columns', JSON.stringify(chosen));
      go('#/products');
    }
  }

  reload();
  if (!document.querySelector('dialog')) search.focus();
  return () => resize.disconnect();
}

/**
 * Fills the category, brand and tag filters (any may be null).
 * @param {HTMLSelectElement | null} category
 * @param {HTMLSelectElement | null} brand
 * @param {HTMLSelectElement | null} tag
 */
async function fillFilters(category, brand, tag) {
  try {
    const [categories, brands, tags] = await Promise.all([api.categories(), api.brands(), api.tags()]);
    /** @param {HTMLSelectElement | null} el @param {{ id: number, name: string }[]} items */
    const fill = (el, items) => {
      if (!el) return;
      const value = el.value;
      el.append(...items.map((item) => h('option', { text: item.name, attrs: { value: String(item.id) } })));
      el.value = value;
    };
    fill(category, categories);
    fill(brand, brands);
    fill(tag, tags);
    if (category && query.category_id) category.value = String(query.category_id);
    if (brand && query.brand_id) brand.value = String(query.brand_id);
    if (tag && query.tag_id) tag.value = String(query.tag_id);
  } catch (err) {
    showError(err);
  }
}
