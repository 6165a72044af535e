// @ts-check
/**
 * The product editor: every field, tags, the ten price groups (sale/list), option
 * groups and the variant matrix, stock adjustment with a reason, and the movement
 * history with undo. `#/product/` creates a product; `#/product/SKU` edits one.
 */
import { api } from '../ipc.js';
import { field, h, select } from '../dom.js';
import { formatDate, formatDecimal, parseNumber } from '../format.js';
import { lang, t } from '../i18n.js';
import { dialog, emptyState, go, showError, toast } from '../ui.js';

/** @typedef {import('../ipc.js').ProductDetail} ProductDetail */
/** @typedef {import('../ipc.js').ProductFields} ProductFields */
/** @typedef {import('../ipc.js').Movement} Movement */
/** @typedef {import('../ipc.js').Price} Price */
/** @typedef {import('../ipc.js').Variant} Variant */

const HISTORY_PAGE = 50;

/** @param {HTMLElement} root @param {string} sku */
export function render(root, sku) {
  const screen = h('section', { class: 'screen editor' });
  root.append(screen);
  if (!sku) {
    screen.append(form(null));
    return;
  }
  api.product(sku).then(
    (detail) => {
      screen.append(
        form(detail),
        h('div', { class: 'columns' },
          h('div', {}, pricesSection(detail), tagsSection(detail)),
          h('div', {}, variantsSection(detail), stockSection(detail))),
        historySection(detail),
      );
    },
    (err) => {
      showError(err);
      screen.append(emptyState(t('product.not_found'), t('product.not_found_hint')));
    },
  );
}

/** @param {string} text */
function decimalOrNull(text) {
  if (!text.trim()) return null;
  const value = parseNumber(text, lang());
  if (value === null) throw { code: 'input.not_a_number', message: text, details: { input: text } };
  return value;
}

/** @param {string} text */
function textOrNull(text) {
  return text.trim() ? text.trim() : null;
}

/** @param {ProductDetail | null} detail */
function form(detail) {
  const p = detail;
  /** @param {string} name @param {string | null | undefined} value @param {Record<string, any>} [attrs] */
  const input = (name, value, attrs = {}) => h('input', { id: `f-${name}`, attrs: { type: 'text', value: value ?? '', ...attrs } });
  /** @param {string | null | undefined} value */
  const num = (value) => (value === null || value === undefined ? '' : formatDecimal(value, lang()));
  const sku = input('sku', p?.sku, { required: true, autocomplete: 'off' });
  const name = input('name', p?.name, { required: true });
  const subtitle = input('subtitle', p?.subtitle);
  const description = h('textarea', { id: 'f-description', text: p?.description ?? '', attrs: { rows: 3 } });
  const barcode = input('barcode', p?.barcode);
  const barcode2 = input('barcode2', p?.barcode2);
  const category = select([['', '—']], '', { id: 'f-category' });
  const brand = select([['', '—']], '', { id: 'f-brand' });
  const unit = input('unit', p?.unit ?? 'adet');
  const vat = input('vat_rate', num(p?.vat_rate ?? '20'), { inputmode: 'decimal' });
  const desi = input('desi', num(p?.desi), { inputmode: 'decimal' });
  const currency = input('currency', p?.currency ?? 'TRY', { maxlength: 3 });
  const kind = select([['good', t('kind.good')], ['service', t('kind.service')]], p?.kind ?? 'good', { id: 'f-kind' });
  const active = h('input', { id: 'f-active', attrs: { type: 'checkbox', checked: p ? p.active : true } });
  const minStock = input('min_stock', num(p?.min_stock), { inputmode: 'decimal' });
  const purchase = input('purchase_price', num(p?.purchase_price), { inputmode: 'decimal' });
  const purchaseCurrency = input('purchase_currency', p?.purchase_currency, { maxlength: 3 });
  const images = h('textarea', { id: 'f-image_urls', text: (p?.image_urls ?? []).join('\n'), attrs: { rows: 2, placeholder: 'https://…' } });

  Promise.all([api.categories(), api.brands()]).then(([categories, brands]) => {
    category.append(...categories.map((c) => h('option', { text: c.name, attrs: { value: String(c.id) } })));
    brand.append(...brands.map((b) => h('option', { text: b.name, attrs: { value: String(b.id) } })));
    category.value = String(p?.category_id ?? '');
    brand.value = String(p?.brand_id ?? '');
  }, showError);

  const save = h('button', { class: 'primary', id: 'save-product', text: t('action.save'), attrs: { type: 'submit' } });
  const el = h(
    'form',
    { class: 'card product-form' },
    h('header', { class: 'card-head' },
      h('h1', { text: p ? p.name : t('product.new') }),
      h('div', { class: 'actions' },
        h('button', { text: t('action.back'), attrs: { type: 'button' }, on: { click: () => go('#/products') } }),
        p ? h('button', { class: 'danger', attrs: { type: 'button' }, text: p.deleted_at ? t('product.restore') : t('action.delete'), on: { click: () => trash(p) } }) : null,
        save)),
    h('div', { class: 'grid' },
      field(t('field.sku'), sku), field(t('field.name'), name), field(t('field.subtitle'), subtitle),
      field(t('field.barcode'), barcode), field(t('field.barcode2'), barcode2), field(t('field.category'), category),
      field(t('field.brand'), brand), field(t('field.unit'), unit), field(t('field.vat_rate'), vat),
      field(t('field.desi'), desi), field(t('field.currency'), currency), field(t('field.kind'), kind),
      field(t('field.min_stock'), minStock), field(t('field.purchase_price'), purchase),
      field(t('field.purchase_currency'), purchaseCurrency),
      h('label', { class: 'check' }, active, t('field.active'))),
    field(t('field.description'), description),
    field(t('field.image_urls'), images),
  );
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      /** @type {ProductFields} */
      const fields = {
        sku: sku.value.trim(), name: name.value.trim(), subtitle: textOrNull(subtitle.value),
        description: textOrNull(description.value), barcode: textOrNull(barcode.value), barcode2: textOrNull(barcode2.value),
        category_id: category.value ? Number(category.value) : null, brand_id: brand.value ? Number(brand.value) : null,
        unit: unit.value.trim() || 'adet', vat_rate: decimalOrNull(vat.value) ?? '0', desi: decimalOrNull(desi.value),
        currency: currency.value.trim() || 'TRY', active: active.checked, kind: /** @type {any} */ (kind.value),
        min_stock: decimalOrNull(minStock.value), purchase_price: decimalOrNull(purchase.value),
        purchase_currency: textOrNull(purchaseCurrency.value),
        image_urls: images.value.split('\n').map((u) => u.trim()).filter(Boolean),
      };
      const saved = p ? await api.updateProduct(p.sku, fields) : await api.createProduct(fields);
      toast(t('product.saved', { sku: saved.sku }));
      go(`#/product/${encodeURIComponent(saved.sku)}`);
    } catch (err) {
      showError(err);
    }
  });
  el.addEventListener('keydown', (e) => {
    if (e.key === 'Escape') go('#/products');
  });
  queueMicrotask(() => (p ? name : sku).focus());
  return el;
}

/** @param {ProductDetail} p */
async function trash(p) {
  try {
    if (p.deleted_at) await api.restoreProduct(p.sku);
    else await api.deleteProduct(p.sku);
    toast(p.deleted_at ? t('product.restored') : t('product.deleted'));
    go(p.deleted_at ? `#/product/${encodeURIComponent(p.sku)}` : '#/products');
  } catch (err) {
    showError(err);
  }
}

/**
 * The ten price groups as a grid of sale and list inputs with ids `{prefix}-sale-N` and
 * `{prefix}-list-N`. `fallback` prices show as placeholders: a variant without a price
 * of its own in a group sells at the product's. `changes()` lists the groups whose
 * typed prices differ from `prices` (a group without a sale price is left alone).
 * @param {Price[]} prices @param {string} prefix @param {Price[]} [fallback]
 */
function priceGrid(prices, prefix, fallback = []) {
  /** @param {string | null | undefined} value */
  const shown = (value) => (value ? formatDecimal(value, lang(), 2) : '');
  const rows = prices.map((price, i) => {
    const input = (/** @type {'sale' | 'list'} */ kind) => h('input', {
      id: `${prefix}-${kind}-${price.group}`, class: 'num',
      attrs: { type: 'text', inputmode: 'decimal', value: shown(price[kind]), placeholder: shown(fallback[i]?.[kind]) },
    });
    const [sale, list] = [input('sale'), input('list')];
    return { price, sale, list, el: h('tr', {}, h('td', { text: `${price.group}. ${price.group_name}` }), h('td', {}, sale), h('td', {}, list)) };
  });
  const el = h('table', { class: 'prices' },
    h('thead', {}, h('tr', {}, h('th', { text: t('product.price_group') }), h('th', { text: t('product.sale') }), h('th', { text: t('product.list') }))),
    h('tbody', {}, ...rows.map((r) => r.el)));
  const changes = () => rows.flatMap(({ price, sale, list }) => {
    const [s, l] = [decimalOrNull(sale.value), decimalOrNull(list.value)];
    return s === null || (s === price.sale && l === price.list) ? [] : [{ group: price.group, sale: s, list: l }];
  });
  return { el, changes };
}

/**
 * Saves the changed groups of a price grid for `sku`.
 * @param {string} sku @param {{ group: number, sale: string, list: string | null }[]} changes
 */
async function savePrices(sku, changes) {
  for (const { group, sale, list } of changes) await api.setPrice(sku, group, sale, list);
}

/** Ten price groups of the product as a grid of sale and list prices. @param {ProductDetail} p */
function pricesSection(p) {
  const grid = priceGrid(p.prices, 'price');
  const save = h('button', { id: 'save-prices', text: t('product.save_prices') });
  save.addEventListener('click', async () => {
    try {
      await savePrices(p.sku, grid.changes());
      toast(t('product.prices_saved'));
      go(`#/product/${encodeURIComponent(p.sku)}`);
    } catch (err) {
      showError(err);
    }
  });
  return h('section', { class: 'card' }, h('h2', { text: t('product.prices') }), grid.el, h('div', { class: 'actions' }, save));
}

/** @param {ProductDetail} p */
function tagsSection(p) {
  const list = h('div', { class: 'tags' });
  api.tags().then((tags) => {
    if (!tags.length) list.append(h('p', { class: 'hint', text: t('product.no_tags') }));
    for (const tag of tags) {
      const box = h('input', { attrs: { type: 'checkbox', checked: p.tags.some((x) => x.id === tag.id) } });
      box.addEventListener('change', () => api.tagProduct(p.sku, tag.name, box.checked).catch(showError));
      list.append(h('label', { class: 'check tag' }, box, tag.name));
    }
  }, showError);
  return h('section', { class: 'card' }, h('h2', { text: t('field.tags') }), list);
}

/**
 * "Renk: Kırmızı, Mavi" lines -> option axes.
 * @param {string} text
 * @returns {import('../ipc.js').OptionAxis[]}
 */
export function parseAxes(text) {
  return text
    .split('\n')
    .map((line) => line.split(/[:=]/))
    .filter((parts) => parts.length === 2 && parts[0].trim())
    .map(([group, values]) => ({ group: group.trim(), values: values.split(',').map((v) => v.trim()).filter(Boolean) }));
}

/** @param {ProductDetail} p */
function variantsSection(p) {
  const axes = h('textarea', { id: 'axes', attrs: { rows: 2, placeholder: t('product.axes_placeholder') } });
  const generate = h('button', { id: 'generate-variants', text: t('product.generate') });
  generate.addEventListener('click', async () => {
    try {
      const created = await api.generateVariants(p.sku, parseAxes(axes.value));
      toast(t('product.variants_created', { n: created.length }));
      go(`#/product/${encodeURIComponent(p.sku)}`);
    } catch (err) {
      showError(err);
    }
  });
  const table = p.variants.length
    ? h('table', { class: 'variants', data: { testid: 'variants' } },
        h('thead', {}, h('tr', {}, ...[t('field.sku'), t('product.options'), t('field.barcode')].map((text) => h('th', { text })),
          h('th', { class: 'num', text: t('column.on_hand') }), h('th'))),
        h('tbody', {}, ...p.variants.map((v) =>
          h('tr', { data: { sku: v.sku }, class: v.active ? '' : 'inactive' },
            h('td', { text: v.sku }),
            h('td', { text: v.options.map((o) => `${o.group}: ${o.value}`).join(' · ') }),
            h('td', { text: v.barcode ?? '' }),
            h('td', { class: 'num', text: formatDecimal(v.on_hand, lang()) }),
            h('td', { class: 'actions' },
              h('button', { class: 'small', text: t('product.edit_variant'), data: { edit: v.sku }, on: { click: () => editVariant(p, v) } }),
              h('button', { class: 'small danger', text: t('action.remove'), data: { remove: v.sku }, on: { click: () => removeVariant(p, v) } }))))))
    : h('p', { class: 'hint', text: t('product.no_variants') });
  return h('section', { class: 'card' },
    h('h2', { text: t('product.variants') }),
    table,
    field(t('product.axes'), axes),
    h('div', { class: 'actions' }, generate));
}

/**
 * A variant's SKU, barcode, active flag and its own prices (empty groups sell at the
 * product's price, shown greyed).
 * @param {ProductDetail} p @param {Variant} v
 */
async function editVariant(p, v) {
  const sku = h('input', { id: 'v-sku', attrs: { type: 'text', value: v.sku, required: true, autocomplete: 'off' } });
  const barcode = h('input', { id: 'v-barcode', attrs: { type: 'text', value: v.barcode ?? '' } });
  const active = h('input', { id: 'v-active', attrs: { type: 'checkbox', checked: v.active } });
  const grid = priceGrid(v.prices, 'vprice', p.prices);
  const saved = await dialog({
    title: `${t('product.edit_variant')}: ${v.sku}`,
    body: h('div', { class: 'stack' },
      h('p', { class: 'hint', text: v.options.map((o) => `${o.group}: ${o.value}`).join(' · ') }),
      field(t('field.sku'), sku), field(t('field.barcode'), barcode), h('label', { class: 'check' }, active, t('field.active')),
      h('p', { class: 'hint', text: t('product.variant_prices_hint') }), grid.el),
    onOk: async () => {
      const changes = grid.changes();
      const fields = { sku: sku.value.trim(), barcode: textOrNull(barcode.value), active: active.checked };
      if (fields.sku !== v.sku || fields.barcode !== v.barcode || fields.active !== v.active) await api.updateVariant(v.sku, fields);
      await savePrices(fields.sku, changes);
      return fields.sku;
    },
  });
  if (saved) {
    toast(t('product.saved', { sku: saved }));
    go(`#/product/${encodeURIComponent(p.sku)}`);
  }
}

/** @param {ProductDetail} p @param {Variant} v */
async function removeVariant(p, v) {
  const removed = await dialog({
    title: t('product.remove_variant'), danger: true, ok: t('action.remove'),
    body: h('p', { text: t('product.remove_variant_confirm', { sku: v.sku }) }),
    onOk: () => api.removeVariant(v.sku).then(() => true),
  });
  if (removed) {
    toast(t('product.variant_removed', { sku: v.sku }));
    go(`#/product/${encodeURIComponent(p.sku)}`);
  }
}

/** @param {ProductDetail} p */
function stockSection(p) {
  const items = p.variants.length ? p.variants.map((v) => [v.sku, `${v.sku} (${formatDecimal(v.on_hand, lang())})`]) : [[p.sku, p.sku]];
  const item = select(/** @type {[string, string][]} */ (items), items[0][0], { id: 'adjust-sku' });
  const op = select([['add', t('stock.add')], ['sub', t('stock.sub')], ['set', t('stock.set')]], 'add', { id: 'adjust-op' });
  const qty = h('input', { id: 'adjust-qty', class: 'narrow', attrs: { type: 'text', inputmode: 'decimal', required: true } });
  const reason = h('input', { id: 'adjust-reason', attrs: { type: 'text', placeholder: t('stock.reason') } });
  const submit = h('button', { class: 'primary', id: 'adjust-submit', text: t('stock.apply'), attrs: { type: 'submit' } });
  const el = h('form', { class: 'card' },
    h('h2', { text: t('stock.title') }),
    h('p', { class: 'big', data: { testid: 'on-hand' }, text: t('stock.on_hand', { qty: formatDecimal(p.on_hand, lang()), unit: p.unit }) }),
    p.kind === 'service' ? h('p', { class: 'hint', text: t('stock.service') }) : null,
    h('div', { class: 'inline' }, item, op, qty, reason, submit));
  el.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      const amount = decimalOrNull(qty.value);
      if (amount === null) throw { code: 'input.not_a_number', details: { input: qty.value } };
      await api.adjustStock(item.value, /** @type {any} */ ({ op: op.value, qty: amount }), textOrNull(reason.value));
      toast(t('stock.done'));
      go(`#/product/${encodeURIComponent(p.sku)}`);
    } catch (err) {
      showError(err);
    }
  });
  return el;
}

/** @param {ProductDetail} p */
function historySection(p) {
  const body = h('tbody');
  const more = h('button', { text: t('action.more'), attrs: { hidden: true } });
  /** @type {number | null} */
  let before = null;
  async function load() {
    try {
      const rows = await api.history(p.sku, HISTORY_PAGE, before);
      body.append(...rows.map((m) => movementRow(m, () => go(`#/product/${encodeURIComponent(p.sku)}`))));
      before = rows.length ? rows[rows.length - 1].id : before;
      more.hidden = rows.length < HISTORY_PAGE;
      if (!body.children.length) body.append(h('tr', {}, h('td', { attrs: { colspan: 7 }, class: 'hint', text: t('stock.no_history') })));
    } catch (err) {
      showError(err);
    }
  }
  more.addEventListener('click', load);
  load();
  return h('section', { class: 'card' },
    h('h2', { text: t('stock.history') }),
    h('table', { class: 'movements', data: { testid: 'history' } }, movementHead(), body),
    more);
}

export function movementHead() {
  return h('thead', {}, h('tr', {},
    ...['#', t('column.date'), t('field.sku'), t('column.kind'), t('column.delta'), t('column.after'), t('stock.reason'), '']
      .map((text) => h('th', { text }))));
}

/**
 * One ledger line with its undo button.
 * @param {Movement} m
 * @param {() => void} onUndone
 */
export function movementRow(m, onUndone) {
  const undoable = !m.undone_by && m.kind !== 'sale' && m.kind !== 'cancel' && m.kind !== 'undo';
  const undo = h('button', { class: 'small undo', text: t('stock.undo'), attrs: { hidden: !undoable } });
  undo.addEventListener('click', async () => {
    try {
      await api.undoMovement(m.id);
      toast(t('stock.undone', { id: m.id }));
      onUndone();
    } catch (err) {
      showError(err);
    }
  });
  const sign = m.delta.startsWith('-') ? '' : '+';
  return h('tr', { data: { movement: String(m.id) }, class: m.undone_by ? 'undone' : '' },
    h('td', { text: String(m.id) }),
    h('td', { text: formatDate(m.created_at, lang()) }),
    h('td', { text: m.sku }),
    h('td', { text: t(`movement.${m.kind}`) + (m.undoes ? ` (#${m.undoes})` : '') }),
    h('td', { class: 'num', text: sign + formatDecimal(m.delta, lang()) }),
    h('td', { class: 'num', text: formatDecimal(m.after, lang()) }),
    h('td', { text: m.reason ?? '' }),
    h('td', {}, m.undone_by ? h('span', { class: 'hint', text: t('stock.undone_by', { id: m.undone_by }) }) : undo));
}
