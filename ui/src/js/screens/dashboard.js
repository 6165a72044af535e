// @ts-check
/** Stock value by category, products running low, and stock movements per day. */
import { api } from '../ipc.js';
import { h } from '../dom.js';
import { formatDecimal, formatMoney } from '../format.js';
import { lang, t } from '../i18n.js';
import { emptyState, go, showError } from '../ui.js';

const SVG = 'http://www.w3.org/2000/svg';

/** @param {string} tag @param {Record<string, string | number>} attrs @param {...SVGElement} children */
function svg(tag, attrs, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  el.append(...children);
  return el;
}

/**
 * Horizontal bars, one per label; values are decimal strings.
 * @param {{ label: string, value: string, text: string }[]} bars
 */
function barChart(bars) {
  const max = Math.max(...bars.map((b) => Number(b.value)), 1);
  return h('div', { class: 'bars' }, ...bars.map((b) => {
    const fill = h('span', { class: 'fill' });
    fill.style.width = `${Math.max(0.5, (Number(b.value) / max) * 100)}%`;
    return h('div', { class: 'bar' }, h('span', { class: 'label', text: b.label }), h('span', { class: 'track' }, fill), h('span', { class: 'num', text: b.text }));
  }));
}

/** @param {import('../ipc.js').Dashboard['by_day']} days */
function dayChart(days) {
  const width = 600, height = 160, gap = 2;
  const max = Math.max(...days.flatMap((d) => [Number(d.added), Number(d.removed)]), 1);
  const w = width / Math.max(days.length, 1);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height + 20}`, class: 'days', role: 'img', 'aria-label': t('dashboard.by_day') });
  days.forEach((d, i) => {
    const added = (Number(d.added) / max) * (height / 2);
    const removed = (Number(d.removed) / max) * (height / 2);
    const x = i * w + gap;
    const title = svg('title', {});
    title.textContent = `${d.day}: +${formatDecimal(d.added, lang())} / -${formatDecimal(d.removed, lang())}`;
    chart.append(
      svg('rect', { x, y: height / 2 - added, width: w - gap * 2, height: added, class: 'in' }, title),
      svg('rect', { x, y: height / 2, width: w - gap * 2, height: removed, class: 'out' }));
  });
  chart.append(svg('line', { x1: 0, x2: width, y1: height / 2, y2: height / 2, class: 'axis' }));
  return chart;
}

/** @param {HTMLElement} root */
export function render(root) {
  const screen = h('section', { class: 'screen' }, h('header', { class: 'toolbar' }, h('h1', { text: t('nav.dashboard') })));
  root.append(screen);
  api.dashboard().then((d) => {
    const byCategory = d.by_category.map((c) => ({
      label: c.category ?? t('dashboard.no_category'), value: c.value, text: formatMoney(c.value, lang()),
    }));
    const low = d.low_stock.map((r) => {
      const row = h('tr', { class: 'link' }, h('td', { text: r.sku }), h('td', { text: r.name }),
        h('td', { class: 'num', text: formatDecimal(r.on_hand, lang()) }), h('td', { class: 'num', text: formatDecimal(r.min_stock, lang()) }));
      row.addEventListener('click', () => go(`#/product/${encodeURIComponent(r.sku)}`));
      return row;
    });
    screen.append(h('div', { class: 'columns' },
      h('section', { class: 'card' }, h('h2', { text: t('dashboard.value_by_category') }),
        byCategory.length ? barChart(byCategory) : emptyState(t('products.empty'), t('products.empty_hint'))),
      h('section', { class: 'card' }, h('h2', { text: t('dashboard.low_stock') }),
        low.length
          ? h('table', {}, h('thead', {}, h('tr', {}, ...[t('field.sku'), t('field.name'), t('column.on_hand'), t('field.min_stock')].map((text) => h('th', { text })))), h('tbody', {}, ...low))
          : h('p', { class: 'hint', text: t('dashboard.no_low_stock') }))),
      h('section', { class: 'card' }, h('h2', { text: t('dashboard.by_day') }),
        d.by_day.length ? dayChart(d.by_day) : h('p', { class: 'hint', text: t('dashboard.no_movements') })));
  }, showError);
}
