import { describe, expect, it } from 'vitest';
import { referralStatuses } from '#events/vocabulary.ts';
import { allowedCommands } from '#shared/domain/lifecycle.ts';
import { ConflictError, IllegalTransitionError, NotFoundError } from '#shared/errors.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import type { ProviderView } from '#shared/services/provider-work.ts';
import {
  actionsFor,
  commandAt,
  commandFromForm,
  formatDateTime,
  pageCommands,
  problemOf,
  referralSections,
} from '#web/provider/view.ts';

const at = new Date('2026-11-21T10:00:00.000Z');

/** A provider's view of a routed Admit referral, as the service answers it. */
function routedView(changes: Record<string, unknown> = {}): ProviderView {
  return {
    referralId: '6a99ef95-530b-44fb-a5fe-25a59f5c2f61',
    status: 'routed',
    spoke: 'somerset',
    pathway: 'admit',
    ageYears: 16,
    receivedAt: '2026-11-20T22:40:00.000Z',
    responseExpected: 'next-day-aftercare',
    milestones: {},
    contactAttempts: [],
    subject: { givenName: 'Jordan', familyName: 'Example', dateOfBirth: '2010-03-14' },
    referrer: { name: 'Sam Taylor', organisationId: 'musgrove-park-hospital-ae' },
    summary: 'Brought in by friends.',
    ...changes,
  } as unknown as ProviderView;
}

describe("the provider page's view code", () => {
  it('offers, in each status, exactly the commands of its forms that the lifecycle allows', () => {
    // Act
    const offered = Object.fromEntries(referralStatuses.map((s) => [s, actionsFor(s)]));

    // Assess
    for (const status of referralStatuses) {
      expect(offered[status]).toEqual(
        allowedCommands(status).filter((command) => command in pageCommands),
      );
    }
    expect(offered.routed).toEqual(['accept', 'decline']);
    expect(offered.accepted).toEqual(['attempt-contact', 'engage', 'close']);
    expect(offered.engaged).toEqual(['close']);
    expect(offered.received).toEqual([]);
    expect(offered.closed).toEqual([]);
  });

  it("reads each command from its path segment, the API's own", () => {
    // Act
    const read = ['accept', 'decline', 'contact-attempts', 'engaged', 'close', 'reroute', 'x'].map(
      commandAt,
    );

    // Assess
    expect(read).toEqual([
      'accept',
      'decline',
      'attempt-contact',
      'engage',
      'close',
      undefined,
      undefined,
    ]);
  });

  it("checks a posted decline with the API's schema, in the page's words, linking each field", () => {
    // Act
    const noReason = commandFromForm('decline', {}, at);
    const otherWithout = commandFromForm('decline', { reason: 'other', details: '  ' }, at);
    const tooLong = commandFromForm('decline', { reason: 'other', details: 'x'.repeat(1001) }, at);
    const detailsDropped = commandFromForm(
      'decline',
      { reason: 'no-capacity', details: 'typed, then another reason chosen' },
      at,
    );
    const other = commandFromForm('decline', { reason: 'other', details: ' Known already. ' }, at);

    // Assess
    expect(noReason).toEqual({
      ok: false,
      errors: [{ text: 'Select why you are declining this referral', href: '#decline-reason' }],
      fieldErrors: { reason: 'Select why you are declining this referral' },
    });
    expect(otherWithout).toMatchObject({
      ok: false,
      errors: [{ text: 'Enter why you are declining this referral', href: '#decline-details' }],
    });
    expect(tooLong).toMatchObject({
      ok: false,
      errors: [{ text: 'Details must be 1,000 characters or fewer', href: '#decline-details' }],
    });
    expect(detailsDropped).toEqual({
      ok: true,
      command: { type: 'decline', reason: 'no-capacity' },
    });
    expect(other).toEqual({
      ok: true,
      command: { type: 'decline', reason: 'other', details: 'Known already.' },
    });
  });

  it('records a contact attempt as made now, and names both missing answers', () => {
    // Act
    const made = commandFromForm('attempt-contact', { method: 'phone', result: 'no-answer' }, at);
    const missing = commandFromForm('attempt-contact', {}, at);
    const close = commandFromForm('close', { outcome: 'not-an-outcome' }, at);

    // Assess
    expect(made).toEqual({
      ok: true,
      command: {
        type: 'attempt-contact',
        method: 'phone',
        result: 'no-answer',
        attemptedAt: '2026-11-21T10:00:00.000Z',
      },
    });
    expect(missing).toMatchObject({
      ok: false,
      errors: [
        { text: 'Select how you tried to contact them', href: '#contact-method' },
        { text: 'Select what happened', href: '#contact-result' },
      ],
    });
    expect(close).toMatchObject({
      ok: false,
      errors: [{ text: 'Select the outcome', href: '#close-outcome' }],
    });
  });

  it("shows the service's refusals with the API's statuses, a conflict with what is allowed now", () => {
    // Act
    const illegal = problemOf(
      new IllegalTransitionError('accept', 'declined', ['reroute', 'withdraw']),
    );
    const conflict = problemOf(new ConflictError('Still being routed.'));
    const notFound = problemOf(new NotFoundError('No referral x is routed to y.'));
    const fault = problemOf(new Error('boom'));

    // Assess
    expect(illegal).toMatchObject({
      statusCode: 409,
      title: 'Not allowed from the current status',
      allowed: ['rerouting by the spoke', 'withdrawal by the referrer'],
    });
    expect(illegal?.message).toContain('A referral that is declined cannot be accepted.');
    expect(conflict).toMatchObject({ statusCode: 409, message: 'Still being routed.' });
    expect(notFound).toMatchObject({ statusCode: 404, title: 'Referral not available' });
    expect(fault).toBeUndefined();
  });

  it('names pathways, areas and organisations from the partnership, and times in London time', () => {
    // Act
    const sections = referralSections(routedView(), avonAndSomerset);
    const summer = formatDateTime('2026-07-01T12:00:00Z');
    const winter = formatDateTime('2026-12-01T12:00:00Z');

    // Assess
    expect(sections.name).toBe('Jordan Example');
    expect(sections.referral).toEqual(
      expect.arrayContaining([
        { key: { text: 'Pathway' }, value: { text: 'Admit (Musgrove Park Hospital A&E)' } },
        { key: { text: 'Area' }, value: { text: 'Somerset' } },
        { key: { text: 'Received' }, value: { text: '20 November 2026 at 10:40pm' } },
      ]),
    );
    expect(sections.youngPerson).toContainEqual({
      key: { text: 'Date of birth' },
      value: { text: '14 March 2010' },
    });
    expect(sections.referredBy).toContainEqual({
      key: { text: 'Organisation' },
      value: { text: 'Musgrove Park Hospital A&E' },
    });
    expect(summer).toBe('1 July 2026 at 1:00pm');
    expect(winter).toBe('1 December 2026 at 12:00pm');
  });

  it('shows what is left of a referral whose personal data was erased, and nothing personal', () => {
    // Act
    const sections = referralSections(
      routedView({
        erasedAt: '2027-11-20T00:00:00.000Z',
        subject: { givenName: 'Jordan' },
        summary: 'x',
      }),
      avonAndSomerset,
    );

    // Assess
    expect(sections.name).toBe('Personal data erased');
    expect(JSON.stringify(sections)).not.toContain('Jordan');
    expect(sections.referredBy).toEqual([]);
  });
});
