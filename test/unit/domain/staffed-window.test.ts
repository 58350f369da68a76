import { describe, expect, it } from 'vitest';
import { inStaffedWindow } from '#shared/domain/staffed-window.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import type { StaffedWindow } from '#shared/partnership/schema.ts';

const admitWindow = avonAndSomerset.pathways.find((p) => p.id === 'admit')!.staffedWindows![0]!;

describe("Admit's staffed window in the config", () => {
  it('is Friday and Saturday, 18:00 to 24:00, on the London clock', () => {
    // Prepare
    const expected = {
      days: ['fri', 'sat'],
      from: '18:00',
      to: '24:00',
      timeZone: 'Europe/London',
    };

    // Act
    const window = admitWindow;

    // Assess
    expect(window).toEqual(expected);
  });
});

describe('inStaffedWindow, Admit: Friday and Saturday 18:00-24:00 Europe/London', () => {
  it.each([
    // Winter (GMT = UTC)
    ['Friday 18:00 GMT, the first minute', '2026-11-20T18:00:00Z', true],
    ['Friday 17:59 GMT', '2026-11-20T17:59:00Z', false],
    ['Friday 17:59:59 GMT', '2026-11-20T17:59:59Z', false],
    ['Friday 22:40 GMT (the Admit example)', '2026-11-20T22:40:00Z', true],
    ['Saturday 00:30 GMT, after Friday midnight', '2026-11-21T00:30:00Z', false],
    ['Saturday 17:59 GMT', '2026-11-21T17:59:00Z', false],
    ['Saturday 18:00 GMT', '2026-11-21T18:00:00Z', true],
    ['Saturday 23:59 GMT, the last minute', '2026-11-21T23:59:00Z', true],
    ['Saturday 23:59:59 GMT', '2026-11-21T23:59:59Z', true],
    ['Sunday 00:00 GMT', '2026-11-22T00:00:00Z', false],
    ['Sunday 20:00 GMT', '2026-11-22T20:00:00Z', false],
    ['Thursday 20:00 GMT', '2026-11-19T20:00:00Z', false],
    ['Monday 20:00 GMT', '2026-11-23T20:00:00Z', false],
    // Summer (BST = UTC+1)
    ['Friday 18:00 BST', '2026-06-05T17:00:00Z', true],
    ['Friday 17:59 BST (18:59 UTC would be inside on a UTC clock)', '2026-06-05T16:59:00Z', false],
    ['Saturday 23:59 BST', '2026-06-06T22:59:00Z', true],
    ['Sunday 00:30 BST (Saturday 23:30 UTC)', '2026-06-06T23:30:00Z', false],
    ['Friday 00:30 BST (Thursday 23:30 UTC)', '2026-06-04T23:30:00Z', false],
  ])('%s is %s', (_, instant, expected) => {
    // Prepare
    const at = new Date(instant);

    // Act
    const inside = inStaffedWindow(at, admitWindow);

    // Assess
    expect(inside).toBe(expected);
  });
});

describe('inStaffedWindow around the clock changes (last Sunday of March and October)', () => {
  it.each([
    // Spring 2026: clocks go forward at 01:00 UTC on Sunday 29 March.
    ['Friday 27 March 18:00 GMT', '2026-03-27T18:00:00Z', true],
    ['Friday 27 March 17:59 GMT', '2026-03-27T17:59:00Z', false],
    ['Friday 27 March 18:30 GMT', '2026-03-27T18:30:00Z', true],
    ['Saturday 28 March 23:59 GMT', '2026-03-28T23:59:00Z', true],
    ['Sunday 29 March 00:00 GMT', '2026-03-29T00:00:00Z', false],
    ['Sunday 29 March 02:30 BST, just after the change', '2026-03-29T01:30:00Z', false],
    ['Friday 3 April 18:00 BST, the first Friday of summer time', '2026-04-03T17:00:00Z', true],
    ['Friday 3 April 17:30 BST', '2026-04-03T16:30:00Z', false],
    // Autumn 2026: clocks go back at 01:00 UTC on Sunday 25 October.
    ['Friday 23 October 18:00 BST', '2026-10-23T17:00:00Z', true],
    ['Friday 23 October 17:59 BST', '2026-10-23T16:59:00Z', false],
    ['Friday 23 October 18:30 BST', '2026-10-23T17:30:00Z', true],
    ['Friday 23 October 19:30 BST', '2026-10-23T18:30:00Z', true],
    ['Friday 23 October 17:30 BST', '2026-10-23T16:30:00Z', false],
    ['Saturday 24 October 23:59 BST', '2026-10-24T22:59:00Z', true],
    ['Sunday 25 October 00:00 BST (Saturday 23:00 UTC)', '2026-10-24T23:00:00Z', false],
    ['Sunday 25 October 01:30 GMT, the repeated hour', '2026-10-25T01:30:00Z', false],
    ['Friday 30 October 18:30 GMT, the first Friday of winter time', '2026-10-30T18:30:00Z', true],
    ['Friday 30 October 17:30 GMT', '2026-10-30T17:30:00Z', false],
    ['Friday 30 October 18:00 GMT', '2026-10-30T18:00:00Z', true],
  ])('%s is %s', (_, instant, expected) => {
    // Prepare
    const at = new Date(instant);

    // Act
    const inside = inStaffedWindow(at, admitWindow);

    // Assess
    expect(inside).toBe(expected);
  });
});

describe('inStaffedWindow, other windows', () => {
  it('reads an evening window on its own time zone, not London or UTC', () => {
    // Prepare
    const newYork: StaffedWindow = {
      days: ['fri'],
      from: '18:00',
      to: '24:00',
      timeZone: 'America/New_York',
    };

    // Act
    const fridayEveningInNewYork = inStaffedWindow(new Date('2026-11-21T00:30:00Z'), newYork);
    const fridayEveningInLondon = inStaffedWindow(new Date('2026-11-20T19:00:00Z'), newYork);

    // Assess
    expect(fridayEveningInNewYork).toBe(true);
    expect(fridayEveningInLondon).toBe(false);
  });

  it('treats "to" as exclusive and "from" as inclusive', () => {
    // Prepare
    const dayShift: StaffedWindow = {
      days: ['mon', 'tue', 'wed', 'thu', 'fri'],
      from: '09:00',
      to: '17:00',
      timeZone: 'Europe/London',
    };

    // Act
    const opening = inStaffedWindow(new Date('2026-11-23T09:00:00Z'), dayShift);
    const lastMinute = inStaffedWindow(new Date('2026-11-23T16:59:00Z'), dayShift);
    const closing = inStaffedWindow(new Date('2026-11-23T17:00:00Z'), dayShift);
    const saturday = inStaffedWindow(new Date('2026-11-21T12:00:00Z'), dayShift);

    // Assess
    expect([opening, lastMinute, closing, saturday]).toEqual([true, true, false, false]);
  });

  it('takes midnight at the start of a day as 00:00, inside a window from 00:00', () => {
    // Prepare
    const earlyHours: StaffedWindow = {
      days: ['sat'],
      from: '00:00',
      to: '02:00',
      timeZone: 'Europe/London',
    };

    // Act
    const midnight = inStaffedWindow(new Date('2026-11-21T00:00:00Z'), earlyHours);
    const twoAm = inStaffedWindow(new Date('2026-11-21T02:00:00Z'), earlyHours);

    // Assess
    expect(midnight).toBe(true);
    expect(twoAm).toBe(false);
  });
});
