/**
 * The plan behind `npm run demo-data`: a synthetic year of Avon and Somerset referrals and what
 * happened to each, as a list of timed API calls. Pure and seeded: the same seed, scale, months
 * and "now" give the same plan. Nothing here talks to the runtime (see demo-data.ts).
 *
 * Volumes: targeted interventions per spoke are the DOMAIN.md figures (Q1-Q3 2020/21: B&NES 93,
 * Bristol 229, North Somerset 80, Somerset 170, South Gloucestershire 25), taken over a year;
 * Project 28 receives about 60 a year and about 60% engage (45 referred, 60% had a follow-up).
 * The documents give no volumes for the other pathways: those below are assumptions of a
 * plausible size, stated once here.
 */
import { eventSource } from '#events/catalogue.ts';
import type { Destination } from '#shared/routing/routes.ts';
import { ageInYears } from '#shared/domain/age.ts';
import type { ReferralSubmission } from '#shared/domain/intake.ts';
import { routingAttributesOf } from '#shared/domain/routing-attributes.ts';
import { wallClockOf } from '#shared/domain/working-days.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import {
  Dice,
  dayMs,
  dayOf,
  hours,
  isSchoolDay,
  isWorkday,
  londonAt,
  minuteMs,
  officeAfter,
  onMinute,
  weekdayOf,
  zone,
} from './demo-calendar.ts';
import { inAdmitWindow, submissionFor } from './demo-referrals.ts';
import { decideRoute, rulesFor } from '#shared/routing/decide.ts';
import type {
  CloseOutcome,
  ContactMethod,
  ContactResult,
  DeclineReason,
  PathwayKind,
} from '#events/vocabulary.ts';

export const demoPartnership = avonAndSomerset;

export interface DemoPlanOptions {
  /** Seed of the pseudo-random choices. */
  seed: number;
  /** Multiplies every volume (1 is a realistic year). */
  scale: number;
  /** Calendar months simulated, the current one included. */
  months: number;
  /** The end of the simulation: nothing is planned after it. */
  now: Date;
}

/** One API call of the plan that concerns a referral (`ref` numbers referrals in the plan). */
export type ReferralAction = { at: number; ref: number } & (
  | { kind: 'submit'; submission: ReferralSubmission }
  | { kind: 'accept' | 'engage'; providerId: string }
  | { kind: 'decline'; providerId: string; reason: DeclineReason; details?: string }
  | { kind: 'attempt-contact'; providerId: string; method: ContactMethod; result: ContactResult }
  | { kind: 'close'; providerId: string; outcome: CloseOutcome }
  | { kind: 'reroute'; providerId: string; toProviderId: string }
  | { kind: 'withdraw'; organisationId: string }
);

/** A provider stating its capacity (St Giles' SOS project, whose waiting list is the story). */
export interface CapacityAction {
  at: number;
  kind: 'capacity';
  providerId: string;
  status: 'open' | 'waitlist' | 'closed';
  expectedWaitDays?: number;
}

export type DemoAction = ReferralAction | CapacityAction;

export interface PlannedReferral {
  ref: number;
  spoke: string;
  pathway: PathwayKind;
  organisationId: string;
  /** Epoch milliseconds. */
  receivedAt: number;
  /** Where the spoke's routing sends it, by the same rules the bus runs. */
  destination: Destination;
  escalated: boolean;
  /** Reaches `engaged` before the end of the plan. */
  engaged: boolean;
}

export interface DemoPlan {
  /** Epoch milliseconds: 00:00 London on the first day of the first month. */
  from: number;
  /** Epoch milliseconds: "now". */
  to: number;
  /** The months simulated, "YYYY-MM", oldest first. */
  months: string[];
  referrals: PlannedReferral[];
  /** Every call, oldest first; each on a whole minute. */
  actions: DemoAction[];
}

// ---------------------------------------------------------------------------------------------
// Volumes, seasons and arrival times

interface Stream {
  pathway: PathwayKind;
  spoke: string;
  perYear: number;
  /** Relative volume by calendar month, January first; normalised to average 1. */
  season: readonly number[];
  ages: readonly [number, number];
}

const flat = [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1] as const;
// Meetings sit less in August and over Christmas; autumn is busiest.
const meetingSeason = [0.9, 1, 1.05, 0.95, 1, 1, 0.95, 0.6, 1.1, 1.2, 1.2, 0.75] as const;
// Term time only: nothing in August, little in July and December.
const termSeason = [0.9, 1, 1.1, 0.8, 1.1, 1.1, 0.7, 0, 1.1, 1.2, 1.2, 0.8] as const;
// A&E: summer evenings and the Christmas party season.
const hospitalSeason = [0.8, 0.8, 0.9, 1, 1, 1.15, 1.2, 1.25, 1, 0.95, 0.95, 1.3] as const;
// Detached youth work meets more young people outside in the long evenings.
const outreachSeason = [0.6, 0.65, 0.8, 1, 1.2, 1.35, 1.4, 1.4, 1.2, 0.9, 0.8, 0.7] as const;

/** DOMAIN.md: targeted interventions in three quarters (000:1080-1087), so ×4/3 for a year. */
const targetedThreeQuarters: Record<string, number> = {
  'bath-ne-somerset': 93,
  bristol: 229,
  'north-somerset': 80,
  somerset: 170,
  'south-gloucestershire': 25,
};

export const demoStreams: readonly Stream[] = [
  ...Object.entries(targetedThreeQuarters).map(([spoke, count]): Stream => ({
    pathway: 'targeted-intervention',
    spoke,
    perYear: (count * 4) / 3,
    season: meetingSeason,
    ages: [11, 17],
  })),
  // Project 28: 45 referred in the documented period; about 60 a year.
  {
    pathway: 'drug-alcohol-young-people',
    spoke: 'bath-ne-somerset',
    perYear: 60,
    season: outreachSeason,
    ages: [13, 19],
  },
  // Assumed volumes from here on: the documents give none.
  { pathway: 'admit', spoke: 'somerset', perYear: 96, season: hospitalSeason, ages: [13, 19] },
  {
    pathway: 'weapons-in-schools',
    spoke: 'bristol',
    perYear: 40,
    season: termSeason,
    ages: [11, 16],
  },
  {
    pathway: 'ae-teachable-moment',
    spoke: 'bristol',
    perYear: 60,
    season: hospitalSeason,
    ages: [12, 22],
  },
  {
    pathway: 'ae-teachable-moment',
    spoke: 'somerset',
    perYear: 36,
    season: hospitalSeason,
    ages: [12, 22],
  },
  { pathway: 'sos-mentoring', spoke: 'bristol', perYear: 12, season: flat, ages: [12, 19] },
  { pathway: 'sos-mentoring', spoke: 'somerset', perYear: 9, season: flat, ages: [12, 19] },
  { pathway: 'sos-mentoring', spoke: 'north-somerset', perYear: 6, season: flat, ages: [12, 19] },
  { pathway: 'sos-mentoring', spoke: 'bath-ne-somerset', perYear: 5, season: flat, ages: [12, 19] },
  {
    pathway: 'sos-mentoring',
    spoke: 'south-gloucestershire',
    perYear: 4,
    season: flat,
    ages: [12, 19],
  },
  {
    pathway: 'care-leaver-mentoring',
    spoke: 'south-gloucestershire',
    perYear: 24,
    season: flat,
    ages: [17, 21],
  },
];

/** Each spoke's multi-agency operational meeting: weekday (0 Sunday) and how many weeks apart. */
const meetings: Record<string, { weekday: number; everyWeeks: number }> = {
  bristol: { weekday: 2, everyWeeks: 1 },
  somerset: { weekday: 3, everyWeeks: 2 },
  'north-somerset': { weekday: 4, everyWeeks: 2 }, // bi-weekly (001:407)
  'bath-ne-somerset': { weekday: 2, everyWeeks: 2 },
  'south-gloucestershire': { weekday: 1, everyWeeks: 4 },
};

function isMeetingDay(spoke: string, day: number): boolean {
  const meeting = meetings[spoke];
  if (!meeting || weekdayOf(day) !== meeting.weekday || !isWorkday(day)) return false;
  const week = Math.floor((day + 3) / 7); // weeks since Monday 1969-12-29
  return week % meeting.everyWeeks === 0;
}

interface Arrival {
  at: number;
  meetingDay?: number;
}

/** When a stream's referrals of one month arrive, before `until`; fewer if there is no room. */
function arrivals(
  stream: Stream,
  days: number[],
  count: number,
  until: number,
  dice: Dice,
): Arrival[] {
  if (stream.pathway === 'targeted-intervention') {
    // The meeting agrees its cohort; the coordinator submits it that afternoon, one every 5 minutes.
    // A month whose only meeting fell on a bank holiday met on another working day.
    const meetingDays = days.filter((day) => isMeetingDay(stream.spoke, day));
    if (meetingDays.length === 0) meetingDays.push(...days.filter(isWorkday).slice(-1));
    const perMeeting = new Map<number, number>();
    for (let i = 0; i < count && meetingDays.length > 0; i++) {
      const day = dice.pick(meetingDays);
      perMeeting.set(day, (perMeeting.get(day) ?? 0) + 1);
    }
    return [...perMeeting]
      .flatMap(([day, n]) =>
        Array.from({ length: n }, (_, i) => ({
          at: londonAt(day, hours(14) + 5 * i),
          meetingDay: day,
        })),
      )
      .filter((arrival) => arrival.at < until);
  }
  const found: Arrival[] = [];
  for (let i = 0; i < count; i++) {
    for (let attempt = 0; attempt < 20; attempt++) {
      const at = arrivalTime(stream.pathway, days, dice);
      if (at !== undefined && at < until) {
        found.push({ at });
        break;
      }
    }
  }
  return found;
}

function arrivalTime(pathway: PathwayKind, days: number[], dice: Dice): number | undefined {
  const dayWhere = (fits: (day: number) => boolean) => {
    const candidates = days.filter(fits);
    return candidates.length > 0 ? dice.pick(candidates) : undefined;
  };
  const weekend = (day: number) => weekdayOf(day) === 5 || weekdayOf(day) === 6;
  switch (pathway) {
    case 'weapons-in-schools': {
      const day = dayWhere(isSchoolDay);
      return day === undefined ? undefined : londonAt(day, hours(9.5) + dice.int(0, 390));
    }
    case 'admit': {
      // Friday and Saturday evenings, when Turning Point's workers are in A&E, more often.
      if (dice.chance(0.6)) {
        const day = dayWhere(weekend);
        return day === undefined ? undefined : londonAt(day, hours(18) + dice.int(10, 340));
      }
      const day = dayWhere(() => true);
      return day === undefined ? undefined : londonAt(day, hours(15) + dice.int(0, 660));
    }
    case 'ae-teachable-moment': {
      const day = dayWhere((d) => !weekend(d) || dice.chance(0.8)) ?? dayWhere(() => true);
      return day === undefined ? undefined : londonAt(day, hours(12) + dice.int(0, 780));
    }
    case 'drug-alcohol-young-people': {
      // Detached youth work goes out Thursday to Saturday evenings.
      const day = dayWhere((d) => weekdayOf(d) >= 4 && weekdayOf(d) <= 6);
      return day === undefined ? undefined : londonAt(day, hours(18.5) + dice.int(0, 240));
    }
    default: {
      const day = dayWhere(isWorkday);
      return day === undefined ? undefined : londonAt(day, hours(9.5) + dice.int(0, 420));
    }
  }
}

// ---------------------------------------------------------------------------------------------
// What providers do

interface ProviderStyle {
  /** When the provider accepts or declines. */
  decideAt: (arrived: number, dice: Dice, staffed: boolean) => number;
  declines: number;
  declineReasons: Partial<Record<DeclineReason, number>>;
  /** After a decline for this reason, sometimes passed to another provider of the spoke. */
  reroute?: { reason: DeclineReason; chance: number; toProviderId: string };
  firstContactAt: (accepted: number, dice: Dice, staffed: boolean) => number;
  methods: Partial<Record<ContactMethod, number>>;
  /** The first attempt gets no answer. */
  firstMissed: number;
  /** Reached in the end. */
  reached: number;
  engages: number;
  engagementDays: readonly [number, number];
  /** The referrer takes it back before the provider decides. */
  withdrawn: number;
}

const providerStyles: Record<string, ProviderStyle> = {
  'turning-point-admit': {
    // In A&E on Friday and Saturday evenings: seen on the shift. Otherwise aftercare next day.
    decideAt: (arrived, dice, staffed) =>
      staffed ? arrived + dice.int(5, 25) * minuteMs : officeAfter(arrived, dice, 8, 20),
    declines: 0.08,
    declineReasons: { 'out-of-area': 2, 'already-known': 2, 'not-eligible': 2 },
    // Exploitation behind the drinking: St Giles' SOS project is the better fit.
    reroute: { reason: 'not-eligible', chance: 0.6, toProviderId: 'st-giles-sos' },
    firstContactAt: (accepted, dice, staffed) =>
      staffed ? accepted + dice.int(5, 30) * minuteMs : officeAfter(accepted, dice, 1, 20),
    methods: { phone: 5, text: 3, letter: 1 },
    firstMissed: 0.45,
    reached: 0.8,
    engages: 0.65,
    engagementDays: [14, 60],
    withdrawn: 0.02,
  },
  'bristol-safer-options': {
    decideAt: (arrived, dice) => officeAfter(arrived, dice, 2, 20),
    declines: 0.1,
    declineReasons: { 'not-eligible': 4, 'already-known': 1 },
    reroute: { reason: 'not-eligible', chance: 0.7, toProviderId: 'st-giles-sos' },
    firstContactAt: (accepted, dice) => officeAfter(accepted, dice, 4, 30),
    methods: { 'in-person': 5, phone: 4, letter: 1 },
    firstMissed: 0.25,
    reached: 0.9,
    engages: 0.8,
    engagementDays: [28, 70],
    withdrawn: 0.02,
  },
  'project-28': {
    decideAt: (arrived, dice) => officeAfter(arrived, dice, 2, 30),
    declines: 0.08,
    declineReasons: { 'not-eligible': 4, 'already-known': 4, other: 2 },
    reroute: { reason: 'not-eligible', chance: 0.7, toProviderId: 'st-giles-sos' },
    firstContactAt: (accepted, dice) => officeAfter(accepted, dice, 2, 40),
    methods: { phone: 5, text: 4, 'in-person': 2 },
    firstMissed: 0.45,
    // With the declines and withdrawals, about 60% of referrals engage (000:1053-1070).
    reached: 0.85,
    engages: 0.8,
    engagementDays: [28, 84],
    withdrawn: 0.04,
  },
  'south-glos-care-leaver-mentoring': {
    decideAt: (arrived, dice) => officeAfter(arrived, dice, 4, 48),
    declines: 0.06,
    declineReasons: { 'not-eligible': 3, 'already-known': 1 },
    reroute: { reason: 'not-eligible', chance: 0.6, toProviderId: 'st-giles-sos' },
    firstContactAt: (accepted, dice) => officeAfter(accepted, dice, 4, 48),
    methods: { phone: 4, text: 4, 'in-person': 2 },
    firstMissed: 0.35,
    reached: 0.85,
    engages: 0.8,
    engagementDays: [90, 180],
    withdrawn: 0.02,
  },
  // One peer mentor: its first contact waits for a place (see the waiting list below).
  'st-giles-sos': {
    decideAt: (arrived, dice) => officeAfter(arrived, dice, 24, 96),
    declines: 0.08,
    declineReasons: { 'not-eligible': 1, 'already-known': 1 },
    firstContactAt: (accepted, dice) => officeAfter(accepted, dice, 4, 48),
    methods: { phone: 4, text: 3, 'in-person': 3 },
    firstMissed: 0.4,
    reached: 0.85,
    engages: 0.8,
    engagementDays: [90, 180],
    withdrawn: 0.03,
  },
};

const engagedOutcomes: Partial<Record<CloseOutcome, number>> = {
  completed: 70,
  disengaged: 13,
  'referred-on': 8,
  'moved-away': 5,
  'safeguarding-escalated': 4,
};

/** Actions of one referral, kept on the minute grid and strictly in order. */
class Timeline {
  readonly actions: ReferralAction[] = [];
  #last = 0;
  constructor(readonly ref: number) {}
  add(at: number, action: DistributiveOmit<ReferralAction, 'at' | 'ref'>): number {
    const when = Math.max(onMinute(at), this.#last + minuteMs);
    this.actions.push({ ...action, at: when, ref: this.ref } as ReferralAction);
    this.#last = when;
    return when;
  }
  get last(): number {
    return this.#last;
  }
}
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

interface StintResult {
  /** Rerouted to another provider, from this moment. */
  reroutedTo?: { providerId: string; at: number };
  /** When the provider is done with it (a mentor's place comes free). */
  freeAt: number;
}

/**
 * One provider's part in a referral's life: decide, try to reach, engage, close. `place` gives
 * the moment a place comes free for a provider with a waiting list, or undefined when there is
 * none within reach (a no-capacity decline).
 */
function providerStint(
  timeline: Timeline,
  providerId: string,
  arrived: number,
  organisationId: string,
  dice: Dice,
  staffed: boolean,
  place?: (decided: number) => number | undefined,
): StintResult {
  const style = providerStyles[providerId] ?? providerStyles['project-28'];
  if (!style) throw new Error('No provider style');
  if (dice.chance(style.withdrawn)) {
    const at = timeline.add(arrived + dice.between(1, 6) * dayMs, {
      kind: 'withdraw',
      organisationId,
    });
    return { freeAt: at };
  }
  const decided = style.decideAt(arrived, dice, staffed);
  const placeAt = place?.(decided);
  const noRoom = place !== undefined && placeAt === undefined;
  if (noRoom || dice.chance(style.declines)) {
    const reason: DeclineReason = noRoom ? 'no-capacity' : dice.weighted(style.declineReasons);
    const at = timeline.add(decided, {
      kind: 'decline',
      providerId,
      reason,
      ...(reason === 'other'
        ? { details: 'Synthetic demo: already attending a service of the same kind.' }
        : {}),
    });
    const reroute = style.reroute;
    if (reroute && reroute.reason === reason && dice.chance(reroute.chance)) {
      const when = timeline.add(at + dice.int(20, 240) * minuteMs, {
        kind: 'reroute',
        providerId,
        toProviderId: reroute.toProviderId,
      });
      return { reroutedTo: { providerId: reroute.toProviderId, at: when }, freeAt: when };
    }
    return { freeAt: at };
  }
  const accepted = timeline.add(decided, { kind: 'accept', providerId });
  let attemptAt = style.firstContactAt(Math.max(accepted, placeAt ?? 0), dice, staffed);
  if (staffed) {
    // Still in the department: seen in person on the shift.
    timeline.add(attemptAt, {
      kind: 'attempt-contact',
      providerId,
      method: 'in-person',
      result: 'reached',
    });
  } else {
    const reached = dice.chance(style.reached);
    const misses = reached ? (dice.chance(style.firstMissed) ? dice.int(1, 2) : 0) : dice.int(2, 4);
    for (let i = 0; i < misses; i++) {
      const result = dice.chance(0.6) ? 'no-answer' : 'message-left';
      const method = dice.weighted({ phone: 6, text: 3, letter: 1 } as const);
      timeline.add(attemptAt, { kind: 'attempt-contact', providerId, method, result });
      attemptAt = officeAfter(timeline.last, dice, 20, 72);
    }
    if (!reached) {
      const at = timeline.add(attemptAt + dice.between(5, 14) * dayMs, {
        kind: 'close',
        providerId,
        outcome: 'disengaged',
      });
      return { freeAt: at };
    }
    timeline.add(attemptAt, {
      kind: 'attempt-contact',
      providerId,
      method: dice.weighted(style.methods),
      result: 'reached',
    });
  }
  if (!dice.chance(style.engages)) {
    const at = timeline.add(officeAfter(timeline.last, dice, 24, 120), {
      kind: 'close',
      providerId,
      outcome: 'declined-support',
    });
    return { freeAt: at };
  }
  const engaged = timeline.add(
    staffed ? timeline.last + dice.int(15, 45) * minuteMs : officeAfter(timeline.last, dice, 1, 72),
    { kind: 'engage', providerId },
  );
  const [shortest, longest] = style.engagementDays;
  const closed = timeline.add(officeAfter(engaged, dice, 24 * shortest, 24 * longest), {
    kind: 'close',
    providerId,
    outcome: dice.weighted(engagedOutcomes),
  });
  return { freeAt: closed };
}

// ---------------------------------------------------------------------------------------------
// The plan

/** Where the partnership's routing rules send a submission received at this moment: intake's decision. */
function destinationOf(submission: ReferralSubmission, receivedAt: number) {
  const age = ageInYears(submission.subject.dateOfBirth, new Date(receivedAt));
  const { attributes } = routingAttributesOf(
    submission,
    age,
    new Date(receivedAt),
    demoPartnership,
  );
  const rule = decideRoute(rulesFor(demoPartnership), eventSource(demoPartnership.id), attributes);
  return { destination: rule.destination, escalated: attributes.flags.immediateEscalation };
}

/** The months (YYYY-MM) and their London days, from `months - 1` months before `now`'s month. */
function monthsUpTo(now: Date, months: number): { month: string; days: number[] }[] {
  const today = wallClockOf(now, zone);
  return Array.from({ length: months }, (_, i) => {
    const first = new Date(Date.UTC(today.year, today.month - months + i, 1));
    const next = new Date(Date.UTC(first.getUTCFullYear(), first.getUTCMonth() + 1, 1));
    const days: number[] = [];
    for (let t = first.getTime(); t < next.getTime(); t += dayMs) days.push(t / dayMs);
    return { month: first.toISOString().slice(0, 7), days };
  });
}

/**
 * The plan: referrals per spoke, pathway and month at DOMAIN.md's rates (times `scale`), each with
 * a believable life, and St Giles' waiting list. Calls after `now` are left out, so the newest
 * referrals are still open, some of them past their deadlines.
 */
export function planDemo({ seed, scale, months, now }: DemoPlanOptions): DemoPlan {
  if (!(scale > 0) || !Number.isInteger(months) || months < 1) {
    throw new RangeError('scale must be above 0 and months a whole number from 1');
  }
  const dice = new Dice(seed);
  const to = now.getTime();
  const calendarMonths = monthsUpTo(now, months);
  const firstDay = calendarMonths[0]?.days[0] ?? dayOf(to);
  const from = londonAt(firstDay, 0);

  // Referrals: per stream and month, whole numbers carried over so totals follow the rates.
  const drafts: { stream: Stream; arrival: Arrival }[] = [];
  for (const stream of demoStreams) {
    const mean = stream.season.reduce((sum, weight) => sum + weight, 0) / 12;
    let carried = dice.next();
    for (const { days } of calendarMonths) {
      const monthStart = londonAt(days[0] ?? 0, 0);
      const monthEnd = londonAt((days.at(-1) ?? 0) + 1, 0);
      const elapsed = Math.min(1, Math.max(0, (to - monthStart) / (monthEnd - monthStart)));
      const monthIndex = new Date((days[0] ?? 0) * dayMs).getUTCMonth();
      const expected =
        (stream.perYear / 12) * ((stream.season[monthIndex] ?? 1) / mean) * scale * elapsed;
      const count = Math.floor(carried + expected);
      carried = carried + expected - count;
      const past = days.filter((day) => londonAt(day, 0) < to);
      for (const arrival of arrivals(stream, past, count, to, dice))
        drafts.push({ stream, arrival });
    }
  }
  drafts.sort((a, b) => a.arrival.at - b.arrival.at);

  const referrals: PlannedReferral[] = [];
  const timelines: Timeline[] = [];
  const waitingList: { ref: number; arrived: number; organisationId: string }[] = [];
  for (const [ref, { stream, arrival }] of drafts.entries()) {
    const age = dice.int(...stream.ages);
    const escalate = stream.pathway === 'weapons-in-schools' && dice.chance(0.12);
    const submission = submissionFor(stream.pathway, stream.spoke, arrival.at, age, dice, {
      ...(arrival.meetingDay === undefined ? {} : { meetingDay: arrival.meetingDay }),
      escalate,
    });
    const { destination, escalated } = destinationOf(submission, arrival.at);
    const organisationId = submission.referrer.organisationId;
    const timeline = new Timeline(ref);
    timeline.add(arrival.at, { kind: 'submit', submission });
    timelines.push(timeline);
    referrals.push({
      ref,
      spoke: stream.spoke,
      pathway: stream.pathway,
      organisationId,
      receivedAt: timeline.last,
      destination,
      escalated,
      engaged: false,
    });
    if (destination.kind !== 'provider') {
      // The spoke's triage decides off-system; now and then the referrer takes one back.
      if (dice.chance(0.03)) {
        timeline.add(arrival.at + dice.between(2, 20) * dayMs, {
          kind: 'withdraw',
          organisationId,
        });
      }
      continue;
    }
    if (destination.providerId === sosProvider) {
      waitingList.push({ ref, arrived: timeline.last, organisationId });
      continue;
    }
    const staffed = stream.pathway === 'admit' && inAdmitWindow(timeline.last);
    const result = providerStint(
      timeline,
      destination.providerId,
      timeline.last,
      organisationId,
      dice,
      staffed,
    );
    if (result.reroutedTo?.providerId === sosProvider) {
      waitingList.push({ ref, arrived: result.reroutedTo.at, organisationId });
    } else if (result.reroutedTo) {
      providerStint(
        timeline,
        result.reroutedTo.providerId,
        result.reroutedTo.at,
        organisationId,
        dice,
        false,
      );
    }
  }

  const capacity = sosWaitingList(waitingList, timelines, { from, to, scale, dice });
  const actions: DemoAction[] = [
    ...timelines.flatMap((timeline) => timeline.actions).filter((action) => action.at <= to),
    ...capacity,
  ].sort((a, b) => a.at - b.at || order(a) - order(b));
  const engaged = new Set(
    actions.filter((a) => a.kind === 'engage').map((a) => (a as ReferralAction).ref),
  );
  for (const referral of referrals) referral.engaged = engaged.has(referral.ref);
  return { from, to, months: calendarMonths.map((m) => m.month), referrals, actions };
}

const sosProvider = 'st-giles-sos';

/** Ties on one minute: capacity first, then by referral, so the order is total. */
const order = (action: DemoAction) => (action.kind === 'capacity' ? -1 : action.ref);

/**
 * St Giles' SOS project: one peer mentor with a handful of places. A referral waits for a place;
 * when none will come free within ten weeks it is declined for no capacity. On Mondays the
 * project states its capacity when it has changed: open, a waiting list with the expected wait,
 * or closed.
 */
function sosWaitingList(
  arrivalsAtSos: { ref: number; arrived: number; organisationId: string }[],
  timelines: Timeline[],
  { from, to, scale, dice }: { from: number; to: number; scale: number; dice: Dice },
): CapacityAction[] {
  const maxWaitMs = 70 * dayMs;
  // Places already taken when the year starts come free over its first months.
  const places = Array.from(
    { length: Math.max(1, Math.round(8 * scale)) },
    () => from + dice.between(0, 120) * dayMs,
  );
  const statements: CapacityAction[] = [];
  let stated: CapacityAction | undefined;
  const state = (at: number) => {
    const wait = Math.max(0, Math.min(...places) - at);
    const waitDays = Math.ceil(wait / dayMs / 7) * 7;
    const capacity: CapacityAction =
      wait === 0
        ? { at, kind: 'capacity', providerId: sosProvider, status: 'open' }
        : wait > maxWaitMs
          ? { at, kind: 'capacity', providerId: sosProvider, status: 'closed' }
          : {
              at,
              kind: 'capacity',
              providerId: sosProvider,
              status: 'waitlist',
              expectedWaitDays: waitDays,
            };
    // Restated when it changes: another status, or a wait two weeks longer or shorter.
    const changed =
      stated?.status !== capacity.status ||
      Math.abs((stated.expectedWaitDays ?? 0) - (capacity.expectedWaitDays ?? 0)) >= 14;
    if (changed && at <= to) {
      statements.push(capacity);
      stated = capacity;
    }
  };
  let monday = dayOf(from);
  while (weekdayOf(monday) !== 1) monday += 1;
  const queue = [...arrivalsAtSos].sort((a, b) => a.arrived - b.arrived);
  for (const arrival of queue) {
    while (londonAt(monday, hours(9)) < arrival.arrived) {
      state(londonAt(monday, hours(9)));
      monday += 7;
    }
    const timeline = timelines[arrival.ref];
    if (!timeline) continue;
    let taken = -1;
    providerStint(
      timeline,
      sosProvider,
      arrival.arrived,
      arrival.organisationId,
      dice,
      false,
      (decided) => {
        const soonest = Math.min(...places);
        if (soonest - decided > maxWaitMs) return undefined;
        taken = places.indexOf(soonest);
        return Math.max(decided, soonest);
      },
    );
    if (taken >= 0) places[taken] = Math.max(timeline.last, places[taken] ?? 0);
  }
  for (; londonAt(monday, hours(9)) <= to; monday += 7) state(londonAt(monday, hours(9)));
  return statements;
}

/** Referrals per group, e.g. `countBy(plan.referrals, (r) => r.spoke)`. */
export function countBy<T>(items: readonly T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
