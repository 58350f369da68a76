import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { detailTypeList, eventSource, statusDetailTypes } from '#events/catalogue.ts';
import { referralEventSchema, referralEventSchemas } from '#events/referral-events.ts';
import { referralStatuses } from '#events/vocabulary.ts';

/** A real-shaped EventBridge event of a Somerset Admit referral, with the detail overridden. */
function eventOf(detailType: string, detail: Record<string, unknown>) {
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': detailType,
    source: eventSource('avon-and-somerset'),
    account: '000000000000',
    time: '2026-11-20T22:00:00Z',
    region: 'eu-west-2',
    resources: [],
    detail: {
      referralId: randomUUID(),
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
      occurredAt: '2026-11-20T22:00:00.000Z',
      receivedAt: '2026-11-20T21:59:00.000Z',
      ...detail,
    },
  };
}

describe('the referral event schemas', () => {
  it('has one schema for every detail-type of the catalogue, each fixing its detail-type', () => {
    // Act
    const entries = Object.entries(referralEventSchemas);

    // Assess
    expect(entries.map(([detailType]) => detailType).sort()).toEqual([...detailTypeList].sort());
    for (const [detailType, schema] of entries) {
      expect(schema.shape['detail-type'].value).toBe(detailType);
    }
  });

  it('maps every status to a detail-type of the catalogue', () => {
    // Act
    const mapped = referralStatuses.map((status) => statusDetailTypes[status]);

    // Assess
    for (const detailType of mapped) expect(detailTypeList).toContain(detailType);
    expect(new Set(mapped).size).toBe(referralStatuses.length);
  });

  it.each([
    ['referral.routed', { destination: { kind: 'provider', providerId: 'turning-point-admit' } }],
    ['referral.declined', { status: 'declined', declineReason: 'no-capacity' }],
    ['referral.closed', { status: 'closed', closeOutcome: 'completed' }],
    [
      'referral.contact-attempted',
      { status: 'contact-attempted', contact: { method: 'phone', result: 'reached' } },
    ],
    ['referral.overdue', { status: 'accepted', overdue: 'first-contact' }],
    ['referral.received', { status: 'received' }],
  ])('reads a %s event by its detail-type', (detailType, detail) => {
    // Act
    const parsed = referralEventSchema.safeParse(eventOf(detailType, detail));

    // Assess
    expect(parsed.success).toBe(true);
    expect(parsed.data?.['detail-type']).toBe(detailType);
  });

  it.each([
    ['referral.declined', { status: 'declined' }, '/detail/declineReason'],
    ['referral.closed', { status: 'closed' }, '/detail/closeOutcome'],
    ['referral.contact-attempted', { status: 'contact-attempted' }, '/detail/contact'],
    ['referral.overdue', {}, '/detail/overdue'],
    ['referral.escalated', {}, '/detail/flags/immediateEscalation'],
    ['referral.engaged', { status: 'engaged', name: 'Jordan' }, '/detail'],
    ['referral.forgotten', {}, '/detail-type'],
  ])('refuses a %s event without what it always carries (%o)', (detailType, detail, pointer) => {
    // Act
    const parsed = referralEventSchema.safeParse(eventOf(detailType, detail));

    // Assess
    expect(parsed.success).toBe(false);
    const paths = parsed.error?.issues.map((issue) => `/${issue.path.join('/')}`);
    expect(paths).toContainEqual(pointer);
  });
});
