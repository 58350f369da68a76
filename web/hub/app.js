/* global document, FormData, history, location, URL, URLSearchParams, window */
/**
 * The hub dashboard: sign in with the hub's bearer token, choose a period and a spoke, and read
 * the partnership's figures from the hub API as charts, each with a table of the same figures.
 * The filters live in the URL's query (`/hub?from=2025-12&to=2026-11&spoke=bristol`), so a view
 * can be bookmarked; without them the page shows the last twelve months of every spoke.
 */
import {
  ApiProblem,
  NetworkError,
  clearSession,
  hubApi,
  loadSession,
  parseToken,
  saveSession,
} from './api.js';
import {
  button,
  dateInput,
  errorSummary,
  h,
  markFieldErrors,
  pageHeading,
  showErrors,
} from '../assets/dom.js';
import { signInContent } from '../assets/sign-in.js';
import { barChart, clearCharts, colours, figure, figuresTable, lineChart } from './charts.js';
import {
  declineReasonNames,
  formatCount,
  formatHours,
  formatRate,
  hoursValue,
  monthName,
  monthsBetween,
  partnershipName,
  pathwayName,
  periodName,
  providerName,
  ratePercent,
  returnPeriodOf,
  spokeName,
  waitingStages,
} from './format.js';

/** Problem pointers of the metrics query, in words and as the fields that hold them. */
const fieldNames = { '/from': 'From', '/to': 'To', '/spoke': 'Spoke' };
const fieldIds = { '/from': 'from-month', '/to': 'to-month', '/spoke': 'spoke' };

/** Bumped on every view, so an answer arriving after the user moved on is dropped. */
let generation = 0;
/** Bumped on every read of the figures: only the latest fills the page. */
let figuresRequest = 0;
/** The query the page shows: going back or forward to another one shows that one. */
let shownSearch;

function start() {
  document.body.classList.add('js-enabled', 'govuk-frontend-supported');
  // The skip link must not add a history entry: moving through history re-reads the figures.
  document.getElementById('skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main-content')?.focus();
  });
  document.getElementById('sign-out')?.addEventListener('click', (event) => {
    event.preventDefault();
    signOut();
  });
  window.addEventListener('popstate', () => {
    if (location.search !== shownSearch) route({ focus: true });
  });
  route({ focus: false });
}

function route({ focus }) {
  ++generation;
  const { session, expired } = loadSession();
  showAccount(session);
  if (!session) {
    renderSignIn({ focus, expired });
    return;
  }
  renderDashboard(session, filtersFromUrl(), { focus });
}

function signOut() {
  ++generation;
  clearCharts();
  clearSession();
  showAccount(undefined);
  renderSignIn({ focus: true, signedOut: true });
}

function showAccount(session) {
  const navigation = document.getElementById('account-navigation');
  const signedInAs = document.getElementById('signed-in-as');
  if (!navigation || !signedInAs) return;
  navigation.hidden = !session;
  signedInAs.textContent = session ? session.name : '';
}

/**
 * Replaces the view. Focus goes to the error summary if there is one, else to a success
 * banner, else (after navigation) to the heading, so screen readers start at what changed.
 */
function show({ title, content, focus }) {
  const view = document.getElementById('view');
  if (!view) return;
  view.replaceChildren(...content.flat().filter(Boolean));
  const summary = view.querySelector('.govuk-error-summary');
  document.title = `${summary ? 'Error: ' : ''}${title} – Reachable`;
  const target =
    summary ??
    view.querySelector('.govuk-notification-banner') ??
    (focus ? view.querySelector('h1') : null);
  target?.focus();
}

function clearErrors() {
  document.getElementById('view')?.querySelector('.govuk-error-summary')?.remove();
  document.title = document.title.replace(/^Error: /, '');
}

/** An error summary for anything an API call threw. */
function problemSummary(error) {
  if (error instanceof ApiProblem) {
    const signOutLink = h(
      'a',
      {
        href: '/hub',
        class: 'govuk-link',
        onclick: (/** @type {Event} */ event) => {
          event.preventDefault();
          signOut();
        },
      },
      'Sign out and sign in again',
    );
    const description = [
      h('p', {}, h('strong', {}, `${error.title}.`), ' ', error.message),
      error.status === 403
        ? h(
            'p',
            {},
            'The figures are for the partnership hub only. ',
            signOutLink,
            ' with the hub’s access token.',
          )
        : undefined,
      error.status === 401 ? h('p', {}, signOutLink) : undefined,
    ];
    const items = error.errors.map((problem) => ({
      text: `${fieldNames[problem.pointer] ?? problem.pointer}: ${problem.detail}`,
      href: fieldIds[problem.pointer] ? `#${fieldIds[problem.pointer]}` : undefined,
    }));
    return errorSummary({ description, items });
  }
  const message =
    error instanceof NetworkError
      ? error.message
      : 'Something went wrong on this page. Reload it and try again.';
  return errorSummary({ description: h('p', {}, message), items: [] });
}

// Sign in

function renderSignIn({ focus, expired = false, signedOut = false }) {
  show({
    title: 'Sign in',
    focus,
    content: signInContent({
      expired,
      signedOut,
      tokenHint: [
        'Paste the access token the partnership hub was given. To try Reachable on your own ',
        'machine, make one with ',
        h('code', {}, 'npm run -s token -- --hub'),
        '.',
      ],
      intro:
        'Sign in to see the partnership’s referral-to-engagement figures and its quarterly return.',
      parseToken,
      onSignIn: (session) => {
        saveSession(session);
        route({ focus: true });
      },
    }),
  });
}

// Filters

/**
 * @typedef {import('./api.js').Filters} Filters
 * @typedef {import('./api.js').Session} Session
 */

/** The twelve months up to and including this one (UTC), as the API counts them by default. */
function lastTwelveMonths(now = new Date()) {
  const to = now.toISOString().slice(0, 7);
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: start.toISOString().slice(0, 7), to };
}

/** The filters the URL's query names, the last twelve months of every spoke by default. */
function filtersFromUrl() {
  const query = new URLSearchParams(location.search);
  const period = lastTwelveMonths();
  return {
    from: query.get('from') ?? period.from,
    to: query.get('to') ?? period.to,
    spoke: query.get('spoke') ?? '',
  };
}

/** @param {Filters} filters */
function searchOf({ from, to, spoke }) {
  const query = new URLSearchParams({ from, to });
  if (spoke) query.set('spoke', spoke);
  return `?${query}`;
}

/** "2026-04" as the month and year the form shows (4, 2026). */
function partsOf(month) {
  const [year = '', number = ''] = month.split('-');
  return { month: number.replace(/^0(?=\d)/, ''), year };
}

/**
 * One month of the form, checked: its value as "YYYY-MM", or what is wrong and where.
 * @param {FormData} data
 * @param {'from' | 'to'} name
 * @param {string} legend
 */
function checkedMonth(data, name, legend) {
  const month = String(data.get(`${name}-month`) ?? '').trim();
  const year = String(data.get(`${name}-year`) ?? '').trim();
  if (month === '' && year === '') {
    return { error: `Enter the ${legend} month and year`, href: `#${name}-month` };
  }
  if (!/^\d{1,2}$/.test(month) || Number(month) < 1 || Number(month) > 12) {
    return { error: `The ${legend} month must be a number from 1 to 12`, href: `#${name}-month` };
  }
  if (!/^\d{4}$/.test(year)) {
    return { error: `The ${legend} year must have 4 digits, like 2026`, href: `#${name}-year` };
  }
  return { value: `${year}-${month.padStart(2, '0')}` };
}

/**
 * The filters the form holds, or what is wrong with them. The API has the last word (a period
 * of at most 36 months, a spoke id it accepts): its 400 is shown the same way.
 * @param {HTMLFormElement} form
 * @returns {{ filters?: Filters, errors: Record<string, string>,
 *   items: { text: string, href: string }[] }}
 */
function readFilters(form) {
  const data = new FormData(form);
  const from = checkedMonth(data, 'from', 'From');
  const to = checkedMonth(data, 'to', 'To');
  const spoke = String(data.get('spoke') ?? '');
  /** @type {[string, { error: string, href: string }][]} */
  const wrong = [];
  if (from.error) wrong.push(['from', from]);
  if (to.error) wrong.push(['to', to]);
  if (from.value && to.value && to.value < from.value) {
    wrong.push([
      'to',
      { error: 'The To month must be the same as or after the From month', href: '#to-month' },
    ]);
  }
  if (wrong.length) {
    return {
      errors: Object.fromEntries(wrong.map(([field, { error }]) => [field, error])),
      items: wrong.map(([, { error, href }]) => ({ text: error, href })),
    };
  }
  return { filters: { from: from.value, to: to.value, spoke }, errors: {}, items: [] };
}

function filterForm(filters, onApply) {
  const monthField = (name, legend, value) =>
    h(
      'div',
      { class: 'govuk-grid-column-one-third' },
      dateInput({
        id: name,
        name,
        legend,
        hint: 'For example, 4 2026',
        parts: [
          { part: 'month', label: 'Month', value: partsOf(value).month, width: 2 },
          { part: 'year', label: 'Year', value: partsOf(value).year, width: 4 },
        ],
      }),
    );
  const spokes = h(
    'select',
    { class: 'govuk-select', id: 'spoke', name: 'spoke' },
    h('option', { value: '' }, 'All spokes'),
    filters.spoke ? h('option', { value: filters.spoke }, spokeName(filters.spoke)) : undefined,
  );
  spokes.value = filters.spoke;
  const form = h(
    'form',
    { novalidate: true, class: 'app-filters', id: 'filters' },
    h(
      'div',
      { class: 'govuk-grid-row' },
      monthField('from', 'From', filters.from),
      monthField('to', 'To', filters.to),
      h(
        'div',
        { class: 'govuk-grid-column-one-third' },
        h(
          'div',
          { class: 'govuk-form-group', 'data-field': 'spoke' },
          h('label', { class: 'govuk-label govuk-label--s', for: 'spoke' }, 'Spoke'),
          spokes,
        ),
      ),
    ),
    button('Show figures'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    onApply(/** @type {HTMLFormElement} */ (form));
  });
  return form;
}

/** The spokes to choose from: those with referrals in the period, and the one chosen. */
function setSpokeOptions(form, spokes) {
  const select = /** @type {HTMLSelectElement | null} */ (form.querySelector('#spoke'));
  if (!select) return;
  const chosen = select.value;
  const ids = [...new Set([...spokes, ...(chosen ? [chosen] : [])])].sort((a, b) =>
    spokeName(a).localeCompare(spokeName(b), 'en-GB'),
  );
  select.replaceChildren(
    h('option', { value: '' }, 'All spokes'),
    ...ids.map((id) => h('option', { value: id }, spokeName(id))),
  );
  select.value = chosen;
}

const spokeWords = (spoke) => (spoke ? spokeName(spoke) : 'all spokes');

// The dashboard

/**
 * @param {Session} session
 * @param {Filters} filters
 */
function renderDashboard(session, filters, { focus }) {
  clearCharts();
  shownSearch = location.search;
  const status = h('p', { class: 'govuk-body', id: 'figures-status', role: 'status' });
  const figures = h('div', { id: 'figures' });
  const form = filterForm(filters, (/** @type {HTMLFormElement} */ submitted) => {
    const checked = readFilters(submitted);
    if (!checked.filters) {
      markFieldErrors(submitted, checked.errors);
      showErrors(errorSummary({ items: checked.items }));
      return;
    }
    const search = searchOf(checked.filters);
    if (search !== location.search) history.pushState(null, '', search);
    shownSearch = location.search;
    void loadFigures(session, checked.filters, { form: submitted, status, figures });
  });
  show({
    title: 'Hub dashboard',
    focus,
    content: [
      ...pageHeading('Hub dashboard', session.hub ? partnershipName(session.hub) : undefined),
      h(
        'p',
        { class: 'govuk-body' },
        'Referrals received in the period, each counted in the month it was received, and how ',
        'far they have gone towards engagement. The figures are counts, rates and times from ',
        'the hub’s aggregates: no referral and no person is ever shown here.',
      ),
      form,
      status,
      figures,
    ],
  });
  const checked = readFilters(form);
  if (!checked.filters) {
    markFieldErrors(form, checked.errors);
    showErrors(errorSummary({ items: checked.items }));
    return;
  }
  void loadFigures(session, checked.filters, { form, status, figures });
}

/**
 * Reads every figure for the filters and shows them; a problem (a 400 for the period, a 403 for
 * a token that is not the hub's) is shown in the error summary instead.
 * @param {Session} session
 * @param {Filters} filters
 */
async function loadFigures(session, filters, { form, status, figures }) {
  const request = ++figuresRequest;
  const current = generation;
  const stale = () => request !== figuresRequest || current !== generation;
  status.textContent = `Reading the figures for ${periodName(filters.from, filters.to)}, ${spokeWords(filters.spoke)}.`;
  figures.setAttribute('aria-busy', 'true');
  let read;
  try {
    read = await readFigures(session, filters);
  } catch (error) {
    if (stale()) return;
    clearCharts();
    figures.replaceChildren();
    figures.removeAttribute('aria-busy');
    status.textContent = 'No figures are shown.';
    const inForm =
      error instanceof ApiProblem && error.status === 400
        ? Object.fromEntries(
            error.errors
              .filter((problem) => fieldIds[problem.pointer])
              .map((problem) => [problem.pointer.slice(1), problem.detail]),
          )
        : {};
    markFieldErrors(form, inForm);
    showErrors(problemSummary(error));
    return;
  }
  if (stale()) return;
  clearErrors();
  markFieldErrors(form, {});
  setSpokeOptions(form, read.spokes);
  clearCharts();
  const scope = `${periodName(read.period.from, read.period.to)}, ${spokeWords(filters.spoke)}`;
  const parts = dashboardParts(session, read, scope);
  figures.replaceChildren(...parts.map((part) => part.element));
  figures.removeAttribute('aria-busy');
  for (const part of parts) part.draw();
  status.textContent = `Showing figures for ${scope}.`;
}

/**
 * @typedef {Record<string, any>} Row one of the API's rows (shared/domain/hub-metrics.ts
 *   `MetricsRow`), read defensively: a missing figure shows as "no data"
 */

/**
 * Every reading the dashboard needs, side by side.
 * @param {Session} session
 * @param {Filters} filters
 */
async function readFigures(session, filters) {
  const api = hubApi(session);
  const rowsOf = (answer) => (Array.isArray(answer?.rows) ? answer.rows : []);
  const [totals, bySpoke, byPathway, byMonth, byQuarter, byProvider, everySpoke] =
    await Promise.all([
      api.metrics(filters),
      api.metrics(filters, ['spoke']),
      api.metrics(filters, ['pathway']),
      api.metrics(filters, ['month']),
      api.metrics(filters, ['quarter']),
      api.metrics(filters, ['provider']),
      // The spokes to choose from are those of every spoke's figures, not only the chosen one's.
      filters.spoke ? api.metrics({ ...filters, spoke: '' }, ['spoke']) : undefined,
    ]);
  const period = totals?.period ?? {};
  return {
    period: {
      from: typeof period.from === 'string' ? period.from : filters.from,
      to: typeof period.to === 'string' ? period.to : filters.to,
    },
    /** @type {Row} */
    totals: rowsOf(totals)[0] ?? {},
    /** @type {Row[]} */
    bySpoke: rowsOf(bySpoke),
    /** @type {Row[]} */
    byPathway: rowsOf(byPathway),
    /** @type {Row[]} */
    byMonth: rowsOf(byMonth),
    /** @type {Row[]} */
    byQuarter: rowsOf(byQuarter),
    /** @type {Row[]} */
    byProvider: rowsOf(byProvider),
    /** The latest check for stuck referrals (counts only), or null before the first. */
    reconciliation: totals?.reconciliation ?? null,
    /** @type {string[]} */
    spokes: rowsOf(everySpoke ?? bySpoke)
      .map((row) => row.group?.spoke)
      .filter((spoke) => typeof spoke === 'string'),
  };
}

const noReferrals = 'No referrals were received in this period.';
const groupOf = (row, key) => String(row.group?.[key] ?? '');

/** @typedef {{ element: HTMLElement, draw: () => void }} Part */

/** @returns {Part[]} */
function dashboardParts(session, read, scope) {
  const funnel = funnelFigure(read.totals, scope);
  const others = outcomesFigure(read.totals, scope);
  const waiting = waitingFigure(read.byProvider, scope);
  return [
    ...(read.reconciliation ? [still(reconciliationNotice(read.reconciliation))] : []),
    still(summaryCards(read.totals)),
    ratesFigure({
      id: 'rates-by-spoke',
      title: 'Rates by spoke',
      what: 'Spoke',
      rows: read.bySpoke,
      name: (row) => spokeName(groupOf(row, 'spoke')),
      scope,
    }),
    ratesFigure({
      id: 'rates-by-pathway',
      title: 'Rates by pathway',
      what: 'Pathway',
      rows: read.byPathway,
      name: (row) => pathwayName(groupOf(row, 'pathway')),
      scope,
    }),
    {
      element: h(
        'div',
        { class: 'govuk-grid-row' },
        h('div', { class: 'govuk-grid-column-one-half' }, funnel.element),
        h('div', { class: 'govuk-grid-column-one-half' }, others.element),
      ),
      draw: () => {
        funnel.draw();
        others.draw();
      },
    },
    monthFigure(read.byMonth, read.period, scope),
    quarterFigure(read.byQuarter, scope),
    firstContactFigure(read.bySpoke, scope),
    overdueFigure(read.byProvider, scope),
    ...(waiting ? [waiting] : []),
    still(returnSection(session, read.byQuarter)),
  ];
}

/**
 * What the last reconciliation check found stuck between intake and a provider: a notification
 * banner when anything is, else a line saying when all was last found moving.
 * @param {Record<string, any>} report shared/domain/reconciliation.ts `ReconciliationReport`
 */
function reconciliationNotice(report) {
  const counts = report.counts ?? {};
  const notRouted = isCount(counts['not-routed']) ? counts['not-routed'] : 0;
  const notPulled = isCount(counts['not-pulled']) ? counts['not-pulled'] : 0;
  const checkedAt = new Date(report.checkedAt);
  const checked = Number.isNaN(checkedAt.getTime())
    ? 'at an unknown time'
    : checkedAt.toLocaleString('en-GB', {
        dateStyle: 'medium',
        timeStyle: 'short',
        timeZone: 'Europe/London',
      });
  if (notRouted + notPulled === 0) {
    return h(
      'p',
      { class: 'govuk-body-s', id: 'reconciliation' },
      `Last check for stuck referrals: ${checked}. None found.`,
    );
  }
  const byProvider = Object.entries(report.byProvider ?? {}).filter(([, n]) => isCount(n));
  return h(
    'div',
    {
      class: 'govuk-notification-banner',
      role: 'region',
      'aria-labelledby': 'reconciliation-title',
      id: 'reconciliation',
    },
    h(
      'div',
      { class: 'govuk-notification-banner__header' },
      h(
        'h2',
        { class: 'govuk-notification-banner__title', id: 'reconciliation-title' },
        'Stuck referrals',
      ),
    ),
    h(
      'div',
      { class: 'govuk-notification-banner__content' },
      h(
        'p',
        { class: 'govuk-notification-banner__heading' },
        `${formatCount(notRouted + notPulled)} referrals are stuck between intake and a provider.`,
      ),
      h(
        'ul',
        { class: 'govuk-list govuk-list--bullet' },
        h(
          'li',
          { id: 'reconciliation-not-routed' },
          `${formatCount(notRouted)} stored but not routed after ${formatCount(report.notRoutedAfterMinutes)} minutes`,
        ),
        h(
          'li',
          { id: 'reconciliation-not-pulled' },
          `${formatCount(notPulled)} routed to a provider but not picked up by their acceptance deadline` +
            (byProvider.length > 0
              ? `: ${byProvider.map(([id, n]) => `${providerName(id)} ${formatCount(n)}`).join(', ')}`
              : ''),
        ),
      ),
      h(
        'p',
        { class: 'govuk-body-s' },
        `Checked ${checked}. Operators have the referral ids in the alerts queue.`,
      ),
    ),
  );
}

/** A part of the page with no chart to draw. */
const still = (element) => ({ element, draw: () => undefined });

const isCount = (value) => typeof value === 'number' && Number.isFinite(value);

/** @param {Row} totals */
function summaryCards(totals) {
  const overdue = totals.overdue ?? {};
  const overdueTotal =
    isCount(overdue.accept) && isCount(overdue.firstContact)
      ? overdue.accept + overdue.firstContact
      : undefined;
  const times = totals.timeToFirstContactHours ?? {};
  const cards = [
    ['referrals', 'Referrals', formatCount(totals.referred), 'received in the period'],
    ['engaged', 'Engaged', formatCount(totals.engaged), 'of those referrals, so far'],
    [
      'engagement-rate',
      'Referral to engagement',
      formatRate(totals.engagementRate),
      'of referrals reached engagement',
    ],
    [
      'first-contact',
      'Median time to first contact',
      formatHours(times.median),
      `90th percentile: ${formatHours(times.p90)}`,
    ],
    [
      'overdue',
      'Overdue',
      formatCount(overdueTotal),
      `${formatCount(overdue.accept)} not accepted in time, ${formatCount(overdue.firstContact)} not contacted in time`,
    ],
  ];
  return h(
    'section',
    { 'aria-labelledby': 'summary-heading' },
    h('h2', { class: 'govuk-visually-hidden', id: 'summary-heading' }, 'Headline figures'),
    h(
      'ul',
      { class: 'app-cards', id: 'summary' },
      cards.map(([id, label, value, detail]) =>
        h(
          'li',
          { class: 'app-card', id: `card-${id}` },
          h('p', { class: 'govuk-body-s govuk-!-font-weight-bold govuk-!-margin-bottom-0' }, label),
          h('p', { class: 'govuk-heading-l app-card__value' }, value),
          h('p', { class: 'govuk-body-s govuk-!-margin-bottom-0' }, detail),
        ),
      ),
    ),
  );
}

/** Referral to engagement and acceptance rates of each group (spoke or pathway). */
function ratesFigure({ id, title, what, rows, name, scope }) {
  const labels = rows.map(name);
  return figure({
    id,
    title,
    intro:
      'The share of referrals that reached engagement and the share accepted by a provider, ' +
      'of the referrals received.',
    label: `Bar chart of the referral to engagement rate and the acceptance rate by ${what.toLowerCase()}, as percentages. The figures are in the table below.`,
    empty: rows.length ? undefined : noReferrals,
    chart: barChart({
      labels,
      percent: true,
      axis: 'Share of referrals',
      series: [
        {
          label: 'Referral to engagement',
          data: rows.map((row) => ratePercent(row.engagementRate)),
          colour: colours.blue,
        },
        {
          label: 'Acceptance',
          data: rows.map((row) => ratePercent(row.acceptanceRate)),
          colour: colours.orange,
        },
      ],
    }),
    table: figuresTable({
      id,
      caption: `${title}, ${scope}`,
      head: [what, 'Referred', 'Accepted', 'Engaged', 'Acceptance rate', 'Engagement rate'],
      rows: rows.map((row, index) => [
        labels[index],
        formatCount(row.referred),
        formatCount(row.accepted),
        formatCount(row.engaged),
        formatRate(row.acceptanceRate),
        formatRate(row.engagementRate),
      ]),
    }),
  });
}

/** Referred → accepted → contacted → engaged → closed, for every referral in the filters. */
function funnelFigure(totals, scope) {
  const stages = [
    ['Referred', totals.referred],
    ['Accepted', totals.accepted],
    ['Contacted', totals.contacted],
    ['Engaged', totals.engaged],
    ['Closed', totals.closed],
  ];
  const referred = isCount(totals.referred) ? totals.referred : 0;
  return figure({
    id: 'funnel',
    title: 'From referral to closure',
    intro: 'How many of the referrals reached each stage.',
    label:
      'Horizontal bar chart of the referrals that reached each stage: referred, accepted, contacted, engaged and closed. The figures are in the table below.',
    empty: referred ? undefined : noReferrals,
    chart: barChart({
      labels: stages.map(([stage]) => stage),
      horizontal: true,
      axis: 'Referrals',
      series: [
        {
          label: 'Referrals',
          data: stages.map(([, count]) => (isCount(count) ? count : null)),
          colour: colours.blue,
        },
      ],
    }),
    table: figuresTable({
      id: 'funnel',
      caption: `Referrals by stage reached, ${scope}`,
      head: ['Stage', 'Referrals', 'Share of referred'],
      rows: stages.map(([stage, count]) => [
        stage,
        formatCount(count),
        formatRate(referred && isCount(count) ? count / referred : null),
      ]),
    }),
  });
}

/** Triaged, escalated and declined (with each reason), beside the funnel. */
function outcomesFigure(totals, scope) {
  const reasons = totals.declineReasons ?? {};
  const lines = [
    ['Triaged by a spoke', totals.triaged],
    ['Escalated', totals.escalated],
    ['Declined', totals.declined],
    ...Object.entries(declineReasonNames).map(([reason, words]) => [
      `Declined: ${words}`,
      reasons[reason],
    ]),
  ];
  return figure({
    id: 'outcomes',
    title: 'Triage, escalation and declines',
    intro:
      'A referral declined by two providers for different reasons counts once as declined and ' +
      'once for each reason.',
    label:
      'Horizontal bar chart of referrals triaged, escalated and declined, with each reason for declining. The figures are in the table below.',
    empty: isCount(totals.referred) && totals.referred > 0 ? undefined : noReferrals,
    chart: barChart({
      labels: lines.map(([what]) => what),
      horizontal: true,
      axis: 'Referrals',
      series: [
        {
          label: 'Referrals',
          data: lines.map(([, count]) => (isCount(count) ? count : null)),
          colour: colours.purple,
        },
      ],
    }),
    table: figuresTable({
      id: 'outcomes',
      caption: `Triaged, escalated and declined, ${scope}`,
      head: ['What happened', 'Referrals'],
      rows: lines.map(([what, count]) => [what, formatCount(count)]),
    }),
  });
}

/** Referred and engaged in each month of the period; a month with no referrals shows zeros. */
function monthFigure(rows, period, scope) {
  const byMonth = new Map(rows.map((row) => [groupOf(row, 'month'), row]));
  const months = monthsBetween(period.from, period.to);
  const zero = { referred: 0, engaged: 0, engagementRate: null };
  const series = months.map((month) => byMonth.get(month) ?? zero);
  return figure({
    id: 'by-month',
    title: 'Referrals and engagement by month',
    intro: 'Referrals received each month, and how many of them have reached engagement.',
    label:
      'Line chart of referrals received and referrals engaged in each month of the period. The figures are in the table below.',
    empty: rows.length ? undefined : noReferrals,
    chart: lineChart({
      labels: months.map((month) => monthName(month, { short: true })),
      axis: 'Referrals',
      series: [
        {
          label: 'Referred',
          data: series.map((row) => (isCount(row.referred) ? row.referred : null)),
          colour: colours.blue,
        },
        {
          label: 'Engaged',
          data: series.map((row) => (isCount(row.engaged) ? row.engaged : null)),
          colour: colours.orange,
        },
      ],
    }),
    table: figuresTable({
      id: 'by-month',
      caption: `Referrals and engagement by month, ${scope}`,
      head: ['Month', 'Referred', 'Engaged', 'Engagement rate'],
      rows: months.map((month, index) => [
        monthName(month),
        formatCount(series[index].referred),
        formatCount(series[index].engaged),
        formatRate(series[index].engagementRate),
      ]),
    }),
  });
}

/** Referred and engaged by quarter, labelled and ordered as the API answers. */
function quarterFigure(rows, scope) {
  const labels = rows.map((row) => groupOf(row, 'quarter'));
  return figure({
    id: 'by-quarter',
    title: 'Referrals and engagement by quarter',
    intro: 'The quarters of the period, as the hub reports them.',
    label:
      'Bar chart of referrals received and referrals engaged in each quarter, side by side. The figures are in the table below.',
    empty: rows.length ? undefined : noReferrals,
    chart: barChart({
      labels,
      axis: 'Referrals',
      series: [
        { label: 'Referred', data: rows.map((row) => row.referred ?? null), colour: colours.blue },
        { label: 'Engaged', data: rows.map((row) => row.engaged ?? null), colour: colours.orange },
      ],
    }),
    table: figuresTable({
      id: 'by-quarter',
      caption: `Referrals and engagement by quarter, ${scope}`,
      head: ['Quarter', 'Referred', 'Engaged', 'Engagement rate'],
      rows: rows.map((row, index) => [
        labels[index],
        formatCount(row.referred),
        formatCount(row.engaged),
        formatRate(row.engagementRate),
      ]),
    }),
  });
}

/** Median and 90th percentile hours from receipt to the first contact attempt, by spoke. */
function firstContactFigure(rows, scope) {
  const labels = rows.map((row) => spokeName(groupOf(row, 'spoke')));
  const reading = (row, which) => row.timeToFirstContactHours?.[which] ?? null;
  const series = (label, which, colour) => ({
    label,
    colour,
    data: rows.map((row) => hoursValue(reading(row, which))),
    texts: rows.map((row) => formatHours(reading(row, which))),
  });
  return figure({
    id: 'first-contact',
    title: 'Time to first contact by spoke',
    intro:
      'Hours from receiving a referral to the first attempt to contact the young person. Times ' +
      'are read in bands, so “24 hours” means within 24 hours; beyond the last band they show ' +
      'as “over 720 hours” (drawn at 720).',
    label:
      'Bar chart of the median and 90th percentile hours to first contact by spoke. The figures are in the table below.',
    empty: rows.length ? undefined : noReferrals,
    chart: barChart({
      labels,
      axis: 'Hours',
      series: [
        series('Median', 'median', colours.blue),
        series('90th percentile', 'p90', colours.orange),
      ],
    }),
    table: figuresTable({
      id: 'first-contact',
      caption: `Time to first contact by spoke, ${scope}`,
      head: ['Spoke', 'Contacted', 'Median', '90th percentile'],
      rows: rows.map((row, index) => [
        labels[index],
        formatCount(row.contacted),
        formatHours(reading(row, 'median')),
        formatHours(reading(row, 'p90')),
      ]),
    }),
  });
}

/** Referrals that went past the time to accept or to first contact, by provider. */
function overdueFigure(rows, scope) {
  const labels = rows.map((row) => providerName(groupOf(row, 'provider')));
  const overdue = (row, which) => row.overdue?.[which] ?? null;
  return figure({
    id: 'overdue',
    title: 'Overdue by provider',
    intro:
      'Referrals that were not accepted, or not contacted, within the time their pathway ' +
      'expects. Each counts once, even after it was dealt with.',
    label:
      'Horizontal bar chart of referrals not accepted in time and not contacted in time, by provider. The figures are in the table below.',
    empty: rows.length ? undefined : noReferrals,
    tall: rows.length > 4,
    chart: barChart({
      labels,
      horizontal: true,
      axis: 'Referrals',
      series: [
        {
          label: 'Not accepted in time',
          data: rows.map((row) => overdue(row, 'accept')),
          colour: colours.red,
        },
        {
          label: 'Not contacted in time',
          data: rows.map((row) => overdue(row, 'firstContact')),
          colour: colours.blue,
        },
      ],
    }),
    table: figuresTable({
      id: 'overdue',
      caption: `Overdue by provider, ${scope}`,
      head: ['Provider', 'Referred', 'Not accepted in time', 'Not contacted in time'],
      rows: rows.map((row, index) => [
        labels[index],
        formatCount(row.referred),
        formatCount(overdue(row, 'accept')),
        formatCount(overdue(row, 'firstContact')),
      ]),
    }),
  });
}

/**
 * Where the referrals of the period are now, by provider: only when the API sends `current`
 * (older versions of the hub API do not), else undefined.
 */
function waitingFigure(rows, scope) {
  if (!rows.some((row) => typeof row.current === 'object' && row.current !== null)) {
    return undefined;
  }
  const labels = rows.map((row) => providerName(groupOf(row, 'provider')));
  const stage = (row, key) => row.current?.[key] ?? null;
  const stageColours = [colours.red, colours.orange, colours.yellow, colours.green, colours.grey];
  return figure({
    id: 'waiting',
    title: 'Waiting now by provider',
    intro: 'The referrals received in the period that are at each stage now.',
    label:
      'Stacked horizontal bar chart of referrals at each stage now, by provider. The figures are in the table below.',
    tall: rows.length > 4,
    chart: barChart({
      labels,
      horizontal: true,
      stacked: true,
      axis: 'Referrals',
      series: waitingStages.map(([key, words], index) => ({
        label: words,
        data: rows.map((row) => stage(row, key)),
        colour: stageColours[index] ?? colours.blue,
      })),
    }),
    table: figuresTable({
      id: 'waiting',
      caption: `Waiting now by provider, ${scope}`,
      head: ['Provider', ...waitingStages.map(([, words]) => words)],
      rows: rows.map((row, index) => [
        labels[index],
        ...waitingStages.map(([key]) => formatCount(stage(row, key))),
      ]),
    }),
  });
}

/**
 * The quarterly return of a quarter of the period, downloaded as CSV. The quarters offered are
 * those the API labels in the figures; the return itself covers every spoke.
 * @param {Session} session
 */
function returnSection(session, quarterRows) {
  const quarters = [];
  for (const row of quarterRows) {
    const label = groupOf(row, 'quarter');
    const period = returnPeriodOf(label);
    if (period && !quarters.some((quarter) => quarter.period === period)) {
      quarters.push({ label, period });
    }
  }
  const title = h('h2', { class: 'govuk-heading-m', id: 'return-heading' }, 'Quarterly return');
  const intro = h(
    'p',
    { class: 'govuk-body' },
    'The return for the Home Office, for every spoke: per spoke and pathway the referrals, ',
    'engaged, engagement rate and interventions delivered, with subtotals and a total, all ',
    'computed from the same figures.',
  );
  if (quarters.length === 0) {
    return h(
      'section',
      { class: 'app-figure', id: 'return', 'aria-labelledby': 'return-heading' },
      title,
      intro,
      h('p', { class: 'govuk-inset-text' }, 'There is no quarter with referrals in this period.'),
    );
  }
  const select = h(
    'select',
    { class: 'govuk-select', id: 'return-quarter', name: 'quarter' },
    quarters.map(({ label, period }) => h('option', { value: period }, label)),
  );
  select.value = quarters.at(-1)?.period ?? '';
  const status = h('p', { class: 'govuk-body', id: 'return-status', role: 'status' });
  const download = button('Download the return (CSV)', { type: 'button', variant: 'secondary' });
  download.addEventListener(
    'click',
    () => void downloadReturn(session, select.value, download, status),
  );
  return h(
    'section',
    { class: 'app-figure', id: 'return', 'aria-labelledby': 'return-heading' },
    title,
    intro,
    h(
      'div',
      { class: 'govuk-form-group' },
      h('label', { class: 'govuk-label govuk-label--s', for: 'return-quarter' }, 'Quarter'),
      select,
    ),
    download,
    status,
  );
}

/**
 * Fetches the return with the bearer token (a plain link could not send it) and hands it to the
 * browser as a file.
 * @param {Session} session
 * @param {string} period
 * @param {HTMLElement} download
 * @param {HTMLElement} status
 */
async function downloadReturn(session, period, download, status) {
  if (download.getAttribute('aria-disabled') === 'true') return;
  download.setAttribute('aria-disabled', 'true');
  status.textContent = `Preparing the return for ${period}.`;
  try {
    const { blob, fileName } = await hubApi(session).returnCsv(period);
    const url = URL.createObjectURL(blob);
    const link = h('a', { href: url, download: fileName, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    // The download has its own copy once started: the address is only needed until then.
    window.setTimeout(() => URL.revokeObjectURL(url), 60_000);
    status.textContent = `Downloaded ${fileName}.`;
  } catch (error) {
    status.textContent = '';
    showErrors(problemSummary(error));
  } finally {
    download.removeAttribute('aria-disabled');
  }
}

// Last, once every constant above is initialised: a stored session shows the figures at once.
start();
