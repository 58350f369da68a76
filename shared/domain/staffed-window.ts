import type { StaffedWindow } from '../partnership/schema.ts';

const weekdayNames = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;

/**
 * True when the instant falls inside the window, read on the window's own wall clock, so
 * "Friday 18:00-24:00 Europe/London" follows British Summer Time.
 * @example inStaffedWindow(new Date('2026-11-20T22:40:00Z'), admitWindow) // true: Friday 22:40 GMT
 */
export function inStaffedWindow(at: Date, window: StaffedWindow): boolean {
  const parts = new Intl.DateTimeFormat('en-GB', {
    timeZone: window.timeZone,
    weekday: 'short',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
  }).formatToParts(at);
  const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  const weekday = part('weekday').toLowerCase().slice(0, 3);
  const minutes = Number(part('hour')) * 60 + Number(part('minute'));
  const toMinutes = (clock: string) => {
    const [hours, mins] = clock.split(':').map(Number) as [number, number];
    return hours * 60 + mins;
  };
  if (!weekdayNames.includes(weekday as (typeof weekdayNames)[number])) return false;
  return (
    window.days.includes(weekday as StaffedWindow['days'][number]) &&
    minutes >= toMinutes(window.from) &&
    minutes < toMinutes(window.to)
  );
}
