/**
 * Time for the demo plan: seeded randomness, and London calendar days with times on them (the
 * partnership works, and the hub counts, on the Europe/London calendar).
 */
import { instantAt, wallClockOf } from '#shared/domain/working-days.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { bankHolidaysFor } from '#shared/partnership/bank-holidays.ts';

export const zone = 'Europe/London';
export const minuteMs = 60_000;
export const hourMs = 60 * minuteMs;
export const dayMs = 24 * hourMs;
const bankHolidays = new Set(bankHolidaysFor(avonAndSomerset));

/** mulberry32: small, fast and good enough for synthetic data; never for anything secret. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A key of `weights`, chosen by `random` with probability in proportion to its weight. */
export function weightedChoice<K extends string>(
  random: () => number,
  weights: Partial<Record<K, number>>,
): K {
  const entries = Object.entries(weights) as [K, number][];
  let roll = random() * entries.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [key, weight] of entries) {
    roll -= weight;
    if (roll < 0) return key;
  }
  const last = entries.at(-1);
  if (!last) throw new Error('No weights to choose from');
  return last[0];
}

/** Seeded choices: the same seed gives the same choices in the same order. */
export class Dice {
  readonly #next: () => number;
  constructor(seed: number) {
    this.#next = seededRandom(seed);
  }
  /** In [0, 1). */
  next(): number {
    return this.#next();
  }
  between(min: number, max: number): number {
    return min + (max - min) * this.#next();
  }
  /** A whole number from min to max inclusive. */
  int(min: number, max: number): number {
    return Math.floor(this.between(min, max + 1));
  }
  chance(p: number): boolean {
    return this.#next() < p;
  }
  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.#next() * items.length)];
    if (item === undefined) throw new Error('Nothing to pick from');
    return item;
  }
  /** A key, with probability in proportion to its weight. */
  weighted<K extends string>(weights: Partial<Record<K, number>>): K {
    return weightedChoice(this.#next, weights);
  }
}

// London calendar days are numbered as days since 1970-01-01 of the London date. Both lookups
// are cached by the hour: London's offset from UTC is whole hours, and the zone rules are slow.
const daysByHour = new Map<number, number>();
const instantsByHour = new Map<number, number>();

/** The London day of an instant. */
export function dayOf(at: number): number {
  const hour = Math.floor(at / hourMs);
  let day = daysByHour.get(hour);
  if (day === undefined) {
    const wall = wallClockOf(new Date(hour * hourMs), zone);
    day = Math.round(Date.UTC(wall.year, wall.month - 1, wall.day) / dayMs);
    daysByHour.set(hour, day);
  }
  return day;
}

/** The instant of a London wall time, `minutes` after midnight of the day (may run past 24:00). */
export function londonAt(day: number, minutes: number): number {
  const whole = Math.round(minutes);
  const hour = day * 24 + Math.floor(whole / 60);
  let instant = instantsByHour.get(hour);
  if (instant === undefined) {
    const date = new Date(Math.floor(hour / 24) * dayMs);
    instant = instantAt(
      {
        year: date.getUTCFullYear(),
        month: date.getUTCMonth() + 1,
        day: date.getUTCDate(),
        hour: ((hour % 24) + 24) % 24,
        minute: 0,
        second: 0,
        millisecond: 0,
      },
      zone,
    ).getTime();
    instantsByHour.set(hour, instant);
  }
  return instant + (((whole % 60) + 60) % 60) * minuteMs;
}

/** 0 is Sunday. */
export const weekdayOf = (day: number) => new Date(day * dayMs).getUTCDay();
export const isoDateOf = (day: number) => new Date(day * dayMs).toISOString().slice(0, 10);
const isWeekday = (day: number) => weekdayOf(day) >= 1 && weekdayOf(day) <= 5;
export const isWorkday = (day: number) => isWeekday(day) && !bankHolidays.has(isoDateOf(day));
export const hours = (h: number) => h * 60;

/** English school holidays, roughly (term dates differ a little by school and year). */
function isSchoolHoliday(day: number): boolean {
  const date = new Date(day * dayMs);
  const md = (date.getUTCMonth() + 1) * 100 + date.getUTCDate();
  return (
    md >= 1219 ||
    md <= 104 ||
    (md >= 214 && md <= 222) ||
    (md >= 401 && md <= 414) ||
    (md >= 525 && md <= 531) ||
    (md >= 722 && md <= 902) ||
    (md >= 1024 && md <= 1101)
  );
}
export const isSchoolDay = (day: number) => isWorkday(day) && !isSchoolHoliday(day);

/** Rounded up to a whole minute: the plan's grid, so calls sharing a minute can run together. */
export const onMinute = (at: number) => Math.ceil(at / minuteMs) * minuteMs;

/** The first office moment (working day, 09:00-17:00 London) at or after `at`. */
export function officeTimeFrom(at: number, dice: Dice): number {
  let day = dayOf(at);
  const minutes = Math.round((at - londonAt(day, 0)) / minuteMs);
  if (isWorkday(day) && minutes >= hours(9) && minutes < hours(17)) return at;
  if (isWorkday(day) && minutes < hours(9)) return londonAt(day, hours(9) + dice.int(0, 120));
  do day += 1;
  while (!isWorkday(day));
  return londonAt(day, hours(9) + dice.int(0, 150));
}

/** Some hours after `at`, moved into office hours. */
export const officeAfter = (at: number, dice: Dice, minHours: number, maxHours: number) =>
  officeTimeFrom(at + dice.between(minHours, maxHours) * hourMs, dice);
