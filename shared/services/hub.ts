import type { MetricsStore } from '../table/metrics-store.ts';
import { partnershipNames } from '../domain/names.ts';
import {
  monthOf,
  noProvider,
  quarterMonths,
  summarise,
  type GroupBy,
  type MetricsFilter,
  type Quarter,
} from '../domain/hub-metrics.ts';
import { quarterlyReturn } from '../domain/quarterly-return.ts';
import { ValidationError } from '../errors.ts';
import type { Partnership } from '../partnership/schema.ts';

export interface HubDependencies {
  store: Pick<MetricsStore, 'aggregatesFor' | 'latestReconciliation'>;
  now: () => Date;
  /** Whose names the answers carry. */
  partnership: Partnership;
}

/**
 * The names of everything the hub's figures are grouped by: the partnership, its spokes,
 * pathways and providers, and the row of facts no provider holds (triage, escalation).
 */
export function hubNames(partnership: Partnership) {
  const names = partnershipNames(partnership);
  return { ...names, providers: { ...names.providers, [noProvider]: 'Triage (no provider)' } };
}

/** The longest period one request reads: three years of monthly aggregates. */
export const maxMonths = 36;

/** Every month from `from` to `to` inclusive, as YYYY-MM. */
export function monthsBetween(from: string, to: string): string[] {
  const months: string[] = [];
  let [year, month] = from.split('-').map(Number) as [number, number];
  const [endYear, endMonth] = to.split('-').map(Number) as [number, number];
  while (year < endYear || (year === endYear && month <= endMonth)) {
    months.push(`${year}-${String(month).padStart(2, '0')}`);
    month++;
    if (month > 12) {
      month = 1;
      year++;
    }
  }
  return months;
}

/**
 * The twelve months up to and including this one, as YYYY-MM, on the Europe/London calendar the
 * aggregates' months are read in (so a referral of the first hours of a summer month is in).
 */
export function lastTwelveMonths(now: Date): { from: string; to: string } {
  const to = monthOf(now.toISOString());
  const [year, month] = to.split('-').map(Number) as [number, number];
  const start = new Date(Date.UTC(year, month - 1 - 11, 1));
  return { from: start.toISOString().slice(0, 7), to };
}

/**
 * The hub's metrics for a period, filtered and grouped. Reads one aggregate query per month, so
 * its cost follows the length of the period, never the number of referrals.
 */
export async function hubMetrics(
  query: MetricsFilter & { groupBy: readonly GroupBy[] },
  { store, now, partnership }: HubDependencies,
) {
  const period = { ...lastTwelveMonths(now()), ...definedOnly(query) };
  const months = monthsBetween(period.from, period.to);
  if (months.length === 0 || months.length > maxMonths) {
    throw new ValidationError('The period is not valid.', [
      {
        pointer: '/to',
        detail: `must be on or after "from", at most ${maxMonths} months later`,
      },
    ]);
  }
  const [aggregates, reconciliation] = await Promise.all([
    store.aggregatesFor(months),
    store.latestReconciliation(),
  ]);
  const filter: MetricsFilter = { ...query, from: period.from, to: period.to };
  return {
    period: { from: period.from, to: period.to },
    groupBy: query.groupBy,
    rows: summarise(aggregates, filter, query.groupBy),
    // Referrals found stuck by the last check: counts only, as everything the hub sees.
    reconciliation: reconciliation ?? null,
    names: hubNames(partnership),
  };
}

function definedOnly(query: MetricsFilter): { from?: string; to?: string } {
  return {
    ...(query.from ? { from: query.from } : {}),
    ...(query.to ? { to: query.to } : {}),
  };
}

/** The quarterly return for a financial-year quarter (Q1 is April to June), computed from the aggregates of its months. */
export async function hubReturn(
  year: number,
  quarter: Quarter,
  {
    store,
    partnership,
  }: Pick<HubDependencies, 'partnership'> & {
    store: Pick<MetricsStore, 'aggregatesFor'>;
  },
) {
  const aggregates = await store.aggregatesFor(quarterMonths(year, quarter));
  return { ...quarterlyReturn(aggregates, year, quarter), names: hubNames(partnership) };
}
