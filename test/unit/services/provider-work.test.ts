import { describe, expect, it } from 'vitest';
import { routingDisagreement } from '#shared/services/provider-work.ts';
import { PersonalDataUnreadableError } from '#shared/adapters/personal-data-cipher.ts';
import { defaultAuditRetentionDays } from '#shared/domain/audit.ts';
import { partnershipById } from '#partnerships/index.ts';
import { toEventDetail, type Referral, type RevealedReferral } from '#shared/domain/referral.ts';
import {
  AuditUnavailableError,
  ConflictError,
  GoneError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '#shared/errors.ts';
import {
  extendLease,
  listProviderReferrals,
  pullNextReferral,
  readProviderReferral,
  runProviderCommand,
  type ProviderCommand,
} from '#shared/services/provider-work.ts';
import {
  InMemoryAuditLog,
  InMemoryReferralStore,
  InMemoryWorkQueue,
  recordingLog,
  sealedReferral,
} from '#test/helpers/fakes.ts';
import {
  partnershipId,
  personalValuesOf,
  referralFromExample,
  routedReferral,
  testCipher,
} from '#test/unit/functions/builders.ts';

const provider = 'turning-point-admit';
const otherProvider = 'st-giles-sos';
const subject = 'caseworker-7';
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const now = new Date('2026-11-20T23:00:00.000Z');
const leaseSeconds = 15 * 60;
const fiveMinutesLater = new Date(now.getTime() + 5 * 60 * 1000).toISOString();
const fifteenMinutesLater = new Date(now.getTime() + leaseSeconds * 1000).toISOString();
const erasedAt = '2029-11-21T03:00:00.000Z';

type Held = RevealedReferral & { expiresAt: number };
const received = (id = referralId): Held => referralFromExample('admit-friday-night.json', id);
const routedTo = (providerId: string, id = referralId): Held =>
  routedReferral(received(id), `somerset-${providerId}`, { kind: 'provider', providerId });
const leasedTo = (providerId: string, expiresAt = fifteenMinutesLater): Held => ({
  ...routedTo(providerId),
  lease: { providerId, receiptHandle: 'receipt-1', expiresAt },
});
/** The referral in a later status, as the provider's own earlier calls left it. */
const inStatus = (status: Referral['status'], fields: Partial<RevealedReferral> = {}): Held => ({
  ...routedTo(provider),
  status,
  updatedAt: '2026-11-20T22:50:00.000Z',
  ...fields,
});
/** The referral as the retention sweep leaves it: anonymous, with when it was erased. */
const erased = (referral: Held): Referral => {
  const { personal: _personal, expiresAt: _expiresAt, ...anonymous } = referral;
  return { ...anonymous, erasedAt };
};

/** A provider queue message's body: the EventBridge envelope of the referral's event. */
const envelope = (referral: Referral) =>
  JSON.stringify({
    version: '0',
    id: 'event-1',
    'detail-type': 'referral.received',
    source: 'reachable.avon-and-somerset',
    account: '123456789012',
    time: '2026-11-20T22:45:01Z',
    region: 'eu-west-2',
    resources: [],
    detail: toEventDetail(referral),
  });

/** A provider's world: its store holding these referrals (sealed), its queue, audit log and log. */
async function providerWork(...referrals: (RevealedReferral | Referral)[]) {
  const cipher = testCipher();
  const store = new InMemoryReferralStore({ cipher });
  store.holds(...(await Promise.all(referrals.map((r) => sealedReferral(r, cipher)))));
  const queue = new InMemoryWorkQueue();
  const auditLog = new InMemoryAuditLog();
  const log = recordingLog();
  const deps = {
    providerId: provider,
    store,
    queue,
    now: () => now,
    log,
    leaseSeconds,
    cipher,
    partnership: partnershipById(partnershipId),
    audit: {
      log: auditLog,
      actor: { role: 'provider' as const, id: provider, subject },
      purpose: 'provider-casework' as const,
      correlationId: 'request-1',
      retentionDays: defaultAuditRetentionDays,
    },
  };
  return { deps, store, queue, auditLog, log, cipher };
}

/** The audit record of one read by this provider. */
const recordOf = (referral: Held, action: string, detail?: string) => ({
  referralId: referral.referralId,
  at: now.toISOString(),
  action,
  actor: { role: 'provider', id: provider, subject },
  purpose: 'provider-casework',
  correlationId: 'request-1',
  ...(detail ? { detail } : {}),
  expiresAt: referral.expiresAt + defaultAuditRetentionDays * 24 * 60 * 60,
});

const bookkeeping = ['PK', 'GSI1PK', 'lease', 'routing', 'expiresAt', 'personal', 'personalSealed'];
const attempt = {
  type: 'attempt-contact',
  method: 'phone',
  result: 'no-answer',
  attemptedAt: '2026-11-20T22:55:00.000Z',
} as const;
const { type: _type, ...attemptAsRecorded } = attempt;

describe('pullNextReferral', () => {
  it('answers nothing when the queue is empty, having read nothing', async () => {
    // Prepare
    const { deps, queue, auditLog } = await providerWork(routedTo(provider));

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled).toBeUndefined();
    expect(queue.receives).toEqual([leaseSeconds]);
    expect(auditLog.writes).toEqual([]);
  });

  it('gives the referral with a lease of leaseSeconds, leases it on the message, and records the read', async () => {
    // Prepare
    const referral = routedTo(provider);
    const { deps, store, queue, auditLog } = await providerWork(referral);
    queue.send(envelope(referral), 'message-1');

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled?.lease).toEqual({ expiresAt: fifteenMinutesLater });
    expect(pulled?.referral).toMatchObject({
      referralId,
      status: 'routed',
      pathway: 'admit',
      subject: { givenName: 'Jordan' },
    });
    for (const key of bookkeeping) expect(pulled?.referral).not.toHaveProperty(key);
    expect(store.stored(referralId)?.lease).toEqual({
      providerId: provider,
      receiptHandle: 'receipt-message-1',
      expiresAt: fifteenMinutesLater,
      messageId: 'message-1',
    });
    expect(auditLog.writes).toEqual([[recordOf(referral, 'referral.pulled')]]);
    expect(queue.deleted).toEqual([]);
  });

  it('never hands out a referral routed to another provider, and leaves its message alone', async () => {
    // Prepare
    const referral = routedTo(otherProvider);
    const { deps, store, queue, log } = await providerWork(referral);
    queue.send(envelope(referral), 'message-1');

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled).toBeUndefined();
    expect(queue.receives).toHaveLength(2);
    expect(queue.deleted).toEqual([]);
    expect(store.stored(referralId)?.lease).toBeUndefined();
    // The rule that delivered and the decision recorded at intake disagree: the alarmed line.
    expect(log.messages()).toContain(routingDisagreement);
  });

  it.each([
    ['it has already accepted', () => inStatus('accepted')],
    [
      'rerouted away from it',
      () => ({
        ...routedTo(otherProvider),
        status: 'rerouted' as const,
        previousProviders: [provider],
      }),
    ],
    ['whose personal data was erased', () => erased(inStatus('routed'))],
  ])('removes a stale delivery of a referral %s, and moves on', async (_case, stored) => {
    // Prepare
    const { deps, store, queue, auditLog } = await providerWork(stored());
    queue.send(envelope(routedTo(provider)), 'message-1');

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled).toBeUndefined();
    expect(queue.deleted).toEqual(['receipt-message-1']);
    expect(queue.receives).toHaveLength(2);
    expect(store.stored(referralId)?.lease).toBeUndefined();
    expect(auditLog.writes).toEqual([]);
  });

  it('never hands out one referral twice: a second delivery while the lease on the first runs is removed', async () => {
    // Prepare: the outbox published the referral twice; the provider holds it on message-1.
    const lease = {
      providerId: provider,
      receiptHandle: 'receipt-message-1',
      expiresAt: fiveMinutesLater,
      messageId: 'message-1',
    };
    const { deps, store, queue, log } = await providerWork({ ...received(), lease });
    queue.send(envelope(received()), 'message-2');

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled).toBeUndefined();
    expect(queue.deleted).toEqual(['receipt-message-2']);
    expect(store.stored(referralId)?.lease).toEqual(lease);
    expect(log.messages()).toContain('Duplicate delivery removed');
  });

  it('leases the same referral again on a new message once the lease on the first has run out', async () => {
    // Prepare
    const lease = {
      providerId: provider,
      receiptHandle: 'receipt-message-1',
      expiresAt: now.toISOString(),
      messageId: 'message-1',
    };
    const { deps, store, queue } = await providerWork({ ...routedTo(provider), lease });
    queue.send(envelope(routedTo(provider)), 'message-2');

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled?.referral.referralId).toBe(referralId);
    expect(store.stored(referralId)?.lease?.messageId).toBe('message-2');
    expect(queue.deleted).toEqual([]);
  });

  it('leaves an unreadable message for the dead-letter queue and hands out the next one', async () => {
    // Prepare
    const referral = routedTo(provider);
    const { deps, store, queue, log } = await providerWork(referral);
    queue.send('{', 'bad');
    queue.send(JSON.stringify({ detail: { referralId } }), 'not-an-envelope');
    queue.send(envelope(referral), 'good');

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled?.referral.referralId).toBe(referralId);
    expect(queue.deleted).toEqual([]);
    expect(store.stored(referralId)?.lease?.receiptHandle).toBe('receipt-good');
    expect(log.messages()).toEqual([
      'Unreadable message left for the dead-letter queue',
      'Unreadable message left for the dead-letter queue',
    ]);
  });

  it('skips a message whose referral is not found, leaving it for the dead-letter queue', async () => {
    // Prepare
    const { deps, queue, log } = await providerWork();
    queue.send(envelope(routedTo(provider)), 'message-1');

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled).toBeUndefined();
    expect(queue.deleted).toEqual([]);
    expect(log.messages()).toEqual(['Routed referral not found']);
  });

  it('gives up after ten messages it could not hand out, so one pull stays short', async () => {
    // Prepare
    const { deps, queue } = await providerWork();
    for (let n = 0; n < 12; n++) queue.send('{', `bad-${n}`);

    // Act
    const pulled = await pullNextReferral(deps);

    // Assess
    expect(pulled).toBeUndefined();
    expect(queue.receives).toHaveLength(10);
  });

  it('shows nothing when the read cannot be recorded; the referral stays leased until it runs out', async () => {
    // Prepare
    const referral = routedTo(provider);
    const { deps, store, queue, auditLog } = await providerWork(referral);
    queue.send(envelope(referral), 'message-1');
    auditLog.down();

    // Act
    const pulling = pullNextReferral(deps);

    // Assess
    await expect(pulling).rejects.toBeInstanceOf(AuditUnavailableError);
    expect(store.stored(referralId)?.lease?.expiresAt).toBe(fifteenMinutesLater);
    expect(queue.deleted).toEqual([]);
  });
});

describe('readProviderReferral', () => {
  it('answers the commands its provider may give now, and the names of what it refers to', async () => {
    // Prepare
    const { deps } = await providerWork(inStatus('accepted'));

    // Act
    const answer = await readProviderReferral(referralId, deps);

    // Assess
    expect(answer.referral.allowed).toEqual(['attempt-contact', 'engage', 'close', 'reroute']);
    // Somerset's providers, where it could be rerouted, are named too.
    expect(answer.names).toEqual({
      spokes: { somerset: 'Somerset' },
      pathways: { admit: 'Admit (Musgrove Park Hospital A&E)' },
      organisations: { 'musgrove-park-hospital-ae': 'Musgrove Park Hospital A&E' },
      providers: {
        'turning-point-admit': 'Turning Point (Admit Young People Recovery workers)',
        'st-giles-sos': 'St Giles Trust (SOS project)',
      },
    });
  });

  it('shows the referral with its deadlines, overdue flags and milestones, the read recorded first', async () => {
    // Prepare
    const deadlines = {
      acceptBy: '2026-11-21T00:00:00.000Z',
      firstContactBy: '2026-11-21T00:00:00.000Z',
    };
    const referral: Held = {
      ...leasedTo(provider),
      deadlines,
      overdue: { accept: '2026-11-21T00:05:00.000Z' },
      milestones: { routedAt: '2026-11-20T22:45:02.000Z' },
    };
    const { deps, auditLog } = await providerWork(referral);

    // Act
    const { referral: view } = await readProviderReferral(referralId, deps);

    // Assess
    expect(view).toMatchObject({
      referralId,
      status: 'routed',
      deadlines,
      overdue: { accept: '2026-11-21T00:05:00.000Z' },
      milestones: { routedAt: '2026-11-20T22:45:02.000Z' },
      contactAttempts: [],
      subject: { givenName: 'Jordan' },
      summary: expect.any(String) as string,
    });
    for (const key of [...bookkeeping, 'previousProviders']) expect(view).not.toHaveProperty(key);
    expect(auditLog.writes).toEqual([[recordOf(referral, 'referral.read')]]);
  });

  it('opens the sealed decline details for the provider it is routed to', async () => {
    // Prepare
    const details = 'Already known to our detached youth work team';
    const { deps } = await providerWork(
      inStatus('declined', { decline: { reason: 'other', details } }),
    );

    // Act
    const { referral: view } = await readProviderReferral(referralId, deps);

    // Assess
    expect(view).toMatchObject({ status: 'declined', decline: { reason: 'other', details } });
    expect(view).not.toHaveProperty('declineDetailsSealed');
  });

  it.each([
    ['routed to another provider', () => [leasedTo(otherProvider)]],
    ['that does not exist', () => []],
    [
      "another provider's, erased",
      () => [erased(inStatus('accepted', { providerId: otherProvider }))],
    ],
  ])('answers the same NotFoundError for a referral %s, recording nothing', async (_case, held) => {
    // Prepare
    const { deps, auditLog } = await providerWork(...held());

    // Act
    const reading = readProviderReferral(referralId, deps);

    // Assess
    await expect(reading).rejects.toThrow(
      new NotFoundError(`No referral ${referralId} is routed to ${provider}.`),
    );
    expect(auditLog.writes).toEqual([]);
  });

  it('answers Gone, saying when, for its own referral whose personal data was erased', async () => {
    // Prepare
    const { deps, auditLog } = await providerWork(
      erased(inStatus('closed', { closeOutcome: 'completed' })),
    );

    // Act
    const reading = readProviderReferral(referralId, deps);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(GoneError);
    await expect(reading).rejects.toThrow(/erased on 2029-11-21/);
    expect(auditLog.writes).toEqual([]);
  });

  it('refuses a sealed value moved from another referral, showing nothing of it', async () => {
    // Prepare
    const cipher = testCipher();
    const other = await sealedReferral(
      routedTo(provider, '9b2f7c4e-1d3a-4e5f-8a6b-7c8d9e0f1a2b'),
      cipher,
    );
    const own = await sealedReferral(leasedTo(provider), cipher);
    const { deps } = await providerWork({ ...own, personalSealed: other.personalSealed });

    // Act
    const reading = readProviderReferral(referralId, deps);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(PersonalDataUnreadableError);
  });

  it('shows nothing when the read cannot be recorded (fail closed)', async () => {
    // Prepare
    const { deps, auditLog } = await providerWork(leasedTo(provider));
    auditLog.down();

    // Act
    const reading = readProviderReferral(referralId, deps);

    // Assess
    await expect(reading).rejects.toBeInstanceOf(AuditUnavailableError);
  });
});

describe('runProviderCommand', () => {
  // The referral answered; the names sent with it are tested by the provider names' own tests.
  const run = async (
    deps: Awaited<ReturnType<typeof providerWork>>['deps'],
    command: ProviderCommand,
  ) => (await runProviderCommand(referralId, command, deps)).referral;

  it('accepts: one transition by this person, the lease ended, the message taken off the queue', async () => {
    // Prepare
    const referral = leasedTo(provider);
    const { deps, store, queue, auditLog, log } = await providerWork(referral);

    // Act
    const view = await run(deps, { type: 'accept' });

    // Assess
    expect(view).toMatchObject({
      referralId,
      status: 'accepted',
      milestones: { acceptedAt: now.toISOString() },
    });
    expect(store.transitions).toEqual([
      expect.objectContaining({
        referralId,
        from: 'routed',
        to: 'accepted',
        at: now,
        actor: { kind: 'provider', id: provider, subject },
      }),
    ]);
    expect(store.stored(referralId)).toMatchObject({
      status: 'accepted',
      updatedAt: now.toISOString(),
    });
    expect(store.stored(referralId)).not.toHaveProperty('lease');
    expect(queue.deleted).toEqual(['receipt-1']);
    expect(auditLog.writes).toEqual([[recordOf(referral, 'referral.command-answered', 'accept')]]);
    expect(log.lines).toEqual([
      expect.objectContaining({ level: 'info', message: 'Provider command done' }),
    ]);
  });

  it.each([
    ['routed to another provider', () => [leasedTo(otherProvider)], provider],
    [
      'routed to someone else, on which the caller holds a stale lease',
      () => [
        {
          ...routedTo(provider),
          lease: {
            providerId: otherProvider,
            receiptHandle: 'receipt-9',
            expiresAt: fifteenMinutesLater,
          },
        },
      ],
      otherProvider,
    ],
    ['that does not exist', () => [], provider],
  ])('answers NotFoundError to a referral %s, changing nothing', async (_case, held, caller) => {
    // Prepare
    const { deps, store, queue } = await providerWork(...held());

    // Act
    const running = run({ ...deps, providerId: caller }, { type: 'accept' });

    // Assess
    await expect(running).rejects.toThrow(
      new NotFoundError(`No referral ${referralId} is routed to ${caller}.`),
    );
    expect(store.transitions).toEqual([]);
    expect(queue.deleted).toEqual([]);
  });

  it('answers a second acceptance with the referral again, writing nothing but the read', async () => {
    // Prepare
    const referral = inStatus('accepted');
    const { deps, store, queue, auditLog } = await providerWork(referral);

    // Act
    const view = await run(deps, { type: 'accept' });

    // Assess
    expect(view).toMatchObject({ referralId, status: 'accepted' });
    expect(store.transitions).toEqual([]);
    expect(queue.deleted).toEqual([]);
    expect(auditLog.writes).toEqual([[recordOf(referral, 'referral.command-answered', 'accept')]]);
  });

  it('reads again after losing a race, and has one effect when the race was its own duplicate', async () => {
    // Prepare
    const { deps, store, queue, cipher } = await providerWork(leasedTo(provider));
    const acceptedMeanwhile = await sealedReferral(inStatus('accepted'), cipher);
    store.changeBeforeNextTransition(() => acceptedMeanwhile);

    // Act
    const view = await run(deps, { type: 'accept' });

    // Assess
    expect(view).toMatchObject({ status: 'accepted' });
    expect(store.racesLost).toBe(1);
    expect(store.transitions).toEqual([]);
    expect(queue.deleted).toEqual([]);
  });

  it('gives up with ConflictError when the referral keeps changing under it', async () => {
    // Prepare
    const { deps, store } = await providerWork(leasedTo(provider));
    let writes = 0;
    store.changeBeforeNextTransition(
      (current) => ({
        ...current,
        updatedAt: new Date(now.getTime() - ++writes * 1000).toISOString(),
      }),
      3,
    );

    // Act
    const running = run(deps, { type: 'accept' });

    // Assess
    await expect(running).rejects.toThrow(/kept changing/);
    expect(store.racesLost).toBe(3);
    expect(store.transitions).toEqual([]);
  });

  it('declines with a coded reason for the audit trail, the free text sealed on the referral only', async () => {
    // Prepare
    const details = 'Already working with the family through early help';
    const { deps, store, queue, cipher } = await providerWork(leasedTo(provider));

    // Act
    const view = await run(deps, { type: 'decline', reason: 'other', details });

    // Assess
    expect(view).toMatchObject({ status: 'declined', decline: { reason: 'other', details } });
    expect(store.transitions).toEqual([
      expect.objectContaining({ from: 'routed', to: 'declined', why: 'declined: other' }),
    ]);
    const { declineDetailsSealed, ...stored } = store.stored(referralId)!;
    expect(stored).toMatchObject({ status: 'declined', decline: { reason: 'other' } });
    expect(JSON.stringify(stored)).not.toContain(details);
    expect(await cipher.open('decline-details', referralId, declineDetailsSealed!)).toBe(details);
    expect(queue.deleted).toEqual(['receipt-1']);
  });

  it('has one effect for the same decline sent twice, its sealed details compared', async () => {
    // Prepare
    const decline = { type: 'decline', reason: 'other', details: 'Family moved to Devon' } as const;
    const { deps, store, queue } = await providerWork(leasedTo(provider));

    // Act
    const first = await run(deps, decline);
    const second = await run(deps, decline);

    // Assess
    expect(first).toMatchObject({ status: 'declined' });
    expect(second).toEqual(first);
    expect(store.transitions).toHaveLength(1);
    expect(queue.deleted).toEqual(['receipt-1']);
  });

  it.each([
    ['another reason', { reason: 'not-eligible' }],
    [
      'the same reason and other details',
      { reason: 'other', details: 'Already supported elsewhere' },
    ],
  ] as const)('refuses declining again with %s, never as a repeat', async (_case, again) => {
    // Prepare
    const { deps, store } = await providerWork(
      inStatus('declined', { decline: { reason: 'other', details: 'Family moved to Devon' } }),
    );

    // Act
    const running = run(deps, { type: 'decline', ...again });

    // Assess
    await expect(running).rejects.toMatchObject({
      name: 'IllegalTransitionError',
      currentStatus: 'declined',
    });
    expect(store.transitions).toEqual([]);
  });

  it('records a contact attempt and the first contact on an accepted referral', async () => {
    // Prepare
    const { deps, store } = await providerWork(
      inStatus('accepted', { milestones: { acceptedAt: '2026-11-20T22:50:00.000Z' } }),
    );

    // Act
    const view = await run(deps, attempt);

    // Assess
    expect(view).toMatchObject({
      status: 'contact-attempted',
      contactAttempts: [attemptAsRecorded],
      milestones: { firstContactAt: attempt.attemptedAt },
    });
    expect(store.transitions).toEqual([
      expect.objectContaining({
        from: 'accepted',
        to: 'contact-attempted',
        why: 'contact by phone: no-answer',
      }),
    ]);
  });

  it.each([
    ['the same attempt', attempt.attemptedAt],
    ['the same moment written with an offset', '2026-11-20T23:55:00+01:00'],
  ])('has one effect for %s sent again', async (_case, attemptedAt) => {
    // Prepare
    const { deps, store } = await providerWork(
      inStatus('contact-attempted', { contactAttempts: [attemptAsRecorded] }),
    );

    // Act
    const view = await run(deps, { ...attempt, attemptedAt });

    // Assess
    expect(view).toMatchObject({ contactAttempts: [attemptAsRecorded] });
    expect(store.transitions).toEqual([]);
  });

  it.each([
    ['before the referral was received', '2026-11-20T22:40:00.000Z'],
    ['later than now', '2026-11-20T23:30:00.000Z'],
  ])('refuses an attempt %s, naming attemptedAt', async (_case, attemptedAt) => {
    // Prepare
    const { deps, store } = await providerWork(inStatus('accepted'));

    // Act
    const running = run(deps, { ...attempt, attemptedAt });

    // Assess
    await expect(running).rejects.toBeInstanceOf(ValidationError);
    await expect(running).rejects.toMatchObject({ problems: [{ pointer: '/attemptedAt' }] });
    expect(store.transitions).toEqual([]);
  });

  it('records engagement once; the same call again writes nothing', async () => {
    // Prepare
    const { deps, store } = await providerWork(inStatus('contact-attempted'));

    // Act
    const first = await run(deps, { type: 'engage' });
    const second = await run(deps, { type: 'engage' });

    // Assess
    expect(first).toMatchObject({
      status: 'engaged',
      milestones: { engagedAt: now.toISOString() },
    });
    expect(second).toEqual(first);
    expect(store.transitions).toHaveLength(1);
  });

  it('closes with a coded outcome; the same close again writes nothing', async () => {
    // Prepare
    const { deps, store } = await providerWork(inStatus('engaged'));

    // Act
    const first = await run(deps, { type: 'close', outcome: 'completed' });
    const second = await run(deps, { type: 'close', outcome: 'completed' });

    // Assess
    expect(first).toMatchObject({ status: 'closed', closeOutcome: 'completed' });
    expect(second).toEqual(first);
    expect(store.transitions).toEqual([
      expect.objectContaining({ from: 'engaged', to: 'closed', why: 'closed: completed' }),
    ]);
  });

  it('refuses a command the status does not allow, naming the status and what it allows', async () => {
    // Prepare
    const { deps, store, queue } = await providerWork(leasedTo(provider));

    // Act
    const running = run(deps, { type: 'engage' });

    // Assess
    const refusal = await running.catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(IllegalTransitionError);
    const { currentStatus, allowed } = refusal as IllegalTransitionError;
    expect(currentStatus).toBe('routed');
    expect(allowed).toEqual(expect.arrayContaining(['accept', 'decline', 'reroute']));
    expect(allowed).not.toContain('engage');
    expect(store.transitions).toEqual([]);
    expect(queue.deleted).toEqual([]);
  });

  it('allows nothing once closed: closing again with another outcome is refused', async () => {
    // Prepare
    const { deps } = await providerWork(inStatus('closed', { closeOutcome: 'completed' }));

    // Act
    const running = run(deps, { type: 'close', outcome: 'disengaged' });

    // Assess
    await expect(running).rejects.toMatchObject({ currentStatus: 'closed', allowed: [] });
  });

  it('reroutes to another provider of its spoke, and takes it off this queue', async () => {
    // Prepare
    const { deps, store, queue } = await providerWork(leasedTo(provider));

    // Act
    const view = await run(deps, { type: 'reroute', toProviderId: otherProvider });

    // Assess
    expect(view).toMatchObject({ status: 'rerouted' });
    expect(store.transitions).toEqual([
      expect.objectContaining({
        from: 'routed',
        to: 'rerouted',
        why: `rerouted to ${otherProvider}`,
        actor: { kind: 'provider', id: provider, subject },
      }),
    ]);
    expect(store.stored(referralId)).toMatchObject({
      status: 'rerouted',
      providerId: otherProvider,
      previousProviders: [provider],
    });
    expect(store.stored(referralId)).not.toHaveProperty('lease');
    expect(queue.deleted).toEqual(['receipt-1']);
  });

  it('answers a reroute sent again by the provider that made it with the first answer, writing nothing', async () => {
    // Prepare: the first reroute was recorded, and its answer lost on the way back.
    const { deps, store, queue } = await providerWork({
      ...routedTo(otherProvider),
      status: 'rerouted',
      previousProviders: [provider],
    });

    // Act
    const view = await run(deps, { type: 'reroute', toProviderId: otherProvider });

    // Assess
    expect(view).toMatchObject({ referralId, status: 'rerouted' });
    expect(store.transitions).toEqual([]);
    expect(queue.deleted).toEqual([]);
  });

  it('answers NotFoundError to a reroute elsewhere by a provider the referral has left', async () => {
    // Prepare
    const { deps } = await providerWork({
      ...routedTo(otherProvider),
      status: 'rerouted',
      previousProviders: [provider],
    });

    // Act
    const running = run(deps, { type: 'reroute', toProviderId: 'turning-point-admit' });

    // Assess
    await expect(running).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each([
    ['a provider of another spoke', 'bristol-safer-options'],
    ['the provider it is already with', provider],
    ['a provider the partnership does not have', 'nobody-we-know'],
  ])(
    'refuses a reroute to %s, naming toProviderId and the candidates',
    async (_case, toProviderId) => {
      // Prepare
      const { deps, store, queue } = await providerWork(leasedTo(provider));

      // Act
      const refusal = await run(deps, { type: 'reroute', toProviderId }).catch(
        (error: unknown) => error,
      );

      // Assess
      expect(refusal).toBeInstanceOf(ValidationError);
      const { problems: errors } = refusal as ValidationError;
      expect(errors).toEqual([
        { pointer: '/toProviderId', detail: expect.stringContaining(otherProvider) as string },
      ]);
      expect(errors[0]!.detail).not.toContain('bristol-safer-options');
      expect(store.transitions).toEqual([]);
      expect(queue.deleted).toEqual([]);
    },
  );

  it('answers Gone to a command on an erased referral, and writes nothing', async () => {
    // Prepare
    const { deps, store } = await providerWork(erased(inStatus('accepted')));

    // Act
    const running = run(deps, { type: 'close', outcome: 'completed' });

    // Assess
    await expect(running).rejects.toBeInstanceOf(GoneError);
    expect(store.transitions).toEqual([]);
  });

  it('answers once the change is made even when the message cannot be taken off the queue', async () => {
    // Prepare
    const { deps, store, queue, log } = await providerWork(leasedTo(provider));
    queue.failDeletesWith = Object.assign(new Error('gone'), { name: 'ReceiptHandleIsInvalid' });

    // Act
    const view = await run(deps, { type: 'accept' });

    // Assess
    expect(view).toMatchObject({ status: 'accepted' });
    expect(store.transitions).toHaveLength(1);
    expect(log.lines).toContainEqual({
      level: 'warn',
      message: 'Could not remove the referral from the queue',
      attributes: [{ providerId: provider, referralId, errorName: 'ReceiptHandleIsInvalid' }],
    });
  });

  it.each([
    { status: 'routed' as const, command: { type: 'accept' } as const },
    { status: 'routed' as const, command: { type: 'decline', reason: 'no-capacity' } as const },
    { status: 'accepted' as const, command: attempt },
    { status: 'contact-attempted' as const, command: { type: 'engage' } as const },
    { status: 'engaged' as const, command: { type: 'close', outcome: 'completed' } as const },
    {
      status: 'routed' as const,
      command: { type: 'reroute', toProviderId: otherProvider } as const,
    },
  ])(
    'records the answer to $command.type as a read, after the change made by the same person',
    async ({ status, command }) => {
      // Prepare
      const referral = status === 'routed' ? leasedTo(provider) : inStatus(status);
      const { deps, store, auditLog } = await providerWork(referral);

      // Act
      await run(deps, command);

      // Assess
      expect(store.transitions).toEqual([
        expect.objectContaining({ actor: { kind: 'provider', id: provider, subject } }),
      ]);
      expect(auditLog.writes).toEqual([
        [recordOf(referral, 'referral.command-answered', command.type)],
      ]);
    },
  );

  it('fails closed once the change is made when the answer cannot be recorded; the same call again has one effect', async () => {
    // Prepare
    const { deps, store, auditLog } = await providerWork(leasedTo(provider));
    auditLog.down(1);

    // Act
    const first = run(deps, { type: 'accept' });
    await expect(first).rejects.toBeInstanceOf(AuditUnavailableError);
    const second = await run(deps, { type: 'accept' });

    // Assess
    expect(second).toMatchObject({ status: 'accepted' });
    expect(store.transitions).toHaveLength(1);
    expect(auditLog.writes).toHaveLength(1);
  });
});

describe('listProviderReferrals', () => {
  const ids = [
    referralId,
    '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a',
    '9b2e4c1d-3f5a-4e6b-8c7d-1a2b3c4d5e6f',
  ];
  /** Accepted referrals of this provider, received a minute apart, the first the newest. */
  const acceptedReferrals = () =>
    ids.map((id, n) => ({
      ...inStatus('accepted'),
      referralId: id,
      receivedAt: new Date(Date.parse('2026-11-20T22:45:00.000Z') - n * 60_000).toISOString(),
    }));

  it('lists its own referrals in one status, a page at a time, each read recorded in one write per page', async () => {
    // Prepare
    const referrals = acceptedReferrals();
    const { deps, auditLog } = await providerWork(
      ...referrals,
      inStatus('engaged', { referralId: '11111111-2222-4333-8444-555555555555' }),
      { ...routedTo(otherProvider, '66666666-7777-4888-8999-000000000000') },
    );

    // Act
    const first = await listProviderReferrals(deps, { status: 'accepted', limit: 2 });
    const second = await listProviderReferrals(deps, {
      status: 'accepted',
      limit: 2,
      ...(first.cursor ? { cursor: first.cursor } : {}),
    });

    // Assess
    expect(first.referrals.map((r) => r.referralId)).toEqual(ids.slice(0, 2));
    expect(first.cursor).toEqual(expect.any(String));
    expect(second).toEqual({
      referrals: [expect.objectContaining({ referralId: ids[2] })],
      names: expect.objectContaining({ spokes: { somerset: 'Somerset' } }),
    });
    for (const key of bookkeeping) expect(first.referrals[0]).not.toHaveProperty(key);
    expect(first.referrals[0]).toMatchObject({
      status: 'accepted',
      subject: { givenName: 'Jordan' },
    });
    expect(auditLog.writes).toEqual([
      referrals.slice(0, 2).map((r) => recordOf(r, 'referral.listed')),
      [recordOf(referrals[2]!, 'referral.listed')],
    ]);
  });

  it('records nothing for an empty page', async () => {
    // Prepare
    const { deps, auditLog } = await providerWork(routedTo(otherProvider));

    // Act
    const page = await listProviderReferrals(deps, {});

    // Assess
    expect(page.referrals).toEqual([]);
    expect(auditLog.writes).toEqual([]);
  });

  it('lists an erased referral with what is left of it and when it was erased, recording no read of it', async () => {
    // Prepare
    const { deps, auditLog } = await providerWork(
      erased(inStatus('closed', { closeOutcome: 'completed' })),
    );

    // Act
    const page = await listProviderReferrals(deps, {});

    // Assess
    expect(page.referrals).toEqual([
      expect.objectContaining({ referralId, status: 'closed', erasedAt }),
    ]);
    expect(JSON.stringify(page)).not.toContain('Jordan');
    expect(auditLog.writes).toEqual([]);
  });

  it('shows nothing of a page whose reads cannot be recorded (fail closed)', async () => {
    // Prepare
    const { deps, auditLog } = await providerWork(...acceptedReferrals());
    auditLog.down();

    // Act
    const listing = listProviderReferrals(deps, {});

    // Assess
    await expect(listing).rejects.toBeInstanceOf(AuditUnavailableError);
  });
});

describe('extendLease', () => {
  it("extends the lease holder's lease on the queue message and on the referral, recording no read", async () => {
    // Prepare
    const { deps, store, queue, auditLog } = await providerWork(
      leasedTo(provider, fiveMinutesLater),
    );

    // Act
    const lease = await extendLease(referralId, deps);

    // Assess
    expect(lease).toEqual({ expiresAt: fifteenMinutesLater });
    expect(queue.extended).toEqual([{ receiptHandle: 'receipt-1', seconds: leaseSeconds }]);
    expect(store.stored(referralId)?.lease).toEqual({
      providerId: provider,
      receiptHandle: 'receipt-1',
      expiresAt: fifteenMinutesLater,
    });
    expect(auditLog.writes).toEqual([]);
  });

  it.each([
    [
      'a lease another provider holds',
      (): Held => ({
        ...routedTo(provider),
        lease: {
          providerId: otherProvider,
          receiptHandle: 'receipt-9',
          expiresAt: fifteenMinutesLater,
        },
      }),
    ],
    ['a lease that has run out', () => leasedTo(provider, now.toISOString())],
    ['no lease at all', () => routedTo(provider)],
    ['a referral already accepted', () => inStatus('accepted')],
  ])('refuses with ConflictError and extends nothing for %s', async (_case, referral) => {
    // Prepare
    const { deps, store, queue } = await providerWork(referral());
    const before = store.stored(referralId);

    // Act
    const extending = extendLease(referralId, deps);

    // Assess
    await expect(extending).rejects.toBeInstanceOf(ConflictError);
    expect(queue.extended).toEqual([]);
    expect(store.stored(referralId)).toEqual(before);
  });

  it('refuses when the referral moved on between the read and the lease', async () => {
    // Prepare: a lease held on a referral that has since been declined (the store refuses).
    const { deps } = await providerWork({ ...leasedTo(provider), status: 'declined' });

    // Act
    const extending = extendLease(referralId, deps);

    // Assess
    await expect(extending).rejects.toThrow(/has moved on/);
  });

  it.each([
    ['another provider’s referral', () => [leasedTo(otherProvider)], NotFoundError],
    ['a referral that does not exist', () => [], NotFoundError],
    ['its own erased referral', () => [erased(leasedTo(provider))], GoneError],
  ])('answers %s as for a read', async (_case, held, expected) => {
    // Prepare
    const { deps, queue } = await providerWork(...held());

    // Act
    const extending = extendLease(referralId, deps);

    // Assess
    await expect(extending).rejects.toBeInstanceOf(expected);
    expect(queue.extended).toEqual([]);
  });
});

describe('what the provider work logs', () => {
  it('never logs personal data, whatever it does', async () => {
    // Prepare
    const { deps, queue, log } = await providerWork(leasedTo(provider));
    queue.send('{', 'bad');
    queue.send(envelope(routedTo(provider)), 'message-1');

    // Act
    await pullNextReferral(deps);
    await runProviderCommand(
      referralId,
      { type: 'decline', reason: 'other', details: 'Moved to Devon' },
      deps,
    );

    // Assess
    const logged = JSON.stringify(log.lines);
    for (const value of [...personalValuesOf('admit-friday-night.json'), 'Moved to Devon']) {
      expect(logged).not.toContain(value);
    }
    expect(log.lines.length).toBeGreaterThan(1);
  });
});
