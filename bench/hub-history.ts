/**
 * The hub benchmark's synthetic history: referrals across every spoke, pathway and provider of
 * Avon and Somerset, each a believable lifecycle (routed → accepted or declined → contacted →
 * engaged → closed, with some escalations, withdrawals and missed deadlines) as the lifecycle
 * events the projector reads. Ids and codes only, never personal data.
 */
import { randomUUID } from 'node:crypto';
import { detailTypes, type DetailType } from '#events/catalogue.ts';
import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import {
  contactHoursBuckets,
  factsOf,
  monthOf,
  type Aggregate,
  type Fact,
} from '#shared/domain/hub-metrics.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { weightedChoice } from '#local/demo-calendar.ts';
import { pick } from './stats.ts';
import {
  contactMethods,
  type CloseOutcome,
  type DeclineReason,
  type PathwayKind,
  type ReferralStatus,
} from '#events/vocabulary.ts';

/** One lifecycle event, as the projector receives it. */
export interface LifecycleEvent {
  detailType: DetailType;
  detail: ReferralEventDetail;
}

/** Where referrals land: a spoke and pathway, and its provider (none: the spoke's triage). */
export interface HistoryCell {
  spoke: string;
  pathway: PathwayKind;
  provider: string | undefined;
  /** Share of all referrals, summing to 1 over the cells. */
  share: number;
}

// Rough relative volumes: mentoring and multi-agency referrals dominate, Admit is one A&E.
const pathwayVolume: Record<PathwayKind, number> = {
  'weapons-in-schools': 10,
  'ae-teachable-moment': 15,
  admit: 10,
  'sos-mentoring': 25,
  'care-leaver-mentoring': 7,
  'drug-alcohol-young-people': 8,
  'targeted-intervention': 25,
};
const spokeVolume: Record<string, number> = {
  bristol: 35,
  somerset: 25,
  'north-somerset': 12,
  'south-gloucestershire': 15,
  'bath-ne-somerset': 13,
};

/** Every spoke and pathway of the partnership, with the provider that takes it there. */
export function historyCells(): HistoryCell[] {
  const totalPathway = Object.values(pathwayVolume).reduce((sum, n) => sum + n, 0);
  return avonAndSomerset.pathways.flatMap((pathway) => {
    const spokeTotal = pathway.spokes.reduce((sum, spoke) => sum + (spokeVolume[spoke] ?? 1), 0);
    return pathway.spokes.map((spoke) => ({
      spoke,
      pathway: pathway.id,
      provider: avonAndSomerset.providers.find(
        (provider) => provider.pathways.includes(pathway.id) && provider.spokes.includes(spoke),
      )?.id,
      share: (pathwayVolume[pathway.id] / totalPathway) * ((spokeVolume[spoke] ?? 1) / spokeTotal),
    }));
  });
}

const hourMs = 60 * 60 * 1000;
type Milestones = NonNullable<ReferralEventDetail['milestones']>;

/** A time in hours, log-normally spread around its median: most quick, a long tail. */
function hoursAround(random: () => number, medianHours: number, spread: number): number {
  const gaussian = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  return medianHours * Math.exp(spread * gaussian);
}

const declineWeights: Record<DeclineReason, number> = {
  'no-capacity': 35,
  'not-eligible': 25,
  'out-of-area': 10,
  'already-known': 20,
  other: 10,
};
const closeWeights: Record<CloseOutcome, number> = {
  completed: 55,
  disengaged: 20,
  'moved-away': 5,
  'referred-on': 10,
  'declined-support': 5,
  'safeguarding-escalated': 5,
};
// Same-shift services decide and call within hours; mentoring services within a day or two.
const decisionMedianHours = (pathway: PathwayKind) =>
  pathway === 'admit' ? 1 : pathway === 'ae-teachable-moment' ? 4 : 12;
const contactMedianHours = (pathway: PathwayKind) =>
  pathway === 'admit' ? 1 : pathway === 'ae-teachable-moment' ? 6 : 20;
// The missed-deadline events the sweep would raise (simplified: fixed hours after receipt).
const acceptDeadlineHours = 48;
const firstContactDeadlineHours = 120;

/**
 * One referral's lifecycle events, oldest first, received at `receivedAt` in `cell`. Events that
 * would happen after `now` have not happened yet, so recent referrals are still open.
 */
export function referralEvents(
  random: () => number,
  cell: HistoryCell,
  receivedAt: number,
  now: number,
): LifecycleEvent[] {
  const pathway = avonAndSomerset.pathways.find((p) => p.id === cell.pathway);
  if (!pathway) throw new Error(`No pathway ${cell.pathway}`);
  const referrerType = pick(random, pathway.referrerTypes);
  const { min, max } = pathway.eligibleAge;
  const ageYears = Math.min(25, min + Math.floor(random() * (max - min + 1)));
  // Weapons referrals escalate more often: a weapon used or its use threatened.
  const immediateEscalation = random() < (cell.pathway === 'weapons-in-schools' ? 0.15 : 0.02);
  const carried: Omit<ReferralEventDetail, 'status' | 'occurredAt' | 'milestones'> = {
    referralId: randomUUID(),
    spoke: cell.spoke,
    pathway: cell.pathway,
    ageYears,
    referrerType,
    referrerOrganisationId:
      avonAndSomerset.referrerOrganisations.find(
        (organisation) => organisation.type === referrerType && organisation.spoke === cell.spoke,
      )?.id ?? `${referrerType}-${cell.spoke}`,
    flags: {
      immediateEscalation,
      aggravatingFactors: random() < 0.2,
      eligibleAge: true,
      inStaffedWindow: true,
    },
    receivedAt: new Date(receivedAt).toISOString(),
  };
  const milestones: Milestones = {};
  const events: LifecycleEvent[] = [];
  /** Adds an event (false if it would happen after now), setting its milestone first. */
  const happen = (
    detailType: DetailType,
    status: ReferralStatus,
    at: number,
    milestone?: keyof Milestones,
    only: Partial<ReferralEventDetail> = {},
  ): boolean => {
    if (at > now) return false;
    const occurredAt = new Date(at).toISOString();
    if (milestone) milestones[milestone] = occurredAt;
    events.push({
      detailType,
      detail: { ...carried, status, occurredAt, milestones: { ...milestones }, ...only },
    });
    return true;
  };

  const routedAt = receivedAt + 2_000 + random() * 8_000;
  if (immediateEscalation) {
    // Published with the referral itself, before routing sends it to the escalation queue.
    happen(detailTypes.referralEscalated, 'received', receivedAt);
    carried.destination = { kind: 'escalation' };
    happen(detailTypes.referralRouted, 'routed', routedAt, 'routedAt');
    return events;
  }
  if (!cell.provider) {
    carried.destination = { kind: 'triage', spoke: cell.spoke };
    if (!happen(detailTypes.referralRouted, 'routed', routedAt, 'routedAt')) return events;
    if (random() < 0.04) {
      const withdrawnAt = routedAt + hoursAround(random, 48, 1) * hourMs;
      happen(detailTypes.referralWithdrawn, 'withdrawn', withdrawnAt, 'withdrawnAt');
    }
    return events;
  }

  carried.providerId = cell.provider;
  carried.destination = { kind: 'provider', providerId: cell.provider };
  if (!happen(detailTypes.referralRouted, 'routed', routedAt, 'routedAt')) return events;
  const decidedAt = routedAt + hoursAround(random, decisionMedianHours(cell.pathway), 1) * hourMs;
  if (decidedAt - receivedAt > acceptDeadlineHours * hourMs) {
    const dueAt = receivedAt + acceptDeadlineHours * hourMs;
    happen(detailTypes.referralOverdue, 'routed', dueAt, undefined, { overdue: 'accept' });
  }
  if (random() < 0.04) {
    happen(detailTypes.referralWithdrawn, 'withdrawn', decidedAt, 'withdrawnAt');
    return events;
  }
  if (random() < 0.18) {
    carried.declineReason = weightedChoice(random, declineWeights);
    happen(detailTypes.referralDeclined, 'declined', decidedAt, 'declinedAt');
    return events;
  }
  if (!happen(detailTypes.referralAccepted, 'accepted', decidedAt, 'acceptedAt')) return events;
  if (random() < 0.08) return events; // accepted, never reached

  const contactedAt =
    decidedAt + hoursAround(random, contactMedianHours(cell.pathway), 1.1) * hourMs;
  if (contactedAt - receivedAt > firstContactDeadlineHours * hourMs) {
    const dueAt = Math.max(decidedAt, receivedAt + firstContactDeadlineHours * hourMs);
    happen(detailTypes.referralOverdue, 'accepted', dueAt, undefined, { overdue: 'first-contact' });
  }
  const engages = random() < 0.62;
  carried.contact = {
    method: pick(random, contactMethods),
    result: engages ? 'reached' : pick(random, ['no-answer', 'message-left', 'refused'] as const),
  };
  if (
    !happen(
      detailTypes.referralContactAttempted,
      'contact-attempted',
      contactedAt,
      'firstContactAt',
    )
  ) {
    return events;
  }
  if (!engages) {
    if (random() < 0.5) {
      carried.closeOutcome = pick(random, ['disengaged', 'declined-support'] as const);
      const closedAt = contactedAt + hoursAround(random, 336, 0.6) * hourMs;
      happen(detailTypes.referralClosed, 'closed', closedAt, 'closedAt');
    }
    return events;
  }
  const engagedAt = contactedAt + hoursAround(random, 72, 0.9) * hourMs;
  if (!happen(detailTypes.referralEngaged, 'engaged', engagedAt, 'engagedAt')) return events;
  if (random() < 0.8) {
    carried.closeOutcome = weightedChoice(random, closeWeights);
    const closedAt = engagedAt + hoursAround(random, 60 * 24, 0.6) * hourMs;
    happen(detailTypes.referralClosed, 'closed', closedAt, 'closedAt');
  }
  return events;
}

/**
 * `count` referrals received at random instants from the start of the month `months - 1`
 * before `now`'s (UTC) up to `now`, spread over the cells by their shares: each referral's
 * events, one referral at a time.
 */
export function* referralHistory({
  count,
  months,
  now,
  random,
}: {
  count: number;
  months: number;
  now: Date;
  random: () => number;
}): Generator<LifecycleEvent[]> {
  const cells = historyCells();
  const start = Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - (months - 1), 1);
  const end = now.getTime();
  for (let i = 0; i < count; i++) {
    let left = random();
    const cell = cells.find((c) => (left -= c.share) < 0) ?? cells.at(-1);
    if (!cell) throw new Error('No cells to send referrals to');
    yield referralEvents(random, cell, start + random() * (end - start), end);
  }
}

/**
 * The aggregates a history projects to, computed in memory with the projector's own rules
 * (`factsOf`, counted once per referral and fact, in the month the referral was received).
 */
export function aggregatesOf(history: Iterable<LifecycleEvent[]>): Aggregate[] {
  const cells = new Map<string, Aggregate>();
  const emptyHistogram = () => new Array<number>(contactHoursBuckets.length + 1).fill(0);
  // Europe/London's offset is whole hours, so the month is the same within a UTC hour; reading
  // it once per hour saves about a fifth of the time of a million referrals.
  const monthByHour = new Map<number, string>();
  for (const events of history) {
    const first = events[0];
    if (!first) continue;
    const hour = Math.floor(Date.parse(first.detail.receivedAt) / hourMs);
    let month = monthByHour.get(hour);
    if (month === undefined) {
      month = monthOf(first.detail.receivedAt);
      monthByHour.set(hour, month);
    }
    const counted = new Set<Fact>();
    for (const { detailType, detail } of events) {
      for (const { fact, provider, histogram } of factsOf(detailType, detail)) {
        if (counted.has(fact)) continue;
        counted.add(fact);
        const key = `${month}#${detail.spoke}#${detail.pathway}#${provider}`;
        let aggregate = cells.get(key);
        if (!aggregate) {
          aggregate = {
            month,
            spoke: detail.spoke,
            pathway: detail.pathway,
            provider,
            counts: {},
            timeToFirstContact: emptyHistogram(),
            timeToEngagement: emptyHistogram(),
          };
          cells.set(key, aggregate);
        }
        aggregate.counts[fact] = (aggregate.counts[fact] ?? 0) + 1;
        if (histogram) {
          const buckets = aggregate[histogram.name];
          buckets[histogram.bucket] = (buckets[histogram.bucket] ?? 0) + 1;
        }
      }
    }
  }
  return [...cells.values()];
}
