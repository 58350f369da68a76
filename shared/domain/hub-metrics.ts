/**
 * The hub's metrics, pure: which facts each lifecycle event establishes about a referral, and how
 * the aggregates those facts build up are read back as counts, rates and times. No AWS, no clock.
 *
 * An aggregate is one cell (month received, spoke, pathway, provider) of counts and histograms.
 * It holds ids, codes and numbers only: never a referral id, a name or free text.
 *
 * Counting rules (the caller keeps, per referral, the set of fact names already counted):
 * - Every fact of a referral is counted in the month the referral was received (Europe/London),
 *   so late or repeated events land in the same cell and never count twice.
 * - A fact's name is the same whichever provider it happens at. So a referral rerouted from one
 *   provider to another and accepted by both counts one `accepted`, at the first provider to
 *   accept; `referred` is counted at the provider the referral was first routed to (or `triage`).
 *   Rates therefore read "share of referrals that were ever accepted / engaged".
 * - Coded facts (`declined:no-capacity`, `closed:completed`) are counted once per referral and
 *   code: a referral declined by two providers for two different reasons counts one `declined`
 *   and one of each reason, so decline reasons can add up to more than `declined`.
 */
import type { ReferralEventDetail } from '#events/referral-lifecycle.ts';
import { wallClockOf } from './working-days.ts';
import {
  closeOutcomes,
  declineReasons,
  type CloseOutcome,
  type DeclineReason,
  type ReferralStatus,
} from '#events/vocabulary.ts';

/** The provider key of facts about a referral that has no provider (triage, escalation). */
export const noProvider = 'triage';

/**
 * Upper bounds, in hours, of the time histograms' buckets. A time falls in the first bucket whose
 * bound it does not exceed (exactly 24 hours is in the 24-hour bucket); beyond the last bound is
 * one overflow bucket, so a histogram has `contactHoursBuckets.length + 1` entries.
 */
export const contactHoursBuckets = [1, 4, 8, 24, 48, 72, 120, 168, 336, 720] as const;

/** How a time beyond the last bucket bound reads: "more than 720 hours". */
export const overflowHours = `>${contactHoursBuckets[contactHoursBuckets.length - 1]}` as const;

/** A percentile reading in hours: a bucket bound, `overflowHours`, or null when nothing to read. */
export type HoursReading = number | typeof overflowHours | null;

/** The time zone a referral's month is read in. */
export const metricsTimeZone = 'Europe/London';

/** What can be counted about a referral, once each. */
export type Fact =
  | 'referred'
  | 'triaged'
  | 'escalated'
  | 'accepted'
  | 'declined'
  | `declined:${DeclineReason}`
  | 'contacted'
  | 'engaged'
  | 'closed'
  | `closed:${CloseOutcome}`
  | 'withdrawn'
  | 'overdue:accept'
  | 'overdue:first-contact';

export type HistogramName = 'timeToFirstContact' | 'timeToEngagement';

/**
 * Where a referral stands now, for the hub's waiting lists. Unlike facts, a referral moves from
 * stage to stage (and provider to provider): it is in at most one at a time, and in none once
 * closed or withdrawn.
 */
export const stages = [
  'awaiting-decision',
  'awaiting-first-contact',
  'awaiting-engagement',
  'engaged',
  'declined-awaiting-reroute',
] as const;
export type Stage = (typeof stages)[number];

const stageOfStatus: Record<ReferralStatus, Stage | undefined> = {
  received: undefined, // not routed yet: nobody's list
  routed: 'awaiting-decision',
  rerouted: 'awaiting-decision',
  accepted: 'awaiting-first-contact',
  'contact-attempted': 'awaiting-engagement',
  engaged: 'engaged',
  declined: 'declined-awaiting-reroute',
  closed: undefined,
  withdrawn: undefined,
};

/** The stage a referral in this status is in, or undefined when it is on no list. */
export function stageOf(status: ReferralStatus): Stage | undefined {
  return stageOfStatus[status];
}

/** What an aggregate counts: facts (once per referral) and referrals in each stage now. */
export type CountKey = Fact | `stage:${Stage}`;

/** One fact an event establishes, the provider it is counted at, and the time it adds, if any. */
export interface ProjectedFact {
  fact: Fact;
  provider: string;
  histogram?: { name: HistogramName; bucket: number };
}

/** The part of an event's detail the facts are read from. */
export type FactSource = Pick<
  ReferralEventDetail,
  'providerId' | 'destination' | 'declineReason' | 'closeOutcome' | 'overdue' | 'receivedAt'
> & { milestones?: ReferralEventDetail['milestones'] };

const hourMs = 60 * 60 * 1000;

/**
 * The facts a lifecycle event establishes about its referral, each to be counted once per
 * referral by the caller. Events that establish nothing (received, rerouted, unknown) give [].
 *
 * - `referral.routed`: `referred`, and `triaged` when the route's destination is a spoke's triage.
 * - `referral.escalated`: `escalated`.
 * - `referral.accepted`: `accepted`. `referral.withdrawn`: `withdrawn`.
 * - `referral.declined`: `declined` and `declined:<reason>`.
 * - `referral.contact-attempted`: `contacted` (a first contact attempt, whatever its result), with
 *   the hours from receipt to the first attempt.
 * - `referral.engaged`: `engaged`, with the hours from receipt to engagement.
 * - `referral.closed`: `closed` and `closed:<outcome>`.
 * - `referral.overdue`: `overdue:accept` or `overdue:first-contact`.
 *
 * A time is left out when a milestone is missing or not a date; one before receipt (clock skew)
 * falls in the first bucket.
 */
export function factsOf(detailType: string, detail: FactSource): ProjectedFact[] {
  const provider = detail.providerId ?? noProvider;
  const at = (...facts: Fact[]): ProjectedFact[] => facts.map((fact) => ({ fact, provider }));
  switch (detailType) {
    case 'referral.routed':
      return at('referred', ...(detail.destination?.kind === 'triage' ? ['triaged' as const] : []));
    case 'referral.escalated':
      return at('escalated');
    case 'referral.accepted':
      return at('accepted');
    case 'referral.declined':
      return at(
        'declined',
        ...(detail.declineReason ? [`declined:${detail.declineReason}` as const] : []),
      );
    case 'referral.contact-attempted':
      return [
        timed(
          'contacted',
          provider,
          'timeToFirstContact',
          detail,
          detail.milestones?.firstContactAt,
        ),
      ];
    case 'referral.engaged':
      return [timed('engaged', provider, 'timeToEngagement', detail, detail.milestones?.engagedAt)];
    case 'referral.closed':
      return at(
        'closed',
        ...(detail.closeOutcome ? [`closed:${detail.closeOutcome}` as const] : []),
      );
    case 'referral.withdrawn':
      return at('withdrawn');
    case 'referral.overdue':
      return detail.overdue ? at(`overdue:${detail.overdue}`) : [];
    default:
      return [];
  }
}

function timed(
  fact: Fact,
  provider: string,
  name: HistogramName,
  detail: FactSource,
  milestone: string | undefined,
): ProjectedFact {
  const elapsedMs = milestone ? Date.parse(milestone) - Date.parse(detail.receivedAt) : NaN;
  return Number.isFinite(elapsedMs)
    ? { fact, provider, histogram: { name, bucket: bucketOf(elapsedMs / hourMs) } }
    : { fact, provider };
}

/**
 * The histogram bucket a time in hours falls in: the first whose upper bound it does not exceed,
 * or the overflow bucket (`contactHoursBuckets.length`) beyond the last bound. Negative times fall
 * in the first bucket; a time that is not a number is refused.
 */
export function bucketOf(hours: number): number {
  if (Number.isNaN(hours)) throw new RangeError('The time in hours is not a number');
  const bucket = contactHoursBuckets.findIndex((bound) => hours <= bound);
  return bucket === -1 ? contactHoursBuckets.length : bucket;
}

/** The month ("2026-04") an instant falls in on the Europe/London calendar. */
export function monthOf(receivedAt: string): string {
  const { year, month } = wallClockOf(new Date(receivedAt), metricsTimeZone);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
}

export type Quarter = 1 | 2 | 3 | 4;

/**
 * A quarter of a financial year, as the partnership reports them (DOMAIN.md quotes "Q1-Q3
 * 2020/21"): the year starts in April, so "2026/27 Q1" is April to June 2026 and "2026/27 Q4"
 * is January to March 2027. `year` is the year the financial year starts in.
 */
export function quarterLabel(year: number, quarter: Quarter): string {
  const next = String((year + 1) % 100).padStart(2, '0');
  return `${String(year).padStart(4, '0')}/${next} Q${quarter}`;
}

/** The financial quarter a month ("2026-05") falls in: "2026/27 Q1". */
export function quarterOf(month: string): string {
  const [year = 0, monthNumber = 0] = month.split('-').map(Number);
  const startsIn = monthNumber >= 4 ? year : year - 1;
  const quarter = (Math.floor(((monthNumber + 8) % 12) / 3) + 1) as Quarter;
  return quarterLabel(startsIn, quarter);
}

/** The three months (YYYY-MM) of quarter `quarter` of the financial year starting in `year`. */
export function quarterMonths(year: number, quarter: Quarter): string[] {
  return [0, 1, 2].map((i) => {
    const fromApril = (quarter - 1) * 3 + i; // 0 is April, 11 is March of the next year
    const calendarYear = year + Math.floor((fromApril + 3) / 12);
    const month = ((fromApril + 3) % 12) + 1;
    return `${String(calendarYear).padStart(4, '0')}-${String(month).padStart(2, '0')}`;
  });
}

/** The counts and times of one cell: referrals received in a month, by spoke, pathway, provider. */
export interface Aggregate {
  month: string;
  spoke: string;
  pathway: string;
  provider: string;
  counts: Partial<Record<CountKey, number>>;
  /** Referrals per bucket of `contactHoursBuckets`, overflow last. */
  timeToFirstContact: number[];
  timeToEngagement: number[];
}

/**
 * The p-th percentile (0 to 100) of a histogram, by nearest rank, as the upper bound in hours of
 * the bucket it falls in: "90% were contacted within 24 hours". `Infinity` when it falls in the
 * overflow bucket; undefined when the histogram is empty.
 */
export function percentileHours(histogram: readonly number[], p: number): number | undefined {
  if (!(p >= 0 && p <= 100)) throw new RangeError('A percentile is from 0 to 100');
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return undefined;
  const rank = Math.max(1, Math.ceil((p / 100) * total));
  let seen = 0;
  for (const [bucket, count] of histogram.entries()) {
    seen += count;
    if (seen >= rank) return contactHoursBuckets[bucket] ?? Infinity;
  }
  return Infinity;
}

/** A percentile as it is reported: `overflowHours` for the overflow bucket, null for no data. */
export function hoursReading(histogram: readonly number[], p: number): HoursReading {
  const hours = percentileHours(histogram, p);
  if (hours === undefined) return null;
  return hours === Infinity ? overflowHours : hours;
}

export const groupings = ['spoke', 'pathway', 'provider', 'month', 'quarter'] as const;
export type GroupBy = (typeof groupings)[number];

/** Which aggregates to read: months inclusive ("YYYY-MM"), and one spoke, pathway or provider. */
export interface MetricsFilter {
  from?: string;
  to?: string;
  spoke?: string;
  pathway?: string;
  provider?: string;
}

export interface TimeReadings {
  median: HoursReading;
  p90: HoursReading;
}

/** One row of the hub's metrics: the referrals of one group, counted from aggregates only. */
export interface MetricsRow {
  group: Partial<Record<GroupBy, string>>;
  referred: number;
  triaged: number;
  escalated: number;
  accepted: number;
  declined: number;
  declineReasons: Record<DeclineReason, number>;
  contacted: number;
  engaged: number;
  closed: number;
  outcomes: Record<CloseOutcome, number>;
  withdrawn: number;
  overdue: { accept: number; firstContact: number };
  /** Of these referrals, how many are in each stage now: the waiting lists, as counts. */
  current: {
    awaitingDecision: number;
    awaitingFirstContact: number;
    awaitingEngagement: number;
    engaged: number;
    declinedAwaitingReroute: number;
  };
  /** accepted / referred, to 3 decimals; null when nothing was referred. */
  acceptanceRate: number | null;
  /** engaged / referred, to 3 decimals; null when nothing was referred. */
  engagementRate: number | null;
  timeToFirstContactHours: TimeReadings;
  timeToEngagementHours: TimeReadings;
}

/** A ratio to 3 decimals, or null when there is nothing to divide by. */
export function rate(count: number, of: number): number | null {
  return of > 0 ? Math.round((count / of) * 1000) / 1000 : null;
}

function matches(aggregate: Aggregate, filter: MetricsFilter): boolean {
  return (
    (filter.from === undefined || aggregate.month >= filter.from) &&
    (filter.to === undefined || aggregate.month <= filter.to) &&
    (filter.spoke === undefined || aggregate.spoke === filter.spoke) &&
    (filter.pathway === undefined || aggregate.pathway === filter.pathway) &&
    (filter.provider === undefined || aggregate.provider === filter.provider)
  );
}

function groupValue(aggregate: Aggregate, by: GroupBy): string {
  return by === 'quarter' ? quarterOf(aggregate.month) : aggregate[by];
}

function addInto(into: number[], histogram: readonly number[]): void {
  for (const [bucket, count] of histogram.entries()) {
    if (bucket < into.length) into[bucket] = (into[bucket] ?? 0) + (count || 0);
  }
}

function rowOf(
  group: Partial<Record<GroupBy, string>>,
  aggregates: readonly Aggregate[],
): MetricsRow {
  const counts = new Map<CountKey, number>();
  const firstContact = new Array<number>(contactHoursBuckets.length + 1).fill(0);
  const engagement = new Array<number>(contactHoursBuckets.length + 1).fill(0);
  for (const aggregate of aggregates) {
    const entries = Object.entries(aggregate.counts) as [CountKey, number | undefined][];
    for (const [key, count] of entries) counts.set(key, (counts.get(key) ?? 0) + (count ?? 0));
    addInto(firstContact, aggregate.timeToFirstContact);
    addInto(engagement, aggregate.timeToEngagement);
  }
  const count = (key: CountKey) => counts.get(key) ?? 0;
  const referred = count('referred');
  return {
    group,
    referred,
    triaged: count('triaged'),
    escalated: count('escalated'),
    accepted: count('accepted'),
    declined: count('declined'),
    declineReasons: Object.fromEntries(
      declineReasons.map((reason) => [reason, count(`declined:${reason}`)]),
    ) as Record<DeclineReason, number>,
    contacted: count('contacted'),
    engaged: count('engaged'),
    closed: count('closed'),
    outcomes: Object.fromEntries(
      closeOutcomes.map((outcome) => [outcome, count(`closed:${outcome}`)]),
    ) as Record<CloseOutcome, number>,
    withdrawn: count('withdrawn'),
    overdue: { accept: count('overdue:accept'), firstContact: count('overdue:first-contact') },
    current: {
      awaitingDecision: count('stage:awaiting-decision'),
      awaitingFirstContact: count('stage:awaiting-first-contact'),
      awaitingEngagement: count('stage:awaiting-engagement'),
      engaged: count('stage:engaged'),
      declinedAwaitingReroute: count('stage:declined-awaiting-reroute'),
    },
    acceptanceRate: rate(count('accepted'), referred),
    engagementRate: rate(count('engaged'), referred),
    timeToFirstContactHours: {
      median: hoursReading(firstContact, 50),
      p90: hoursReading(firstContact, 90),
    },
    timeToEngagementHours: {
      median: hoursReading(engagement, 50),
      p90: hoursReading(engagement, 90),
    },
  };
}

/**
 * The hub's metrics: the aggregates that match the filter, summed per group (a calendar quarter
 * is "2026-Q2"), one row per group present, sorted by the group's values in `groupBy` order.
 * With no grouping, one row of totals, which is all zeros when nothing matches.
 */
export function summarise(
  aggregates: readonly Aggregate[],
  filter: MetricsFilter,
  groupBy: readonly GroupBy[],
): MetricsRow[] {
  const keys = [...new Set(groupBy)];
  const groups = new Map<string, { values: string[]; members: Aggregate[] }>();
  for (const aggregate of aggregates) {
    if (!matches(aggregate, filter)) continue;
    const values = keys.map((by) => groupValue(aggregate, by));
    const id = JSON.stringify(values);
    const group = groups.get(id) ?? { values, members: [] };
    group.members.push(aggregate);
    groups.set(id, group);
  }
  if (keys.length === 0 && groups.size === 0) return [rowOf({}, [])];
  return [...groups.values()]
    .sort((a, b) => compareValues(a.values, b.values))
    .map(({ values, members }) =>
      rowOf(Object.fromEntries(keys.map((by, i) => [by, values[i]])), members),
    );
}

function compareValues(a: readonly string[], b: readonly string[]): number {
  for (const [i, value] of a.entries()) {
    const other = b[i] ?? '';
    if (value !== other) return value < other ? -1 : 1;
  }
  return 0;
}
