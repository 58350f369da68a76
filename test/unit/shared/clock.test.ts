import { afterEach, describe, expect, it, vi } from 'vitest';
import { localClockOffset, now, setLocalClockOffset } from '#shared/clock.ts';

afterEach(() => {
  setLocalClockOffset(0);
  vi.useRealTimers();
});

describe('the clock handlers read', () => {
  it('is real time until the local runtime moves it, and real again when put back', () => {
    // Prepare
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-23T12:00:00Z'));
    const before = now().toISOString();

    // Act
    setLocalClockOffset(Date.parse('2026-03-02T09:00:00Z') - Date.now());
    const moved = now().toISOString();
    setLocalClockOffset(0);
    const after = now().toISOString();

    // Assess
    expect(before).toBe('2026-11-23T12:00:00.000Z');
    expect(moved).toBe('2026-03-02T09:00:00.000Z');
    expect(after).toBe('2026-11-23T12:00:00.000Z');
    expect(localClockOffset()).toBe(0);
  });

  it('refuses an offset that is not a finite number', () => {
    // Act
    const set = () => setLocalClockOffset(Number.NaN);

    // Assess
    expect(set).toThrow(RangeError);
    expect(localClockOffset()).toBe(0);
  });
});
