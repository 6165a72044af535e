// @ts-check
/** Categories, brands, tags and the names of the ten price groups. */
import { api } from '../ipc.js';
import { h, select } from '../dom.js';
import { t } from '../i18n.js';
import { go, showError, toast } from '../ui.js';

/** @param {HTMLElement} root */
export function render(root) {
  const grid = h('div', { class: 'columns four' });
  root.append(h('section', { class: 'screen' }, h('header', { class: 'toolbar' }, h('h1', { text: t('nav.catalog') })), grid));
  Promise.all([api.categories(), api.brands(), api.tags(), api.priceGroups()]).then(([categories, brands, tags, groups]) => {
    const parent = select([['', t('catalog.no_parent')], ...categories.map((c) => /** @type {[string, string]} */ ([c.name, c.name]))], '');
    const color = h('input', { attrs: { type: 'color', value: '#0f766e', 'aria-label': t('catalog.color') } });
    grid.append(
      list('categories', categories.map((c) => ({ name: c.name, note: String(c.products), color: c.color })),
        (name) => api.addCategory(name, color.value, parent.value || null), (name) => api.removeCategory(name), [color, parent]),
      list('brands', brands.map((b) => ({ name: b.name, note: String(b.products), color: null })),
        (name) => api.addBrand(name), (name) => api.removeBrand(name), []),
      list('tags', tags.map((x) => ({ name: x.name, note: '', color: x.color })),
        (name) => api.addTag(name, null), (name) => api.removeTag(name), []),
      priceGroups(groups));
  }, showError);
}

/**
 * One list with an "add" row and a remove button per item.
 * @param {string} kind
 * @param {{ name: string, note: string, color: string | null }[]} items
 * @param {(name: string) => Promise<unknown>} add
 * @param {(name: string) => Promise<unknown>} remove
 * @param {HTMLElement[]} extra inputs shown next to the name
 */
function list(kind, items, add, remove, extra) {
  const name = h('input', { id: `add-${kind}`, attrs: { type: 'text', placeholder: t(`catalog.new_${kind}`), required: true } });
  const form = h('form', { class: 'inline' }, name, ...extra, h('button', { class: 'primary', text: t('action.add'), attrs: { type: 'submit' } }));
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    try {
      await add(name.value.trim());
      toast(t('catalog.added', { name: name.value.trim() }));
      go('#/catalog');
    } catch (err) {
      showError(err);
    }
  });
  const rows = items.map((item) => {
    const swatch = h('span', { class: 'swatch' });
    if (item.color) swatch.style.background = item.color;
    return h('li', {}, swatch, h('span', { class: 'grow', text: item.name }), h('span', { class: 'hint', text: item.note }),
      h('button', { class: 'small', text: t('action.remove'), on: { click: () => remove(item.name).then(() => go('#/catalog'), showError) } }));
  });
  return h('section', { class: 'card' },
    h('h2', { text: t(`catalog.${kind}`) }),
    rows.length ? h('ul', { class: 'plain' }, ...rows) : h('p', { class: 'hint', text: t(`catalog.no_${kind}`) }),
    form);
}

/** @param {import('../ipc.js').PriceGroup[]} groups */
function priceGroups(groups) {
  const inputs = groups.map((g) => h('input', { attrs: { type: 'text', value: g.name, 'aria-label': String(g.no) } }));
  const save = h('button', { class: 'primary', text: t('action.save') });
  save.addEventListener('click', async () => {
    try {
      for (const [i, g] of groups.entries()) if (inputs[i].value.trim() !== g.name) await api.renamePriceGroup(g.no, inputs[i].value);
      toast(t('catalog.groups_saved'));
    } catch (err) {
      showError(err);
    }
  });
  return h('section', { class: 'card' },
    h('h2', { text: t('catalog.price_groups') }),
    h('ol', { class: 'plain' }, ...inputs.map((input) => h('li', {}, input))),
    h('div', { class: 'actions' }, save));
}
