/* global document, Node */
/**
 * A small DOM builder and the GOV.UK Frontend components the pages use, built as
 * elements. Text always goes in as text nodes, never as HTML: referrals carry free text.
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

/**
 * GOV.UK error summary. Items with an `href` link to the field at fault; following a link moves
 * focus to that field and brings its legend or label into view, as GOV.UK Frontend does.
 * @param {{ description?: unknown, items: { text: string, href?: string }[] }} options
 */
export function errorSummary({ description, items }) {
  const list = items.length
    ? h(
        'ul',
        { class: 'govuk-list govuk-error-summary__list' },
        items.map((item) =>
          h(
            'li',
            {},
            item.href
              ? h('a', { href: item.href, onclick: focusTarget(item.href) }, item.text)
              : item.text,
          ),
        ),
      )
    : undefined;
  return h(
    'div',
    { class: 'govuk-error-summary', 'data-module': 'govuk-error-summary', tabindex: '-1' },
    h(
      'div',
      { role: 'alert' },
      h('h2', { class: 'govuk-error-summary__title' }, 'There is a problem'),
      h('div', { class: 'govuk-error-summary__body' }, description, list),
    ),
  );
}

/** @param {string} href */
function focusTarget(href) {
  return (/** @type {Event} */ event) => {
    const target = document.getElementById(href.slice(1));
    if (!target) return;
    event.preventDefault();
    const legend = target.closest('fieldset')?.querySelector('legend');
    const label = document.querySelector(`label[for="${target.id}"]`);
    (legend ?? label ?? target).scrollIntoView();
    target.focus({ preventScroll: true });
  };
}

/**
 * GOV.UK success notification banner; focus it after the action it reports.
 * @param {string} heading
 * @param {unknown} [body]
 */
export function successBanner(heading, body) {
  return h(
    'div',
    {
      class: 'govuk-notification-banner govuk-notification-banner--success',
      role: 'alert',
      'aria-labelledby': 'success-banner-title',
      tabindex: '-1',
    },
    h(
      'div',
      { class: 'govuk-notification-banner__header' },
      h('h2', { class: 'govuk-notification-banner__title', id: 'success-banner-title' }, 'Success'),
    ),
    h(
      'div',
      { class: 'govuk-notification-banner__content' },
      h('p', { class: 'govuk-notification-banner__heading' }, heading),
      body,
    ),
  );
}

/**
 * GOV.UK radios in a fieldset. The first radio's id is `id` and the rest `id-2`, `id-3`…, so an
 * error summary links to the first. An option with `conditional` reveals it when chosen.
 * @param {{ id: string, name: string, legend: string, hint?: string,
 *   options: { value: string, label: string, conditional?: HTMLElement }[] }} options
 */
export function radios({ id, name, legend, hint, options }) {
  const hintId = hint ? `${id}-hint` : undefined;
  const items = options.flatMap((option, index) => {
    const inputId = index === 0 ? id : `${id}-${index + 1}`;
    const conditionalId = option.conditional ? `conditional-${inputId}` : undefined;
    const item = h(
      'div',
      { class: 'govuk-radios__item' },
      h('input', {
        class: 'govuk-radios__input',
        id: inputId,
        name,
        type: 'radio',
        value: option.value,
        'aria-controls': conditionalId,
        'aria-expanded': conditionalId ? 'false' : undefined,
      }),
      h('label', { class: 'govuk-label govuk-radios__label', for: inputId }, option.label),
    );
    if (!option.conditional) return [item];
    const conditional = h(
      'div',
      {
        class: 'govuk-radios__conditional govuk-radios__conditional--hidden',
        id: conditionalId,
      },
      option.conditional,
    );
    return [item, conditional];
  });
  const group = h(
    'div',
    { class: 'govuk-radios', 'data-module': 'govuk-radios', onchange: syncConditionals },
    items,
  );
  return h(
    'div',
    { class: 'govuk-form-group', 'data-field': name },
    h(
      'fieldset',
      { class: 'govuk-fieldset', 'aria-describedby': hintId },
      h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, legend),
      hint ? h('div', { class: 'govuk-hint', id: hintId }, hint) : undefined,
      group,
    ),
  );
}

/** Shows the conditional content of the chosen radio and hides the others'. */
function syncConditionals(/** @type {Event} */ event) {
  const group = /** @type {HTMLElement} */ (event.currentTarget);
  for (const input of group.querySelectorAll('input[aria-controls]')) {
    const radio = /** @type {HTMLInputElement} */ (input);
    const conditional = document.getElementById(radio.getAttribute('aria-controls') ?? '');
    radio.setAttribute('aria-expanded', String(radio.checked));
    conditional?.classList.toggle('govuk-radios__conditional--hidden', !radio.checked);
  }
}

/**
 * GOV.UK textarea with its label and hint.
 * @param {{ id: string, name: string, label: string, hint?: unknown, rows?: number }} options
 */
export function textarea({ id, name, label, hint, rows = 4 }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return h(
    'div',
    { class: 'govuk-form-group', 'data-field': name },
    h('label', { class: 'govuk-label', for: id }, label),
    hint ? h('div', { class: 'govuk-hint', id: hintId }, hint) : undefined,
    h('textarea', {
      class: 'govuk-textarea',
      id,
      name,
      rows: String(rows),
      'aria-describedby': hintId,
    }),
  );
}

/**
 * GOV.UK date input in a fieldset, with only the parts asked for (a month and a year, say). Each
 * part's input is `id-<part>` and named so, and an error summary links to the first.
 * @param {{ id: string, name: string, legend: string, hint?: string,
 *   parts: { part: string, label: string, value?: string, width: number }[] }} options
 */
export function dateInput({ id, name, legend, hint, parts }) {
  const hintId = hint ? `${id}-hint` : undefined;
  return h(
    'div',
    { class: 'govuk-form-group', 'data-field': name },
    h(
      'fieldset',
      { class: 'govuk-fieldset', role: 'group', 'aria-describedby': hintId },
      h('legend', { class: 'govuk-fieldset__legend govuk-fieldset__legend--s' }, legend),
      hint ? h('div', { class: 'govuk-hint', id: hintId }, hint) : undefined,
      h(
        'div',
        { class: 'govuk-date-input', id },
        parts.map(({ part, label, value, width }) =>
          h(
            'div',
            { class: 'govuk-date-input__item' },
            h(
              'div',
              { class: 'govuk-form-group' },
              h(
                'label',
                { class: 'govuk-label govuk-date-input__label', for: `${id}-${part}` },
                label,
              ),
              h('input', {
                class: `govuk-input govuk-date-input__input govuk-input--width-${width}`,
                id: `${id}-${part}`,
                name: `${name}-${part}`,
                type: 'text',
                inputmode: 'numeric',
                value,
              }),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * Marks the form groups named in `errors` as in error, with their messages, as GOV.UK does:
 * the group, an error message before the control, and the control described by it.
 * @param {ParentNode} scope
 * @param {Record<string, string>} errors message by field name
 */
export function markFieldErrors(scope, errors) {
  for (const group of scope.querySelectorAll('.govuk-form-group--error')) {
    group.classList.remove('govuk-form-group--error');
    group.querySelector('.govuk-error-message')?.remove();
    for (const control of group.querySelectorAll(`${controlErrorClasses}, [data-error-for]`)) {
      control.classList.remove(...controlErrorClasses.replaceAll('.', '').split(', '));
      unDescribe(control);
    }
  }
  for (const [field, message] of Object.entries(errors)) {
    const group = scope.querySelector(`[data-field="${field}"]`);
    if (!group) continue;
    const described =
      group.querySelector('fieldset') ?? group.querySelector('textarea, input, select');
    if (!described) continue;
    const errorId = `${field}-error`;
    const error = h(
      'p',
      { class: 'govuk-error-message', id: errorId },
      h('span', { class: 'govuk-visually-hidden' }, 'Error:'),
      ` ${message}`,
    );
    group.classList.add('govuk-form-group--error');
    const before = group.querySelector('.govuk-radios, .govuk-date-input, textarea, input, select');
    before?.before(error);
    if (described.tagName === 'TEXTAREA') described.classList.add('govuk-textarea--error');
    if (described.tagName === 'SELECT') described.classList.add('govuk-select--error');
    for (const input of group.querySelectorAll('.govuk-input')) {
      input.classList.add('govuk-input--error');
    }
    described.setAttribute('data-error-for', errorId);
    const describedBy = described.getAttribute('aria-describedby');
    described.setAttribute('aria-describedby', describedBy ? `${describedBy} ${errorId}` : errorId);
  }
}

const controlErrorClasses = '.govuk-textarea--error, .govuk-input--error, .govuk-select--error';

/** @param {Element} control */
function unDescribe(control) {
  const errorId = control.getAttribute('data-error-for');
  control.removeAttribute('data-error-for');
  const rest = (control.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .filter((id) => id && id !== errorId);
  if (rest.length) control.setAttribute('aria-describedby', rest.join(' '));
  else control.removeAttribute('aria-describedby');
}

/**
 * GOV.UK summary list.
 * @param {[string, unknown][]} rows key and value; rows without a value are left out
 */
export function summaryList(rows) {
  return h(
    'dl',
    { class: 'govuk-summary-list' },
    rows
      .filter(([, value]) => value !== undefined && value !== null && value !== '')
      .map(([key, value]) =>
        h(
          'div',
          { class: 'govuk-summary-list__row' },
          h('dt', { class: 'govuk-summary-list__key' }, key),
          h('dd', { class: 'govuk-summary-list__value' }, value),
        ),
      ),
  );
}

/**
 * GOV.UK button.
 * @param {string} text
 * @param {{ variant?: 'secondary' | 'warning', type?: string, onclick?: (event: Event) => void }} [options]
 */
export function button(text, { variant, type = 'submit', onclick } = {}) {
  const classes = variant ? `govuk-button govuk-button--${variant}` : 'govuk-button';
  return h('button', { class: classes, type, 'data-module': 'govuk-button', onclick }, text);
}

/**
 * Puts an error summary at the top of the view, in place of any earlier summary or banner, marks
 * the page title as an error and moves focus to the summary, as GOV.UK pages do.
 * @param {HTMLElement} summary
 */
export function showErrors(summary) {
  const view = document.getElementById('view');
  if (!view) return;
  view.querySelector('.govuk-error-summary')?.remove();
  view.querySelector('.govuk-notification-banner')?.remove();
  view.prepend(summary);
  if (!document.title.startsWith('Error: ')) document.title = `Error: ${document.title}`;
  summary.focus();
}

/**
 * A page's heading (focusable, so a change of view can move focus to it), with a caption above.
 * @param {string} text
 * @param {string} [caption]
 */
export function pageHeading(text, caption) {
  return [
    caption ? h('span', { class: 'govuk-caption-l' }, caption) : undefined,
    h('h1', { class: 'govuk-heading-l', tabindex: '-1' }, text),
  ];
}
