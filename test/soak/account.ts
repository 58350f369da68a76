import type { Submission } from './plan.ts';

/** What one submission got back: each copy's final status and referral id. */
export interface Outcome {
  submission: Submission;
  answers: { status: number; referralId?: string }[];
}

/** A message found in a dead-letter queue. */
export interface ParkedMessage {
  queue: string;
  messageId: string;
  referralId?: string;
  /** Its identifiers, for the report. */
  summary: string;
}

/** What the soak saw at the end, once everything had settled. */
export interface Observed {
  outcomes: readonly Outcome[];
  /** Referral ids stored, each with the destination its routing decision names; delivery ids. */
  table: { referrals: ReadonlyMap<string, string | undefined>; deliveryIds: ReadonlySet<string> };
  found: {
    /** Per referral, the provider and triage queues holding it and how often each gave it out. */
    primary: ReadonlyMap<string, ReadonlyMap<string, number>>;
    /** Per referral, its messages in the escalation queue. */
    escalation: ReadonlyMap<string, number>;
    copies: { removedAtPull: number; waitingInTriageOrEscalation: number };
  };
  parkedMessages: readonly ParkedMessage[];
  poisonIds: ReadonlySet<string>;
  hubReferred: number;
}

/** The ledger's accounting: accepted = delivered + parked + in flight. */
export interface AccountedLedger {
  /** Referrals answered 2xx: distinct referral ids. */
  accepted: number;
  /** Accepted referrals in exactly the destination queue their routing names (and only there). */
  delivered: number;
  /** Accepted referrals found in a dead-letter queue and no destination. */
  parked: number;
  inFlight: number;
  deliveredTo: { provider: number; triage: number; escalation: number };
  /** Copies of a referral's message in a queue: at-least-once delivery, after the crash. */
  copies: { removedAtPull: number; waitingInTriageOrEscalation: number };
  stored: number;
  hubReferred: number;
  poison: { injected: number; parked: number };
}

/**
 * Where every referral is, from what the soak saw at the end, and every broken promise: a
 * referral answered 2xx must be stored once and sit in exactly the destination its routing
 * names, a refused one nowhere, and the dead-letter queues must hold the poison and nothing else.
 */
export function account({
  outcomes,
  table,
  found,
  parkedMessages,
  poisonIds,
  hubReferred,
}: Observed): { violations: string[]; ledger: AccountedLedger } {
  const accepted = acceptedReferrals(outcomes);
  const violations: string[] = [];
  const byReferral = new Map<string, Submission>();
  for (const { submission, answers } of outcomes) {
    const statuses = answers.map((answer) => answer.status);
    const ids = new Set(answers.map((answer) => answer.referralId));
    const name = `submission ${submission.index} (${submission.example}, ${submission.channel}${submission.defect ? `, ${submission.defect}` : ''})`;
    if (submission.defect) {
      if (!statuses.every((status) => status >= 400 && status < 500))
        violations.push(`${name} was not refused every time: ${statuses.join(', ')}`);
      continue;
    }
    const [referralId] = [...ids];
    if (!statuses.every((status) => status >= 200 && status < 300) || ids.size !== 1 || !referralId)
      violations.push(`${name} got ${statuses.join(', ')} for ${[...ids].join(', ')}`);
    if (referralId) byReferral.set(referralId, submission);
  }

  for (const referralId of table.referrals.keys())
    if (!accepted.has(referralId)) violations.push(`referral ${referralId} stored, never accepted`);
  for (const referralId of accepted)
    if (!table.referrals.has(referralId))
      violations.push(`referral ${referralId} accepted, not stored`);
  for (const { submission } of outcomes) {
    if (submission.defect && table.deliveryIds.has(submission.deliveryId))
      violations.push(`refused submission ${submission.index} left a delivery record`);
  }

  for (const messageId of poisonIds)
    if (!parkedMessages.some((message) => message.messageId === messageId))
      violations.push(`poison message ${messageId} not parked`);
  const parkedReferrals = new Set<string>();
  for (const message of parkedMessages) {
    if (poisonIds.has(message.messageId)) continue;
    if (message.referralId) parkedReferrals.add(message.referralId);
    violations.push(`${message.queue} holds a message the soak did not poison: ${message.summary}`);
  }

  let delivered = 0;
  const deliveredTo = { provider: 0, triage: 0, escalation: 0 };
  for (const [referralId, places] of found.primary) {
    if (!accepted.has(referralId))
      violations.push(`${[...places.keys()].join(', ')} holds ${referralId}, never accepted`);
  }
  for (const referralId of found.escalation.keys())
    if (!accepted.has(referralId))
      violations.push(`escalation holds ${referralId}, never accepted`);
  for (const referralId of accepted) {
    const submission = byReferral.get(referralId);
    if (!submission) continue;
    const { destination, escalated } = submission.expectation;
    const places = found.primary.get(referralId) ?? new Map<string, number>();
    const routedTo = table.referrals.get(referralId);
    if (routedTo !== destination)
      violations.push(
        `${referralId} (${submission.example}) recorded as routed to ${routedTo ?? 'nowhere'}, not ${destination}`,
      );
    if (places.size === 1 && places.has(destination)) {
      delivered++;
      deliveredTo[destination.startsWith('provider:') ? 'provider' : 'triage']++;
    } else if (places.size > 0) {
      violations.push(
        `${referralId} (${submission.example}) is in ${[...places.keys()].join(' and ')}, not only ${destination}`,
      );
    }
    if (found.escalation.has(referralId) !== escalated)
      violations.push(
        `${referralId} (${submission.example}) ${escalated ? 'missing from' : 'in'} the escalation queue`,
      );
    else if (escalated) deliveredTo.escalation++;
    if ((places.get(destination) ?? 0) > 1 && destination.startsWith('provider:'))
      violations.push(`${referralId} handed to ${destination} ${places.get(destination)} times`);
  }
  const parked = [...parkedReferrals].filter(
    (referralId) => accepted.has(referralId) && !found.primary.has(referralId),
  ).length;
  const inFlight = accepted.size - delivered - parked;
  if (inFlight !== 0) violations.push(`${inFlight} accepted referrals are still in flight`);
  if (hubReferred !== accepted.size)
    violations.push(`the hub counts ${hubReferred} referred, not ${accepted.size}`);

  return {
    violations,
    ledger: {
      accepted: accepted.size,
      delivered,
      parked,
      inFlight,
      deliveredTo,
      copies: found.copies,
      stored: table.referrals.size,
      hubReferred,
      poison: {
        injected: poisonIds.size,
        parked: parkedMessages.filter((message) => poisonIds.has(message.messageId)).length,
      },
    },
  };
}

/** The referral ids answered 2xx. */
export function acceptedReferrals(outcomes: readonly Outcome[]): Set<string> {
  return new Set(
    outcomes.flatMap(({ answers }) =>
      answers.flatMap((answer) =>
        answer.status >= 200 && answer.status < 300 && answer.referralId ? [answer.referralId] : [],
      ),
    ),
  );
}
