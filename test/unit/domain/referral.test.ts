import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { referralEventDetailSchema } from '#events/referral-lifecycle.ts';
import { pathwayDetails, type ReferralSubmission } from '#shared/domain/intake.ts';
import {
  createReferral,
  nextDeadline,
  toEventDetail,
  toProviderView,
  toReferrerView,
  type ErasedReferral,
  type Referral,
  type RevealedReferral,
} from '#shared/domain/referral.ts';
import { routingAttributesOf } from '#shared/domain/routing-attributes.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { stringLeaves } from './json-walk.ts';
import { checked, fridayNight } from './submissions.ts';

const examples = exampleFileNames();

function referralFrom(body: unknown, receivedAt = fridayNight): RevealedReferral {
  const { submission, ageYears } = checked(body, receivedAt);
  return createReferral({
    referralId: randomUUID(),
    submission,
    routing: routingAttributesOf(submission, ageYears, receivedAt, avonAndSomerset),
    retentionDays: 3 * 365,
    receivedAt,
  });
}

/** The same referral once routed, pulled and leased: every optional field filled in. */
function routedAndLeased(referral: RevealedReferral): RevealedReferral {
  return {
    ...referral,
    status: 'routed',
    providerId: 'turning-point-admit',
    routing: {
      routeId: 'somerset-turning-point-admit',
      destination: { kind: 'provider', providerId: 'turning-point-admit' },
      reasons: ['Admit in Somerset goes to Turning Point'],
      decidedAt: '2026-11-20T22:45:01.000Z',
    },
    lease: {
      providerId: 'turning-point-admit',
      receiptHandle: 'receipt-handle',
      expiresAt: '2026-11-20T23:00:00.000Z',
    },
  };
}

/** True for a details field whose values come from a fixed vocabulary (enum or list of enums). */
function isVocabulary(pathway: ReferralSubmission['pathway'], field: string): boolean {
  const shape = pathwayDetails[pathway].shape as Record<string, z.ZodType>;
  const schema = shape[field];
  return (
    schema instanceof z.ZodEnum ||
    (schema instanceof z.ZodArray && schema.element instanceof z.ZodEnum)
  );
}

/**
 * Every piece of personal data in a submission: the string leaves of subject, referrer (but the
 * organisation id, an identifier events carry by design), summary and the details' free text.
 */
function personalText(submission: ReferralSubmission): string[] {
  const { organisationId: _, ...referrer } = submission.referrer;
  const freeDetails = Object.fromEntries(
    Object.entries(submission.details).filter(
      ([field]) => !isVocabulary(submission.pathway, field),
    ),
  );
  return stringLeaves({
    subject: submission.subject,
    referrer,
    summary: submission.summary,
    details: freeDetails,
  }).map((leaf) => leaf.value);
}

/** The details' vocabulary values (knife, alcohol, county-lines...): incident data, not identifiers. */
function detailVocabulary(submission: ReferralSubmission): string[] {
  const vocabulary = Object.fromEntries(
    Object.entries(submission.details).filter(([field]) => isVocabulary(submission.pathway, field)),
  );
  return stringLeaves(vocabulary).map((leaf) => leaf.value);
}

describe('toEventDetail carries no personal data', () => {
  it.each(examples)('has none of the free text of %s, at any stage', (name) => {
    // Prepare
    const { submission } = checked(exampleReferral(name));
    const referral = referralFrom(exampleReferral(name));
    const personal = personalText(submission);

    // Act
    const received = JSON.stringify(toEventDetail(referral));
    const routed = JSON.stringify(toEventDetail(routedAndLeased(referral)));

    // Assess
    expect(personal.length).toBeGreaterThanOrEqual(9);
    for (const text of personal) {
      expect(received).not.toContain(text);
      expect(routed).not.toContain(text);
    }
  });

  it.each(examples)('has none of the incident details of %s as a value', (name) => {
    // Prepare
    const { submission } = checked(exampleReferral(name));
    const referral = routedAndLeased(referralFrom(exampleReferral(name)));

    // Act
    const values = stringLeaves(toEventDetail(referral)).map((leaf) => leaf.value);

    // Assess
    for (const word of detailVocabulary(submission)) expect(values).not.toContain(word);
  });

  it.each(examples)('fits the strict event detail schema for %s', (name) => {
    // Prepare
    const referral = referralFrom(exampleReferral(name));

    // Act
    const received = referralEventDetailSchema.safeParse(toEventDetail(referral));
    const routed = referralEventDetailSchema.safeParse(toEventDetail(routedAndLeased(referral)));

    // Assess
    expect(received.success).toBe(true);
    expect(routed.success).toBe(true);
  });

  it('holds identifiers and routing attributes, with provider and destination once routed', () => {
    // Prepare
    const referral = routedAndLeased(referralFrom(exampleReferral('admit-friday-night.json')));

    // Act
    const detail = toEventDetail(referral);

    // Assess
    expect(detail).toEqual({
      referralId: referral.referralId,
      spoke: 'somerset',
      pathway: 'admit',
      ageYears: 16,
      referrerType: 'hospital',
      referrerOrganisationId: 'musgrove-park-hospital-ae',
      flags: {
        immediateEscalation: false,
        aggravatingFactors: false,
        eligibleAge: true,
        inStaffedWindow: true,
      },
      status: 'routed',
      occurredAt: '2026-11-20T22:45:00.000Z',
      receivedAt: referral.receivedAt,
      ...(referral.milestones ? { milestones: referral.milestones } : {}),
      providerId: 'turning-point-admit',
      destination: { kind: 'provider', providerId: 'turning-point-admit' },
    });
  });

  it('copies the flags, so changing the event cannot change the referral', () => {
    // Prepare
    const referral = referralFrom(exampleReferral('weapons-threatened-bristol.json'));

    // Act
    const detail = toEventDetail(referral);
    detail.flags.immediateEscalation = false;

    // Assess
    expect(referral.flags.immediateEscalation).toBe(true);
  });
});

describe('createReferral', () => {
  it('keeps pathway and spoke as routing attributes and everything else as personal data', () => {
    // Prepare
    const body = exampleReferral('weapons-possession-bristol.json');
    const { submission } = checked(body);

    // Act
    const referral = referralFrom(body);

    // Assess
    const { pathway, spoke, ...personal } = submission;
    expect(referral).toMatchObject({
      status: 'received',
      pathway,
      spoke,
      referrerType: 'school',
      responseExpected: 'standard',
    });
    expect(referral.personal).toEqual(personal);
    expect(Object.keys(referral.personal).sort()).toEqual([
      'consent',
      'details',
      'referrer',
      'subject',
      'summary',
    ]);
  });

  it('stamps receipt and update with the same instant and expires personal data after the retention period', () => {
    // Prepare
    const receivedAt = new Date('2026-11-20T22:45:00.500Z');

    // Act
    const referral = referralFrom(exampleReferral('admit-friday-night.json'), receivedAt);

    // Assess
    expect(referral.receivedAt).toBe('2026-11-20T22:45:00.500Z');
    expect(referral.updatedAt).toBe(referral.receivedAt);
    expect(referral.expiresAt).toBe(
      Math.floor(Date.parse('2029-11-19T22:45:00Z') / 1000), // 1095 days later (2028 is a leap year)
    );
    expect(Number.isInteger(referral.expiresAt)).toBe(true);
  });

  it('records the response expected from routing', () => {
    // Prepare
    const saturdayMorning = new Date('2026-11-21T10:00:00Z');

    // Act
    const referral = referralFrom(exampleReferral('admit-friday-night.json'), saturdayMorning);

    // Assess
    expect(referral.responseExpected).toBe('next-day-aftercare');
    expect(referral.flags.inStaffedWindow).toBe(false);
  });
});

describe('toProviderView', () => {
  it('shows the provider the case, personal data included, without internal bookkeeping', () => {
    // Prepare
    const referral = routedAndLeased(referralFrom(exampleReferral('admit-friday-night.json')));

    // Act
    const view = toProviderView(referral);

    // Assess
    expect(view).toEqual({
      referralId: referral.referralId,
      status: 'routed',
      allowed: ['accept', 'decline', 'reroute'],
      spoke: 'somerset',
      pathway: 'admit',
      ageYears: 16,
      receivedAt: '2026-11-20T22:45:00.000Z',
      responseExpected: 'same-shift',
      milestones: {},
      contactAttempts: [],
      ...referral.personal,
    });
    expect(view).not.toHaveProperty('lease');
    expect(view).not.toHaveProperty('expiresAt');
    expect(view).not.toHaveProperty('routing');
    expect(JSON.stringify(view)).not.toContain('receipt-handle');
  });

  it('shows nothing sealed or indexed: the seals and the blind index stay in the table', () => {
    // Prepare
    const referral: RevealedReferral = {
      ...routedAndLeased(referralFrom(exampleReferral('admit-friday-night.json'))),
      personalSealed: new Uint8Array([1, 2, 3]),
      declineDetailsSealed: new Uint8Array([4, 5, 6]),
      subjectIndex: 'blind-index',
    };

    // Act
    const view = toProviderView(referral);

    // Assess
    for (const stored of ['personalSealed', 'declineDetailsSealed', 'subjectIndex']) {
      expect(view).not.toHaveProperty(stored);
    }
  });

  it('shows what is left once the personal data is erased, and when it was erased', () => {
    // Prepare
    const { personal, ...anonymous } = routedAndLeased(
      referralFrom(exampleReferral('admit-friday-night.json')),
    );
    const erased: ErasedReferral = {
      ...anonymous,
      decline: { reason: 'no-capacity' },
      erasedAt: '2029-11-21T03:00:00.000Z',
    };

    // Act
    const view = toProviderView(erased);

    // Assess
    expect(view).toMatchObject({
      referralId: erased.referralId,
      status: 'routed',
      pathway: 'admit',
      decline: { reason: 'no-capacity' },
      erasedAt: '2029-11-21T03:00:00.000Z',
    });
    for (const field of Object.keys(personal)) expect(view).not.toHaveProperty(field);
  });
});

/** The same referral further along: accepted late, contacted, engaged and closed, after a reroute. */
function closedAfterReroute(referral: RevealedReferral): RevealedReferral {
  return {
    ...routedAndLeased(referral),
    status: 'closed',
    updatedAt: '2026-12-01T10:00:00.000Z',
    lease: undefined,
    previousProviders: ['st-giles-sos'],
    deadlines: { acceptBy: '2026-11-21T00:00:00.000Z', firstContactBy: '2026-11-21T00:00:00.000Z' },
    overdue: { accept: '2026-11-21T00:05:00.000Z' },
    milestones: {
      routedAt: '2026-11-20T22:45:01.000Z',
      acceptedAt: '2026-11-21T08:00:00.000Z',
      firstContactAt: '2026-11-21T09:00:00Z',
      engagedAt: '2026-11-22T10:00:00.000Z',
      closedAt: '2026-12-01T10:00:00.000Z',
    },
    decline: {
      reason: 'other',
      details: 'Jordan is already known to our detached youth work team',
    },
    contactAttempts: [
      { method: 'phone', result: 'no-answer', attemptedAt: '2026-11-21T09:00:00Z' },
      { method: 'in-person', result: 'reached', attemptedAt: '2026-11-21T15:00:00Z' },
    ],
    closeOutcome: 'completed',
  };
}

describe('toProviderView, later in the lifecycle', () => {
  it('shows deadlines, overdue flags, milestones, decline, contact attempts and outcome', () => {
    // Prepare
    const referral = closedAfterReroute(referralFrom(exampleReferral('admit-friday-night.json')));

    // Act
    const view = toProviderView(referral);

    // Assess
    expect(view).toMatchObject({
      status: 'closed',
      deadlines: referral.deadlines,
      overdue: referral.overdue,
      milestones: referral.milestones,
      decline: referral.decline,
      contactAttempts: referral.contactAttempts,
      closeOutcome: 'completed',
    });
    for (const bookkeeping of ['lease', 'routing', 'previousProviders', 'expiresAt', 'personal']) {
      expect(view).not.toHaveProperty(bookkeeping);
    }
  });

  it('leaves out what has not happened yet rather than showing it empty', () => {
    // Prepare
    const referral = routedAndLeased(referralFrom(exampleReferral('admit-friday-night.json')));

    // Act
    const view = toProviderView(referral);

    // Assess
    for (const absent of ['deadlines', 'overdue', 'decline', 'closeOutcome']) {
      expect(view).not.toHaveProperty(absent);
    }
  });
});

describe('toReferrerView', () => {
  it.each(examples)('shows status and dates only, no personal data, for %s', (name) => {
    // Prepare
    const { submission } = checked(exampleReferral(name));
    const referral = closedAfterReroute(referralFrom(exampleReferral(name)));

    // Act
    const view = toReferrerView(referral);

    // Assess
    expect(Object.keys(view).sort()).toEqual([
      'milestones',
      'pathway',
      'receivedAt',
      'referralId',
      'spoke',
      'status',
      'updatedAt',
    ]);
    expect(view.milestones).toEqual(referral.milestones);
    const shown = JSON.stringify(view);
    for (const text of [...personalText(submission), referral.decline!.details!]) {
      expect(shown).not.toContain(text);
    }
  });
});

describe('toEventDetail, later in the lifecycle', () => {
  it('carries the coded decline reason, outcome and last contact, never the decline details', () => {
    // Prepare
    const referral = closedAfterReroute(referralFrom(exampleReferral('admit-friday-night.json')));

    // Act
    const detail = toEventDetail(referral);

    // Assess
    expect(detail).toMatchObject({
      status: 'closed',
      declineReason: 'other',
      closeOutcome: 'completed',
      contact: { method: 'in-person', result: 'reached' },
      occurredAt: '2026-12-01T10:00:00.000Z',
    });
    expect(JSON.stringify(detail)).not.toContain('detached youth work');
    expect(referralEventDetailSchema.safeParse(detail).success).toBe(true);
  });
});

describe('nextDeadline', () => {
  const deadlines = {
    acceptBy: '2026-11-23T17:00:00.000Z',
    firstContactBy: '2026-11-24T17:00:00.000Z',
  };
  const withStatus = (status: Referral['status'], fields: Partial<Referral> = {}): Referral => ({
    ...routedAndLeased(referralFrom(exampleReferral('admit-friday-night.json'))),
    status,
    deadlines,
    ...fields,
  });

  it.each([
    { status: 'received', due: deadlines.acceptBy },
    { status: 'routed', due: deadlines.acceptBy },
    { status: 'rerouted', due: deadlines.acceptBy },
    { status: 'accepted', due: deadlines.firstContactBy },
    { status: 'contact-attempted', due: undefined },
    { status: 'engaged', due: undefined },
    { status: 'declined', due: undefined },
    { status: 'closed', due: undefined },
    { status: 'withdrawn', due: undefined },
  ] as const)('is $due for a referral that is $status', ({ status, due }) => {
    // Prepare
    const referral = withStatus(status);

    // Act
    const next = nextDeadline(referral);

    // Assess
    expect(next).toBe(due);
  });

  it('skips a deadline already flagged overdue, and is undefined once both are', () => {
    // Prepare
    const acceptFlagged = withStatus('routed', { overdue: { accept: '2026-11-23T17:05:00.000Z' } });
    const bothFlagged = withStatus('routed', {
      overdue: { accept: '2026-11-23T17:05:00.000Z', 'first-contact': '2026-11-24T17:05:00.000Z' },
    });

    // Act
    const afterAccept = nextDeadline(acceptFlagged);
    const afterBoth = nextDeadline(bothFlagged);

    // Assess
    expect(afterAccept).toBe(deadlines.firstContactBy);
    expect(afterBoth).toBeUndefined();
  });

  it('picks the earlier deadline whichever order they are in', () => {
    // Prepare
    const referral = withStatus('routed', {
      deadlines: { acceptBy: deadlines.firstContactBy, firstContactBy: deadlines.acceptBy },
    });

    // Act
    const next = nextDeadline(referral);

    // Assess
    expect(next).toBe(deadlines.acceptBy);
  });

  it('is undefined for a referral without deadlines', () => {
    // Prepare
    const referral = routedAndLeased(referralFrom(exampleReferral('admit-friday-night.json')));

    // Act
    const next = nextDeadline(referral);

    // Assess
    expect(next).toBeUndefined();
  });
});
