// @ts-check
/** The stock ledger: every movement, filtered by days, kind and product; undo from here. */
import { api } from '../ipc.js';
import { field, h, select } from '../dom.js';
import { localDay } from '../format.js';
import { t } from '../i18n.js';
import { emptyState, go, showError } from '../ui.js';
import { movementHead, movementRow } from './product.js';

/** @typedef {import('../ipc.js').MovementQuery} MovementQuery */

const PAGE = 100;
const KINDS = ['add', 'sub', 'set', 'count', 'import', 'sale', 'cancel', 'sync', 'undo'];

/** @param {HTMLElement} root */
export function render(root) {
  const from = h('input', { id: 'mv-from', attrs: { type: 'date' } });
  const to = h('input', { id: 'mv-to', attrs: { type: 'date' } });
  const kind = select([['', t('movements.all_kinds')], ...KINDS.map((k) => /** @type {[string, string]} */ ([k, t(`movement.${k}`)]))], '', { id: 'mv-kind' });
  const sku = h('input', { id: 'mv-sku', attrs: { type: 'search', placeholder: t('field.sku') }, data: { search: '' } });
  const body = h('tbody');
  const more = h('button', { text: t('action.more'), attrs: { hidden: true } });
  const empty = h('div');
  /** @type {number | null} */
  let before = null;

  /** @returns {MovementQuery} */
  const query = () => ({
    sku: sku.value.trim() || null,
    kind: /** @type {any} */ (kind.value || null),
    from: localDay(from.value)?.first ?? null,
    to: localDay(to.value)?.last ?? null,
    limit: PAGE,
    before,
  });

  async function load(reset = false) {
    if (reset) {
      before = null;
      body.replaceChildren();
    }
    try {
      const rows = await api.movements(query());
      body.append(...rows.map((m) => movementRow(m, () => load(true))));
      if (rows.length) before = rows[rows.length - 1].id;
      more.hidden = rows.length < PAGE;
      empty.replaceChildren(body.children.length ? '' : emptyState(t('movements.empty'), t('movements.empty_hint')));
    } catch (err) {
      showError(err);
    }
  }
  for (const el of [from, to, kind]) el.addEventListener('change', () => load(true));
  let timer = 0;
  sku.addEventListener('input', () => {
    clearTimeout(timer);
    timer = window.setTimeout(() => load(true), 250);
  });
  more.addEventListener('click', () => load());

  root.append(h('section', { class: 'screen' },
    h('header', { class: 'toolbar' },
      h('h1', { text: t('nav.movements') }),
      field(t('movements.from'), from), field(t('movements.to'), to), field(t('column.kind'), kind), field(t('field.sku'), sku),
      h('button', { text: t('nav.products'), on: { click: () => go('#/products') } })),
    h('div', { class: 'card' }, h('table', { class: 'movements', data: { testid: 'ledger' } }, movementHead(), body), empty, more)));
  load(true);
}
