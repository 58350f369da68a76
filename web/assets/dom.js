/* global document, Node */
/**
 * A small DOM builder, for the one page still built in the browser (the API reference). Text
 * always goes in as text nodes, never as HTML. GOV.UK components are never built here: the
 * pages render them on the server with GOV.UK Frontend's own macros.
 */

/**
 * An element with attributes and children. `on<event>` attributes that are functions become
 * listeners; `true` sets an empty attribute; `undefined`, `null` and `false` are left out.
 * @param {string} tag
 * @param {Record<string, unknown>} [attributes]
 * @param {...unknown} children
 * @returns {HTMLElement}
 */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') {
      element.addEventListener(name.slice(2), /** @type {EventListener} */ (value));
    } else {
      element.setAttribute(name, value === true ? '' : String(value));
    }
  }
  append(element, children);
  return element;
}

/**
 * Appends children (nested arrays flattened), skipping empty ones.
 * @param {HTMLElement} element
 * @param {unknown[]} children
 */
function append(element, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    element.append(child instanceof Node ? child : String(child));
  }
}
