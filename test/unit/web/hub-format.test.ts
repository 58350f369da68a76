import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { avonAndSomerset } from '#shared/partnership/avon-and-somerset.ts';
import { declineReasons } from '#events/vocabulary.ts';

/** The dashboard's browser module, which needs no DOM: imported as the browser would. */
interface HubFormat {
  spokeNames: Record<string, string>;
  pathwayNames: Record<string, string>;
  providerNames: Record<string, string>;
  partnershipNames: Record<string, string>;
  declineReasonNames: Record<string, string>;
  formatCount: (value: unknown) => string;
  formatRate: (value: unknown) => string;
  ratePercent: (value: unknown) => number | null;
  formatHours: (reading: unknown) => string;
  hoursValue: (reading: unknown) => number | null;
  monthName: (month: string, options?: { short?: boolean }) => string;
  periodName: (from: string, to: string) => string;
  monthsBetween: (from: string, to: string) => string[];
  returnPeriodOf: (label: string) => string | undefined;
}

const modulePath = path.resolve(import.meta.dirname, '..', '..', '..', 'web', 'hub', 'format.js');
const format = (await import(pathToFileURL(modulePath).href)) as HubFormat;

const byId = (list: readonly { id: string; name: string }[]) =>
  Object.fromEntries(list.map(({ id, name }) => [id, name]));

describe("the hub dashboard's words and numbers", () => {
  it('names spokes, pathways, providers and the partnership as its configuration does', () => {
    // Act
    const { triage, ...providers } = format.providerNames;

    // Assess
    expect(format.spokeNames).toEqual(byId(avonAndSomerset.spokes));
    expect(format.pathwayNames).toEqual(byId(avonAndSomerset.pathways));
    expect(providers).toEqual(byId(avonAndSomerset.providers));
    expect(triage).toBe('Triage (no provider)');
    expect(format.partnershipNames).toEqual({ [avonAndSomerset.id]: avonAndSomerset.name });
    expect(Object.keys(format.declineReasonNames)).toEqual([...declineReasons]);
  });

  it('reads a time as hours, "over 720 hours" for the overflow and "no data" for nothing, never NaN', () => {
    // Prepare
    const readings = [1, 24, 720, '>720', null, undefined, Number.NaN, 'soon', {}];

    // Act
    const words = readings.map(format.formatHours);
    const plotted = readings.map(format.hoursValue);

    // Assess
    expect(words).toEqual([
      '1 hour',
      '24 hours',
      '720 hours',
      'over 720 hours',
      'no data',
      'no data',
      'no data',
      'no data',
      'no data',
    ]);
    expect(plotted).toEqual([1, 24, 720, 720, null, null, null, null, null]);
  });

  it('shows rates as percentages and counts with separators, "no data" when there are none', () => {
    // Act
    const rates = [0.333, 0.5, 1, 0, null, undefined].map(format.formatRate);
    const plotted = [0.333, 0.5, null].map(format.ratePercent);
    const counts = [0, 7, 1234, undefined, Number.NaN].map(format.formatCount);

    // Assess
    expect(rates).toEqual(['33.3%', '50%', '100%', '0%', 'no data', 'no data']);
    expect(plotted).toEqual([33.3, 50, null]);
    expect(counts).toEqual(['0', '7', '1,234', 'no data', 'no data']);
  });

  it('names months and periods, and lists the months of a period across a year end', () => {
    // Act
    const long = format.monthName('2026-04');
    const short = format.monthName('2026-04', { short: true });
    const period = format.periodName('2025-12', '2026-02');
    const oneMonth = format.periodName('2026-02', '2026-02');
    const months = format.monthsBetween('2025-11', '2026-02');

    // Assess
    expect(long).toBe('April 2026');
    expect(short).toBe('Apr 2026');
    expect(period).toBe('December 2025 to February 2026');
    expect(oneMonth).toBe('February 2026');
    expect(months).toEqual(['2025-11', '2025-12', '2026-01', '2026-02']);
  });

  it('finds the quarterly return of a quarter the API labels, calendar or financial year alike', () => {
    // Act
    const periods = ['2026-Q2', '2026/27 Q1', '2099/00 Q4', 'Q1 2026', '2026-Q5', ''].map(
      format.returnPeriodOf,
    );

    // Assess
    expect(periods).toEqual(['2026-Q2', '2026-Q1', '2099-Q4', undefined, undefined, undefined]);
  });
});
