/* global document, FormData, history, location, window */
/**
 * The provider page: sign in with a bearer token, pull the next referral from the queue, list
 * your referrals, and move one through its lifecycle. Views are chosen by the URL fragment
 * (`#/`, `#/referrals/<id>`, `#/sign-out`) because the page is one file served at /provider.
 */
import {
  ApiProblem,
  NetworkError,
  clearSession,
  leases,
  loadSession,
  parseToken,
  providerApi,
  rememberLease,
  saveSession,
} from './api.js';
import {
  button,
  errorSummary,
  h,
  markFieldErrors,
  pageHeading,
  radios,
  showErrors,
  successBanner,
  summaryList,
  textarea,
} from '../assets/dom.js';
import { signInContent } from '../assets/sign-in.js';

// The lifecycle as the API defines it (shared/domain/lifecycle.ts), in words for people.
const statusLabels = {
  received: 'Received',
  routed: 'Routed',
  rerouted: 'Rerouted',
  accepted: 'Accepted',
  declined: 'Declined',
  'contact-attempted': 'Contact attempted',
  engaged: 'Engaged',
  closed: 'Closed',
  withdrawn: 'Withdrawn',
};
const statusTagClasses = {
  accepted: 'govuk-tag--turquoise',
  declined: 'govuk-tag--red',
  'contact-attempted': 'govuk-tag--yellow',
  engaged: 'govuk-tag--green',
  closed: 'govuk-tag--grey',
  withdrawn: 'govuk-tag--grey',
};
const waitingStatuses = ['received', 'routed', 'rerouted'];
/** The actions this page offers in each status; the API has the final word (409). */
const actionsByStatus = {
  received: ['accept', 'decline'],
  routed: ['accept', 'decline'],
  rerouted: ['accept', 'decline'],
  accepted: ['attempt-contact', 'engage', 'close'],
  'contact-attempted': ['attempt-contact', 'engage', 'close'],
  engaged: ['close'],
};
const commandLabels = {
  accept: 'accepting it',
  decline: 'declining it',
  'attempt-contact': 'recording a contact attempt',
  engage: 'marking it as engaged',
  close: 'closing it',
  reroute: 'rerouting by the spoke',
  withdraw: 'withdrawal by the referrer',
};
const declineReasons = [
  ['out-of-area', 'Out of our area'],
  ['not-eligible', 'Not eligible for our service'],
  ['no-capacity', 'No capacity at the moment'],
  ['already-known', 'Already known to us'],
  ['other', 'Another reason'],
];
const contactMethods = [
  ['in-person', 'In person'],
  ['phone', 'Phone'],
  ['text', 'Text message'],
  ['letter', 'Letter'],
];
const contactResults = [
  ['reached', 'Reached them'],
  ['no-answer', 'No answer'],
  ['message-left', 'Left a message'],
  ['refused', 'They refused contact'],
];
const closeOutcomes = [
  ['completed', 'Support completed'],
  ['disengaged', 'Disengaged'],
  ['moved-away', 'Moved away'],
  ['referred-on', 'Referred on to another service'],
  ['declined-support', 'Declined support'],
  ['safeguarding-escalated', 'Escalated as a safeguarding concern'],
];
const responseExpectedLabels = {
  'same-shift': 'Same shift: contact while they are still in the department',
  'next-day-aftercare': 'Next-day aftercare',
  standard: 'Standard',
};
const pathwayLabels = {
  'weapons-in-schools': 'Weapons in schools',
  'ae-teachable-moment': 'A&E teachable moment',
  admit: 'Admit (A&E)',
  'sos-mentoring': 'SOS mentoring (exploitation)',
  'care-leaver-mentoring': 'Care leaver peer mentoring',
  'drug-alcohol-young-people': 'Drug and alcohol support for young people',
  'targeted-intervention': 'Targeted intervention',
};
/** Problem pointers in words, for the error summary. */
const fieldNames = {
  '/reason': 'Reason',
  '/details': 'Details',
  '/method': 'How you tried to contact them',
  '/result': 'What happened',
  '/attemptedAt': 'When you tried',
  '/outcome': 'Outcome',
};
const maxDetails = 1000;

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
  timeZone: 'Europe/London',
});
const londonTime = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: '2-digit',
  hour12: true,
  timeZone: 'Europe/London',
});
const londonTimeWithSeconds = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
  hour12: true,
  timeZone: 'Europe/London',
});
const londonShortDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  timeZone: 'Europe/London',
});
const calendarDate = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** Bumped on every view, so an answer arriving after the user moved on is dropped. */
let generation = 0;
/** Bumped on every request for the list of referrals. */
let listRequest = 0;
/** The referral just pulled, handed to its page: routing may not be recorded yet, so no GET. */
let handoff;

start();

function start() {
  document.body.classList.add('js-enabled', 'govuk-frontend-supported');
  // The skip link must not change the fragment: the fragment chooses the view.
  document.getElementById('skip-link')?.addEventListener('click', (event) => {
    event.preventDefault();
    document.getElementById('main-content')?.focus();
  });
  window.addEventListener('hashchange', () => route({ focus: true }));
  route({ focus: false });
}

/** Shows the view the fragment names; anything but `#/…` is an in-page link, left alone. */
function route({ focus }) {
  const hash = location.hash;
  if (hash !== '' && !hash.startsWith('#/')) return;
  const path = hash.slice(1) || '/';
  const current = ++generation;
  if (path === '/sign-out') {
    clearSession();
    history.replaceState(null, '', '#/');
    showAccount(undefined);
    renderSignIn({ focus, signedOut: true });
    return;
  }
  const { session, expired } = loadSession();
  showAccount(session);
  if (!session) {
    renderSignIn({ focus, expired, returnTo: path });
    return;
  }
  const referralId = referralIdIn(path);
  if (referralId) void renderReferral(session, referralId, { focus, current });
  else void renderHome(session, { focus, current });
}

function referralIdIn(path) {
  const match = /^\/referrals\/([^/]+)$/.exec(path);
  if (!match) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

/** Goes to a view; to the same one again when the fragment is already there. */
function go(path) {
  if (location.hash === `#${path}`) route({ focus: true });
  else location.hash = path;
}

function showAccount(session) {
  const navigation = document.getElementById('account-navigation');
  const signedInAs = document.getElementById('signed-in-as');
  if (!navigation || !signedInAs) return;
  navigation.hidden = !session;
  signedInAs.textContent = session ? session.providerId : '';
}

/**
 * Replaces the view. Focus goes to the error summary if there is one, else to a success
 * banner, else (after navigation) to the heading, so screen readers start at what changed.
 */
function show({ title, content, focus, backLink = false }) {
  const view = document.getElementById('view');
  const before = document.getElementById('before-content');
  if (!view || !before) return;
  before.replaceChildren(
    ...(backLink
      ? [h('a', { href: '#/', class: 'govuk-back-link' }, 'Back to your work queue')]
      : []),
  );
  view.replaceChildren(...content.flat().filter(Boolean));
  const summary = view.querySelector('.govuk-error-summary');
  document.title = `${summary ? 'Error: ' : ''}${title} – Reachable`;
  const target =
    summary ??
    view.querySelector('.govuk-notification-banner') ??
    (focus ? view.querySelector('h1') : null);
  target?.focus();
}

/** An error summary for anything an API call threw. */
function problemSummary(error, fieldIds = {}) {
  if (error instanceof ApiProblem) {
    const description = [
      h('p', {}, h('strong', {}, `${error.title}.`), ' ', error.message),
      error.status === 401
        ? h(
            'p',
            {},
            h('a', { href: '#/sign-out', class: 'govuk-link' }, 'Sign out and sign in again'),
          )
        : undefined,
      error.allowed
        ? h(
            'p',
            {},
            error.allowed.length
              ? `What can happen to it now: ${error.allowed.map((c) => commandLabels[c] ?? c).join(', ')}.`
              : 'Nothing more can happen to it.',
          )
        : undefined,
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

function renderSignIn({ focus, expired = false, signedOut = false, returnTo = '/' }) {
  show({
    title: 'Sign in',
    focus,
    content: signInContent({
      expired,
      signedOut,
      tokenHint: [
        'Paste the access token your organisation was given. To try Reachable on your own ',
        'machine, make one with ',
        h('code', {}, 'npm run token -- --provider turning-point-admit'),
        '.',
      ],
      intro: 'Sign in to see your organisation’s work queue and the referrals routed to you.',
      parseToken,
      onSignIn: (session) => {
        saveSession(session);
        go(returnTo === '/sign-out' ? '/' : returnTo);
      },
    }),
  });
}

// Your work queue

async function renderHome(session, { focus, current }) {
  const pullResult = h('div', { id: 'pull-result', role: 'status' });
  const pullButton = button('Pull next referral', { type: 'button' });
  pullButton.addEventListener('click', () => void pull(session, pullButton, pullResult));

  const listStatus = h('p', { class: 'govuk-body', id: 'list-status', role: 'status' });
  const list = h('div', { id: 'referral-list' });
  const select = h(
    'select',
    { class: 'govuk-select', id: 'status-filter', name: 'status' },
    h('option', { value: '' }, 'All statuses'),
    Object.entries(statusLabels).map(([value, label]) => h('option', { value }, label)),
  );
  const filter = h(
    'form',
    { novalidate: true, class: 'app-filter' },
    h(
      'div',
      { class: 'govuk-form-group' },
      h('label', { class: 'govuk-label', for: 'status-filter' }, 'Status'),
      select,
    ),
    button('Show referrals', { variant: 'secondary' }),
  );
  filter.addEventListener('submit', (event) => {
    event.preventDefault();
    void loadList(session, { list, listStatus }, { status: select.value });
  });

  show({
    title: 'Your work queue',
    focus,
    content: [
      ...pageHeading('Your work queue', session.providerId),
      h('h2', { class: 'govuk-heading-m' }, 'Next referral'),
      h(
        'p',
        { class: 'govuk-body' },
        'Pull the next referral from your queue. It is held for you for a short time while you ',
        'accept or decline it; if you do neither it goes back into the queue.',
      ),
      pullButton,
      pullResult,
      h('h2', { class: 'govuk-heading-m' }, 'Your referrals'),
      filter,
      listStatus,
      list,
    ],
  });
  await loadList(session, { list, listStatus }, { status: '', current });
}

async function pull(session, pullButton, pullResult) {
  if (pullButton.getAttribute('aria-disabled') === 'true') return;
  pullButton.setAttribute('aria-disabled', 'true');
  const current = generation;
  try {
    const pulled = await providerApi(session).next();
    if (current !== generation) return;
    if (!pulled) {
      pullResult.replaceChildren(
        h(
          'div',
          { class: 'govuk-inset-text' },
          `Your queue is empty (checked at ${formatTime(new Date().toISOString(), { seconds: true })}). `,
          'Referrals arrive here as soon as they are routed to you.',
        ),
      );
      return;
    }
    rememberLease(pulled.referral.referralId, pulled.lease?.expiresAt);
    handoff = pulled.referral;
    go(`/referrals/${encodeURIComponent(pulled.referral.referralId)}`);
  } catch (error) {
    if (current === generation) showErrors(problemSummary(error));
  } finally {
    pullButton.removeAttribute('aria-disabled');
  }
}

async function loadList(session, { list, listStatus }, { status, cursor, current = generation }) {
  // Only the latest request fills the list: an earlier, slower answer must not overwrite it.
  const request = ++listRequest;
  let page;
  try {
    page = await providerApi(session).list({ status, cursor });
  } catch (error) {
    if (current === generation && request === listRequest) showErrors(problemSummary(error));
    return;
  }
  if (current !== generation || request !== listRequest) return;
  const referrals = Array.isArray(page?.referrals) ? page.referrals : [];
  const which = status ? `${statusLabels[status]?.toLowerCase() ?? status} ` : '';
  let body = list.querySelector('tbody');
  if (!cursor || !body) {
    list.replaceChildren();
    body = undefined;
  }
  if (!body && referrals.length === 0) {
    listStatus.textContent = `You have no ${which}referrals.`;
    return;
  }
  if (!body) {
    body = h('tbody', { class: 'govuk-table__body' });
    // A wide table scrolls inside its own region on a narrow screen, by keyboard too.
    list.append(
      h(
        'div',
        {
          class: 'app-table-scroll',
          role: 'region',
          'aria-label': 'Your referrals',
          tabindex: '0',
        },
        referralTable(body, which),
      ),
    );
  }
  const rows = referrals.map(referralRow);
  body.append(...rows);
  // "Show more" goes away once used: focus moves to the first of the referrals it brought.
  if (cursor) rows[0]?.querySelector('a')?.focus();
  const shown = body.rows.length;
  listStatus.textContent = `Showing ${shown} ${which}referral${shown === 1 ? '' : 's'}.`;
  list.querySelector('.app-more')?.remove();
  if (page.cursor) {
    const more = button('Show more referrals', { variant: 'secondary', type: 'button' });
    more.classList.add('app-more');
    more.addEventListener('click', () =>
      loadList(session, { list, listStatus }, { status, cursor: page.cursor }),
    );
    list.append(more);
  }
}

function referralTable(body, which) {
  const headers = ['Name', 'Age', 'Pathway', 'Status', 'Received'];
  return h(
    'table',
    { class: 'govuk-table' },
    h('caption', { class: 'govuk-table__caption govuk-visually-hidden' }, `Your ${which}referrals`),
    h(
      'thead',
      { class: 'govuk-table__head' },
      h(
        'tr',
        { class: 'govuk-table__row' },
        headers.map((text) => h('th', { scope: 'col', class: 'govuk-table__header' }, text)),
      ),
    ),
    body,
  );
}

function referralRow(referral) {
  const cell = (...children) => h('td', { class: 'govuk-table__cell' }, ...children);
  return h(
    'tr',
    { class: 'govuk-table__row' },
    cell(
      h(
        'a',
        {
          class: 'govuk-link',
          href: `#/referrals/${encodeURIComponent(referral.referralId)}`,
        },
        nameOf(referral),
      ),
    ),
    cell(String(referral.ageYears ?? '')),
    cell(pathwayLabel(referral.pathway)),
    cell(statusTag(referral.status)),
    cell(formatShortDate(referral.receivedAt) ?? ''),
  );
}

// One referral

async function renderReferral(session, referralId, { focus, current }) {
  let referral = handoff?.referralId === referralId ? handoff : undefined;
  handoff = undefined;
  if (!referral) {
    show({
      title: 'Referral',
      focus: false,
      backLink: true,
      content: [
        ...pageHeading('Referral'),
        h('p', { class: 'govuk-body' }, 'Loading the referral…'),
      ],
    });
    try {
      ({ referral } = await providerApi(session).get(referralId));
    } catch (error) {
      if (current !== generation) return;
      show({
        title: 'Referral not available',
        focus,
        backLink: true,
        content: [
          problemSummary(error),
          ...pageHeading('Referral not available'),
          h('p', { class: 'govuk-body' }, 'Check the link, or go back to your work queue.'),
        ],
      });
      return;
    }
    if (current !== generation) return;
  }
  renderReferralPage(session, referral, { focus });
}

function renderReferralPage(session, referral, { focus, banner, problem, fieldIds }) {
  const subject = referral.subject ?? {};
  const referrer = referral.referrer ?? {};
  const deadlines = referral.deadlines ?? {};
  const lease = leases()[referral.referralId];
  const leaseHeld =
    lease !== undefined &&
    Date.parse(lease) > Date.now() &&
    waitingStatuses.includes(referral.status);
  const overdue = Object.keys(referral.overdue ?? {});

  show({
    // Not the name: titles are kept in browser history, which others may see.
    title: 'Referral',
    focus,
    backLink: true,
    content: [
      banner ? successBanner(banner) : undefined,
      problem ? problemSummary(problem, fieldIds) : undefined,
      ...pageHeading(nameOf(referral), 'Referral'),
      h('p', { class: 'govuk-body' }, 'Status: ', statusTag(referral.status, 'referral-status')),
      leaseHeld
        ? h(
            'div',
            { class: 'govuk-inset-text', id: 'lease' },
            `Held for you until ${formatTime(lease)}. Accept or decline it by then, or it goes `,
            'back into your queue.',
          )
        : undefined,
      overdue.length
        ? h(
            'div',
            { class: 'govuk-warning-text' },
            h('span', { class: 'govuk-warning-text__icon', 'aria-hidden': 'true' }, '!'),
            h(
              'strong',
              { class: 'govuk-warning-text__text' },
              h('span', { class: 'govuk-visually-hidden' }, 'Warning'),
              `Overdue: ${overdue.map((kind) => (kind === 'accept' ? 'accepting' : 'first contact')).join(' and ')}.`,
            ),
          )
        : undefined,
      h('h2', { class: 'govuk-heading-m' }, 'Young person'),
      summaryList([
        ['Name', nameOf(referral)],
        ['Age', referral.ageYears === undefined ? undefined : `${referral.ageYears}`],
        ['Date of birth', formatDate(subject.dateOfBirth)],
        ['Postcode', subject.postcode],
      ]),
      h('h2', { class: 'govuk-heading-m' }, 'Referral'),
      summaryList([
        ['Pathway', pathwayLabel(referral.pathway)],
        ['Area', areaLabel(referral.spoke)],
        [
          'Response expected',
          responseExpectedLabels[referral.responseExpected] ?? referral.responseExpected,
        ],
        ['Received', formatDateTime(referral.receivedAt)],
        ['Accept by', formatDateTime(deadlines.acceptBy)],
        ['First contact by', formatDateTime(deadlines.firstContactBy)],
        ['Summary', referral.summary],
        ['Reference', referral.referralId],
      ]),
      h('h2', { class: 'govuk-heading-m' }, 'Referred by'),
      summaryList([
        ['Name', referrer.name],
        ['Role', referrer.role],
        ['Organisation', referrer.organisationId],
        ['Phone', referrer.phone],
        ['Email', referrer.email],
      ]),
      progress(referral),
      ...actions(session, referral),
    ],
  });
}

function progress(referral) {
  const attempts = Array.isArray(referral.contactAttempts) ? referral.contactAttempts : [];
  const milestones = referral.milestones ?? {};
  const rows = [
    ['Accepted', formatDateTime(milestones.acceptedAt)],
    [
      'Declined',
      referral.decline
        ? [
            labelOf(declineReasons, referral.decline.reason),
            referral.decline.details ? `: ${referral.decline.details}` : '',
          ].join('')
        : undefined,
    ],
    [
      'Contact attempts',
      attempts.length
        ? h(
            'ul',
            { class: 'govuk-list', id: 'contact-attempts' },
            attempts.map((attempt) =>
              h(
                'li',
                {},
                `${labelOf(contactMethods, attempt.method)}: ${labelOf(contactResults, attempt.result).toLowerCase()}, `,
                formatDateTime(attempt.attemptedAt) ?? '',
              ),
            ),
          )
        : undefined,
    ],
    ['Engaged', formatDateTime(milestones.engagedAt)],
    ['Outcome', referral.closeOutcome ? labelOf(closeOutcomes, referral.closeOutcome) : undefined],
    ['Closed', formatDateTime(milestones.closedAt)],
  ];
  if (rows.every(([, value]) => value === undefined)) return undefined;
  return [h('h2', { class: 'govuk-heading-m' }, 'Progress'), summaryList(rows)];
}

function actions(session, referral) {
  const allowed = actionsByStatus[referral.status] ?? [];
  if (allowed.length === 0) {
    return [
      h('h2', { class: 'govuk-heading-m' }, 'What you can do'),
      h(
        'p',
        { class: 'govuk-body', id: 'no-actions' },
        `This referral is ${statusLabels[referral.status]?.toLowerCase() ?? referral.status}: `,
        'there is nothing more for you to do on it.',
      ),
    ];
  }
  const forms = {
    accept: acceptForm,
    decline: declineForm,
    'attempt-contact': contactForm,
    engage: engagedForm,
    close: closeForm,
  };
  return allowed.flatMap((action) => [
    h('hr', { class: 'govuk-section-break govuk-section-break--l govuk-section-break--visible' }),
    forms[action](session, referral),
  ]);
}

/** A form for one action, with its own heading; `read` validates and builds the body. */
function actionForm({ id, title, intro, fields = [], submit, variant, read, run }) {
  const form = h(
    'form',
    { novalidate: true, id, 'aria-labelledby': `${id}-heading` },
    h('h2', { class: 'govuk-heading-m', id: `${id}-heading` }, title),
    intro ? h('p', { class: 'govuk-body' }, intro) : undefined,
    fields,
    button(submit, { variant }),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const values = Object.fromEntries(new FormData(form));
    const { errors = {}, body, fieldIds = {} } = read ? read(values) : {};
    const problems = Object.entries(errors);
    if (problems.length) {
      markFieldErrors(form, errors);
      showErrors(
        errorSummary({
          items: problems.map(([field, text]) => ({ text, href: `#${fieldIds[`/${field}`]}` })),
        }),
      );
      return;
    }
    markFieldErrors(form, {});
    void run(form, body, fieldIds);
  });
  return form;
}

function acceptForm(session, referral) {
  return actionForm({
    id: 'accept',
    title: 'Accept this referral',
    intro:
      'Accept it if you will contact the young person. It leaves your queue and stays with you ' +
      'until it is closed.',
    submit: 'Accept referral',
    run: (form) => act(session, referral, form, 'accept'),
  });
}

function declineForm(session, referral) {
  const fieldIds = { '/reason': 'decline-reason', '/details': 'decline-details' };
  const details = textarea({
    id: 'decline-details',
    name: 'details',
    label: 'Give details',
    hint: `Up to ${maxDetails.toLocaleString('en-GB')} characters. The spoke reads this to decide where it goes next.`,
  });
  return actionForm({
    id: 'decline',
    title: 'Decline this referral',
    intro: 'The spoke’s triage decides where a declined referral goes next.',
    fields: radios({
      id: 'decline-reason',
      name: 'reason',
      legend: 'Why are you declining it?',
      options: declineReasons.map(([value, label]) => ({
        value,
        label,
        conditional: value === 'other' ? details : undefined,
      })),
    }),
    submit: 'Decline referral',
    variant: 'warning',
    read: ({ reason, details: text = '' }) => {
      const trimmed = String(text).trim();
      const errors = {};
      if (!reason) errors.reason = 'Select why you are declining this referral';
      else if (reason === 'other' && !trimmed) {
        errors.details = 'Enter why you are declining this referral';
      }
      if (reason === 'other' && trimmed.length > maxDetails) {
        errors.details = `Reason must be ${maxDetails.toLocaleString('en-GB')} characters or fewer`;
      }
      const body = { reason, ...(reason === 'other' ? { details: trimmed } : {}) };
      return { errors, body, fieldIds };
    },
    run: (form, body) => act(session, referral, form, 'decline', body, fieldIds),
  });
}

function contactForm(session, referral) {
  const fieldIds = { '/method': 'contact-method', '/result': 'contact-result' };
  return actionForm({
    id: 'contact-attempt',
    title: 'Record a contact attempt',
    intro: 'Record each time you try to reach the young person. It is recorded as made now.',
    fields: [
      radios({
        id: 'contact-method',
        name: 'method',
        legend: 'How did you try to contact them?',
        options: contactMethods.map(([value, label]) => ({ value, label })),
      }),
      radios({
        id: 'contact-result',
        name: 'result',
        legend: 'What happened?',
        options: contactResults.map(([value, label]) => ({ value, label })),
      }),
    ],
    submit: 'Record contact attempt',
    read: ({ method, result }) => {
      const errors = {};
      if (!method) errors.method = 'Select how you tried to contact them';
      if (!result) errors.result = 'Select what happened';
      return { errors, body: { method, result, attemptedAt: new Date().toISOString() }, fieldIds };
    },
    run: (form, body) => act(session, referral, form, 'attempt-contact', body, fieldIds),
  });
}

function engagedForm(session, referral) {
  return actionForm({
    id: 'engaged',
    title: 'Mark as engaged',
    intro: 'When the young person has agreed to work with you.',
    submit: 'Mark as engaged',
    run: (form) => act(session, referral, form, 'engage'),
  });
}

function closeForm(session, referral) {
  const fieldIds = { '/outcome': 'close-outcome' };
  return actionForm({
    id: 'close',
    title: 'Close this referral',
    fields: radios({
      id: 'close-outcome',
      name: 'outcome',
      legend: 'What was the outcome?',
      options: closeOutcomes.map(([value, label]) => ({ value, label })),
    }),
    submit: 'Close referral',
    variant: 'secondary',
    read: ({ outcome }) => ({
      errors: outcome ? {} : { outcome: 'Select the outcome' },
      body: { outcome },
      fieldIds,
    }),
    run: (form, body) => act(session, referral, form, 'close', body, fieldIds),
  });
}

const calls = {
  accept: (api, id) => api.accept(id),
  decline: (api, id, body) => api.decline(id, body),
  'attempt-contact': (api, id, body) => api.attemptContact(id, body),
  engage: (api, id) => api.engaged(id),
  close: (api, id, body) => api.close(id, body),
};
const done = {
  accept: 'Referral accepted',
  decline: 'Referral declined',
  'attempt-contact': 'Contact attempt recorded',
  engage: 'Marked as engaged',
  close: 'Referral closed',
};

/**
 * Runs one action and shows the referral as the API now has it. A 400 keeps the form as typed;
 * a 409 means the referral moved on elsewhere, so it is read again and shown with the actions
 * its status now allows.
 */
async function act(session, referral, form, action, body, fieldIds = {}) {
  const submit = form.querySelector('button');
  if (submit?.getAttribute('aria-disabled') === 'true') return;
  submit?.setAttribute('aria-disabled', 'true');
  const api = providerApi(session);
  const current = generation;
  try {
    const answer = await calls[action](api, referral.referralId, body);
    if (current !== generation) return;
    if (action === 'accept' || action === 'decline') rememberLease(referral.referralId, undefined);
    renderReferralPage(session, answer.referral, { focus: true, banner: done[action] });
  } catch (error) {
    if (current !== generation) return;
    if (error instanceof ApiProblem && error.status === 400) {
      const inForm = Object.fromEntries(
        error.errors
          .filter((problem) => fieldIds[problem.pointer])
          .map((problem) => [problem.pointer.slice(1), `${problem.detail}`]),
      );
      markFieldErrors(form, inForm);
      showErrors(problemSummary(error, fieldIds));
      return;
    }
    let now = referral;
    if (error instanceof ApiProblem && error.status === 409) {
      now = (await api.get(referral.referralId).catch(() => undefined))?.referral ?? referral;
      if (current !== generation) return;
    }
    renderReferralPage(session, now, { focus: true, problem: error, fieldIds });
  } finally {
    submit?.removeAttribute('aria-disabled');
  }
}

// Words and dates

function nameOf(referral) {
  if (referral.erasedAt) return 'Personal data erased';
  const { givenName = '', familyName = '' } = referral.subject ?? {};
  return `${givenName} ${familyName}`.trim() || 'Unnamed referral';
}

function statusTag(status, id) {
  const classes = ['govuk-tag', statusTagClasses[status]].filter(Boolean).join(' ');
  return h('strong', { class: classes, id }, statusLabels[status] ?? status);
}

function pathwayLabel(pathway) {
  if (typeof pathway !== 'string') return undefined;
  return (
    pathwayLabels[pathway] ??
    pathway.charAt(0).toUpperCase() + pathway.slice(1).replaceAll('-', ' ')
  );
}

function labelOf(options, value) {
  return options.find(([key]) => key === value)?.[1] ?? String(value);
}

/** "20 November 2026 at 10:40pm", London time. */
function formatDateTime(iso) {
  const date = typeof iso === 'string' ? new Date(iso) : undefined;
  if (!date || Number.isNaN(date.getTime())) return undefined;
  return londonDateTime.format(date).replace(/\s*([ap]m)$/i, '$1');
}

/** "23 Nov 2026", London time. */
function formatShortDate(iso) {
  const date = typeof iso === 'string' ? new Date(iso) : undefined;
  if (!date || Number.isNaN(date.getTime())) return undefined;
  return londonShortDate.format(date);
}

/** "10:55pm" (or "10:55:04pm" with seconds), London time. */
function formatTime(iso, { seconds = false } = {}) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const format = seconds ? londonTimeWithSeconds : londonTime;
  return format.format(date).replace(/\s*([ap]m)$/i, '$1');
}

/** "north-somerset" as "North Somerset". */
function areaLabel(spoke) {
  if (typeof spoke !== 'string') return undefined;
  return spoke
    .split('-')
    .map((word) => (word === 'and' ? word : word.charAt(0).toUpperCase() + word.slice(1)))
    .join(' ');
}

/** "14 March 2010", for a calendar date such as a date of birth. */
function formatDate(day) {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = new Date(`${day}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? day : calendarDate.format(date);
}
