import type { z } from 'zod';
import {
  referralStatuses,
  type CloseOutcome,
  type ContactMethod,
  type ContactResult,
  type DeclineReason,
  type ReferralStatus,
} from '#events/vocabulary.ts';
import { allowedCommands, type CommandType } from '#shared/domain/lifecycle.ts';
import { providerCommandBodies } from '#shared/domain/lifecycle-requests.ts';
import type { ResponseExpected } from '#shared/domain/routing-attributes.ts';
import {
  AuditUnavailableError,
  ConflictError,
  GoneError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '#shared/errors.ts';
import type { Partnership } from '#shared/partnership/schema.ts';
import type { ProviderCommand, ProviderView } from '#shared/services/provider-work.ts';
import type { PostedForm, SummaryError } from '#web/kit/page-kit.ts';

// Words for people, keyed by the domain's own enums: a status or reason added there and not here
// fails `tsc`.
export const statusLabels: Record<ReferralStatus, string> = {
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
const statusTagClasses: Partial<Record<ReferralStatus, string>> = {
  accepted: 'govuk-tag--turquoise',
  declined: 'govuk-tag--red',
  'contact-attempted': 'govuk-tag--yellow',
  engaged: 'govuk-tag--green',
  closed: 'govuk-tag--grey',
  withdrawn: 'govuk-tag--grey',
};
/** What can happen next, in words ("What can happen to it now: accepting it, …"). */
export const commandLabels: Record<CommandType, string> = {
  route: 'routing',
  accept: 'accepting it',
  decline: 'declining it',
  'attempt-contact': 'recording a contact attempt',
  engage: 'marking it as engaged',
  close: 'closing it',
  reroute: 'rerouting by the spoke',
  withdraw: 'withdrawal by the referrer',
};
export const declineReasonLabels: Record<DeclineReason, string> = {
  'out-of-area': 'Out of our area',
  'not-eligible': 'Not eligible for our service',
  'no-capacity': 'No capacity at the moment',
  'already-known': 'Already known to us',
  other: 'Another reason',
};
export const contactMethodLabels: Record<ContactMethod, string> = {
  'in-person': 'In person',
  phone: 'Phone',
  text: 'Text message',
  letter: 'Letter',
};
export const contactResultLabels: Record<ContactResult, string> = {
  reached: 'Reached them',
  'no-answer': 'No answer',
  'message-left': 'Left a message',
  refused: 'They refused contact',
};
export const closeOutcomeLabels: Record<CloseOutcome, string> = {
  completed: 'Support completed',
  disengaged: 'Disengaged',
  'moved-away': 'Moved away',
  'referred-on': 'Referred on to another service',
  'declined-support': 'Declined support',
  'safeguarding-escalated': 'Escalated as a safeguarding concern',
};
const responseExpectedLabels: Record<ResponseExpected, string> = {
  'same-shift': 'Same shift: contact while they are still in the department',
  'next-day-aftercare': 'Next-day aftercare',
  standard: 'Standard',
};

/**
 * The commands this page has a form for, each at its path under the referral (the API's own
 * paths). Which of them a referral takes is the lifecycle's answer (`allowedCommands`).
 */
export const pageCommands = {
  accept: 'accept',
  decline: 'decline',
  'attempt-contact': 'contact-attempts',
  engage: 'engaged',
  close: 'close',
} as const satisfies Partial<Record<ProviderCommand['type'], string>>;
export type PageCommand = keyof typeof pageCommands;

/** The page command a path segment names (`contact-attempts` → `attempt-contact`), if any. */
export function commandAt(segment: string): PageCommand | undefined {
  return (Object.keys(pageCommands) as PageCommand[]).find((c) => pageCommands[c] === segment);
}

/** What a referral in this status can have done to it on this page, in the page's order. */
export function actionsFor(status: ReferralStatus): PageCommand[] {
  const allowed = allowedCommands(status);
  return (Object.keys(pageCommands) as PageCommand[]).filter((c) => allowed.includes(c));
}

/** The success banner after each command (Post/Redirect/Get carries the command's name). */
export const doneBanners: Record<PageCommand, string> = {
  accept: 'Referral accepted',
  decline: 'Referral declined',
  'attempt-contact': 'Contact attempt recorded',
  engage: 'Marked as engaged',
  close: 'Referral closed',
};

/** Each field of the forms: its control's id (the summary links to it) and its message. */
const fields: Record<string, { id: string; message: (issue: z.core.$ZodIssue) => string }> = {
  reason: { id: 'decline-reason', message: () => 'Select why you are declining this referral' },
  details: {
    id: 'decline-details',
    message: (issue) =>
      issue.code === 'too_big'
        ? `Details must be ${Number(issue.maximum).toLocaleString('en-GB')} characters or fewer`
        : 'Enter why you are declining this referral',
  },
  method: { id: 'contact-method', message: () => 'Select how you tried to contact them' },
  result: { id: 'contact-result', message: () => 'Select what happened' },
  outcome: { id: 'close-outcome', message: () => 'Select the outcome' },
};

/** A posted action form read: the command to run, or what to correct, by field. */
export type ReadCommand =
  | { ok: true; command: ProviderCommand }
  | { ok: false; errors: SummaryError[]; fieldErrors: Record<string, string> };

/**
 * A posted form as the provider command it asks for, checked by the API's own schema for that
 * command's body: the page adds the words, never a rule. A contact attempt is recorded as made
 * now; a decline's details are sent only with the reason "other", whose form shows them.
 */
export function commandFromForm(command: PageCommand, form: PostedForm, at: Date): ReadCommand {
  const one = (name: string) => {
    const value = form[name];
    const first = Array.isArray(value) ? value[0] : value;
    return first === undefined || first === '' ? undefined : first;
  };
  switch (command) {
    case 'accept':
      return { ok: true, command: { type: 'accept' } };
    case 'engage':
      return { ok: true, command: { type: 'engage' } };
    case 'decline': {
      const reason = one('reason');
      const details = reason === 'other' ? one('details')?.trim() || undefined : undefined;
      const parsed = providerCommandBodies.decline.safeParse({
        ...(reason === undefined ? {} : { reason }),
        ...(details === undefined ? {} : { details }),
      });
      return parsed.success
        ? { ok: true, command: { type: 'decline', ...parsed.data } }
        : problemsOf(parsed.error);
    }
    case 'attempt-contact': {
      const parsed = providerCommandBodies['attempt-contact'].safeParse({
        method: one('method'),
        result: one('result'),
        attemptedAt: at.toISOString(),
      });
      return parsed.success
        ? { ok: true, command: { type: 'attempt-contact', ...parsed.data } }
        : problemsOf(parsed.error);
    }
    case 'close': {
      const parsed = providerCommandBodies.close.safeParse({ outcome: one('outcome') });
      return parsed.success
        ? { ok: true, command: { type: 'close', ...parsed.data } }
        : problemsOf(parsed.error);
    }
  }
}

function problemsOf(error: z.ZodError): ReadCommand & { ok: false } {
  const fieldErrors: Record<string, string> = {};
  const errors: SummaryError[] = [];
  for (const issue of error.issues) {
    const name = String(issue.path[0] ?? '');
    const field = fields[name];
    if (fieldErrors[name] !== undefined) continue;
    const text = field ? field.message(issue) : `${name || 'The form'}: ${issue.message}`;
    fieldErrors[name] = text;
    errors.push(field ? { text, href: `#${field.id}` } : { text });
  }
  return { ok: false, errors, fieldErrors };
}

/** What the page says about a refusal of the service, and with which status it answers. */
export interface PageProblem {
  statusCode: number;
  title: string;
  message: string;
  /** For a command the status does not allow: what can happen to the referral now, in words. */
  allowed?: string[];
  errors: SummaryError[];
  fieldErrors: Record<string, string>;
}

/**
 * A refusal of the provider work services as the page shows it, or undefined for an error that
 * is a fault (rethrown by the caller). The API answers the same errors with the same statuses.
 */
export function problemOf(error: unknown): PageProblem | undefined {
  const base = { errors: [], fieldErrors: {} };
  if (error instanceof IllegalTransitionError) {
    return {
      ...base,
      statusCode: 409,
      title: 'Not allowed from the current status',
      message: error.message,
      allowed: error.allowed.map((c) => commandLabels[c as CommandType] ?? c),
    };
  }
  if (error instanceof ConflictError) {
    return { ...base, statusCode: 409, title: 'Conflict', message: error.message };
  }
  if (error instanceof ValidationError) {
    const errors = error.problems.map((problem) => {
      const field = fields[problem.pointer.replace(/^\//, '')];
      return field
        ? { text: `${problem.detail}`, href: `#${field.id}` }
        : { text: `${problem.pointer || 'The form'}: ${problem.detail}` };
    });
    return {
      statusCode: 400,
      title: 'There is a problem',
      message: error.message,
      errors,
      fieldErrors: Object.fromEntries(
        error.problems.map((p) => [p.pointer.replace(/^\//, ''), p.detail]),
      ),
    };
  }
  if (error instanceof NotFoundError) {
    return { ...base, statusCode: 404, title: 'Referral not available', message: error.message };
  }
  if (error instanceof GoneError) {
    return { ...base, statusCode: 410, title: 'Referral no longer held', message: error.message };
  }
  if (error instanceof AuditUnavailableError) {
    return { ...base, statusCode: 503, title: 'Referral not shown', message: error.message };
  }
  return undefined;
}

const londonDateTime = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  hour: 'numeric',
  minute: '2-digit',
  // h12, not hour12: en-GB's hour12 says noon is "0:00pm".
  hourCycle: 'h12',
  timeZone: 'Europe/London',
});
const londonTime = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: '2-digit',
  // h12, not hour12: en-GB's hour12 says noon is "0:00pm".
  hourCycle: 'h12',
  timeZone: 'Europe/London',
});
const londonTimeWithSeconds = new Intl.DateTimeFormat('en-GB', {
  hour: 'numeric',
  minute: '2-digit',
  second: '2-digit',
  // h12, not hour12: en-GB's hour12 says noon is "0:00pm".
  hourCycle: 'h12',
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

const validDate = (iso: unknown) => {
  const date = typeof iso === 'string' ? new Date(iso) : undefined;
  return date && !Number.isNaN(date.getTime()) ? date : undefined;
};
const ampm = (text: string) => text.replace(/\s*([ap]m)$/i, '$1');

/** "20 November 2026 at 10:40pm", London time. */
export function formatDateTime(iso: unknown): string | undefined {
  const date = validDate(iso);
  return date && ampm(londonDateTime.format(date));
}

/** "10:55pm" (or "10:55:04pm" with seconds), London time. */
export function formatTime(iso: unknown, { seconds = false } = {}): string | undefined {
  const date = validDate(iso);
  return date && ampm((seconds ? londonTimeWithSeconds : londonTime).format(date));
}

/** "23 Nov 2026", London time. */
export function formatShortDate(iso: unknown): string | undefined {
  const date = validDate(iso);
  return date && londonShortDate.format(date);
}

/** "14 March 2010", for a calendar date such as a date of birth. */
export function formatDate(day: unknown): string | undefined {
  if (typeof day !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(day)) return undefined;
  const date = validDate(`${day}T00:00:00Z`);
  return date ? calendarDate.format(date) : day;
}

interface Personal {
  subject?: { givenName?: string; familyName?: string; dateOfBirth?: string; postcode?: string };
  referrer?: {
    name?: string;
    role?: string;
    organisationId?: string;
    phone?: string;
    email?: string;
  };
  summary?: string;
}
const personalOf = (referral: ProviderView): Personal =>
  'erasedAt' in referral && referral.erasedAt ? {} : (referral as Personal);

/** The young person's name, or what stands for it once erased. */
export function nameOf(referral: ProviderView): string {
  if ('erasedAt' in referral && referral.erasedAt) return 'Personal data erased';
  const { givenName = '', familyName = '' } = personalOf(referral).subject ?? {};
  return `${givenName} ${familyName}`.trim() || 'Unnamed referral';
}

/** A status as a GOV.UK tag's text and classes. */
export function statusTag(status: ReferralStatus) {
  return {
    text: statusLabels[status] ?? status,
    classes: statusTagClasses[status] ?? '',
  };
}

/** Names from the partnership's configuration, falling back to the id. */
export function namesFrom(partnership: Partnership) {
  const byId = (items: readonly { id: string; name: string }[]) =>
    new Map(items.map((item) => [item.id, item.name]));
  const pathways = byId(partnership.pathways);
  const spokes = byId(partnership.spokes);
  const organisations = byId(partnership.referrerOrganisations);
  const providers = byId(partnership.providers);
  return {
    pathway: (id: string) => pathways.get(id) ?? id,
    spoke: (id: string) => spokes.get(id) ?? id,
    organisation: (id: string | undefined) =>
      id === undefined ? undefined : (organisations.get(id) ?? id),
    provider: (id: string) => providers.get(id) ?? id,
  };
}

/** A row of a GOV.UK summary list; rows without a value are left out. */
type Row = { key: { text: string }; value: { text?: string; html?: string } };
function rows(pairs: [string, string | undefined][]): Row[] {
  return pairs
    .filter((pair): pair is [string, string] => pair[1] !== undefined && pair[1] !== '')
    .map(([key, text]) => ({ key: { text: key }, value: { text } }));
}

/** The list of referrals on the work queue page: one row per referral, as table cells. */
export function referralRows(referrals: readonly ProviderView[], partnership: Partnership) {
  const names = namesFrom(partnership);
  return referrals.map((referral) => ({
    referralId: referral.referralId,
    name: nameOf(referral),
    age: referral.ageYears === undefined ? '' : String(referral.ageYears),
    pathway: names.pathway(referral.pathway),
    status: statusTag(referral.status),
    received: formatShortDate(referral.receivedAt) ?? '',
  }));
}

/** The options of the status filter, the chosen one selected. */
export function statusOptions(chosen: ReferralStatus | undefined) {
  return [
    { value: '', text: 'All statuses', selected: chosen === undefined },
    ...referralStatuses.map((status) => ({
      value: status,
      text: statusLabels[status],
      selected: status === chosen,
    })),
  ];
}

/** What the referral's template shows, from the provider's view of it. */
export function referralSections(referral: ProviderView, partnership: Partnership) {
  const names = namesFrom(partnership);
  const personal = personalOf(referral);
  const subject = personal.subject ?? {};
  const referrer = personal.referrer ?? {};
  const deadlines = referral.deadlines;
  const attempts = referral.contactAttempts ?? [];
  const milestones = referral.milestones ?? {};
  const overdue = Object.keys(referral.overdue ?? {});
  const progress = rows([
    ['Accepted', formatDateTime(milestones.acceptedAt)],
    [
      'Declined',
      referral.decline
        ? `${declineReasonLabels[referral.decline.reason] ?? referral.decline.reason}` +
          (referral.decline.details ? `: ${referral.decline.details}` : '')
        : undefined,
    ],
    ['Engaged', formatDateTime(milestones.engagedAt)],
    [
      'Outcome',
      referral.closeOutcome
        ? (closeOutcomeLabels[referral.closeOutcome] ?? referral.closeOutcome)
        : undefined,
    ],
    ['Closed', formatDateTime(milestones.closedAt)],
  ]);
  return {
    name: nameOf(referral),
    status: statusTag(referral.status),
    overdue:
      overdue.length > 0
        ? `Overdue: ${overdue.map((kind) => (kind === 'accept' ? 'accepting' : 'first contact')).join(' and ')}.`
        : undefined,
    youngPerson: rows([
      ['Name', nameOf(referral)],
      ['Age', referral.ageYears === undefined ? undefined : String(referral.ageYears)],
      ['Date of birth', formatDate(subject.dateOfBirth)],
      ['Postcode', subject.postcode],
    ]),
    referral: rows([
      ['Pathway', names.pathway(referral.pathway)],
      ['Area', names.spoke(referral.spoke)],
      [
        'Response expected',
        responseExpectedLabels[referral.responseExpected] ?? referral.responseExpected,
      ],
      ['Received', formatDateTime(referral.receivedAt)],
      ['Accept by', formatDateTime(deadlines?.acceptBy)],
      ['First contact by', formatDateTime(deadlines?.firstContactBy)],
      ['Summary', personal.summary],
      ['Reference', referral.referralId],
    ]),
    referredBy: rows([
      ['Name', referrer.name],
      ['Role', referrer.role],
      ['Organisation', names.organisation(referrer.organisationId)],
      ['Phone', referrer.phone],
      ['Email', referrer.email],
    ]),
    // Contact attempts get a list of their own, in the progress section.
    contactAttempts: attempts.map(
      (attempt) =>
        `${contactMethodLabels[attempt.method] ?? attempt.method}: ` +
        `${(contactResultLabels[attempt.result] ?? attempt.result).toLowerCase()}, ` +
        `${formatDateTime(attempt.attemptedAt) ?? ''}`,
    ),
    progress,
    hasProgress: progress.length > 0 || attempts.length > 0,
  };
}

/** Radio items of one enum, labelled, the posted answer checked. */
export function choices<T extends string>(
  labels: Record<T, string>,
  chosen: string | undefined,
): { value: T; text: string; checked: boolean }[] {
  return (Object.entries(labels) as [T, string][]).map(([value, text]) => ({
    value,
    text,
    checked: value === chosen,
  }));
}
