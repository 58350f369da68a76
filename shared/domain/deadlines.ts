import { deadlineKinds, type DeadlineKind } from '#events/vocabulary.ts';
import { defaultPathwayDeadlines } from '../partnership/schema.ts';
import type { Pathway, StaffedWindow } from '../partnership/schema.ts';
import type { ResponseExpected } from './routing-attributes.ts';
import { inStaffedWindow } from './staffed-window.ts';
import { addWorkingDays, instantAt, wallClockOf } from './working-days.ts';

/** When a provider must have accepted a referral and made the first contact attempt. */
export interface Deadlines {
  /** ISO instant. */
  acceptBy: string;
  /** ISO instant. */
  firstContactBy: string;
}

/** The wall clock and calendar working-day deadlines are counted on unless told otherwise. */
export const deadlineTimeZone = 'Europe/London';

export interface DeadlinesInput {
  receivedAt: Date;
  pathway: Pick<Pathway, 'staffedWindows' | 'deadlines'>;
  responseExpected: ResponseExpected;
  /** ISO dates that are not working days: `bankHolidaysFor(partnership)`. */
  bankHolidays: readonly string[];
  /** Time zone working days are counted in; Europe/London when absent. */
  timeZone?: string;
}

/**
 * A referral's deadlines. Same-shift (received inside a staffed window): accept and first contact
 * both by the end of that window, e.g. Admit received Friday 22:40 London is due Friday 24:00
 * London. Otherwise working days counted from receipt (see working-days.ts), as the pathway sets
 * them or by default accept within 1 and first contact within 2. A same-shift referral whose
 * window is no longer in the config falls back to working days rather than going without.
 * @example deadlinesFor({ receivedAt: new Date('2026-11-20T22:40:00Z'), pathway: admit, responseExpected: 'same-shift', bankHolidays })
 *   // { acceptBy: '2026-11-21T00:00:00.000Z', firstContactBy: '2026-11-21T00:00:00.000Z' }
 */
export function deadlinesFor({
  receivedAt,
  pathway,
  responseExpected,
  bankHolidays,
  timeZone = deadlineTimeZone,
}: DeadlinesInput): Deadlines {
  if (responseExpected === 'same-shift') {
    const shiftEnds = endOfStaffedWindow(receivedAt, pathway.staffedWindows ?? []);
    if (shiftEnds) {
      const due = shiftEnds.toISOString();
      return { acceptBy: due, firstContactBy: due };
    }
  }
  const calendar = { timeZone, bankHolidays };
  const accept =
    pathway.deadlines?.acceptWithinWorkingDays ?? defaultPathwayDeadlines.acceptWithinWorkingDays;
  const firstContact =
    pathway.deadlines?.firstContactWithinWorkingDays ??
    defaultPathwayDeadlines.firstContactWithinWorkingDays;
  return {
    acceptBy: addWorkingDays(receivedAt, accept, calendar).toISOString(),
    firstContactBy: addWorkingDays(receivedAt, firstContact, calendar).toISOString(),
  };
}

/**
 * When the staffed window the instant falls in ends, on that window's own wall clock ("24:00" is
 * midnight at the end of the day); the latest end if windows overlap; undefined outside them all.
 * @example endOfStaffedWindow(new Date('2026-10-24T18:30:00Z'), [admitWindow]) // 2026-10-24T23:00:00.000Z: Saturday 24:00 BST
 */
export function endOfStaffedWindow(at: Date, windows: readonly StaffedWindow[]): Date | undefined {
  const ends = windows
    .filter((window) => inStaffedWindow(at, window))
    .map((window) => {
      const today = wallClockOf(at, window.timeZone);
      const [hour, minute] = window.to.split(':').map(Number) as [number, number];
      // "24:00" is 00:00 the next day; the calendar carries day, month and year over.
      const end = new Date(0);
      end.setUTCFullYear(today.year, today.month - 1, today.day + (hour === 24 ? 1 : 0));
      return instantAt(
        {
          year: end.getUTCFullYear(),
          month: end.getUTCMonth() + 1,
          day: end.getUTCDate(),
          hour: hour % 24,
          minute,
          second: 0,
          millisecond: 0,
        },
        window.timeZone,
      );
    });
  if (ends.length === 0) return undefined;
  return new Date(Math.max(...ends.map((end) => end.getTime())));
}

/** What `overdueChecks` reads of a referral. */
export interface DeadlineTracked {
  /** The lifecycle status: only routed, rerouted and accepted referrals can be overdue. */
  status: string;
  deadlines: Deadlines;
  /** Deadlines already flagged as missed, with the ISO instant each was flagged. */
  overdue?: Partial<Record<DeadlineKind, string>>;
}

/** The statuses in which each deadline is still to be met. */
// A referral still `received` past a deadline is stuck before routing: overdue all the same.
const awaiting: Record<DeadlineKind, readonly string[]> = {
  accept: ['received', 'routed', 'rerouted'],
  // Accepted but no contact attempt yet.
  'first-contact': ['received', 'routed', 'rerouted', 'accepted'],
};

/**
 * The deadlines a referral has missed by `now` that are not flagged yet: accept while it is routed
 * or rerouted and past `acceptBy`; first contact while it is routed, rerouted or accepted and past
 * `firstContactBy`. A deadline is met up to and including its instant.
 * @example overdueChecks({ status: 'accepted', deadlines }, new Date('2026-11-26T00:00:00Z')) // ['first-contact']
 */
export function overdueChecks(referral: DeadlineTracked, now: Date): DeadlineKind[] {
  const dueAt: Record<DeadlineKind, string> = {
    accept: referral.deadlines.acceptBy,
    'first-contact': referral.deadlines.firstContactBy,
  };
  return deadlineKinds.filter(
    (kind) =>
      awaiting[kind].includes(referral.status) &&
      referral.overdue?.[kind] === undefined &&
      now.getTime() > Date.parse(dueAt[kind]),
  );
}
