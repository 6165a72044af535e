// @ts-check
/**
 * Orders: the list (status, marketplace, date filters), an order's lines, a manual
 * order (its stock goes out through the ledger), status changes and cancelling.
 * `#/orders` lists; `#/orders/CODE` shows one.
 */
import { api } from '../ipc.js';
import { field, h, select } from '../dom.js';
import { formatDate, formatDecimal, formatMoney, localDay, parseNumber } from '../format.js';
import { lang, t } from '../i18n.js';
import { dialog, emptyState, go, showError, toast } from '../ui.js';
import { defaultQuery } from './products.js';

/** @typedef {import('../ipc.js').Order} Order */
/** @typedef {import('../ipc.js').OrderStatus} OrderStatus */

const STATUSES = /** @type {OrderStatus[]} */ (['awaiting', 'approved', 'shipped', 'cancelled']);
const PAGE = 100;

/** @param {HTMLElement} root @param {string} code */
export function render(root, code) {
  if (code) return detail(root, code);
  const status = select([['', t('orders.all_statuses')], ...STATUSES.map((s) => /** @type {[string, string]} */ ([s, t(`order_status.${s}`)]))], '');
  const marketplace = h('input', { attrs: { type: 'search', placeholder: t('orders.marketplace') } });
  const from = h('input', { attrs: { type: 'date' } });
  const to = h('input', { attrs: { type: 'date' } });
  const body = h('tbody');
  const more = h('button', { text: t('action.more'), attrs: { hidden: true } });
  const empty = h('div');
  /** @type {number | null} */
  let after = null;

  async function load(reset = false) {
    if (reset) {
      after = null;
      body.replaceChildren();
    }
    try {
      const rows = await api.orders({
        status: /** @type {any} */ (status.value || null), marketplace: marketplace.value.trim() || null,
        from: localDay(from.value)?.first ?? null, to: localDay(to.value)?.last ?? null, limit: PAGE, after,
      });
      body.append(...rows.map(orderRow));
      if (rows.length) after = rows[rows.length - 1].id;
      more.hidden = rows.length < PAGE;
      empty.replaceChildren(body.children.length ? '' : emptyState(t('orders.empty'), t('orders.empty_hint')));
    } catch (err) {
      showError(err);
    }
  }
  for (const el of [status, from, to, marketplace]) el.addEventListener('change', () => load(true));
  more.addEventListener('click', () => load());
  root.append(h('section', { class: 'screen' },
    h('header', { class: 'toolbar' },
      h('h1', { text: t('nav.orders') }),
      field(t('orders.status'), status), field(t('orders.marketplace'), marketplace),
      field(t('movements.from'), from), field(t('movements.to'), to),
      h('button', { class: 'primary', id: 'new-order', text: t('orders.new'), on: { click: newOrder } })),
    h('div', { class: 'card' },
      h('table', { data: { testid: 'orders' } },
        h('thead', {}, h('tr', {}, ...[t('orders.code'), t('column.date'), t('orders.marketplace'), t('orders.status'), t('orders.total')].map((text) => h('th', { text })))),
        body),
      empty, more)));
  load(true);
}

/** @param {Order} o */
function orderRow(o) {
  const row = h('tr', { class: 'link', data: { code: o.code } },
    h('td', { text: o.code }),
    h('td', { text: formatDate(o.order_date, lang()) }),
    h('td', { text: o.marketplace ?? t('orders.manual') }),
    h('td', {}, h('span', { class: `badge ${o.status}`, text: t(`order_status.${o.status}`) })),
    h('td', { class: 'num', text: formatMoney(o.total_price, lang(), o.currency) }));
  row.addEventListener('click', () => go(`#/orders/${encodeURIComponent(o.code)}`));
  return row;
}

/**
 * Suggestions for an order line's SKU box as the user types a name, SKU or barcode:
 * matching products, and once a product with variants is chosen, its variants (a line
 * takes stock from one variant).
 * @param {HTMLInputElement} input @param {HTMLElement} hint
 */
function skuPicker(input, hint) {
  const list = h('datalist', { attrs: { id: `skus-${Math.random().toString(36).slice(2)}` } });
  input.setAttribute('list', list.id);
  /** @param {[string, string][]} options */
  const offer = (options) => list.replaceChildren(...options.map(([value, label]) => h('option', { attrs: { value, label } })));
  let typed = 0;
  input.addEventListener('input', async () => {
    const text = input.value.trim();
    const mine = ++typed;
    hint.textContent = '';
    if (text.length < 2) return offer([]);
    try {
      const page = await api.searchProducts({ ...defaultQuery(), search: text, limit: 20 });
      if (mine !== typed) return;
      offer(page.rows.map((r) => [r.sku, `${r.name}${r.variants ? ` · ${t('orders.has_variants', { n: r.variants })}` : ''}`]));
      const exact = page.rows.find((r) => r.sku === text);
      if (exact?.variants) {
        const detail = await api.product(exact.sku);
        if (mine !== typed) return;
        offer(detail.variants.map((v) => [v.sku, `${detail.name} (${v.options.map((o) => o.value).join(', ')})`]));
        hint.textContent = t('orders.choose_variant');
      }
    } catch (err) {
      showError(err);
    }
  });
  return list;
}

/** A manual order: lines of SKU and quantity (and an optional unit price). */
async function newOrder() {
  const lines = h('div', { class: 'stack' });
  const addLine = () => {
    const sku = h('input', { class: 'line-sku', attrs: { type: 'text', placeholder: t('orders.find_product'), required: true, autocomplete: 'off' } });
    const hint = h('span', { class: 'hint' });
    const qty = h('input', { class: 'line-qty narrow', attrs: { type: 'text', inputmode: 'decimal', placeholder: t('orders.quantity'), value: '1' } });
    const price = h('input', { class: 'line-price narrow', attrs: { type: 'text', inputmode: 'decimal', placeholder: t('orders.unit_price') } });
    lines.append(h('div', { class: 'inline line' }, sku, skuPicker(sku, hint), qty, price, hint));
    sku.focus();
  };
  addLine();
  const note = h('input', { attrs: { type: 'text' } });
  const order = await dialog({
    title: t('orders.new'),
    body: h('div', { class: 'stack' }, lines, h('button', { attrs: { type: 'button' }, text: t('orders.add_line'), on: { click: addLine } }), field(t('orders.note'), note)),
    onOk: () => {
      const parsed = [...lines.querySelectorAll('.line')].map((line) => {
        const [sku, qty, price] = /** @type {HTMLInputElement[]} */ ([...line.querySelectorAll('input')]);
        const quantity = parseNumber(qty.value, lang());
        if (quantity === null) throw { code: 'input.not_a_number', details: { input: qty.value } };
        const unit = price.value.trim() ? parseNumber(price.value, lang()) : null;
        if (price.value.trim() && unit === null) throw { code: 'input.not_a_number', details: { input: price.value } };
        return { sku: sku.value.trim(), quantity, unit_price: unit, commission_price: '0', marketplace_id: null, marketplace_product_id: null };
      });
      return api.createOrder({
        code: null, order_type: 'manual', marketplace: null, status: 'approved', order_date: null,
        customer: {}, shipping: {}, billing: {}, cargo: { company: null, type: null, campaign_no: null, tracking_no: null },
        currency: 'TRY', note: note.value.trim() || null, lines: parsed.filter((l) => l.sku),
      });
    },
  });
  if (order) {
    toast(t('orders.created', { code: order.code }));
    go(`#/orders/${encodeURIComponent(order.code)}`);
  }
}

/** @param {HTMLElement} root @param {string} code */
function detail(root, code) {
  const screen = h('section', { class: 'screen' });
  root.append(screen);
  api.order(code).then((o) => {
    const status = select(STATUSES.filter((s) => s !== 'cancelled').map((s) => /** @type {[string, string]} */ ([s, t(`order_status.${s}`)])), o.status, { id: 'order-status' });
    status.disabled = o.status === 'cancelled';
    status.addEventListener('change', () =>
      api.setOrderStatus(o.code, /** @type {OrderStatus} */ (status.value)).then(() => toast(t('orders.status_changed')), showError));
    const cancel = h('button', { class: 'danger', id: 'cancel-order', text: t('orders.cancel'), attrs: { disabled: o.status === 'cancelled' } });
    cancel.addEventListener('click', async () => {
      const ok = await dialog({ title: t('orders.cancel'), body: h('p', { text: t('orders.cancel_confirm', { code: o.code }) }), ok: t('orders.cancel'), danger: true, onOk: () => api.cancelOrder(o.code) });
      if (ok) {
        toast(t('orders.cancelled'));
        go(`#/orders/${encodeURIComponent(o.code)}`);
      }
    });
    screen.append(
      h('header', { class: 'toolbar' },
        h('h1', { text: `${t('orders.order')} ${o.code}` }),
        h('span', { class: `badge ${o.status}`, text: t(`order_status.${o.status}`) }),
        field(t('orders.status'), status), cancel,
        h('button', { text: t('action.back'), on: { click: () => go('#/orders') } })),
      h('div', { class: 'card' },
        h('p', { text: `${formatDate(o.order_date, lang())} · ${o.marketplace ?? t('orders.manual')}${o.note ? ' · ' + o.note : ''}` }),
        h('table', { data: { testid: 'order-lines' } },
          h('thead', {}, h('tr', {}, ...['#', t('field.sku'), t('field.name'), t('orders.quantity'), t('orders.unit_price'), t('orders.total')].map((text) => h('th', { text })))),
          h('tbody', {}, ...o.lines.map((l) => h('tr', {},
            h('td', { text: String(l.line_no) }), h('td', { text: l.variant_sku ?? l.sku }),
            h('td', { text: l.variant_name ? `${l.product_name} (${l.variant_name})` : l.product_name }),
            h('td', { class: 'num', text: formatDecimal(l.quantity, lang()) }),
            h('td', { class: 'num', text: formatMoney(l.unit_price, lang(), o.currency) }),
            h('td', { class: 'num', text: formatMoney(l.total_price, lang(), o.currency) })))),
          h('tfoot', {}, h('tr', {}, h('td', { attrs: { colspan: 5 }, text: t('orders.total') }), h('td', { class: 'num', text: formatMoney(o.total_price, lang(), o.currency) }))))));
  }, (err) => {
    showError(err);
    screen.append(emptyState(t('orders.not_found'), t('orders.empty_hint')));
  });
}
