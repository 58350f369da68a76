import { describe, expect, it } from 'vitest';
import type { Referral } from '#shared/domain/referral.ts';
import { sweepRetention } from '#shared/services/retention-sweep.ts';
import { InMemoryReferralStore, recordingLog, sealedReferral } from '#test/helpers/fakes.ts';
import { referralFromExample, testCipher } from '#test/unit/functions/builders.ts';

const sweptAt = new Date('2029-11-21T03:00:00.000Z');
const seconds = (at: string) => Math.floor(Date.parse(at) / 1000);
/** More than a page (100) of referrals whose retention ended before the sweep. */
const expiredIds = Array.from(
  { length: 103 },
  (_, n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
);
const keptId = '2e8b5b2a-9c75-4f7a-9d2e-3b4c5d6e7f80';
const cipher = testCipher();

/** A referral as stored, sealed, its retention ending at `expiresAt`. */
const stored = (referralId: string, expiresAt: string): Promise<Referral> =>
  sealedReferral(
    {
      ...referralFromExample('admit-friday-night.json', referralId),
      expiresAt: seconds(expiresAt),
    },
    cipher,
  );

async function storeHolding(...referrals: Promise<Referral>[]) {
  return new InMemoryReferralStore({ cipher }).holds(...(await Promise.all(referrals)));
}

describe('sweepRetention', () => {
  it('erases every referral whose retention has ended, across pages, keeps the others, and logs only ids', async () => {
    // Prepare
    const store = await storeHolding(
      ...expiredIds.map((id, n) =>
        stored(id, `2029-11-${String(1 + (n % 20)).padStart(2, '0')}T00:00:00.000Z`),
      ),
      stored(keptId, '2029-11-22T00:00:00.000Z'),
    );
    const log = recordingLog();

    // Act
    const result = await sweepRetention({ store, now: () => sweptAt, log });

    // Assess
    expect(result).toEqual({ expired: 103, erased: 103 });
    expect([...store.erased].sort()).toEqual(expiredIds);
    const erased = store.stored(expiredIds[0]!)!;
    expect(erased.erasedAt).toBe(sweptAt.toISOString());
    for (const gone of [
      'personal',
      'personalSealed',
      'declineDetailsSealed',
      'subjectIndex',
      'expiresAt',
    ]) {
      expect(erased).not.toHaveProperty(gone);
    }
    expect(erased).toMatchObject({
      referralId: expiredIds[0],
      status: 'received',
      pathway: 'admit',
    });
    expect(store.stored(keptId)).toHaveProperty('personalSealed');
    expect(log.lines).toHaveLength(103);
    expect(log.lines[0]).toEqual({
      level: 'info',
      message: 'Personal data erased',
      attributes: [{ referralId: expect.any(String) as string }],
    });
  });

  it('counts a referral erased meanwhile (a re-run, or TTL first) as expired, not erased', async () => {
    // Prepare
    const store = await storeHolding(
      stored(expiredIds[0]!, '2029-11-01T00:00:00.000Z'),
      stored(expiredIds[1]!, '2029-11-02T00:00:00.000Z'),
    );
    const log = recordingLog();
    // The index answers both; the second is erased before the sweep gets to it.
    const racing = {
      expiredBy: async (...args: Parameters<typeof store.expiredBy>) => {
        const page = await store.expiredBy(...args);
        await store.erasePersonalData(expiredIds[1]!, sweptAt);
        return page;
      },
      erasePersonalData: store.erasePersonalData.bind(store),
    };

    // Act
    const result = await sweepRetention({ store: racing, now: () => sweptAt, log });

    // Assess
    expect(result).toEqual({ expired: 2, erased: 1 });
    expect(log.lines).toHaveLength(1);
  });

  it('does nothing when nothing has expired', async () => {
    // Prepare
    const store = await storeHolding(stored(keptId, '2029-11-22T00:00:00.000Z'));

    // Act
    const result = await sweepRetention({ store, now: () => sweptAt, log: recordingLog() });

    // Assess
    expect(result).toEqual({ expired: 0, erased: 0 });
    expect(store.erased).toEqual([]);
  });

  it('lets a failure through, so the schedule retries and parks it', async () => {
    // Prepare
    const store = await storeHolding(stored(expiredIds[0]!, '2029-11-01T00:00:00.000Z'));
    const failure = new Error('Throughput exceeded');
    const failing = {
      expiredBy: store.expiredBy.bind(store),
      erasePersonalData: () => Promise.reject(failure),
    };

    // Act
    const sweeping = sweepRetention({ store: failing, now: () => sweptAt, log: recordingLog() });

    // Assess
    await expect(sweeping).rejects.toBe(failure);
  });
});
