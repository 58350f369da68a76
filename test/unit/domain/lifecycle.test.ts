import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  allowedCommands,
  auditReason,
  isFinal,
  nextStatus,
  type CommandType,
  type LifecycleCommand,
} from '#shared/domain/lifecycle.ts';
import {
  createReferral,
  planTransition,
  type PlannedTransition,
  type Referral,
} from '#shared/domain/referral.ts';
import { routingAttributesOf } from '#shared/domain/routing-attributes.ts';
import { IllegalTransitionError } from '#shared/errors.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { checked, fridayNight } from './submissions.ts';
import {
  closeOutcomes,
  contactMethods,
  contactResults,
  declineReasons,
  referralStatuses,
  type ReferralStatus,
} from '#events/vocabulary.ts';

/** A freshly received Admit referral, as the intake stores it. */
function receivedReferral(): Referral {
  const { submission, ageYears } = checked(exampleReferral('admit-friday-night.json'));
  return createReferral({
    referralId: randomUUID(),
    submission,
    routing: routingAttributesOf(submission, ageYears, fridayNight, avonAndSomerset),
    retentionDays: 3 * 365,
    receivedAt: fridayNight,
  });
}

/** The instant `minutes` after the referral was received. */
const minutesIn = (minutes: number) =>
  new Date(fridayNight.getTime() + minutes * 60_000).toISOString();

/** What the stores do with a plan: nothing for a repeat, the changes and new status otherwise. */
function apply(referral: Referral, command: LifecycleCommand, at: string): Referral {
  const planned = planTransition(referral, command, at);
  return planned.kind === 'repeat'
    ? referral
    : { ...referral, ...planned.changes, status: planned.to };
}

/** Runs commands one minute apart, the first one minute after the referral was received. */
function runAll(commands: LifecycleCommand[], from: Referral = receivedReferral()): Referral {
  return commands.reduce(
    (referral, command, i) => apply(referral, command, minutesIn(i + 1)),
    from,
  );
}

/** The error a plan throws, or a failure when it throws none. */
function refusal(referral: Referral, command: LifecycleCommand, at: string): unknown {
  try {
    planTransition(referral, command, at);
  } catch (error) {
    return error;
  }
  throw new Error(`${command.type} from ${referral.status} was not refused`);
}

const leaseOf = (providerId: string) => ({
  providerId,
  receiptHandle: 'receipt-handle',
  expiresAt: minutesIn(30),
});

const route = { type: 'route', providerId: 'provider-a' } satisfies LifecycleCommand;
const accept = { type: 'accept' } satisfies LifecycleCommand;
const decline = { type: 'decline', reason: 'no-capacity' } satisfies LifecycleCommand;
const firstAttempt = {
  type: 'attempt-contact',
  method: 'phone',
  result: 'no-answer',
  // Between receipt and the moment it is recorded: a contact attempt cannot be in the future.
  attemptedAt: minutesIn(1),
} satisfies LifecycleCommand;
const engage = { type: 'engage' } satisfies LifecycleCommand;
const close = { type: 'close', outcome: 'completed' } satisfies LifecycleCommand;
const rerouteToB = { type: 'reroute', toProviderId: 'provider-b' } satisfies LifecycleCommand;
const withdraw = { type: 'withdraw' } satisfies LifecycleCommand;

/** One way to reach each status from received. */
const pathTo: Record<ReferralStatus, LifecycleCommand[]> = {
  received: [],
  routed: [route],
  rerouted: [route, rerouteToB],
  accepted: [route, accept],
  declined: [route, decline],
  'contact-attempted': [route, accept, firstAttempt],
  engaged: [route, accept, engage],
  closed: [route, accept, close],
  withdrawn: [withdraw],
};

/** One command of each type that differs from everything on the paths above. */
const probes: Record<CommandType, LifecycleCommand> = {
  route: { type: 'route', providerId: 'provider-c' },
  accept: { type: 'accept' },
  decline: { type: 'decline', reason: 'other', details: 'Family moved to Cardiff last week' },
  'attempt-contact': {
    type: 'attempt-contact',
    method: 'in-person',
    result: 'reached',
    attemptedAt: minutesIn(2),
  },
  engage: { type: 'engage' },
  close: { type: 'close', outcome: 'disengaged' },
  reroute: { type: 'reroute', toProviderId: 'provider-c' },
  withdraw: { type: 'withdraw' },
};

// DESIGN.md, Lifecycle: received → routed → accepted | declined → contact-attempted* → engaged →
// closed, plus rerouted and withdrawn. Written out here independently of lifecycle.ts.
const waitingForProvider = {
  accept: 'accepted',
  decline: 'declined',
  reroute: 'rerouted',
  withdraw: 'withdrawn',
} as const;
const expectedMoves: Record<ReferralStatus, Partial<Record<CommandType, ReferralStatus>>> = {
  received: { route: 'routed', withdraw: 'withdrawn' },
  routed: waitingForProvider,
  rerouted: waitingForProvider,
  accepted: {
    'attempt-contact': 'contact-attempted',
    engage: 'engaged',
    close: 'closed',
    reroute: 'rerouted',
    withdraw: 'withdrawn',
  },
  declined: { reroute: 'rerouted', withdraw: 'withdrawn' },
  'contact-attempted': {
    'attempt-contact': 'contact-attempted',
    engage: 'engaged',
    close: 'closed',
    withdraw: 'withdrawn',
  },
  engaged: { close: 'closed' },
  closed: {},
  withdrawn: {},
};
const expectedAllowed = (status: ReferralStatus) => Object.keys(expectedMoves[status]).sort();

/** The probe commands the referral already shows: duplicates, with one effect. */
function probeIsRepeat(status: ReferralStatus, command: CommandType): boolean {
  // A routing decision arriving after the referral left `received` is a late duplicate.
  if (command === 'route') return status !== 'received';
  return (
    (command === 'accept' && status === 'accepted') ||
    (command === 'engage' && status === 'engaged') ||
    (command === 'withdraw' && status === 'withdrawn')
  );
}

const pastTense: Record<CommandType, string> = {
  route: 'routed',
  accept: 'accepted',
  decline: 'declined',
  'attempt-contact': 'contact-attempted',
  engage: 'engaged',
  close: 'closed',
  reroute: 'rerouted',
  withdraw: 'withdrawn',
};

const commandTypes = Object.keys(probes) as CommandType[];
const cells = referralStatuses.flatMap((status) =>
  commandTypes.map((command) => ({ status, command })),
);
const moves = cells.filter(({ status, command }) => expectedMoves[status][command] !== undefined);
const repeats = cells.filter(({ status, command }) => probeIsRepeat(status, command));
const refusals = cells.filter(
  ({ status, command }) =>
    expectedMoves[status][command] === undefined && !probeIsRepeat(status, command),
);

describe('the transition table', () => {
  it.each(referralStatuses)('reaches %s by its path', (status) => {
    // Prepare
    const path = pathTo[status];

    // Act
    const referral = runAll(path);

    // Assess
    expect(referral.status).toBe(status);
  });

  it('covers every status and command, each cell once', () => {
    // Prepare
    const total = referralStatuses.length * commandTypes.length;

    // Act
    const counted = moves.length + repeats.length + refusals.length;

    // Assess
    expect(commandTypes).toHaveLength(8);
    expect(counted).toBe(total);
    expect(moves).toHaveLength(22);
    expect(refusals.length).toBeGreaterThan(30);
  });

  it.each(moves)(
    'moves a $status referral on $command where DESIGN says',
    ({ status, command }) => {
      // Prepare
      const referral = runAll(pathTo[status]);

      // Act
      const planned = planTransition(referral, probes[command], minutesIn(20));

      // Assess
      expect(planned).toEqual({
        kind: 'change',
        to: expectedMoves[status][command],
        changes: expect.any(Object),
      });
    },
  );

  it.each(repeats)('takes $command on a $status referral as a repeat', ({ status, command }) => {
    // Prepare
    const referral = runAll(pathTo[status]);

    // Act
    const planned = planTransition(referral, probes[command], minutesIn(20));

    // Assess
    expect(planned).toEqual({ kind: 'repeat' });
  });

  it.each(refusals)(
    'refuses $command on a $status referral, naming what is allowed',
    ({ status, command }) => {
      // Prepare
      const referral = runAll(pathTo[status]);
      const allowed = expectedAllowed(status);

      // Act
      const error = refusal(referral, probes[command], minutesIn(20));

      // Assess
      expect(error).toBeInstanceOf(IllegalTransitionError);
      const illegal = error as IllegalTransitionError;
      expect(illegal.command).toBe(command);
      expect(illegal.currentStatus).toBe(status);
      expect([...illegal.allowed].sort()).toEqual(allowed);
      expect(illegal.message).toContain(`that is ${status} cannot be ${pastTense[command]}.`);
      if (allowed.length === 0) expect(illegal.message).toContain(`${status} is final.`);
      for (const next of allowed) expect(illegal.message).toContain(pastTense[next as CommandType]);
    },
  );

  it('words a refusal for people', () => {
    // Prepare
    const engaged = runAll(pathTo.engaged);

    // Act
    const error = refusal(engaged, accept, minutesIn(20));

    // Assess
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect((error as Error).message).toBe(
      'A referral that is engaged cannot be accepted. From engaged it can be: closed.',
    );
  });

  it.each(['closed', 'withdrawn'] as const)(
    'keeps a %s referral where it is, whatever comes',
    (status) => {
      // Prepare
      const referral = runAll(pathTo[status]);

      // Act
      const after = Object.values(probes).reduce((current, command) => {
        try {
          return apply(current, command, minutesIn(20));
        } catch {
          return current;
        }
      }, referral);

      // Assess
      expect(after).toBe(referral);
      expect(isFinal(status)).toBe(true);
      expect(allowedCommands(status)).toEqual([]);
    },
  );

  it.each(referralStatuses)('lifecycle.ts agrees with the table for %s', (status) => {
    // Prepare
    const expected = expectedMoves[status];

    // Act
    const allowed = [...allowedCommands(status)].sort();
    const next = commandTypes.map((command) => nextStatus(status, command));

    // Assess
    expect(allowed).toEqual(expectedAllowed(status));
    expect(next).toEqual(commandTypes.map((command) => expected[command]));
    expect(isFinal(status)).toBe(status === 'closed' || status === 'withdrawn');
  });
});

describe('milestones', () => {
  it('stamps routedAt and records the provider when routed', () => {
    // Prepare
    const received = receivedReferral();

    // Act
    const routed = apply(received, route, minutesIn(1));

    // Assess
    expect(routed.status).toBe('routed');
    expect(routed.providerId).toBe('provider-a');
    expect(routed.milestones).toEqual({ routedAt: minutesIn(1) });
  });

  it('routes to triage without naming a provider', () => {
    // Prepare
    const received = receivedReferral();

    // Act
    const routed = apply(received, { type: 'route' }, minutesIn(1));

    // Assess
    expect(routed.status).toBe('routed');
    expect(routed.providerId).toBeUndefined();
    expect(routed.milestones).toEqual({ routedAt: minutesIn(1) });
  });

  it('stamps acceptedAt and ends the lease on acceptance', () => {
    // Prepare
    const routed = { ...runAll([route]), lease: leaseOf('provider-a') };

    // Act
    const planned = planTransition(routed, accept, minutesIn(7));
    const accepted = apply(routed, accept, minutesIn(7));

    // Assess
    expect(planned.kind === 'change' && 'lease' in planned.changes).toBe(true);
    expect(accepted.lease).toBeUndefined();
    expect(accepted.milestones).toEqual({ routedAt: minutesIn(1), acceptedAt: minutesIn(7) });
  });

  it('stamps declinedAt and keeps the coded reason with its details', () => {
    // Prepare
    const routed = { ...runAll([route]), lease: leaseOf('provider-a') };
    const command = { type: 'decline', reason: 'other', details: 'Known to our team already' };

    // Act
    const declined = apply(routed, command as LifecycleCommand, minutesIn(4));

    // Assess
    expect(declined.status).toBe('declined');
    expect(declined.decline).toEqual({ reason: 'other', details: 'Known to our team already' });
    expect(declined.lease).toBeUndefined();
    expect(declined.milestones).toEqual({ routedAt: minutesIn(1), declinedAt: minutesIn(4) });
  });

  it('keeps no details key for a decline without details', () => {
    // Prepare
    const routed = runAll([route]);

    // Act
    const declined = apply(routed, decline, minutesIn(4));

    // Assess
    expect(declined.decline).toStrictEqual({ reason: 'no-capacity' });
  });

  it('takes firstContactAt from the first attempt, not from the clock, and keeps it', () => {
    // Prepare
    const accepted = runAll([route, accept]);
    const second = {
      type: 'attempt-contact',
      method: 'text',
      result: 'reached',
      attemptedAt: minutesIn(30),
    } satisfies LifecycleCommand;

    // Act
    const once = apply(accepted, firstAttempt, minutesIn(40));
    const twice = apply(once, second, minutesIn(50));

    // Assess
    expect(once.milestones?.firstContactAt).toBe(firstAttempt.attemptedAt);
    expect(twice.status).toBe('contact-attempted');
    expect(twice.milestones?.firstContactAt).toBe(firstAttempt.attemptedAt);
    expect(twice.contactAttempts).toEqual([
      { method: 'phone', result: 'no-answer', attemptedAt: firstAttempt.attemptedAt },
      { method: 'text', result: 'reached', attemptedAt: second.attemptedAt },
    ]);
  });

  it('stamps engagedAt and then closedAt with the outcome, keeping the earlier ones', () => {
    // Prepare
    const contacted = runAll([route, accept, firstAttempt]);

    // Act
    const engaged = apply(contacted, engage, minutesIn(60));
    const closed = apply(engaged, close, minutesIn(90));

    // Assess
    expect(engaged.milestones).toEqual({
      routedAt: minutesIn(1),
      acceptedAt: minutesIn(2),
      firstContactAt: firstAttempt.attemptedAt,
      engagedAt: minutesIn(60),
    });
    expect(closed.status).toBe('closed');
    expect(closed.closeOutcome).toBe('completed');
    expect(closed.milestones).toEqual({ ...engaged.milestones, closedAt: minutesIn(90) });
  });

  it('stamps withdrawnAt and ends the lease when the referrer withdraws', () => {
    // Prepare
    const routed = { ...runAll([route]), lease: leaseOf('provider-a') };

    // Act
    const withdrawn = apply(routed, withdraw, minutesIn(8));

    // Assess
    expect(withdrawn.status).toBe('withdrawn');
    expect(withdrawn.lease).toBeUndefined();
    expect(withdrawn.milestones).toEqual({ routedAt: minutesIn(1), withdrawnAt: minutesIn(8) });
  });

  it('never changes the referral it is given', () => {
    // Prepare
    const accepted = { ...runAll([route, accept]), lease: leaseOf('provider-a') };
    const before = structuredClone(accepted);

    // Act
    for (const command of Object.values(probes)) {
      try {
        planTransition(accepted, command, minutesIn(20));
      } catch {
        // refusals are covered by the table
      }
    }

    // Assess
    expect(accepted).toStrictEqual(before);
  });

  it.each([
    ['before the referral was received', '2026-11-19T09:00:00.000Z'],
    ['in the future', '2027-06-01T00:00:00.000Z'],
  ])('refuses a contact attempt dated %s, naming attemptedAt', (_, attemptedAt) => {
    // Prepare
    const accepted = runAll([route, accept]);

    // Act
    const act = () => planTransition(accepted, { ...firstAttempt, attemptedAt }, minutesIn(45));

    // Assess
    expect(act).toThrow(
      expect.objectContaining({
        problems: [
          {
            pointer: '/attemptedAt',
            detail: 'must be between the referral being received and now',
          },
        ],
      }),
    );
  });

  it('records an attempt in UTC, so the same moment sent with an offset is one attempt', () => {
    // Prepare
    const accepted = runAll([route, accept]);
    const utc = new Date(minutesIn(30)).toISOString();
    const withOffset = utc.replace('Z', '+00:00');
    const once = apply(accepted, { ...firstAttempt, attemptedAt: utc }, minutesIn(45));

    // Act
    const again = planTransition(once, { ...firstAttempt, attemptedAt: withOffset }, minutesIn(46));

    // Assess
    expect(again).toEqual({ kind: 'repeat' });
  });
});

describe('reroute', () => {
  it('records the provider left behind, ends the lease and restarts acceptance', () => {
    // Prepare
    const accepted = { ...runAll([route, accept]), lease: leaseOf('provider-a') };

    // Act
    const rerouted = apply(accepted, rerouteToB, minutesIn(10));

    // Assess
    expect(rerouted.status).toBe('rerouted');
    expect(rerouted.providerId).toBe('provider-b');
    expect(rerouted.previousProviders).toEqual(['provider-a']);
    expect(rerouted.lease).toBeUndefined();
    expect(rerouted.milestones).toEqual({ routedAt: minutesIn(1) });
  });

  it('clears the decline and declinedAt so the next provider starts afresh', () => {
    // Prepare
    const declined = runAll([
      route,
      { type: 'decline', reason: 'other', details: 'We only see under 16s' },
    ]);

    // Act
    const rerouted = apply(declined, rerouteToB, minutesIn(10));

    // Assess
    expect(rerouted.decline).toBeUndefined();
    expect(rerouted.milestones).toEqual({ routedAt: minutesIn(1) });
  });

  it('keeps every provider left behind, in order', () => {
    // Prepare
    const rerouted = runAll(pathTo.rerouted);

    // Act
    const again = apply(rerouted, { type: 'reroute', toProviderId: 'provider-c' }, minutesIn(10));

    // Assess
    expect(again.providerId).toBe('provider-c');
    expect(again.previousProviders).toEqual(['provider-a', 'provider-b']);
  });

  it('lists nobody as left behind when the referral went to triage', () => {
    // Prepare
    const triage = runAll([{ type: 'route' }]);

    // Act
    const rerouted = apply(triage, rerouteToB, minutesIn(10));

    // Assess
    expect(rerouted.providerId).toBe('provider-b');
    expect(rerouted.previousProviders).toEqual([]);
  });

  it('lets the new provider accept with its own acceptedAt', () => {
    // Prepare
    const rerouted = runAll([route, accept, rerouteToB]);

    // Act
    const accepted = apply(rerouted, accept, minutesIn(30));

    // Assess
    expect(accepted.status).toBe('accepted');
    expect(accepted.milestones?.acceptedAt).toBe(minutesIn(30));
  });

  it('refuses a reroute to the provider holding the referral, naming toProviderId', () => {
    // Prepare
    const accepted = runAll([route, accept]);

    // Act
    const act = () =>
      planTransition(accepted, { type: 'reroute', toProviderId: 'provider-a' }, minutesIn(10));

    // Assess
    expect(act).toThrow(
      expect.objectContaining({
        problems: [
          { pointer: '/toProviderId', detail: 'must be a provider other than the current one' },
        ],
      }),
    );
  });

  it('does not list a provider rerouted back to as left behind', () => {
    // Prepare
    const rerouted = runAll(pathTo.rerouted);

    // Act
    const back = apply(rerouted, { type: 'reroute', toProviderId: 'provider-a' }, minutesIn(10));

    // Assess
    expect(back.providerId).toBe('provider-a');
    expect(back.previousProviders ?? []).not.toContain('provider-a');
  });
});

describe('repeats have one effect', () => {
  const sameAttemptLater: LifecycleCommand[] = [route, accept, firstAttempt, engage];
  const duplicates: { name: string; path: LifecycleCommand[]; again: LifecycleCommand }[] = [
    { name: 'accept twice', path: [route, accept], again: accept },
    { name: 'the same decline', path: [route, decline], again: { ...decline } },
    {
      name: 'the same decline with its details',
      path: [route, probes.decline],
      again: { ...probes.decline },
    },
    {
      name: 'the same contact attempt',
      path: [route, accept, firstAttempt],
      again: { ...firstAttempt },
    },
    {
      name: 'the same contact attempt after engaging',
      path: sameAttemptLater,
      again: { ...firstAttempt },
    },
    { name: 'engage twice', path: [route, accept, engage], again: engage },
    { name: 'the same close outcome', path: [route, accept, close], again: { ...close } },
    { name: 'a reroute to the same provider', path: [route, rerouteToB], again: { ...rerouteToB } },
    { name: 'withdraw twice', path: [route, withdraw], again: withdraw },
    { name: 'a late routing decision', path: [route, accept], again: route },
  ];

  it.each(duplicates)('takes $name as a repeat and changes nothing', ({ path, again }) => {
    // Prepare
    const referral = runAll(path);
    const before = structuredClone(referral);

    // Act
    const planned: PlannedTransition = planTransition(referral, again, minutesIn(45));

    // Assess
    expect(planned).toEqual({ kind: 'repeat' });
    expect(apply(referral, again, minutesIn(45))).toBe(referral);
    expect(referral).toStrictEqual(before);
  });

  it('refuses a close with another outcome after closing', () => {
    // Prepare
    const closed = runAll(pathTo.closed);

    // Act
    const error = refusal(closed, { type: 'close', outcome: 'moved-away' }, minutesIn(45));

    // Assess
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect((error as IllegalTransitionError).allowed).toEqual([]);
    expect((error as Error).message).toBe(
      'A referral that is closed cannot be closed. closed is final.',
    );
    expect(closed.closeOutcome).toBe('completed');
  });

  it('refuses a decline with another reason after declining', () => {
    // Prepare
    const declined = runAll(pathTo.declined);

    // Act
    const error = refusal(declined, { type: 'decline', reason: 'not-eligible' }, minutesIn(45));

    // Assess
    expect(error).toBeInstanceOf(IllegalTransitionError);
    expect([...(error as IllegalTransitionError).allowed].sort()).toEqual(['reroute', 'withdraw']);
  });

  it('records an attempt that differs only in its result as a new attempt', () => {
    // Prepare
    const contacted = runAll(pathTo['contact-attempted']);
    const reached = { ...firstAttempt, result: 'reached' } satisfies LifecycleCommand;

    // Act
    const after = apply(contacted, reached, minutesIn(45));

    // Assess
    expect(after.contactAttempts).toHaveLength(2);
    expect(after.milestones?.firstContactAt).toBe(firstAttempt.attemptedAt);
  });
});

describe('auditReason', () => {
  const codes: { command: LifecycleCommand; reason: string | undefined }[] = [
    { command: route, reason: 'routed to provider-a' },
    { command: { type: 'route' }, reason: 'routed to triage' },
    { command: accept, reason: undefined },
    { command: probes.decline, reason: 'declined: other' },
    { command: firstAttempt, reason: 'contact by phone: no-answer' },
    { command: engage, reason: undefined },
    { command: close, reason: 'closed: completed' },
    { command: rerouteToB, reason: 'rerouted to provider-b' },
    { command: withdraw, reason: undefined },
  ];

  it.each(codes)('gives $reason for $command.type', ({ command, reason }) => {
    // Prepare
    const why = reason;

    // Act
    const given = auditReason(command);

    // Assess
    expect(given).toBe(why);
  });

  it.each(declineReasons)('never carries the details of a %s decline', (reason) => {
    // Prepare
    const details = 'Lives with his nan at 14 Elm Road, BS3 4XX';

    // Act
    const given = auditReason({ type: 'decline', reason, details });

    // Assess
    expect(given).toBe(`declined: ${reason}`);
    expect(given).not.toContain('Elm Road');
  });

  it('is made of codes and identifiers only', () => {
    // Prepare
    const commands = [...codes.map(({ command }) => command), ...Object.values(probes)];
    const vocabulary = new Set<string>([
      ...['routed', 'to', 'triage', 'declined', 'contact', 'by', 'closed', 'rerouted'],
      ...[...declineReasons, ...contactMethods, ...contactResults, ...closeOutcomes],
      ...['provider-a', 'provider-b', 'provider-c'],
    ]);

    // Act
    const reasons = commands.map(auditReason).filter((why) => why !== undefined);

    // Assess
    expect(reasons.length).toBeGreaterThan(8);
    for (const why of reasons) {
      for (const word of why.split(/:? /)) expect(vocabulary).toContain(word);
    }
  });
});
