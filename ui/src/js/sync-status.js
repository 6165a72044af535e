// @ts-check
/**
 * Sync runs in progress and the app-bar indicator. Runs live here, not in the Sync
 * screen: a run goes on while the user works elsewhere, and the screen shows it again
 * when it is opened. The indicator says offline / syncing / N pending / the last error.
 */
import { api, toAppError } from './ipc.js';
import { errorText, t } from './i18n.js';

/** @typedef {import('./ipc.js').Step} Step */
/** @typedef {import('./ipc.js').RunSummary} RunSummary */
/** @typedef {{ step: Step | null, cancel: () => Promise<boolean>, done: Promise<RunSummary> }} Running */

/** Runs in progress, by connection name. @type {Map<string, Running>} */
const running = new Map();
/** @type {Set<(ended: boolean) => void>} */
const listeners = new Set();
/** How often the indicator re-reads the pending count (edits anywhere add to it). */
const POLL_MS = 5000;
/** The failure of the latest run started here, until a run succeeds. */
let lastError = '';

/** @param {string} name @returns {Running | undefined} */
export function runningSync(name) {
  return running.get(name);
}

/**
 * Calls `listener` on every start and step of a run (`false`) and at its end (`true`);
 * returns the unsubscribe.
 * @param {(ended: boolean) => void} listener
 */
export function onSyncChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function changed(ended = false) {
  for (const listener of listeners) listener(ended);
  refreshIndicator();
}

/**
 * Starts a sync of `name` (or returns the one already going on).
 * @param {string} name
 * @returns {Promise<RunSummary>}
 */
export function startSync(name) {
  const existing = running.get(name);
  if (existing) return existing.done;
  /** @type {Running} */
  let entry;
  const run = api.runSync(name, (step) => {
    entry.step = step;
    changed();
  });
  const done = run.done.then(
    (summary) => {
      lastError = '';
      return summary;
    },
    (err) => {
      // A cancelled run is the user's choice, not a failure to show.
      if (toAppError(err).code !== 'task.cancelled') lastError = errorText(err);
      throw err;
    },
  ).finally(() => {
    running.delete(name);
    changed(true);
  });
  entry = { step: null, cancel: run.cancel, done };
  running.set(name, entry);
  changed();
  return entry.done;
}

/** Re-reads the pending count and redraws the indicator. */
export async function refreshIndicator() {
  const el = document.getElementById('sync-indicator');
  const label = document.getElementById('sync-indicator-text');
  if (!el || !label) return;
  let pending = Number(el.dataset.pending ?? 0);
  try {
    pending = await api.syncPending();
  } catch {
    // The catalog may still be opening; the next poll tries again.
  }
  const state = running.size ? 'syncing' : !navigator.onLine ? 'offline' : lastError ? 'error' : 'idle';
  el.dataset.state = state;
  el.dataset.pending = String(pending);
  el.title = state === 'error' ? lastError : '';
  const count = t('sync.pending_n', { n: pending });
  label.textContent =
    state === 'syncing' ? t('sync.syncing') :
    state === 'offline' ? `${t('sync.offline')} · ${count}` :
    state === 'error' ? `${t('sync.failed_short')} · ${count}` :
    pending ? count : t('sync.up_to_date');
}

/** Keeps the indicator current: on start, on connectivity changes and every few seconds. */
export function startIndicator() {
  refreshIndicator();
  window.addEventListener('online', refreshIndicator);
  window.addEventListener('offline', refreshIndicator);
  setInterval(refreshIndicator, POLL_MS);
}
