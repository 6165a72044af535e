// @ts-check
/** Language, the data folder, backup and restore (with progress, cancellable), negative stock. */
import { api, dialogs } from '../ipc.js';
import { field, h, select } from '../dom.js';
import { formatDecimal } from '../format.js';
import { lang, setLang, t } from '../i18n.js';
import { showError, toast } from '../ui.js';

/** @param {HTMLElement} root */
export function render(root) {
  const language = select([['tr', 'Türkçe'], ['en', 'English']], lang(), { id: 'language' });
  language.addEventListener('change', () => setLang(language.value === 'en' ? 'en' : 'tr'));

  const negative = h('input', { id: 'allow-negative', attrs: { type: 'checkbox' } });
  api.allowNegativeStock().then((on) => (negative.checked = on), showError);
  negative.addEventListener('change', () => api.setAllowNegativeStock(negative.checked).then(() => toast(t('settings.saved')), showError));

  const path = h('code', { id: 'db-path' });
  let dbPath = '';
  api.appInfo().then((info) => {
    dbPath = info.db_path;
    path.textContent = info.db_path;
  }, showError);
  const reveal = h('button', { text: t('settings.show_folder'), on: { click: () => dialogs.reveal(dbPath).catch(showError) } });

  const progress = h('progress', { attrs: { max: 1, value: 0, hidden: true } });
  const progressText = h('span', { class: 'hint' });
  const cancel = h('button', { text: t('action.cancel'), attrs: { hidden: true } });

  /** @param {'backup' | 'restore'} command */
  async function run(command) {
    const file = command === 'backup' ? await dialogs.save(`raf-${new Date().toISOString().slice(0, 10)}.db`) : await dialogs.open();
    if (!file) return;
    const task = api.longTask(command, file, (step) => {
      progress.max = Math.max(step.total, 1);
      progress.value = step.done;
      progressText.textContent = t(`task.${step.phase}`, { done: formatDecimal(step.done, lang()), total: formatDecimal(step.total, lang()) });
    });
    progress.hidden = cancel.hidden = false;
    cancel.onclick = () => task.cancel();
    try {
      await task.done;
      toast(t(`settings.${command}_done`));
    } catch (err) {
      showError(err);
    } finally {
      progress.hidden = cancel.hidden = true;
      progressText.textContent = '';
    }
  }

  root.append(h('section', { class: 'screen' },
    h('header', { class: 'toolbar' }, h('h1', { text: t('nav.settings') })),
    h('div', { class: 'columns' },
      h('section', { class: 'card' }, h('h2', { text: t('settings.language') }), field(t('settings.language'), language)),
      h('section', { class: 'card' }, h('h2', { text: t('settings.stock') }),
        h('label', { class: 'check' }, negative, t('settings.allow_negative')),
        h('p', { class: 'hint', text: t('settings.allow_negative_hint') }))),
    h('section', { class: 'card' }, h('h2', { text: t('settings.data') }),
      h('p', {}, t('settings.data_folder'), ' ', path), reveal,
      h('div', { class: 'inline' },
        h('button', { id: 'backup', text: t('settings.backup'), on: { click: () => run('backup') } }),
        h('button', { id: 'restore', text: t('settings.restore'), on: { click: () => run('restore') } }),
        progress, progressText, cancel),
      h('p', { class: 'hint', text: t('settings.restore_hint') }))));
}
