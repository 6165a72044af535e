// @ts-check
/**
 * Import and export (`#/import`). The import wizard: a file -> its sheet, header row and
 * the column mapping, with the first rows mapped live and their problems -> the dry run's
 * counts and every row error (saved as a report) -> apply, all or nothing, with progress
 * and Cancel -> a summary with Undo. Past imports can be undone here too. Export writes
 * the catalog to xlsx or csv (`;` and a BOM for Turkish Excel).
 */
import { api, dialogs, OUTPUT_FILES, SPREADSHEET_FILES } from '../ipc.js';
import { field, h, select } from '../dom.js';
import { formatDate, formatDecimal } from '../format.js';
import { errorText, lang, t } from '../i18n.js';
import { dialog, showError, toast } from '../ui.js';

/** @typedef {import('../ipc.js').ImportOptions} ImportOptions */
/** @typedef {import('../ipc.js').ImportPreview} ImportPreview */
/** @typedef {import('../ipc.js').ImportMappingProblem} ImportMappingProblem */
/** @typedef {import('../ipc.js').ImportPlan} ImportPlan */
/** @typedef {import('../ipc.js').ImportRowError} ImportRowError */
/** @typedef {import('../ipc.js').Step} Step */

/** Row errors listed on screen; the saved report has them all. */
const ERRORS_SHOWN = 200;

/** The fields a column can fill, as the core names them (`import::Field`). */
const GROUPS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
const FIELDS = [
  'sku', 'barcode', 'name', 'description', 'parent', 'options', 'stock', 'unit', 'vat', 'category', 'brand', 'min_stock',
  ...GROUPS.map((n) => (n === 1 ? 'price' : `price${n}`)), ...GROUPS.map((n) => (n === 1 ? 'list_price' : `list_price${n}`)),
  'subtitle', 'barcode2', 'desi', 'currency', 'active', 'kind', 'purchase_price', 'purchase_currency', 'images', 'tags',
];

/**
 * A field's name in the user's language: `price3` -> "Satış fiyatı 3", `option:Renk` -> "Seçenek: Renk".
 * @param {string} name
 */
export function fieldLabel(name) {
  if (name.startsWith('option:')) return t('import.field.option', { group: name.slice('option:'.length) });
  const price = /^(list_price|price)(\d*)$/.exec(name);
  if (price) return t(`import.field.${price[1]}`, { n: price[2] || '1' });
  return t(`import.field.${name}`);
}

/**
 * Why a row cannot be used, in the user's language when the code has a text of its own.
 * @param {ImportRowError} e
 */
export function rowErrorText(e) {
  const key = `import_row.${e.code}`;
  const why = t(key);
  return why === key ? e.message : why;
}

/** Spreadsheet column letters: 0 -> A, 26 -> AA. @param {number} i */
export function columnLetter(i) {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** @param {HTMLElement} root */
export function render(root) {
  const wizard = h('div', { class: 'stack' });
  const history = h('section', { class: 'card', data: { testid: 'import-history' } });
  root.append(h('section', { class: 'screen' },
    h('header', { class: 'toolbar' }, h('h1', { text: t('nav.import') })),
    fileCard(wizard, () => loadHistory(history)),
    wizard,
    history,
    exportCard()));
  loadHistory(history);
}

/**
 * The file box (typed, pasted or chosen) and what opening it shows.
 * @param {HTMLElement} wizard @param {() => void} onApplied
 */
function fileCard(wizard, onApplied) {
  const path = h('input', { id: 'import-path', attrs: { type: 'text', placeholder: t('import.path_placeholder'), autocomplete: 'off' } });
  const open = () => path.value.trim() && startWizard(wizard, path.value.trim(), onApplied);
  const choose = h('button', { text: t('import.choose'), on: { click: async () => {
    const file = await dialogs.open(SPREADSHEET_FILES).catch(showError);
    if (file) (path.value = file), open();
  } } });
  path.addEventListener('keydown', (e) => e.key === 'Enter' && open());
  return h('section', { class: 'card' },
    h('h2', { text: t('import.file') }),
    h('div', { class: 'inline' }, path, choose, h('button', { class: 'primary', id: 'import-open', text: t('import.open'), on: { click: open } })),
    h('p', { class: 'hint', text: t('import.file_hint') }));
}

/**
 * @param {HTMLElement} wizard @param {string} path @param {() => void} onApplied
 */
function startWizard(wizard, path, onApplied) {
  /** @type {ImportOptions} */
  const options = { sheet: null, header_row: null, mapping: [], mode: 'upsert', key: 'sku', stock: 'set' };
  const mappingCard = h('section', { class: 'card', data: { testid: 'import-mapping' } });
  const planCard = h('section', { class: 'card', data: { testid: 'import-plan' }, attrs: { hidden: true } });
  wizard.replaceChildren(mappingCard, planCard);

  async function inspect() {
    planCard.hidden = true;
    try {
      const preview = await api.importInspect(path, options);
      mappingCard.replaceChildren(...mappingView(preview, options, inspect, check));
    } catch (err) {
      mappingCard.replaceChildren(h('p', { class: 'form-error', data: { testid: 'import-error' }, text: errorText(err) }));
    }
  }

  async function check() {
    const plan = await withProgress(planCard, (onStep) => api.importPlan(path, options, null, onStep));
    if (plan) planCard.replaceChildren(planView(plan, path, options, apply));
  }

  async function apply() {
    const applied = await withProgress(planCard, (onStep) => api.importApply(path, options, onStep));
    if (!applied) return;
    if (applied.batch === null) {
      planCard.replaceChildren(planView(applied.plan, path, options, apply));
      return;
    }
    const batch = applied.batch;
    const p = applied.plan;
    planCard.replaceChildren(
      h('h2', { text: t('import.done_title') }),
      h('p', { data: { testid: 'import-summary' }, text: t('import.done', { batch, creates: num(p.creates), updates: num(p.updates), unchanged: num(p.unchanged), movements: num(p.movements) }) }),
      h('div', { class: 'actions' }, h('button', { id: 'import-undo', text: t('import.undo'), on: { click: () => undo(batch).then(onApplied) } })));
    onApplied();
  }

  inspect();
}

/**
 * The sheet, header and mode choices and the mapping grid over the first rows.
 * @param {ImportPreview} preview @param {ImportOptions} options
 * @param {() => void} again re-inspects after a change @param {() => void} check
 */
function mappingView(preview, options, again, check) {
  const change = (/** @type {() => void} */ set) => () => (set(), again());
  const sheet = select(preview.sheets.map((s) => /** @type {[string, string]} */ ([s, s])), preview.sheet, { id: 'import-sheet' });
  sheet.addEventListener('change', change(() => { options.sheet = sheet.value; options.header_row = null; options.mapping = []; }));
  const header = h('input', { id: 'import-header', class: 'narrow', attrs: { type: 'number', min: 1, value: preview.header_row } });
  header.addEventListener('change', change(() => { options.header_row = Number(header.value) || null; options.mapping = []; }));
  const mode = select(['upsert', 'insert', 'update'].map((m) => /** @type {[string, string]} */ ([m, t(`import.mode.${m}`)])), options.mode, { id: 'import-mode' });
  mode.addEventListener('change', () => (options.mode = /** @type {any} */ (mode.value)));
  const key = select([['sku', fieldLabel('sku')], ['barcode', fieldLabel('barcode')]], options.key, { id: 'import-key' });
  key.addEventListener('change', change(() => (options.key = /** @type {any} */ (key.value))));
  const stock = select([['set', t('import.stock.set')], ['add', t('import.stock.add')]], options.stock, { id: 'import-stock' });
  stock.addEventListener('change', () => (options.stock = /** @type {any} */ (stock.value)));

  const pickers = preview.headers.map((name, i) => {
    const current = preview.mapping[i] ?? '';
    const choices = [['', t('import.ignore')], ...FIELDS.map((f) => [f, fieldLabel(f)]), [`option:${name}`, fieldLabel(`option:${name}`)]];
    if (current && !choices.some(([f]) => f === current)) choices.push([current, fieldLabel(current)]);
    const picker = select(/** @type {[string, string][]} */ (choices), current, { data: { column: columnLetter(i) } });
    picker.addEventListener('change', change(() => {
      const letter = columnLetter(i);
      options.mapping = [...options.mapping.filter(([c]) => c !== letter), [letter, picker.value || null]];
    }));
    return picker;
  });
  const errorRows = preview.rows.filter((r) => r.errors.length);
  const grid = h('div', { class: 'grid-scroll' }, h('table', { class: 'import-grid', data: { testid: 'import-grid' } },
    h('thead', {},
      h('tr', {}, h('th', { text: '#' }), ...preview.headers.map((name, i) => h('th', { text: `${columnLetter(i)} · ${name}` }))),
      h('tr', {}, h('th'), ...pickers.map((p) => h('th', {}, p)))),
    h('tbody', {}, ...preview.rows.map((r) => h('tr', { class: r.errors.length ? 'error' : '', data: { row: String(r.row) } },
      h('td', { text: String(r.row) }),
      ...preview.headers.map((_, i) => h('td', { text: r.cells[i] ?? '' })))))));
  return [
    h('h2', { text: t('import.mapping') }),
    h('p', { class: 'hint', text: t('import.format', { format: preview.format.toUpperCase(), rows: preview.rows.length }) + (preview.saved_mapping ? ' ' + t('import.saved_mapping') : '') }),
    h('div', { class: 'inline' },
      field(t('import.sheet'), sheet), field(t('import.header_row'), header), field(t('import.mode'), mode),
      field(t('import.key'), key), field(t('import.stock'), stock)),
    grid,
    ...(preview.problems.length
      ? [h('ul', { class: 'form-error', data: { testid: 'import-mapping-problems' } }, ...preview.problems.map((p) => h('li', { text: problemText(p) })))]
      : []),
    errorRows.length ? errorList(errorRows.flatMap((r) => r.errors), 'import-preview-errors') : h('p', { class: 'hint', text: t('import.preview_ok') }),
    h('div', { class: 'actions' },
      h('button', { class: 'primary', id: 'import-check', text: t('import.check'), attrs: { disabled: preview.problems.length > 0 }, on: { click: check } })),
  ];
}

/** What makes a mapping unusable, in the user's language. @param {ImportMappingProblem} p */
export function problemText(p) {
  switch (p.problem) {
    case 'twice': return t('import.problem.twice', { field: fieldLabel(p.field), first: p.first, second: p.second });
    case 'key_missing': return t('import.problem.key_missing', { field: fieldLabel(p.field) });
    case 'no_column': return t('import.problem.no_column', { column: p.column });
  }
}

/**
 * The dry run's verdict: counts, row errors, the report and the apply button.
 * @param {ImportPlan} plan @param {string} path @param {ImportOptions} options @param {() => void} apply
 */
function planView(plan, path, options, apply) {
  const report = h('button', { id: 'import-report', text: t('import.save_report'), attrs: { hidden: !plan.errors.length }, on: { click: async () => {
    const file = await dialogs.save(`${t('import.report_name')}.xlsx`, OUTPUT_FILES).catch(showError);
    if (!file) return;
    try {
      await api.importPlan(path, options, file, () => {}).done;
      toast(t('import.report_saved'));
    } catch (err) {
      showError(err);
    }
  } } });
  const ok = plan.error_rows === 0;
  return h('div', { class: 'stack' },
    h('h2', { text: t('import.plan') }),
    h('p', { data: { testid: 'import-counts' }, text: t('import.counts', {
      rows: num(plan.rows), creates: num(plan.creates), updates: num(plan.updates), unchanged: num(plan.unchanged),
      errors: num(plan.error_rows), movements: num(plan.movements),
    }) }),
    ok ? h('p', { class: 'hint', text: t('import.ready') }) : h('p', { class: 'form-error', text: t('import.fix_first', { errors: num(plan.error_rows) }) }),
    plan.errors.length ? errorList(plan.errors, 'import-errors') : null,
    h('div', { class: 'actions' }, report,
      h('button', { class: 'primary', id: 'import-apply', text: t('import.apply'), attrs: { disabled: !ok }, on: { click: apply } })));
}

/** @param {ImportRowError[]} errors @param {string} testid */
function errorList(errors, testid) {
  const shown = errors.slice(0, ERRORS_SHOWN);
  return h('div', {},
    h('table', { class: 'row-errors', data: { testid } },
      h('thead', {}, h('tr', {}, ...[t('import.row'), t('import.column'), t('import.value'), t('import.why')].map((text) => h('th', { text })))),
      h('tbody', {}, ...shown.map((e) => h('tr', { data: { row: String(e.row) } },
        h('td', { text: String(e.row) }), h('td', { text: e.column }), h('td', { text: e.value }), h('td', { text: rowErrorText(e) }))))),
    errors.length > shown.length ? h('p', { class: 'hint', text: t('import.more_errors', { n: num(errors.length - shown.length) }) }) : null);
}

/**
 * Runs a long command with a progress bar and Cancel at the top of `card`; the result,
 * or null when it failed or was cancelled (the error is shown).
 * @template T
 * @param {HTMLElement} card
 * @param {(onStep: (step: Step) => void) => { done: Promise<T>, cancel: () => Promise<unknown> }} start
 * @returns {Promise<T | null>}
 */
async function withProgress(card, start) {
  const bar = h('progress', { attrs: { max: 1 } });
  const text = h('span', { class: 'hint', data: { testid: 'import-progress' } });
  const cancel = h('button', { text: t('action.cancel') });
  card.hidden = false;
  card.replaceChildren(h('div', { class: 'inline' }, bar, text, cancel));
  const task = start((step) => {
    if (step.total) (bar.max = step.total), (bar.value = step.done);
    else bar.removeAttribute('value');
    text.textContent = t(step.total ? `task.${step.phase}` : `task.${step.phase}_rows`, { done: num(step.done), total: num(step.total) });
    if (step.total) text.textContent += ` · ${t('task.percent', { percent: num(Math.min(100, Math.floor((100 * step.done) / step.total))) })}`;
  });
  cancel.addEventListener('click', () => task.cancel());
  try {
    return await task.done;
  } catch (err) {
    card.replaceChildren(h('p', { class: 'form-error', data: { testid: 'import-error' }, text: errorText(err) }));
    return null;
  }
}

/** @param {number} batch */
async function undo(batch) {
  /** @type {unknown} */
  let edited = null;
  let done = await dialog({
    title: t('import.undo'), danger: true, ok: t('import.undo'),
    body: h('p', { text: t('import.undo_confirm', { batch }) }),
    // Products edited since the import: asked again, saying whose edits would be lost.
    onOk: () => api.importUndo(batch).catch((err) => {
      if (/** @type {any} */ (err)?.code !== 'import.edited_since') throw err;
      edited = err;
      return null;
    }),
  });
  if (edited) {
    done = await dialog({
      title: t('import.undo'), danger: true, ok: t('import.undo_anyway'),
      body: h('p', { data: { testid: 'undo-edited' }, text: errorText(edited) }),
      onOk: () => api.importUndo(batch, true),
    });
  }
  if (done) toast(t('import.undone', { batch, products: num(done.products_restored + done.variants_restored), created: num(done.created_removed), movements: num(done.movements_reversed) }));
}

/** @param {HTMLElement} card */
async function loadHistory(card) {
  try {
    const batches = await api.importBatches();
    const rows = batches.map((b) => h('tr', { data: { batch: String(b.id) } },
      h('td', { text: `#${b.id}` }), h('td', { text: formatDate(b.created_at, lang()) }), h('td', { text: b.file_name }),
      h('td', { class: 'num', text: num(b.rows) }), h('td', { class: 'num', text: num(b.creates) }), h('td', { class: 'num', text: num(b.updates) }),
      h('td', {}, b.undone_at
        ? h('span', { class: 'hint', text: t('import.undone_at', { date: formatDate(b.undone_at, lang()) }) })
        : h('button', { class: 'small', text: t('import.undo'), on: { click: () => undo(b.id).then(() => loadHistory(card)) } }))));
    card.replaceChildren(h('h2', { text: t('import.history') }),
      rows.length
        ? h('table', {}, h('thead', {}, h('tr', {}, ...['#', t('column.date'), t('import.file'), t('import.rows'), t('import.creates'), t('import.updates'), ''].map((text) => h('th', { text })))), h('tbody', {}, ...rows))
        : h('p', { class: 'hint', text: t('import.no_history') }));
  } catch (err) {
    showError(err);
  }
}

function exportCard() {
  const format = select([['xlsx', 'Excel (xlsx)'], ['csv', 'CSV']], 'xlsx', { id: 'export-format' });
  const turkish = h('input', { id: 'export-turkish', attrs: { type: 'checkbox', checked: true } });
  const status = h('div');
  const run = async () => {
    const csv = format.value === 'csv';
    const file = await dialogs.save(`raf-${new Date().toISOString().slice(0, 10)}.${format.value}`, OUTPUT_FILES).catch(showError);
    if (!file) return;
    const options = { format: /** @type {any} */ (format.value), delimiter: (csv && turkish.checked ? ';' : ',').charCodeAt(0), bom: csv && turkish.checked };
    const summary = await withProgress(status, (onStep) => api.exportCatalog(file, options, onStep));
    if (summary) status.replaceChildren(h('p', { data: { testid: 'export-summary' }, text: t('export.done', { rows: num(summary.rows), file: summary.file }) }));
  };
  return h('section', { class: 'card' },
    h('h2', { text: t('export.title') }),
    h('div', { class: 'inline' }, field(t('export.format'), format), h('label', { class: 'check' }, turkish, t('export.turkish_csv')),
      h('button', { id: 'export-run', text: t('export.run'), on: { click: run } })),
    status);
}

/** @param {number} n */
function num(n) {
  return formatDecimal(n, lang());
}
