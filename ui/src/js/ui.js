// @ts-check
/** What every screen shares: navigation, toasts, error display, empty states, dialogs. */
import { h } from './dom.js';
import { errorText, t } from './i18n.js';

/** Opens `hash`, re-rendering when it is already the current one. @param {string} hash */
export function go(hash) {
  if (location.hash === hash) window.dispatchEvent(new HashChangeEvent('hashchange'));
  else location.hash = hash;
}

/**
 * A short message at the bottom right; errors stay longer.
 * @param {string} text
 * @param {'ok' | 'error'} [kind]
 */
export function toast(text, kind = 'ok') {
  const el = h('div', { class: `toast ${kind}`, text, data: { testid: `toast-${kind}` } });
  document.getElementById('toasts')?.append(el);
  setTimeout(() => el.remove(), kind === 'error' ? 8000 : 3000);
}

/** Shows a failure in the user's language, by its code. @param {unknown} err */
export function showError(err) {
  toast(errorText(err), 'error');
}

/**
 * An empty list says what to do next.
 * @param {string} title
 * @param {string} hint
 * @param {HTMLElement} [action]
 */
export function emptyState(title, hint, action) {
  return h('div', { class: 'empty', data: { testid: 'empty' } }, h('strong', { text: title }), h('p', { text: hint }), action);
}

/**
 * A modal form: Enter confirms, Escape cancels. Resolves with what `onOk` returned, or
 * null when cancelled; an error from `onOk` is shown in the dialog and it stays open.
 * @template T
 * @param {{ title: string, body: HTMLElement, ok?: string, danger?: boolean, onOk: () => Promise<T> | T }} spec
 * @returns {Promise<T | null>}
 */
export function dialog({ title, body, ok = t('action.save'), danger = false, onOk }) {
  return new Promise((resolve) => {
    const error = h('p', { class: 'form-error', attrs: { role: 'alert' } });
    const okButton = h('button', { class: danger ? 'danger' : 'primary', text: ok, attrs: { type: 'submit' }, data: { testid: 'dialog-ok' } });
    const cancel = h('button', { text: t('action.cancel'), attrs: { type: 'button' }, on: { click: () => el.close() } });
    const form = h('form', { attrs: { method: 'dialog' } }, h('h2', { text: title }), body, error, h('div', { class: 'actions' }, cancel, okButton));
    const el = h('dialog', { data: { testid: 'dialog' } }, form);
    let result = /** @type {T | null} */ (null);
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      okButton.disabled = true;
      try {
        result = await onOk();
        el.close();
      } catch (err) {
        error.textContent = errorText(err);
        okButton.disabled = false;
      }
    });
    el.addEventListener('close', () => {
      el.remove();
      resolve(result);
    });
    document.body.append(el);
    el.showModal();
    /** @type {HTMLElement | null} */ (body.querySelector('input, select, textarea'))?.focus();
  });
}
