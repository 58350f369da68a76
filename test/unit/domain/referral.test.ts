import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { referralEventDetailSchema } from '#events/referral-lifecycle.ts';
import { pathwayDetails, type ReferralSubmission } from '#shared/domain/intake.ts';
import {
  createReferral,
  toEventDetail,
  toProviderView,
  type Referral,
} from '#shared/domain/referral.ts';
import { routingAttributesOf } from '#shared/domain/routing-attributes.ts';
import { avonAndSomerset } from '#shared/partnership/avon-and-somerset.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { stringLeaves } from './json-walk.ts';
import { checked, fridayNight } from './submissions.ts';

const examples = exampleFileNames();

function referralFrom(body: unknown, receivedAt = fridayNight): Referral {
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
function routedAndLeased(referral: Referral): Referral {
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
      spoke: 'somerset',
      pathway: 'admit',
      ageYears: 16,
      receivedAt: '2026-11-20T22:45:00.000Z',
      responseExpected: 'same-shift',
      ...referral.personal,
    });
    expect(view).not.toHaveProperty('lease');
    expect(view).not.toHaveProperty('expiresAt');
    expect(view).not.toHaveProperty('routing');
    expect(JSON.stringify(view)).not.toContain('receipt-handle');
  });
});
