// @ts-check
/**
 * The shell of the UI: routes (`#/products`, `#/product/SKU` ...), the keyboard
 * shortcuts every screen shares, toasts, and live language switching (a switch
 * re-renders the current screen).
 */
import { api } from './ipc.js';
import { h } from './dom.js';
import { applyStatic, errorText, initLang, onLangChange, t } from './i18n.js';
import { go } from './ui.js';
import * as products from './screens/products.js';
import * as product from './screens/product.js';
import * as movements from './screens/movements.js';
import * as orders from './screens/orders.js';
import * as catalog from './screens/catalog.js';
import * as dashboard from './screens/dashboard.js';
import * as settings from './screens/settings.js';
import * as sync from './screens/sync.js';
import * as importScreen from './screens/import.js';
import { refreshIndicator, startIndicator } from './sync-status.js';
import * as count from './screens/count.js';

/** @typedef {{ render: (root: HTMLElement, arg: string) => (void | (() => void)) }} Screen */

/** @type {Record<string, Screen>} */
const SCREENS = { products, product, movements, orders, catalog, dashboard, settings, sync, import: importScreen, count };

/** @type {(() => void) | void} */
let leaveScreen;

/** Renders the screen named in the location's hash. */
export function route() {
  const [name = 'products', ...rest] = location.hash.replace(/^#\/?/, '').split('/');
  const screen = SCREENS[name] ?? products;
  const root = /** @type {HTMLElement} */ (document.getElementById('main'));
  if (typeof leaveScreen === 'function') leaveScreen();
  root.replaceChildren();
  for (const link of document.querySelectorAll('#nav a')) {
    const active = /** @type {HTMLElement} */ (link).dataset.route === (name === 'product' ? 'products' : name);
    link.classList.toggle('active', active);
    if (active) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  leaveScreen = screen.render(root, decodeURIComponent(rest.join('/')));
  // Edits made on the screen just left may have queued changes for the remotes.
  refreshIndicator();
}

function shortcuts() {
  document.addEventListener('keydown', (e) => {
    if (!(e.ctrlKey || e.metaKey) || e.altKey) return;
    const key = e.key.toLowerCase();
    if (key === 'f') {
      e.preventDefault();
      const search = /** @type {HTMLInputElement | null} */ (document.querySelector('[data-search]'));
      if (search) search.focus(), search.select();
      else go('#/products');
    } else if (key === 'n') {
      e.preventDefault();
      go('#/product/');
    }
  });
}

function start() {
  initLang();
  applyStatic();
  onLangChange(() => {
    applyStatic();
    route();
  });
  shortcuts();
  window.addEventListener('hashchange', route);
  route();
  startIndicator();
  // Ready for input now, whether or not the catalog has finished opening.
  requestAnimationFrame(() => api.uiReady('window').catch(() => {}));
  // A large catalog is checked after it opens: damage found then stays on screen.
  api.dbCheck().catch(showBanner);
}

/** A problem with the catalog itself, shown until the app closes. @param {unknown} err */
function showBanner(err) {
  const banner = /** @type {HTMLElement} */ (document.getElementById('banner'));
  banner.replaceChildren(h('span', { text: errorText(err) }), ' ', h('a', { attrs: { href: '#/settings' }, text: t('nav.settings') }));
  banner.hidden = false;
}

start();

