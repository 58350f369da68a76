import { describe, expect, it, vi } from 'vitest';
import type { ReferralHistory } from '#shared/table/referral-queries.ts';
import type { Referral } from '#shared/domain/referral.ts';
import { ValidationError } from '#shared/errors.ts';
import { subjectAccessExport } from '#shared/services/subject-access.ts';
import {
  referralFromExample,
  routedReferral,
  testCipher,
  testSubjectIndex,
} from '#test/unit/functions/builders.ts';
import { entities, hubStageKey } from '#shared/table/layout.ts';

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

const auditOf = () => ({
  log: {
    record: vi.fn(async () => undefined),
    reads: vi.fn(async () => ({ items: [], more: false })),
  },
  actor: { role: 'admin' as const, id: 'avon-and-somerset', subject: 'dpo-1' },
  purpose: 'subject-access-request' as const,
  correlationId: 'c0ffee00-0000-4000-8000-000000000001',
  retentionDays: 2190,
});

const deps = (store: ReturnType<typeof storeHolding>, audit = auditOf()) => ({
  store,
  cipher: testCipher(),
  subjectIndex: testSubjectIndex,
  audit,
  now: () => generatedAt,
});

describe('subjectAccessExport', () => {
  it('records the export as a read of each referral first, and gives every read recorded', async () => {
    // Prepare
    const { referral, asked } = await stored();
    const audit = auditOf();
    const earlier = {
      at: '2026-11-30T10:00:00.000Z',
      kind: 'read' as const,
      action: 'referral.read' as const,
      actor: { role: 'provider' as const, id: 'st-giles-sos', subject: 'caseworker-7' },
      purpose: 'provider-casework' as const,
      referralId,
    };
    audit.log.reads.mockResolvedValueOnce({
      items: [{ key: 'k1', entry: earlier }] as never,
      more: false,
    });

    // Act
    const found = await subjectAccessExport(asked, deps(storeHolding(referral), audit));

    // Assess
    expect(audit.log.record).toHaveBeenCalledTimes(1);
    expect(audit.log.record.mock.calls[0]).toEqual([
      [
        expect.objectContaining({
          referralId,
          action: 'subject-access.exported',
          purpose: 'subject-access-request',
          at: generatedAt.toISOString(),
        }),
      ],
    ]);
    expect(found.referrals[0]?.reads).toEqual([earlier]);
  });

  it('gives nothing when the export cannot be recorded (fail closed)', async () => {
    // Prepare
    const { referral, asked } = await stored();
    const audit = auditOf();
    audit.log.record.mockRejectedValueOnce(new Error('audit log unavailable'));

    // Act
    const exporting = subjectAccessExport(asked, deps(storeHolding(referral), audit));

    // Assess
    await expect(exporting).rejects.toThrow('audit log unavailable');
    expect(audit.log.reads).not.toHaveBeenCalled();
  });

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
    const other = [{ ...hubStageKey(referralId), entity: entities.hubStage }];
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
