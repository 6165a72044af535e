// @ts-check
/** Building DOM without innerHTML: text is always text, never markup. */

/**
 * @typedef {{
 *   class?: string, text?: string, id?: string, title?: string,
 *   on?: Record<string, (e: any) => void>,
 *   data?: Record<string, string>,
 *   attrs?: Record<string, string | number | boolean | null | undefined>,
 * }} Props
 */

/**
 * `h('button', { class: 'primary', on: { click } }, 'Kaydet')`
 * @template {keyof HTMLElementTagNameMap} K
 * @param {K} tag
 * @param {Props} [props]
 * @param {...(Node | string | null | undefined | false)} children
 * @returns {HTMLElementTagNameMap[K]}
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  if (props.class) el.className = props.class;
  if (props.id) el.id = props.id;
  if (props.title) el.title = props.title;
  if (props.text !== undefined) el.textContent = props.text;
  for (const [name, handler] of Object.entries(props.on ?? {})) el.addEventListener(name, handler);
  for (const [key, value] of Object.entries(props.data ?? {})) el.dataset[key] = value;
  for (const [name, value] of Object.entries(props.attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name in el && typeof value !== 'string') /** @type {any} */ (el)[name] = value;
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== null && child !== undefined && child !== false) el.append(child);
  return el;
}

/** @param {Element} el @param {...(Node | string)} children */
export function replace(el, ...children) {
  el.replaceChildren(...children);
}

/**
 * A `<select>` over `options` ([value, label] pairs), with `value` selected.
 * @param {[string, string][]} options
 * @param {string} value
 * @param {Props} [props]
 */
export function select(options, value, props = {}) {
  const el = h('select', props, ...options.map(([v, label]) => h('option', { text: label, attrs: { value: v } })));
  el.value = value;
  return el;
}

/**
 * A labelled form field.
 * @param {string} label
 * @param {HTMLElement} control
 */
export function field(label, control) {
  return h('label', { class: 'field' }, h('span', { text: label }), control);
}
