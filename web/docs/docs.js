/* global document, fetch */
/**
 * The API reference: reads `/openapi.json` (generated from the same zod schemas the handlers
 * check requests with) and shows each operation by tag: its path, who may call it, parameters,
 * request body and answers. Schemas are shown as the JSON Schema the document holds.
 */
import { h } from '/assets/dom.js';

const methods = ['get', 'put', 'post', 'delete', 'patch'];

/** @param {unknown} schema */
const schemaBlock = (schema) => h('pre', { class: 'docs-schema' }, JSON.stringify(schema, null, 2));

/**
 * A table of rows of text, GOV.UK style.
 * @param {string} caption
 * @param {string[]} head
 * @param {unknown[][]} rows
 */
function table(caption, head, rows) {
  return h(
    'table',
    { class: 'govuk-table' },
    h('caption', { class: 'govuk-table__caption govuk-table__caption--s' }, caption),
    h(
      'thead',
      { class: 'govuk-table__head' },
      h(
        'tr',
        { class: 'govuk-table__row' },
        head.map((cell) => h('th', { scope: 'col', class: 'govuk-table__header' }, cell)),
      ),
    ),
    h(
      'tbody',
      { class: 'govuk-table__body' },
      rows.map((row) =>
        h(
          'tr',
          { class: 'govuk-table__row' },
          row.map((cell) => h('td', { class: 'govuk-table__cell' }, cell)),
        ),
      ),
    ),
  );
}

/**
 * An OpenAPI document's parts as this page reads them: JSON, so read defensively.
 * @typedef {Record<string, any>} Operation
 */

/**
 * One operation: `GET /v1/hub/metrics` with its summary, parameters, body and answers.
 * @param {string} path
 * @param {string} method
 * @param {Operation} op
 */
function operation(path, method, op) {
  const id = `${method}-${path}`.replace(/[^a-z0-9]+/gi, '-').replace(/-$/, '');
  const parameters = op.parameters ?? [];
  const body = op.requestBody?.content?.['application/json']?.schema;
  return h(
    'section',
    { class: 'govuk-!-margin-bottom-8', id, 'data-operation': `${method.toUpperCase()} ${path}` },
    h(
      'h3',
      { class: 'govuk-heading-s' },
      h('span', { class: 'docs-method' }, method.toUpperCase()),
      ' ',
      h('code', {}, path),
    ),
    h('p', { class: 'govuk-body' }, op.summary ?? ''),
    op.security?.length ? h('p', { class: 'govuk-body-s' }, 'Needs a bearer token.') : null,
    parameters.length
      ? table(
          'Parameters',
          ['Name', 'In', 'Required', 'About'],
          parameters.map((/** @type {Operation} */ p) => [
            p.name,
            p.in,
            p.required ? 'yes' : 'no',
            p.description ?? p.schema?.pattern ?? p.schema?.type ?? '',
          ]),
        )
      : null,
    body
      ? h(
          'details',
          { class: 'govuk-details' },
          h(
            'summary',
            { class: 'govuk-details__summary' },
            h('span', { class: 'govuk-details__summary-text' }, 'Request body (application/json)'),
          ),
          h('div', { class: 'govuk-details__text' }, schemaBlock(body)),
        )
      : null,
    table(
      'Answers',
      ['Status', 'Meaning'],
      Object.entries(op.responses ?? {}).map(([status, answer]) => [
        status,
        answer.description ?? '',
      ]),
    ),
  );
}

async function show() {
  const view = /** @type {HTMLElement} */ (document.getElementById('view'));
  const response = await fetch('/openapi.json');
  if (!response.ok) {
    view.append(
      h(
        'p',
        { class: 'govuk-error-message' },
        `The API description could not be read (${response.status}).`,
      ),
    );
    return;
  }
  const doc = await response.json();
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    for (const method of methods) {
      const op = item[method];
      if (!op) continue;
      const tag = op.tags?.[0] ?? 'other';
      byTag.set(tag, [...(byTag.get(tag) ?? []), operation(path, method, op)]);
    }
  }
  // `h` flattens the nested lists of sections; `replaceChildren` would not.
  view.replaceChildren(
    h(
      'div',
      {},
      h('h1', { class: 'govuk-heading-l' }, doc.info?.title ?? 'API reference'),
      h('p', { class: 'govuk-body' }, doc.info?.description ?? ''),
      h(
        'p',
        { class: 'govuk-body' },
        'OpenAPI ',
        doc.openapi,
        ': ',
        h('a', { class: 'govuk-link', href: '/openapi.json' }, '/openapi.json'),
      ),
      [...byTag].map(([tag, operations]) => [
        h('h2', { class: 'govuk-heading-m' }, tag),
        operations,
      ]),
      h('h2', { class: 'govuk-heading-m' }, 'Schemas'),
      Object.entries(doc.components?.schemas ?? {}).map(([name, schema]) =>
        h(
          'details',
          { class: 'govuk-details', id: `schema-${name}` },
          h(
            'summary',
            { class: 'govuk-details__summary' },
            h('span', { class: 'govuk-details__summary-text' }, name),
          ),
          h('div', { class: 'govuk-details__text' }, schemaBlock(schema)),
        ),
      ),
    ),
  );
}

void show();
