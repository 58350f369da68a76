/**
 * The one clock handlers read. On AWS it is the real time; only the local runtime ever moves it,
 * so `npm run demo-data` can replay a year of referrals through the real APIs (the intake and
 * providers stamp their own times, and a contact attempt may not be later than now).
 */

let localOffsetMs = 0;

/** The current time: real time, plus the local runtime's offset (always 0 on AWS). */
export function now(): Date {
  return new Date(Date.now() + localOffsetMs);
}

/**
 * Local runtime only: moves the clock `offsetMs` away from real time (0 puts it back). Nothing
 * deployed calls this; the local `PUT /_local/clock` route does.
 * @example setLocalClockOffset(Date.parse('2026-03-02T09:00:00Z') - Date.now())
 */
export function setLocalClockOffset(offsetMs: number): void {
  if (!Number.isFinite(offsetMs)) throw new RangeError('A clock offset is a finite number');
  localOffsetMs = offsetMs;
}

/** How far the clock is from real time, in milliseconds (0 unless the local runtime moved it). */
export function localClockOffset(): number {
  return localOffsetMs;
}
