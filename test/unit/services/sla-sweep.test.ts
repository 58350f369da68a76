import { describe, expect, it } from 'vitest';
import type { Referral } from '#shared/domain/referral.ts';
import { sweepDeadlines } from '#shared/services/sla-sweep.ts';
import { InMemoryReferralStore, recordingLog } from '#test/helpers/fakes.ts';
import {
  personalValuesOf,
  referralFromExample,
  routedReferral,
  testCipher,
} from '#test/unit/functions/builders.ts';

const provider = 'turning-point-admit';
/** Five past midnight, just after the end of Friday night's Admit shift (the same-shift deadline). */
const sweptAt = new Date('2026-11-21T00:05:00.000Z');
const shiftEnd = '2026-11-21T00:00:00.000Z';
const ids = [
  '0c6f3f0e-7a53-4d5e-9b0c-1f2e3d4c5b6a',
  '1d7a4a1f-8b64-4e6f-8c1d-2a3b4c5d6e7f',
  '2e8b5b2a-9c75-4f7a-9d2e-3b4c5d6e7f80',
];

/** An Admit referral received on Friday night, routed to Turning Point, due by the end of the shift. */
function dueReferral(fields: Partial<Referral> = {}, referralId = ids[0]!): Referral {
  const { personal: _personal, ...routed } = routedReferral(
    referralFromExample('admit-friday-night.json', referralId),
    `somerset-${provider}`,
    { kind: 'provider', providerId: provider },
  );
  return { ...routed, deadlines: { acceptBy: shiftEnd, firstContactBy: shiftEnd }, ...fields };
}

/** The sweep over a store holding these referrals, each in the deadline index as it says. */
function sweep(store: InMemoryReferralStore) {
  const log = recordingLog();
  return { log, result: sweepDeadlines({ store, now: () => sweptAt, log }) };
}
const storeHolding = (...referrals: Referral[]) =>
  new InMemoryReferralStore({ cipher: testCipher() }).holds(...referrals);

describe('sweepDeadlines', () => {
  it('does nothing while no deadline has passed', async () => {
    // Prepare
    const store = storeHolding(
      dueReferral({
        deadlines: {
          acceptBy: '2026-11-21T00:10:00.000Z',
          firstContactBy: '2026-11-22T00:00:00.000Z',
        },
      }),
    );

    // Act
    const { result } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 0, flagged: 0 });
    expect(store.flags).toEqual([]);
  });

  it('flags a routed referral past both deadlines for acceptance and first contact, once each', async () => {
    // Prepare
    const store = storeHolding(dueReferral());

    // Act
    const { result, log } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 2 });
    expect(store.flags).toEqual([
      { referralId: ids[0], kind: 'accept', at: sweptAt.toISOString() },
      { referralId: ids[0], kind: 'first-contact', at: sweptAt.toISOString() },
    ]);
    // The second flag keeps the first: both are on the referral once the sweep is done, and
    // nothing is left for the index to hold.
    expect(store.stored(ids[0]!)?.overdue).toEqual({
      accept: sweptAt.toISOString(),
      'first-contact': sweptAt.toISOString(),
    });
    expect(store.dueAt(ids[0]!)).toBeUndefined();
    expect(log.lines).toContainEqual({
      level: 'info',
      message: 'Deadline missed',
      attributes: [{ referralId: ids[0], deadline: 'accept' }],
    });
    for (const personal of personalValuesOf('admit-friday-night.json')) {
      expect(JSON.stringify(log.lines)).not.toContain(personal);
    }
  });

  it('flags only first contact for a referral accepted in time but not contacted', async () => {
    // Prepare
    const store = storeHolding(dueReferral({ status: 'accepted' }));

    // Act
    const { result } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 1 });
    expect(store.flags.map((flag) => flag.kind)).toEqual(['first-contact']);
  });

  it('counts nothing when another sweep flagged the deadlines first', async () => {
    // Prepare: the index still shows the referral as it was before the other sweep.
    const referral = dueReferral();
    const store = storeHolding(referral);
    store.changeBehindTheIndex({
      ...referral,
      overdue: { accept: '2026-11-21T00:00:30.000Z', 'first-contact': '2026-11-21T00:00:30.000Z' },
    });

    // Act
    const { result, log } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    expect(store.flags).toEqual([]);
    expect(log.lines).toEqual([]);
  });

  it('takes a referral the index still lists with both deadlines flagged out of it, flagging nothing', async () => {
    // Prepare
    const flagged = dueReferral({
      overdue: { accept: '2026-11-21T00:00:30.000Z', 'first-contact': '2026-11-21T00:00:30.000Z' },
    });
    const store = storeHolding(flagged);
    store.indexAsDue(flagged, shiftEnd);

    // Act
    const { result } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    expect(store.flags).toEqual([]);
    expect(store.refreshed).toEqual([ids[0]]);
    expect(store.dueAt(ids[0]!)).toBeUndefined();
  });

  it('takes a referral whose deadlines no longer apply out of the index, flagging nothing', async () => {
    // Prepare
    const contacted = dueReferral({ status: 'contact-attempted' });
    const store = storeHolding(contacted);
    store.indexAsDue(contacted, shiftEnd);

    // Act
    const { result } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    expect(store.flags).toEqual([]);
    expect(store.dueAt(ids[0]!)).toBeUndefined();
  });

  it('moves a referral with its acceptance flagged on to its first-contact deadline', async () => {
    // Prepare
    const firstContactBy = '2026-11-24T17:00:00.000Z';
    const accepted = dueReferral({
      deadlines: { acceptBy: shiftEnd, firstContactBy },
      overdue: { accept: '2026-11-21T00:00:30.000Z' },
    });
    const store = storeHolding(accepted);
    store.indexAsDue(accepted, shiftEnd);

    // Act
    const { result } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 1, flagged: 0 });
    expect(store.dueAt(ids[0]!)).toBe(firstContactBy);
  });

  it('pages through the whole index, following each cursor', async () => {
    // Prepare: more than a page (100) due.
    const many = Array.from({ length: 205 }, (_, n) =>
      dueReferral({ status: 'accepted' }, `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`),
    );
    const store = storeHolding(...many);

    // Act
    const { result } = sweep(store);

    // Assess
    await expect(result).resolves.toEqual({ checked: 205, flagged: 205 });
  });

  it('either flags a referral still received after its deadline or takes it out of the index', async () => {
    // Prepare
    const { personal: _personal, ...unrouted } = referralFromExample(
      'admit-friday-night.json',
      ids[0]!,
    );
    const store = storeHolding({
      ...unrouted,
      deadlines: { acceptBy: shiftEnd, firstContactBy: shiftEnd },
    });

    // Act
    const { result } = sweep(store);

    // Assess
    await result;
    expect(store.flags.length > 0 || store.dueAt(ids[0]!) === undefined).toBe(true);
  });
});
