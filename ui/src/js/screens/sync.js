// @ts-check
/**
 * Sync with remote shops (`#/sync`): a card per connection (Sopyo, stokdurumu, KolayBi)
 * with its pending changes, last run, Sync now (progress, Cancel), Test, settings and
 * remove; adding a connection (its token goes to the OS keychain and never comes back);
 * conflicts with both values, resolved by keeping Raf's value or taking the remote's.
 */
import { api } from '../ipc.js';
import { field, h, select } from '../dom.js';
import { formatDate, formatDecimal } from '../format.js';
import { lang, t } from '../i18n.js';
import { dialog, emptyState, go, showError, toast } from '../ui.js';
import { onSyncChange, refreshIndicator, runningSync, startSync } from '../sync-status.js';

/** @typedef {import('../ipc.js').ConnectionInfo} ConnectionInfo */
/** @typedef {import('../ipc.js').SyncSettings} SyncSettings */
/** @typedef {import('../ipc.js').SyncKind} SyncKind */
/** @typedef {import('../ipc.js').RunSummary} RunSummary */
/** @typedef {import('../ipc.js').Conflict} Conflict */
/** @typedef {import('../../bindings/Direction').Direction} Direction */
/** @typedef {import('../../bindings/Plan').Plan} Plan */

const KINDS = /** @type {SyncKind[]} */ (['sopyo', 'stokdurumu', 'kolaybi']);
const DIRECTIONS = /** @type {Direction[]} */ (['both', 'pull', 'push', 'off']);
const PLANS = /** @type {Plan[]} */ (['free', 'basic', 'pro', 'enterprise']);
const GROUPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
/** stokdurumu and KolayBi have one price and no orders (ARCHITECTURE.md, "Sync"). */
const SINGLE_PRICE = /** @type {SyncKind[]} */ (['stokdurumu', 'kolaybi']);

/** @param {HTMLElement} root */
export function render(root) {
  const cards = h('div', { class: 'stack', data: { testid: 'connections' } });
  const conflicts = h('section', { class: 'card', data: { testid: 'conflicts' } });
  root.append(h('section', { class: 'screen' },
    h('header', { class: 'toolbar' },
      h('h1', { text: t('nav.sync') }),
      h('button', { class: 'primary', id: 'sync-add', text: t('sync.add'), on: { click: addConnection } })),
    cards, conflicts));

  /** Redraw functions of the cards, called on each step of a run. @type {(() => void)[]} */
  let redraws = [];
  async function load() {
    try {
      const list = await api.syncConnections();
      const withRuns = await Promise.all(list.map(async (c) => ({ info: c, last: (await api.syncRuns(c.name, 1))[0] ?? null })));
      const built = withRuns.map(({ info, last }) => connectionCard(info, last, load));
      redraws = built.map((b) => b.redraw);
      cards.replaceChildren(...(built.length ? built.map((b) => b.el) : [emptyState(t('sync.empty'), t('sync.empty_hint'))]));
      conflicts.replaceChildren(...conflictList(await api.syncConflicts(), load));
    } catch (err) {
      showError(err);
    }
    refreshIndicator();
  }
  load();
  // A run that ends changes the counts, the last run and the conflicts.
  const off = onSyncChange((ended) => (ended ? load() : redraws.forEach((redraw) => redraw())));
  return () => { off(); };
}

/**
 * @param {ConnectionInfo} info
 * @param {RunSummary | null} last
 * @param {() => void} reload
 */
function connectionCard(info, last, reload) {
  const progress = h('progress', { attrs: { max: 1, value: 0 } });
  const progressText = h('span', { class: 'hint', data: { testid: 'progress-text' } });
  const cancel = h('button', { class: 'cancel', text: t('action.cancel'), on: { click: () => runningSync(info.name)?.cancel() } });
  const progressRow = h('div', { class: 'inline' }, progress, progressText, cancel);
  const syncNow = h('button', { class: 'primary sync-now', text: t('sync.now'), on: { click: run } });
  const el = h('section', { class: 'card connection', data: { connection: info.name, kind: info.kind } },
    h('div', { class: 'card-head' },
      h('h2', {}, info.name, ' ', h('span', { class: 'badge', text: t(`sync_kind.${info.kind}`) })),
      h('div', { class: 'actions' },
        syncNow,
        h('button', { class: 'test', text: t('sync.test'), on: { click: test } }),
        h('button', { class: 'settings', text: t('sync.settings'), on: { click: () => editSettings(info).then((saved) => saved && reload()) } }),
        h('button', { class: 'remove danger', text: t('action.remove'), on: { click: remove } }))),
    h('p', { class: 'hint', text: info.base_url }),
    h('p', {},
      h('span', { data: { testid: 'pending' }, text: t('sync.pending_n', { n: info.pending }) }),
      info.open_conflicts ? ` · ${t('sync.conflicts_n', { n: info.open_conflicts })}` : ''),
    lastRun(last),
    progressRow);

  function redraw() {
    const going = runningSync(info.name);
    el.dataset.running = String(Boolean(going));
    progressRow.hidden = !going;
    syncNow.disabled = Boolean(going);
    const step = going?.step;
    progress.max = Math.max(step?.total ?? 1, 1);
    progress.value = step?.done ?? 0;
    progressText.textContent = step
      ? t(`sync_phase.${step.phase}`, { done: formatDecimal(step.done, lang()), total: formatDecimal(step.total, lang()) })
      : t('sync.starting');
  }
  redraw();

  async function run() {
    try {
      const summary = await startSync(info.name);
      toast(t('sync.done', { name: info.name, status: t(`sync_status.${summary.status}`) }));
    } catch (err) {
      showError(err);
    }
  }
  async function test() {
    try {
      await api.testSyncConnection(info.name);
      toast(t('sync.test_ok', { name: info.name }));
    } catch (err) {
      showError(err);
    }
  }
  async function remove() {
    const removed = await dialog({
      title: t('sync.remove_title', { name: info.name }), body: h('p', { text: t('sync.remove_confirm') }),
      ok: t('action.remove'), danger: true, onOk: () => api.removeSyncConnection(info.name).then(() => true),
    });
    if (removed) reload();
  }
  return { el, redraw };
}

/** The last run: status, when, what it moved, and its log. @param {RunSummary | null} last */
function lastRun(last) {
  if (!last) return h('p', { class: 'hint', data: { testid: 'last-run' }, text: t('sync.never') });
  const c = last.counts;
  const n = (/** @type {number} */ v) => formatDecimal(v, lang());
  return h('div', { data: { testid: 'last-run', status: last.status } },
    h('p', {}, t('sync.last_run', { when: formatDate(last.finished_at ?? last.started_at, lang()), status: t(`sync_status.${last.status}`) })),
    h('p', { class: 'hint', text: t('sync.counts', {
      products: n(c.products_pulled), variants: n(c.variants_pulled), orders: n(c.orders_pulled),
      applied: n(c.prices_applied + c.stock_applied + c.info_applied + c.created_locally), pushed: n(c.items_pushed + c.created_remotely + c.statuses_pushed + c.deleted_remotely + c.orders_created_remotely),
      failed: n(c.push_failed), conflicts: n(c.conflicts), requests: n(c.requests),
    }) }),
    last.error ? h('p', { class: 'form-error', text: last.error }) : null,
    h('details', {}, h('summary', { text: t('sync.log') }),
      h('ul', { class: 'plain log' }, ...last.log.map((line) => h('li', { class: line.level }, h('span', { class: 'hint', text: formatDate(line.at, lang()) }), line.message)))));
}

/**
 * The settings a connection of `kind` has, as form controls, and how to read them back.
 * @param {SyncKind} kind
 * @param {Partial<SyncSettings>} current
 */
function settingsForm(kind, current) {
  const single = SINGLE_PRICE.includes(kind);
  const products = select(DIRECTIONS.map((d) => /** @type {[string, string]} */ ([d, t(`sync_dir.${d}`)])), current.products ?? 'both', { id: 'sync-products' });
  const orders = select(DIRECTIONS.map((d) => /** @type {[string, string]} */ ([d, t(`sync_dir.${d}`)])), current.orders ?? 'pull', { id: 'sync-orders' });
  const pushStock = h('input', { id: 'sync-push-stock', attrs: { type: 'checkbox', checked: current.push_stock ?? true } });
  const plan = select(PLANS.map((p) => /** @type {[string, string]} */ ([p, t(`sync_plan.${p}`)])), current.plan ?? 'free', { id: 'sync-plan' });
  const channel = h('input', { id: 'sync-channel', attrs: { type: 'text', value: current.channel ?? '', autocomplete: 'off' } });
  // Local group -> remote group ('' = not synced); a single-price remote has group 1 only.
  const mapped = new Map((current.price_groups ?? GROUPS.map((g) => [g, single ? (g === 1 ? 1 : 0) : g])).map(([l, r]) => [l, r]));
  const remoteGroups = single ? [1] : GROUPS;
  const groupSelects = GROUPS.map((g) => select([['', '—'], ...remoteGroups.map((r) => /** @type {[string, string]} */ ([String(r), String(r)]))],
    mapped.get(g) ? String(mapped.get(g)) : '', { id: `sync-group-${g}`, attrs: { 'aria-label': t('products.price_group_n', { n: g }) } }));
  const el = h('div', { class: 'stack' },
    h('div', { class: 'grid' },
      field(t('sync.products'), products),
      kind === 'sopyo' ? field(t('sync.orders'), orders) : null,
      kind === 'stokdurumu' ? field(t('sync.plan'), plan) : null,
      kind === 'kolaybi' ? field(t('field.channel'), channel) : null),
    h('label', { class: 'check' }, pushStock, t('sync.push_stock')),
    h('fieldset', { class: 'groups' }, h('legend', { text: t('sync.price_groups') }),
      ...GROUPS.map((g, i) => field(t('products.price_group_n', { n: g }), groupSelects[i]))));
  /** @returns {Partial<SyncSettings>} */
  function read() {
    return {
      products: /** @type {Direction} */ (products.value),
      orders: kind === 'sopyo' ? /** @type {Direction} */ (orders.value) : 'off',
      push_stock: pushStock.checked,
      price_groups: GROUPS.flatMap((g, i) => (groupSelects[i].value ? [/** @type {[number, number]} */ ([g, Number(groupSelects[i].value)])] : [])),
      plan: /** @type {Plan} */ (plan.value),
      channel: kind === 'kolaybi' ? channel.value.trim() || null : null,
    };
  }
  return { el, read };
}

/** The Add-connection dialog: kind, name, address, the kind's credentials, settings. */
async function addConnection() {
  const kind = select(KINDS.map((k) => /** @type {[string, string]} */ ([k, t(`sync_kind.${k}`)])), 'sopyo', { id: 'sync-kind' });
  const name = h('input', { id: 'sync-name', attrs: { type: 'text', required: true, maxlength: 64 } });
  const url = h('input', { id: 'sync-url', attrs: { type: 'url', placeholder: t('sync.url_default') } });
  const token = h('input', { id: 'sync-token', attrs: { type: 'password', required: true, autocomplete: 'off' } });
  const tokenField = field(t('sync_token.sopyo'), token);
  const settingsBox = h('div');
  let form = settingsForm('sopyo', {});
  function kindChanged() {
    const k = /** @type {SyncKind} */ (kind.value);
    /** @type {HTMLElement} */ (tokenField.firstChild).textContent = t(`sync_token.${k}`);
    form = settingsForm(k, {});
    settingsBox.replaceChildren(form.el);
  }
  kind.addEventListener('change', kindChanged);
  kindChanged();
  const body = h('div', { class: 'stack' },
    h('div', { class: 'grid' }, field(t('sync.kind'), kind), field(t('sync.name'), name), field(t('sync.url'), url), tokenField),
    h('p', { class: 'hint', text: t('sync.token_hint') }),
    settingsBox);
  const added = await dialog({
    title: t('sync.add'), body, ok: t('action.add'),
    onOk: () => api.addSyncConnection({
      name: name.value.trim(), kind: /** @type {SyncKind} */ (kind.value), baseUrl: url.value.trim() || null,
      token: token.value, settings: form.read(),
    }),
  });
  if (added) {
    toast(t('sync.added', { name: added.name }));
    go('#/sync');
  }
}

/** @param {ConnectionInfo} info @returns {Promise<boolean>} */
async function editSettings(info) {
  const form = settingsForm(info.kind, info.settings);
  const saved = await dialog({
    title: t('sync.settings_title', { name: info.name }), body: form.el,
    onOk: () => api.updateSyncSettings(info.name, { ...info.settings, ...form.read() }),
  });
  if (saved) toast(t('settings.saved'));
  return Boolean(saved);
}

/**
 * Open conflicts: the item, the field, Raf's value and the remote's, and the two ways out.
 * @param {Conflict[]} list
 * @param {() => void} reload
 */
function conflictList(list, reload) {
  const title = h('h2', { text: t('sync.conflicts') });
  if (!list.length) return [title, h('p', { class: 'hint', text: t('sync.no_conflicts') })];
  /** @param {number} id @param {import('../ipc.js').Side} side */
  const resolve = (id, side) => api.resolveConflict(id, side).then(() => {
    toast(t(side === 'local' ? 'sync.kept_local' : 'sync.took_remote'));
    reload();
  }, showError);
  const rows = list.map((c) => h('tr', { data: { conflict: String(c.id) } },
    h('td', { text: c.sku }), h('td', { text: fieldName(c.field) }), h('td', { text: c.connection }),
    h('td', { class: 'num local', text: c.field === 'deleted' ? t('sync.gone_local') : value(c.local) }),
    h('td', { class: 'num remote', text: c.field === 'deleted' ? t('sync.gone_remote') : value(c.remote) }),
    h('td', {},
      h('button', { class: 'small keep-local', text: t('sync.keep_local'), on: { click: () => resolve(c.id, 'local') } }), ' ',
      h('button', { class: 'small take-remote', text: t('sync.take_remote'), on: { click: () => resolve(c.id, 'remote') } }))));
  return [title, h('table', {},
    h('thead', {}, h('tr', {}, ...[t('column.sku'), t('sync.field'), t('sync.connection'), t('sync.local_value'), t('sync.remote_value'), ''].map((text) => h('th', { text })))),
    h('tbody', {}, ...rows))];
}

/**
 * `stock`, `price.N`, `status`, `deleted` or a product field (`info.name` …), in the
 * user's language. @param {string} name
 */
function fieldName(name) {
  const group = /^price\.(\d+)$/.exec(name);
  if (group) return t('products.price_group_n', { n: group[1] });
  if (name === 'deleted') return t('sync.gone');
  if (name === 'stock') return t('column.on_hand');
  const field = name.replace(/^info\./, '');
  const key = `field.${field}`;
  return t(key) === key ? field : t(key);
}

/** A conflict's value: a quantity, `{sale, list}`, a status or text. @param {unknown} v */
function value(v) {
  if (v === null || v === undefined) return '—';
  if (typeof v === 'object' && 'sale' in v) {
    const p = /** @type {{ sale: unknown, list?: unknown }} */ (v);
    const sale = formatDecimal(/** @type {any} */ (p.sale), lang(), 2);
    return p.list ? `${sale} / ${formatDecimal(/** @type {any} */ (p.list), lang(), 2)}` : sale;
  }
  return typeof v === 'object' ? JSON.stringify(v) : formatDecimal(/** @type {any} */ (v), lang());
}
