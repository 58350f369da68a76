import { describe, expect, it, vi } from 'vitest';
import type { ReferralHistory } from '#shared/adapters/referral-store.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { ValidationError } from '#shared/errors.ts';
import { subjectAccessExport } from '#shared/services/subject-access.ts';
import {
  referralFromExample,
  routedReferral,
  testCipher,
  testSubjectIndex,
} from '#test/unit/functions/builders.ts';

const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const generatedAt = new Date('2026-12-01T09:00:00.000Z');
const details = 'Already known to our detached youth work team';

/** The referral as the table holds it: personal data and decline details sealed. */
async function stored(): Promise<{ referral: Referral; asked: Record<string, string> }> {
  const { personal, ...rest } = routedReferral(
    referralFromExample('admit-friday-night.json', referralId),
    'somerset-turning-point-admit',
    { kind: 'provider', providerId: 'turning-point-admit' },
  );
  const cipher = testCipher();
  const referral: Referral = {
    ...rest,
    status: 'declined',
    decline: { reason: 'other' },
    personalSealed: await cipher.seal('personal', referralId, personal),
    declineDetailsSealed: await cipher.seal('decline-details', referralId, details),
    subjectIndex: await testSubjectIndex(personal.subject),
  };
  const { givenName, familyName, dateOfBirth } = personal.subject;
  return { referral, asked: { givenName, familyName, dateOfBirth } };
}

function storeHolding(referral: Referral, history: Partial<ReferralHistory> = {}) {
  return {
    referralIdsBySubject: vi.fn(async (index: string) =>
      index === referral.subjectIndex ? [referral.referralId] : [],
    ),
    history: vi.fn(async () => ({ referral, transitions: [], other: [], ...history })),
  };
}

const deps = (store: ReturnType<typeof storeHolding>) => ({
  store,
  cipher: testCipher(),
  subjectIndex: testSubjectIndex,
  now: () => generatedAt,
});

describe('subjectAccessExport', () => {
  it('gives every referral about the young person with its personal data opened, its transitions and the rest', async () => {
    // Prepare
    const { referral, asked } = await stored();
    const transitions = [
      {
        referralId,
        from: 'received' as const,
        to: 'routed' as const,
        at: referral.receivedAt,
        actor: { kind: 'system' as const, id: 'record-routing' },
        event: {} as never,
      },
    ];
    const other = [{ PK: `REFERRAL#${referralId}`, SK: 'STAGE', entity: 'hub-stage' }];
    const store = storeHolding(referral, { transitions, other });

    // Act
    const found = await subjectAccessExport(asked, deps(store));

    // Assess
    expect(found.request).toEqual(asked);
    expect(found.generatedAt).toBe(generatedAt.toISOString());
    expect(found.referrals).toHaveLength(1);
    const [exported] = found.referrals;
    expect(exported).toMatchObject({
      referralId,
      referral: {
        status: 'declined',
        routing: referral.routing,
        decline: { reason: 'other', details },
        personal: { subject: asked },
        subjectIndex: referral.subjectIndex,
      },
      transitions,
      hubProjection: other,
    });
    expect(exported!.referral).not.toHaveProperty('personalSealed');
    expect(exported!.referral).not.toHaveProperty('declineDetailsSealed');
    expect(store.history).toHaveBeenCalledWith(referralId);
  });

  it('finds the young person however the names are written', async () => {
    // Prepare
    const { referral, asked } = await stored();
    const store = storeHolding(referral);

    // Act
    const found = await subjectAccessExport(
      {
        ...asked,
        givenName: ` ${asked.givenName!.toUpperCase()}`,
        familyName: asked.familyName!.toLowerCase(),
      },
      deps(store),
    );

    // Assess
    expect(found.referrals.map((r) => r.referralId)).toEqual([referralId]);
  });

  it('finds nothing for someone else, and reads no referral', async () => {
    // Prepare
    const { referral, asked } = await stored();
    const store = storeHolding(referral);

    // Act
    const found = await subjectAccessExport({ ...asked, dateOfBirth: '2010-01-01' }, deps(store));

    // Assess
    expect(found.referrals).toEqual([]);
    expect(store.history).not.toHaveBeenCalled();
  });

  it('leaves out a referral erased between the index read and the export', async () => {
    // Prepare
    const { referral, asked } = await stored();
    const store = storeHolding(referral, {
      referral: { ...referral, personalSealed: undefined, erasedAt: generatedAt.toISOString() },
    });

    // Act
    const found = await subjectAccessExport(asked, deps(store));

    // Assess
    expect(found.referrals).toEqual([]);
  });

  it('refuses a request with fields at fault, naming each, before reading anything', async () => {
    // Prepare
    const { referral } = await stored();
    const store = storeHolding(referral);

    // Act
    const asking = subjectAccessExport(
      { givenName: '', familyName: 'Example', dateOfBirth: '2010-02-30', school: 'x' },
      deps(store),
    );

    // Assess
    await expect(asking).rejects.toThrow(ValidationError);
    const error = (await asking.catch((e: unknown) => e)) as ValidationError;
    expect(error.problems.map((p) => p.pointer).sort()).toEqual([
      '/dateOfBirth',
      '/givenName',
      '/school',
    ]);
    expect(store.referralIdsBySubject).not.toHaveBeenCalled();
  });
});
