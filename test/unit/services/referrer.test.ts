import { describe, expect, it } from 'vitest';
import type { Referral } from '#shared/domain/referral.ts';
import { ConflictError, IllegalTransitionError, NotFoundError } from '#shared/errors.ts';
import { referralStatusFor, referralsSentBy, withdrawReferral } from '#shared/services/referrer.ts';
import { InMemoryReferralStore, sealedReferral } from '#test/helpers/fakes.ts';
import {
  personalValuesOf,
  referralFromExample,
  routedReferral,
  testCipher,
} from '#test/unit/functions/builders.ts';

const organisation = 'musgrove-park-hospital-ae';
const otherOrganisation = 'example-academy-bristol';
const provider = 'turning-point-admit';
const subject = 'referrer-4';
const referralId = '4b1e6f0a-2c3d-4e5f-8a9b-0c1d2e3f4a5b';
const now = new Date('2026-11-21T09:30:00.000Z');

const received = (id = referralId) => referralFromExample('admit-friday-night.json', id);
const routed = (id = referralId) => ({
  ...routedReferral(received(id), `somerset-${provider}`, {
    kind: 'provider',
    providerId: provider,
  }),
  deadlines: { acceptBy: '2026-11-21T00:00:00.000Z', firstContactBy: '2026-11-21T00:00:00.000Z' },
  lease: { providerId: provider, receiptHandle: 'receipt-1', expiresAt: '2026-11-21T09:40:00Z' },
  milestones: { routedAt: '2026-11-20T22:45:02.000Z' },
});
/** Further along, with everything a provider records about the case. */
const declineDetails = 'Known to the family support worker already';
const engaged = () => ({
  ...routed(),
  status: 'engaged' as const,
  updatedAt: '2026-11-21T09:00:00.000Z',
  lease: undefined,
  previousProviders: ['st-giles-sos'],
  decline: { reason: 'other' as const, details: declineDetails },
  contactAttempts: [
    { method: 'phone' as const, result: 'reached' as const, attemptedAt: '2026-11-21T08:00:00Z' },
  ],
  overdue: { accept: '2026-11-21T00:05:00.000Z' },
  milestones: {
    routedAt: '2026-11-20T22:45:02.000Z',
    acceptedAt: '2026-11-21T07:30:00.000Z',
    firstContactAt: '2026-11-21T08:00:00Z',
    engagedAt: '2026-11-21T09:00:00.000Z',
  },
});

/** The organisation's world: a store holding these referrals, as the table would. */
async function referrer(...referrals: Parameters<typeof sealedReferral>[0][]) {
  const cipher = testCipher();
  const store = new InMemoryReferralStore({ cipher });
  store.holds(...(await Promise.all(referrals.map((r) => sealedReferral(r, cipher)))));
  return { store, cipher, deps: { organisationId: organisation, subject, store, now: () => now } };
}

const personalAndNotes = [...personalValuesOf('admit-friday-night.json'), declineDetails];

describe('referralStatusFor', () => {
  it('shows status and dates only: no personal data, no case notes', async () => {
    // Prepare
    const { deps } = await referrer(engaged());

    // Act
    const view = await referralStatusFor(referralId, deps);

    // Assess
    expect(view).toEqual({
      referralId,
      pathway: 'admit',
      spoke: 'somerset',
      status: 'engaged',
      receivedAt: '2026-11-20T22:45:00.000Z',
      updatedAt: '2026-11-21T09:00:00.000Z',
      milestones: engaged().milestones,
    });
  });

  it.each([
    [
      'another organisation sent',
      () => [{ ...routed(), referrerOrganisationId: otherOrganisation }],
    ],
    ['that does not exist', () => []],
  ])('answers the same NotFoundError for a referral %s', async (_case, held) => {
    // Prepare
    const { deps } = await referrer(...held());

    // Act
    const reading = referralStatusFor(referralId, deps);

    // Assess
    await expect(reading).rejects.toThrow(
      new NotFoundError(`No referral ${referralId} was sent by ${organisation}.`),
    );
  });
});

describe('referralsSentBy', () => {
  it("lists the organisation's own referrals, newest first, a page at a time, without personal data", async () => {
    // Prepare
    const older = {
      ...routed('9b2e4c1d-3f5a-4e6b-8c7d-1a2b3c4d5e6f'),
      receivedAt: '2026-11-19T10:00:00.000Z',
    };
    const others = {
      ...routed('2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a'),
      referrerOrganisationId: otherOrganisation,
    };
    const { deps } = await referrer(older, engaged(), others);

    // Act
    const first = await referralsSentBy(deps, { limit: 1 });
    const second = await referralsSentBy(deps, {
      limit: 1,
      ...(first.cursor ? { cursor: first.cursor } : {}),
    });

    // Assess
    expect(first.referrals.map((r) => [r.referralId, r.status])).toEqual([[referralId, 'engaged']]);
    expect(Object.keys(first.referrals[0]!).sort()).toEqual([
      'milestones',
      'pathway',
      'receivedAt',
      'referralId',
      'spoke',
      'status',
      'updatedAt',
    ]);
    expect(first.cursor).toEqual(expect.any(String));
    expect(second).toEqual({
      referrals: [expect.objectContaining({ referralId: older.referralId })],
    });
    for (const value of personalAndNotes) {
      expect(JSON.stringify([first, second])).not.toContain(value);
    }
  });
});

describe('withdrawReferral', () => {
  it('withdraws the referral, recording the organisation and the person as who did it', async () => {
    // Prepare
    const { deps, store } = await referrer(routed());

    // Act
    const view = await withdrawReferral(referralId, deps);

    // Assess
    expect(view).toMatchObject({
      status: 'withdrawn',
      updatedAt: now.toISOString(),
      milestones: { routedAt: '2026-11-20T22:45:02.000Z', withdrawnAt: now.toISOString() },
    });
    expect(store.transitions).toEqual([
      expect.objectContaining({
        referralId,
        from: 'routed',
        to: 'withdrawn',
        at: now,
        actor: { kind: 'referrer', id: organisation, subject },
      }),
    ]);
    // No lease left on a referral nobody is to work on.
    expect(store.stored(referralId)).toMatchObject({ status: 'withdrawn' });
    expect(store.stored(referralId)).not.toHaveProperty('lease');
  });

  it('records no person when the token named none', async () => {
    // Prepare
    const { deps, store } = await referrer(routed());
    const { subject: _subject, ...withoutSubject } = deps;

    // Act
    await withdrawReferral(referralId, withoutSubject);

    // Assess
    expect(store.transitions[0]?.actor).toEqual({ kind: 'referrer', id: organisation });
  });

  it('withdraws a referral whose routing is not recorded yet', async () => {
    // Prepare
    const { deps, store } = await referrer(received());

    // Act
    const view = await withdrawReferral(referralId, deps);

    // Assess
    expect(view).toMatchObject({ status: 'withdrawn' });
    expect(store.transitions).toEqual([expect.objectContaining({ from: 'received' })]);
  });

  it('answers a second withdrawal with the first, writing nothing', async () => {
    // Prepare
    const { deps, store } = await referrer(routed());

    // Act
    const first = await withdrawReferral(referralId, deps);
    const second = await withdrawReferral(referralId, deps);

    // Assess
    expect(second).toEqual(first);
    expect(store.transitions).toHaveLength(1);
  });

  it('refuses withdrawing a closed referral, saying nothing is allowed', async () => {
    // Prepare
    const { deps, store } = await referrer({
      ...engaged(),
      status: 'closed',
      closeOutcome: 'completed',
    });

    // Act
    const refusal = await withdrawReferral(referralId, deps).catch((error: unknown) => error);

    // Assess
    expect(refusal).toBeInstanceOf(IllegalTransitionError);
    expect(refusal).toMatchObject({ currentStatus: 'closed', allowed: [] });
    expect(store.transitions).toEqual([]);
  });

  it("answers NotFoundError for another organisation's referral, writing nothing", async () => {
    // Prepare
    const { deps, store } = await referrer({
      ...routed(),
      referrerOrganisationId: otherOrganisation,
    });

    // Act
    const withdrawing = withdrawReferral(referralId, deps);

    // Assess
    await expect(withdrawing).rejects.toBeInstanceOf(NotFoundError);
    expect(store.transitions).toEqual([]);
  });

  it('reads again after losing a race: a provider accepting first is still withdrawn', async () => {
    // Prepare
    const { deps, store, cipher } = await referrer(routed());
    const acceptedMeanwhile: Referral = await sealedReferral(
      { ...routed(), status: 'accepted', updatedAt: '2026-11-21T09:29:00.000Z' },
      cipher,
    );
    store.changeBeforeNextTransition(() => acceptedMeanwhile);

    // Act
    const view = await withdrawReferral(referralId, deps);

    // Assess
    expect(view).toMatchObject({ status: 'withdrawn' });
    expect(store.racesLost).toBe(1);
    expect(store.transitions).toEqual([expect.objectContaining({ from: 'accepted' })]);
  });

  it('gives up with ConflictError when the referral keeps changing under it', async () => {
    // Prepare
    const { deps, store } = await referrer(routed());
    let writes = 0;
    store.changeBeforeNextTransition(
      (current) => ({
        ...current,
        updatedAt: new Date(now.getTime() - ++writes * 1000).toISOString(),
      }),
      3,
    );

    // Act
    const withdrawing = withdrawReferral(referralId, deps);

    // Assess
    await expect(withdrawing).rejects.toBeInstanceOf(ConflictError);
    await expect(withdrawing).rejects.toThrow(/kept changing/);
    expect(store.transitions).toEqual([]);
  });
});
