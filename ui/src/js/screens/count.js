// @ts-check
/**
 * Stock counting: `#/count` lists the sessions and starts one (everything, a category or
 * a brand; blind or showing expected quantities); `#/count/ID` is the scanning screen.
 * A keyboard-wedge scanner types into the scan box: scanner.js tells its codes from
 * typing, Enter submits either way, `5*CODE` (or the quantity box) counts five at once.
 * Every scan is saved by the core before it answers, so a session resumes after a crash.
 */
import { api, dialogs } from '../ipc.js';
import { field, h, select } from '../dom.js';
import { formatDate, formatDecimal, formatMoney, parseNumber } from '../format.js';
import { lang, t } from '../i18n.js';
import { QUANTITY_PREFIX, createScanDetector, splitQuantity } from '../scanner.js';
import { dialog, emptyState, go, showError, toast } from '../ui.js';

/** @typedef {import('../ipc.js').CountStatus} CountStatus */
/** @typedef {import('../ipc.js').CountLine} CountLine */
/** @typedef {import('../ipc.js').Scope} Scope */

/** @param {HTMLElement} root @param {string} arg */
export function render(root, arg) {
  const id = Number(arg);
  if (arg && Number.isInteger(id)) return session(root, id);
  sessions(root);
}

// --- the list of sessions and the "new count" form

/** @param {HTMLElement} root */
function sessions(root) {
  const name = h('input', { id: 'count-name', attrs: { value: t('count.default_name', { date: formatDate(new Date().toISOString(), lang(), false) }) } });
  const scope = select([['all', t('count.scope_all')], ['category', t('count.scope_category')], ['brand', t('count.scope_brand')]], 'all', { id: 'count-scope' });
  const scopeValue = select([], '', { id: 'count-scope-value', attrs: { hidden: true } });
  const blind = h('input', { id: 'count-blind', attrs: { type: 'checkbox' } });
  scope.addEventListener('change', async () => {
    scopeValue.hidden = scope.value === 'all';
    if (scope.value === 'all') return;
    try {
      const names = (scope.value === 'category' ? await api.categories() : await api.brands()).map((x) => x.name);
      scopeValue.replaceChildren(...names.map((n) => h('option', { text: n, attrs: { value: n } })));
    } catch (err) {
      showError(err);
    }
  });
  async function startCount() {
    /** @type {Scope} */
    const chosen = scope.value === 'category' ? { kind: 'category', value: scopeValue.value }
      : scope.value === 'brand' ? { kind: 'brand', value: scopeValue.value } : { kind: 'all' };
    try {
      const started = await api.countStart({ name: name.value, scope: chosen, blind: blind.checked });
      go(`#/count/${started.id}`);
    } catch (err) {
      showError(err);
    }
  }

  const body = h('tbody');
  const list = h('div');
  api.countSessions().then((all) => {
    body.replaceChildren(...all.map((s) => h('tr', { class: 'link', data: { count: String(s.id) }, on: { click: () => go(`#/count/${s.id}`) } },
      h('td', { text: `#${s.id}` }),
      h('td', { text: s.name }),
      h('td', { text: scopeText(s.scope) + (s.blind ? ` · ${t('count.blind')}` : '') }),
      h('td', {}, h('span', { class: `badge ${s.status}`, text: t(`count.status_${s.status}`) })),
      h('td', { text: formatDate(s.created_at, lang()) }))));
    list.replaceChildren(all.length
      ? h('table', { data: { testid: 'count-sessions' } },
        h('thead', {}, h('tr', {}, ...['#', t('count.name'), t('count.scope'), t('count.status'), t('column.date')].map((c) => h('th', { text: c })))), body)
      : emptyState(t('count.empty'), t('count.empty_hint')));
  }, showError);

  root.append(h('section', { class: 'screen' },
    h('header', { class: 'toolbar' }, h('h1', { text: t('nav.count') })),
    h('section', { class: 'card' }, h('h2', { text: t('count.new') }),
      h('div', { class: 'toolbar' },
        field(t('count.name'), name), field(t('count.scope'), scope), scopeValue,
        h('label', { class: 'check' }, blind, t('count.blind_hint')),
        h('button', { id: 'count-start', class: 'primary', text: t('count.start'), on: { click: startCount } }))),
    h('section', { class: 'card' }, list)));
}

/** @param {Scope} scope */
function scopeText(scope) {
  if (scope.kind === 'all') return t('count.scope_all');
  if (scope.kind === 'skus') return t('count.scope_skus', { n: scope.value.length });
  return `${t(`count.scope_${scope.kind}`)}: ${scope.value}`;
}

// --- one session: scan, see the lines, approve, post, undo, sheets

/** @param {HTMLElement} root @param {number} id */
function session(root, id) {
  const scanBox = h('input', { id: 'count-scan', attrs: { autocomplete: 'off', placeholder: t('count.scan_placeholder') } });
  const qty = h('input', { id: 'count-qty', class: 'narrow num', attrs: { value: '1', inputmode: 'decimal' } });
  const title = h('h1');
  const state = h('span', { class: 'badge', data: { testid: 'count-state' } });
  const total = h('strong', { data: { testid: 'count-total' } });
  const body = h('tbody');
  const head = h('thead');
  const unknown = h('ul', { class: 'plain unknown', data: { testid: 'count-unknown' } });
  const notScanned = h('p', { class: 'hint' });
  const unscanned = select([['keep', t('count.unscanned_keep')], ['zero', t('count.unscanned_zero')]], 'keep', { id: 'count-unscanned' });
  const approveAll = h('button', { id: 'count-approve-all', text: t('count.approve_all') });
  const post = h('button', { id: 'count-post', class: 'primary', text: t('count.post') });
  const undo = h('button', { id: 'count-undo', class: 'danger', text: t('count.undo') });
  const exportSheet = h('button', { id: 'count-export', text: t('count.export') });
  const importSheet = h('button', { id: 'count-import', text: t('count.import') });
  const detector = createScanDetector();
  /** @type {CountStatus | null} */
  let current = null;

  async function refresh() {
    try {
      current = await api.countStatus(id);
      show(current);
    } catch (err) {
      showError(err);
    }
  }

  /** @param {CountStatus} s */
  function show(s) {
    const open = s.session.status === 'open';
    const hidden = s.lines.some((l) => l.expected === null) || (s.session.blind && open);
    title.textContent = `#${s.session.id} ${s.session.name}`;
    state.textContent = t(`count.status_${s.session.status}`);
    state.className = `badge ${s.session.status}`;
    const columns = [t('column.sku'), t('column.name'), hidden ? null : t('count.expected'), t('count.counted'),
      hidden ? null : t('count.difference'), hidden ? null : t('count.value'), t('count.approved')];
    head.replaceChildren(h('tr', {}, ...columns.filter((c) => c !== null).map((c) => h('th', { text: c }))));
    body.replaceChildren(...s.lines.map((l) => lineRow(l, hidden, open)));
    total.textContent = s.difference_value === null ? '' : t('count.total', { value: formatMoney(s.difference_value, lang()) });
    unknown.replaceChildren(...s.unknown.map((u) => h('li', { class: 'unknown', data: { barcode: u.barcode } },
      h('strong', { text: t('count.unknown', { barcode: u.barcode, n: u.scans }) }),
      open ? h('button', { class: 'small', text: t('count.link'), on: { click: () => link(u.barcode) } }) : null,
      open ? h('button', { class: 'small', text: t('count.create'), data: { testid: 'count-create' }, on: { click: () => create(u.barcode) } }) : null)));
    notScanned.textContent = s.not_scanned.length ? t('count.not_scanned', { n: s.not_scanned.length }) : '';
    for (const el of [scanBox, qty, approveAll, post, unscanned, importSheet]) el.disabled = !open;
    undo.hidden = s.session.status !== 'posted';
  }

  /** @param {CountLine} l @param {boolean} hidden @param {boolean} open */
  function lineRow(l, hidden, open) {
    const counted = h('input', { class: 'num', attrs: { value: formatDecimal(l.counted, lang()), disabled: !open }, data: { testid: 'counted' } });
    counted.addEventListener('change', () => setCounted(l.sku, counted.value));
    const approved = h('input', { attrs: { type: 'checkbox', checked: l.approved, disabled: !open }, data: { testid: 'approve' } });
    approved.addEventListener('change', () => run(() => api.countApprove(id, [l.sku], approved.checked)));
    const differs = l.difference !== null && Number(l.difference) !== 0;
    const sign = l.difference && !l.difference.startsWith('-') && differs ? '+' : '';
    return h('tr', { data: { sku: l.sku }, class: differs && !l.approved ? 'needs-approval' : '' },
      h('td', { text: l.sku }),
      h('td', { text: l.name }),
      hidden ? null : h('td', { class: 'num', data: { col: 'expected' }, text: formatDecimal(l.expected, lang()) }),
      h('td', { class: 'num', data: { col: 'counted' } }, counted),
      hidden ? null : h('td', { class: 'num', data: { col: 'difference' }, text: sign + formatDecimal(l.difference, lang()) }),
      hidden ? null : h('td', { class: 'num', data: { col: 'value' }, text: formatMoney(l.value, lang()) }),
      h('td', {}, approved));
  }

  /** Runs a change, then shows the count again (or the error). @param {() => Promise<unknown>} change */
  async function run(change) {
    try {
      await change();
    } catch (err) {
      showError(err);
    }
    await refresh();
  }

  /** @param {string} sku @param {string} text */
  function setCounted(sku, text) {
    const value = parseNumber(text, lang());
    if (value === null) return showError({ code: 'input.not_a_number', message: text, details: { input: text } });
    run(() => api.countSet(id, sku, value));
  }

  /** @param {string} text what the scanner or the user typed */
  async function submit(text) {
    const { code, qty: amount } = splitQuantity(text, qty.value, lang());
    scanBox.value = '';
    qty.value = '1';
    if (!code) return;
    if (amount === null) return showError({ code: 'input.not_a_number', message: text, details: { input: text } });
    try {
      const outcome = await api.countScan(id, code, amount);
      beep(outcome.outcome === 'counted' ? 'ok' : 'unknown');
      await refresh();
      const selector = outcome.outcome === 'counted' ? `tr[data-sku="${CSS.escape(outcome.line.sku)}"]` : `li[data-barcode="${CSS.escape(outcome.barcode)}"]`;
      flash(root.querySelector(selector), outcome.outcome === 'counted' ? 'flash-ok' : 'flash-unknown');
    } catch (err) {
      beep('unknown');
      showError(err);
    }
  }

  scanBox.addEventListener('keydown', (e) => {
    const event = detector.feed(e);
    if (!event) return;
    e.preventDefault();
    // A scan's characters are read from the physical keys (right whatever the layout);
    // a quantity prefix (`5*`) was typed or pasted by a person, so the box holds it as meant.
    const typed = scanBox.value;
    submit(event.type === 'scan' && !QUANTITY_PREFIX.test(typed) ? event.code : typed);
  });
  scanBox.addEventListener('blur', () => detector.reset());

  /** @param {string} barcode */
  async function link(barcode) {
    const sku = h('input', { id: 'count-link-sku' });
    const linked = await dialog({
      title: t('count.link_title', { barcode }),
      body: h('div', {}, h('p', { class: 'hint', text: t('count.link_hint') }), field(t('field.sku'), sku)),
      ok: t('count.link'),
      onOk: () => api.countLink(id, barcode, sku.value.trim()),
    });
    if (linked) {
      toast(t('count.linked', { barcode, sku: linked.sku }));
      await refresh();
    }
    scanBox.focus();
  }

  /** A new product for an unknown barcode, made on the spot. @param {string} barcode */
  async function create(barcode) {
    const sku = h('input', { id: 'count-create-sku', attrs: { value: barcode } });
    const name = h('input', { id: 'count-create-name' });
    const unit = h('input', { id: 'count-create-unit', attrs: { value: 'adet' } });
    const price = h('input', { id: 'count-create-price', attrs: { inputmode: 'decimal' } });
    const created = await dialog({
      title: t('count.create_title', { barcode }),
      body: h('div', {}, h('p', { class: 'hint', text: t('count.create_hint') }),
        field(t('field.sku'), sku), field(t('field.name'), name), field(t('field.unit'), unit), field(t('count.sale_price'), price)),
      ok: t('count.create'),
      onOk: () => {
        const sale = price.value.trim() ? parseNumber(price.value, lang()) : null;
        if (price.value.trim() && sale === null) throw { code: 'input.not_a_number', message: price.value, details: { input: price.value } };
        return api.countCreate(id, barcode, { sku: sku.value.trim(), name: name.value.trim(), unit: unit.value.trim() || 'adet', sale });
      },
    });
    if (created) {
      toast(t('count.created', { barcode, sku: created.sku }));
      await refresh();
    }
    scanBox.focus();
  }

  approveAll.addEventListener('click', () => run(() => api.countApprove(id, null, true)));
  post.addEventListener('click', async () => {
    const choice = /** @type {'keep' | 'zero'} */ (unscanned.value);
    const summary = await dialog({
      title: t('count.post_title'),
      body: h('p', { text: t(`count.post_confirm_${choice}`) }),
      ok: t('count.post'),
      onOk: () => api.countPost(id, choice),
    });
    if (!summary) return;
    toast(t('count.posted', { n: summary.movements, left: summary.unapproved, unknown: summary.unknown }));
    await refresh();
  });
  undo.addEventListener('click', async () => {
    const undone = await dialog({ title: t('count.undo'), body: h('p', { text: t('count.undo_confirm') }), ok: t('count.undo'), danger: true, onOk: () => api.countUndo(id) });
    if (undone === null) return;
    toast(t('count.undone', { n: undone }));
    await refresh();
  });
  exportSheet.addEventListener('click', async () => {
    const file = await dialogs.save(`sayim-${id}.xlsx`, SHEET_FILES);
    if (file) run(async () => toast(t('count.exported', { n: await api.countExport(id, file) })));
  });
  importSheet.addEventListener('click', async () => {
    const file = await dialogs.open(SHEET_FILES);
    if (file) run(async () => toast(t('count.imported', { n: await api.countImport(id, file) })));
  });

  root.append(h('section', { class: 'screen count' },
    h('header', { class: 'toolbar' }, title, state, h('span', { class: 'grow' }),
      h('button', { text: t('action.back'), on: { click: () => go('#/count') } })),
    h('section', { class: 'card' },
      h('div', { class: 'toolbar' }, field(t('count.scan'), scanBox), field(t('count.qty'), qty)),
      h('p', { class: 'hint', text: t('count.scan_hint') }), unknown),
    h('section', { class: 'card' },
      h('table', { data: { testid: 'count-lines' } }, head, body),
      h('p', {}, total), notScanned,
      h('div', { class: 'inline' }, approveAll, field(t('count.unscanned'), unscanned), post, undo, h('span', { class: 'grow' }), exportSheet, importSheet))));
  refresh().then(() => scanBox.focus());
}

/** Count sheets are xlsx or csv. */
const SHEET_FILES = [{ name: 'Excel', extensions: ['xlsx'] }, { name: 'CSV', extensions: ['csv'] }];

/** @type {AudioContext | null} */
let audio = null;

/**
 * A short high tone for a counted item, a low longer one for an unknown code. Silent
 * where the machine has no audio.
 * @param {'ok' | 'unknown'} kind
 */
function beep(kind) {
  try {
    audio ??= new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = kind === 'ok' ? 1320 : 220;
    tone.type = kind === 'ok' ? 'sine' : 'square';
    gain.gain.value = 0.15;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (kind === 'ok' ? 0.08 : 0.35));
  } catch {}
}

/** Highlights the line a scan changed. @param {Element | null} el @param {string} cls */
function flash(el, cls) {
  if (!el) return;
  el.classList.remove(cls);
  void (/** @type {HTMLElement} */ (el).offsetWidth); // restart the animation
  el.classList.add(cls);
  el.scrollIntoView({ block: 'nearest' });
}
