import { metricsQuery } from '#shared/domain/hub-requests.ts';
import {
  noProvider,
  quarterLabel,
  type GroupBy,
  type HoursReading,
  type MetricsRow,
  type Quarter,
} from '#shared/domain/hub-metrics.ts';
import type { FieldProblem } from '#shared/domain/intake.ts';
import { declineReasons, type DeclineReason } from '#events/vocabulary.ts';
import type { ReconciliationReport } from '#shared/domain/reconciliation.ts';
import { ValidationError } from '#shared/errors.ts';
import type { Partnership } from '#shared/partnership/schema.ts';
import {
  hubMetrics,
  lastTwelveMonths,
  monthsBetween,
  type HubDependencies,
} from '#shared/services/hub.ts';

/**
 * The hub dashboard's view model: the filters read from the page's query, the figures read from
 * the hub service, and every figure put in words with the partnership's own names. Pure but for
 * the reads it is given, so the page's wording is tested without a browser.
 */

/** The period and spoke a view shows: months as "YYYY-MM", spoke '' for every spoke. */
export interface Filters {
  from: string;
  to: string;
  spoke: string;
}

/** One problem of the filters, for the error summary and beside its field. */
export interface FilterError {
  field: 'from' | 'to' | 'spoke';
  text: string;
  /** What is shown beside the field (the summary's text without the field's name). */
  inline: string;
  /** The part of the field the summary links to, when not its first. */
  href?: string;
}

/** What the filter form shows: the month and year of each end, the spoke chosen. */
export interface FormValues {
  from: { month: string; year: string };
  to: { month: string; year: string };
  spoke: string;
}

/** Where the query leads: the filters, a cleaner URL of the same view, or what is wrong. */
export type FiltersRead =
  | { kind: 'filters'; filters: Filters }
  | { kind: 'redirect'; search: string }
  | { kind: 'errors'; values: FormValues; errors: FilterError[] };

type Query = Record<string, string | undefined>;

const partNames = ['from-month', 'from-year', 'to-month', 'to-year'] as const;
const fieldIds = { from: 'from-month', to: 'to-month', spoke: 'spoke' } as const;
const fieldWords = { from: 'From', to: 'To', spoke: 'Spoke' } as const;

/** The query of a view: `?from=2025-12&to=2026-11&spoke=bristol`, the spoke left out for all. */
export function searchOf({ from, to, spoke }: Filters): string {
  const query = new URLSearchParams({ from, to });
  if (spoke) query.set('spoke', spoke);
  return `?${query}`;
}

/** "2026-04" as the form's month and year ("4", "2026"). */
function partsOf(month: string): { month: string; year: string } {
  const [year = '', number = ''] = month.split('-');
  return { month: number.replace(/^0(?=\d)/, ''), year };
}

/** One end of the period as the form sent it, checked: "YYYY-MM", or what is wrong. */
function monthFromParts(query: Query, end: 'from' | 'to'): string | FilterError {
  const month = (query[`${end}-month`] ?? '').trim();
  const year = (query[`${end}-year`] ?? '').trim();
  const wrong = (text: string): FilterError => ({ field: end, text, inline: text });
  const legend = fieldWords[end];
  if (month === '' && year === '') return wrong(`Enter the ${legend} month and year`);
  if (!/^\d{1,2}$/.test(month) || Number(month) < 1 || Number(month) > 12) {
    return wrong(`The ${legend} month must be a number from 1 to 12`);
  }
  if (!/^\d{4}$/.test(year)) {
    return { ...wrong(`The ${legend} year must have 4 digits, like 2026`), href: `#${end}-year` };
  }
  return `${year}-${month.padStart(2, '0')}`;
}

/** A problem the hub service or the query's schema names, against its field when it has one. */
export function filterErrorOf(problem: FieldProblem): FilterError {
  const field = (['from', 'to', 'spoke'] as const).find((name) => problem.pointer === `/${name}`);
  return field
    ? { field, text: `${fieldWords[field]}: ${problem.detail}`, inline: problem.detail }
    : { field: 'to', text: problem.detail, inline: problem.detail };
}

/**
 * The filters a query names. The form sends each end's month and year apart; a valid form is
 * answered with the view's own URL (`?from=…&to=…`), so a bookmark is short and stays valid. With
 * no period, the last twelve months in London time, as the hub service counts them.
 */
export function readFilters(query: Query, now: Date): FiltersRead {
  const spoke = (query.spoke ?? '').trim();
  if (partNames.some((name) => query[name] !== undefined)) {
    const from = monthFromParts(query, 'from');
    const to = monthFromParts(query, 'to');
    const errors = [from, to].filter((end): end is FilterError => typeof end !== 'string');
    if (typeof from === 'string' && typeof to === 'string' && to < from) {
      const text = 'The To month must be the same as or after the From month';
      errors.push({ field: 'to', text, inline: text });
    }
    const values: FormValues = {
      from: { month: query['from-month'] ?? '', year: query['from-year'] ?? '' },
      to: { month: query['to-month'] ?? '', year: query['to-year'] ?? '' },
      spoke,
    };
    if (errors.length > 0 || typeof from !== 'string' || typeof to !== 'string') {
      return { kind: 'errors', values, errors };
    }
    return { kind: 'redirect', search: searchOf({ from, to, spoke }) };
  }
  const period = lastTwelveMonths(now);
  const filters = { from: query.from ?? period.from, to: query.to ?? period.to, spoke };
  // The API's own schema of the query: a month is "YYYY-MM", a spoke an id.
  const checked = metricsQuery.safeParse({
    from: filters.from,
    to: filters.to,
    ...(spoke ? { spoke } : {}),
  });
  if (!checked.success) {
    return {
      kind: 'errors',
      values: formValuesOf(filters),
      errors: checked.error.issues.map((issue) =>
        filterErrorOf({ pointer: `/${issue.path.join('/')}`, detail: issue.message }),
      ),
    };
  }
  return { kind: 'filters', filters };
}

/** The form's values for a view's filters. */
export function formValuesOf(filters: Filters): FormValues {
  return { from: partsOf(filters.from), to: partsOf(filters.to), spoke: filters.spoke };
}

/** Every reading the dashboard shows, as the hub service answers them. */
export interface Readings {
  period: { from: string; to: string };
  totals: MetricsRow;
  bySpoke: MetricsRow[];
  byPathway: MetricsRow[];
  byMonth: MetricsRow[];
  byQuarter: MetricsRow[];
  byProvider: MetricsRow[];
  /** The spokes with referrals in the period, whichever spoke is chosen. */
  spokes: string[];
  reconciliation: ReconciliationReport | null;
}

/**
 * Reads the figures of a view from the hub service, each grouping as `GET /v1/hub/metrics`
 * answers it. The aggregates of the period are read once for all the groupings.
 */
export async function readFigures(
  filters: Filters,
  { store, now, partnership }: HubDependencies,
): Promise<{ readings: Readings } | { errors: FilterError[] }> {
  const read = onceEach(store);
  const metrics = (groupBy: GroupBy[], spoke = filters.spoke) =>
    hubMetrics(
      { from: filters.from, to: filters.to, ...(spoke ? { spoke } : {}), groupBy },
      { store: read, now, partnership },
    );
  try {
    const [totals, bySpoke, byPathway, byMonth, byQuarter, byProvider, everySpoke] =
      await Promise.all([
        metrics([]),
        metrics(['spoke']),
        metrics(['pathway']),
        metrics(['month']),
        metrics(['quarter']),
        metrics(['provider']),
        filters.spoke ? metrics(['spoke'], '') : undefined,
      ]);
    return {
      readings: {
        period: totals.period,
        totals: totals.rows[0] as MetricsRow,
        bySpoke: bySpoke.rows,
        byPathway: byPathway.rows,
        byMonth: byMonth.rows,
        byQuarter: byQuarter.rows,
        byProvider: byProvider.rows,
        spokes: (everySpoke ?? bySpoke).rows.flatMap((row) => row.group.spoke ?? []),
        reconciliation: totals.reconciliation,
      },
    };
  } catch (error) {
    if (error instanceof ValidationError) return { errors: error.problems.map(filterErrorOf) };
    throw error;
  }
}

/** The store, each read of the same months or of the reconciliation made once per view. */
function onceEach(store: HubDependencies['store']): HubDependencies['store'] {
  const aggregates = new Map<string, ReturnType<typeof store.aggregatesFor>>();
  let reconciliation: ReturnType<typeof store.latestReconciliation> | undefined;
  return {
    aggregatesFor: (months) => {
      const key = months.join(',');
      const read = aggregates.get(key) ?? store.aggregatesFor(months);
      aggregates.set(key, read);
      return read;
    },
    latestReconciliation: () => (reconciliation ??= store.latestReconciliation()),
  };
}

// Words and numbers

const counts = new Intl.NumberFormat('en-GB');
const percentages = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });
const longMonths = new Intl.DateTimeFormat('en-GB', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});
const shortMonths = new Intl.DateTimeFormat('en-GB', {
  month: 'short',
  year: 'numeric',
  timeZone: 'UTC',
});
const londonTime = new Intl.DateTimeFormat('en-GB', {
  dateStyle: 'medium',
  timeStyle: 'short',
  timeZone: 'Europe/London',
});

/** A count as people read it: "1,234". */
export const formatCount = (value: number): string => counts.format(value);

/** A rate (0.333) as a percentage ("33.3%"); "no data" when nothing was referred (null). */
export const formatRate = (value: number | null): string =>
  value === null ? 'no data' : percentages.format(value);

/** A time reading: "24 hours" (within 24 hours), "over 720 hours", or "no data". */
export function formatHours(reading: HoursReading): string {
  if (reading === null) return 'no data';
  if (typeof reading === 'string') return `over ${reading.slice(1)} hours`;
  return `${counts.format(reading)} ${reading === 1 ? 'hour' : 'hours'}`;
}

/** A time reading as a number for a chart: an overflow drawn at its bound, no data a gap. */
export function hoursValue(reading: HoursReading): number | null {
  if (reading === null) return null;
  return typeof reading === 'string' ? Number(reading.slice(1)) : reading;
}

/** A rate as a number of percent for a chart (33.3), or null for a gap. */
const ratePercent = (value: number | null) =>
  value === null ? null : Math.round(value * 1000) / 10;

/** "2026-04" as "April 2026", or "Apr 2026" when short. */
export function monthName(month: string, { short = false } = {}): string {
  const [year = 0, number = 1] = month.split('-').map(Number);
  return (short ? shortMonths : longMonths).format(new Date(Date.UTC(year, number - 1, 1)));
}

/** "December 2025 to November 2026", or one month's name when the period is one month. */
export function periodName(from: string, to: string): string {
  return from === to ? monthName(from) : `${monthName(from)} to ${monthName(to)}`;
}

/** The decline reasons in words: typed by the lifecycle's reasons, so a new one fails `tsc`. */
export const declineReasonWords: Record<DeclineReason, string> = {
  'out-of-area': 'Out of the provider’s area',
  'not-eligible': 'Not eligible for the service',
  'no-capacity': 'No capacity at the time',
  'already-known': 'Already known to the provider',
  other: 'Another reason',
};

/** The stages of `current` in words, in the order the page shows them. */
export const waitingStageWords: Record<keyof MetricsRow['current'], string> = {
  awaitingDecision: 'Waiting to be accepted or declined',
  awaitingFirstContact: 'Accepted, waiting for first contact',
  awaitingEngagement: 'Contacted, not yet engaged',
  engaged: 'Engaged',
  declinedAwaitingReroute: 'Declined, waiting to be rerouted',
};

/** The partnership's names for the ids the figures are grouped by. */
export function namesOf(partnership: Partnership) {
  const lookup = (list: readonly { id: string; name: string }[]) => {
    const names = new Map(list.map(({ id, name }) => [id, name]));
    // An id the configuration does not know (an old spoke's, say) is still shown, as it is.
    return (id: string) => names.get(id) ?? id;
  };
  const provider = lookup(partnership.providers);
  return {
    spoke: lookup(partnership.spokes),
    pathway: lookup(partnership.pathways),
    // Facts about a referral no provider holds (a spoke's triage, an escalation) count here.
    provider: (id: string) => (id === noProvider ? 'Triage (no provider)' : provider(id)),
  };
}

// The figures

/** A chart the browser script may draw over a figure's table: the same figures, as numbers. */
export interface ChartSpec {
  type: 'bar' | 'line';
  horizontal?: boolean;
  stacked?: boolean;
  percent?: boolean;
  axis: string;
  labels: string[];
  series: { label: string; colour: Colour; data: (number | null)[]; texts?: string[] }[];
}

/** GOV.UK Frontend's palette by name; the browser script holds the colours. */
export type Colour = 'blue' | 'orange' | 'purple' | 'red' | 'yellow' | 'green' | 'grey';

export interface Table {
  caption: string;
  head: string[];
  rows: string[][];
}

export interface Figure {
  id: string;
  title: string;
  intro: string;
  /** The chart's label for screen readers: it is one image, the table has the figures. */
  label: string;
  table: Table;
  chart: ChartSpec;
  /** Shown instead of the chart and the table when there is nothing to show. */
  empty?: string;
  tall?: boolean;
}

const noReferrals = 'No referrals were received in this period.';
const inTable = 'The figures are in the table below.';

/** One financial quarter of the period, for the quarterly return. */
export interface ReturnQuarter {
  /** As the metrics label it: "2026/27 Q1". */
  label: string;
  /** As `GET /v1/hub/returns/{period}` takes it: "2026-Q1". */
  period: string;
}

/**
 * The quarters of the figures' rows, as periods of the return: the labels are the metrics'
 * own (`quarterLabel`), matched to the financial years the period's months fall in.
 */
export function returnQuarters(
  byQuarter: readonly MetricsRow[],
  period: { from: string; to: string },
): ReturnQuarter[] {
  const years = new Set(
    monthsBetween(period.from, period.to).flatMap((month) => {
      const year = Number(month.slice(0, 4));
      return [year - 1, year];
    }),
  );
  const known = new Map<string, string>();
  for (const year of years) {
    for (const quarter of [1, 2, 3, 4] as Quarter[]) {
      known.set(quarterLabel(year, quarter), `${year}-Q${quarter}`);
    }
  }
  return byQuarter.flatMap((row) => {
    const label = row.group.quarter ?? '';
    const found = known.get(label);
    return found ? [{ label, period: found }] : [];
  });
}

/** The dashboard's figures for a view, in words, with the partnership's names. */
export function dashboardOf(partnership: Partnership, filters: Filters, read: Readings) {
  const names = namesOf(partnership);
  const scope = `${periodName(read.period.from, read.period.to)}, ${
    filters.spoke ? names.spoke(filters.spoke) : 'all spokes'
  }`;
  const { totals } = read;
  const quarters = returnQuarters(read.byQuarter, read.period);
  return {
    scope,
    reconciliation: read.reconciliation
      ? reconciliationOf(read.reconciliation, names.provider)
      : undefined,
    cards: cardsOf(totals),
    ratesBySpoke: ratesFigure('rates-by-spoke', 'Rates by spoke', 'Spoke', read.bySpoke, (row) =>
      names.spoke(row.group.spoke ?? ''),
    ),
    ratesByPathway: ratesFigure(
      'rates-by-pathway',
      'Rates by pathway',
      'Pathway',
      read.byPathway,
      (row) => names.pathway(row.group.pathway ?? ''),
    ),
    funnel: funnelFigure(totals),
    outcomes: outcomesFigure(totals),
    byMonth: monthFigure(read.byMonth, read.period),
    byQuarter: quarterFigure(read.byQuarter),
    firstContact: firstContactFigure(read.bySpoke, (row) => names.spoke(row.group.spoke ?? '')),
    overdue: overdueFigure(read.byProvider, (row) => names.provider(row.group.provider ?? '')),
    waiting: waitingFigure(read.byProvider, (row) => names.provider(row.group.provider ?? '')),
    returnQuarters: quarters,
    // The latest quarter is the one most often wanted.
    returnChosen: quarters.at(-1)?.period,
  };

  function ratesFigure(
    id: string,
    title: string,
    what: string,
    rows: MetricsRow[],
    name: (row: MetricsRow) => string,
  ): Figure {
    const labels = rows.map(name);
    return {
      id,
      title,
      intro:
        'The share of referrals that reached engagement and the share accepted by a provider, ' +
        'of the referrals received.',
      label: `Bar chart of the referral to engagement rate and the acceptance rate by ${what.toLowerCase()}, as percentages. ${inTable}`,
      ...(rows.length ? {} : { empty: noReferrals }),
      chart: {
        type: 'bar',
        percent: true,
        axis: 'Share of referrals',
        labels,
        series: [
          {
            label: 'Referral to engagement',
            colour: 'blue',
            data: rows.map((row) => ratePercent(row.engagementRate)),
          },
          {
            label: 'Acceptance',
            colour: 'orange',
            data: rows.map((row) => ratePercent(row.acceptanceRate)),
          },
        ],
      },
      table: {
        caption: `${title}, ${scope}`,
        head: [what, 'Referred', 'Accepted', 'Engaged', 'Acceptance rate', 'Engagement rate'],
        rows: rows.map((row, index) => [
          labels[index] ?? '',
          formatCount(row.referred),
          formatCount(row.accepted),
          formatCount(row.engaged),
          formatRate(row.acceptanceRate),
          formatRate(row.engagementRate),
        ]),
      },
    };
  }

  function funnelFigure(row: MetricsRow): Figure {
    const stages: [string, number][] = [
      ['Referred', row.referred],
      ['Accepted', row.accepted],
      ['Contacted', row.contacted],
      ['Engaged', row.engaged],
      ['Closed', row.closed],
    ];
    return {
      id: 'funnel',
      title: 'From referral to closure',
      intro: 'How many of the referrals reached each stage.',
      label: `Horizontal bar chart of the referrals that reached each stage: referred, accepted, contacted, engaged and closed. ${inTable}`,
      ...(row.referred ? {} : { empty: noReferrals }),
      chart: {
        type: 'bar',
        horizontal: true,
        axis: 'Referrals',
        labels: stages.map(([stage]) => stage),
        series: [{ label: 'Referrals', colour: 'blue', data: stages.map(([, count]) => count) }],
      },
      table: {
        caption: `Referrals by stage reached, ${scope}`,
        head: ['Stage', 'Referrals', 'Share of referred'],
        rows: stages.map(([stage, count]) => [
          stage,
          formatCount(count),
          formatRate(row.referred ? Math.round((count / row.referred) * 1000) / 1000 : null),
        ]),
      },
    };
  }

  function outcomesFigure(row: MetricsRow): Figure {
    const lines: [string, number][] = [
      ['Triaged by a spoke', row.triaged],
      ['Escalated', row.escalated],
      ['Declined', row.declined],
      ...declineReasons.map((reason): [string, number] => [
        `Declined: ${declineReasonWords[reason]}`,
        row.declineReasons[reason],
      ]),
    ];
    return {
      id: 'outcomes',
      title: 'Triage, escalation and declines',
      intro:
        'A referral declined by two providers for different reasons counts once as declined and ' +
        'once for each reason.',
      label: `Horizontal bar chart of referrals triaged, escalated and declined, with each reason for declining. ${inTable}`,
      ...(row.referred ? {} : { empty: noReferrals }),
      chart: {
        type: 'bar',
        horizontal: true,
        axis: 'Referrals',
        labels: lines.map(([what]) => what),
        series: [{ label: 'Referrals', colour: 'purple', data: lines.map(([, count]) => count) }],
      },
      table: {
        caption: `Triaged, escalated and declined, ${scope}`,
        head: ['What happened', 'Referrals'],
        rows: lines.map(([what, count]) => [what, formatCount(count)]),
      },
    };
  }

  function monthFigure(rows: MetricsRow[], period: { from: string; to: string }): Figure {
    const byMonth = new Map(rows.map((row) => [row.group.month, row]));
    const months = monthsBetween(period.from, period.to);
    // A month with no referrals has no row: it shows zeros.
    const series = months.map((month) => {
      const row = byMonth.get(month);
      return {
        referred: row?.referred ?? 0,
        engaged: row?.engaged ?? 0,
        rate: row?.engagementRate ?? null,
      };
    });
    return {
      id: 'by-month',
      title: 'Referrals and engagement by month',
      intro: 'Referrals received each month, and how many of them have reached engagement.',
      label: `Line chart of referrals received and referrals engaged in each month of the period. ${inTable}`,
      ...(rows.length ? {} : { empty: noReferrals }),
      chart: {
        type: 'line',
        axis: 'Referrals',
        labels: months.map((month) => monthName(month, { short: true })),
        series: [
          { label: 'Referred', colour: 'blue', data: series.map((month) => month.referred) },
          { label: 'Engaged', colour: 'orange', data: series.map((month) => month.engaged) },
        ],
      },
      table: {
        caption: `Referrals and engagement by month, ${scope}`,
        head: ['Month', 'Referred', 'Engaged', 'Engagement rate'],
        rows: months.map((month, index) => [
          monthName(month),
          formatCount(series[index]?.referred ?? 0),
          formatCount(series[index]?.engaged ?? 0),
          formatRate(series[index]?.rate ?? null),
        ]),
      },
    };
  }

  function quarterFigure(rows: MetricsRow[]): Figure {
    const labels = rows.map((row) => row.group.quarter ?? '');
    return {
      id: 'by-quarter',
      title: 'Referrals and engagement by quarter',
      intro: 'The quarters of the period, as the hub reports them.',
      label: `Bar chart of referrals received and referrals engaged in each quarter, side by side. ${inTable}`,
      ...(rows.length ? {} : { empty: noReferrals }),
      chart: {
        type: 'bar',
        axis: 'Referrals',
        labels,
        series: [
          { label: 'Referred', colour: 'blue', data: rows.map((row) => row.referred) },
          { label: 'Engaged', colour: 'orange', data: rows.map((row) => row.engaged) },
        ],
      },
      table: {
        caption: `Referrals and engagement by quarter, ${scope}`,
        head: ['Quarter', 'Referred', 'Engaged', 'Engagement rate'],
        rows: rows.map((row, index) => [
          labels[index] ?? '',
          formatCount(row.referred),
          formatCount(row.engaged),
          formatRate(row.engagementRate),
        ]),
      },
    };
  }

  function firstContactFigure(rows: MetricsRow[], name: (row: MetricsRow) => string): Figure {
    const labels = rows.map(name);
    const series = (label: string, which: 'median' | 'p90', colour: Colour) => ({
      label,
      colour,
      data: rows.map((row) => hoursValue(row.timeToFirstContactHours[which])),
      // The words where the number drawn alone would mislead (an overflow drawn at its bound).
      texts: rows.map((row) => formatHours(row.timeToFirstContactHours[which])),
    });
    return {
      id: 'first-contact',
      title: 'Time to first contact by spoke',
      intro:
        'Hours from receiving a referral to the first attempt to contact the young person. Times ' +
        'are read in bands, so “24 hours” means within 24 hours; beyond the last band they show ' +
        'as “over 720 hours” (drawn at 720).',
      label: `Bar chart of the median and 90th percentile hours to first contact by spoke. ${inTable}`,
      ...(rows.length ? {} : { empty: noReferrals }),
      chart: {
        type: 'bar',
        axis: 'Hours',
        labels,
        series: [series('Median', 'median', 'blue'), series('90th percentile', 'p90', 'orange')],
      },
      table: {
        caption: `Time to first contact by spoke, ${scope}`,
        head: ['Spoke', 'Contacted', 'Median', '90th percentile'],
        rows: rows.map((row, index) => [
          labels[index] ?? '',
          formatCount(row.contacted),
          formatHours(row.timeToFirstContactHours.median),
          formatHours(row.timeToFirstContactHours.p90),
        ]),
      },
    };
  }

  function overdueFigure(rows: MetricsRow[], name: (row: MetricsRow) => string): Figure {
    const labels = rows.map(name);
    return {
      id: 'overdue',
      title: 'Overdue by provider',
      intro:
        'Referrals that were not accepted, or not contacted, within the time their pathway ' +
        'expects. Each counts once, even after it was dealt with.',
      label: `Horizontal bar chart of referrals not accepted in time and not contacted in time, by provider. ${inTable}`,
      ...(rows.length ? {} : { empty: noReferrals }),
      tall: rows.length > 4,
      chart: {
        type: 'bar',
        horizontal: true,
        axis: 'Referrals',
        labels,
        series: [
          {
            label: 'Not accepted in time',
            colour: 'red',
            data: rows.map((row) => row.overdue.accept),
          },
          {
            label: 'Not contacted in time',
            colour: 'blue',
            data: rows.map((row) => row.overdue.firstContact),
          },
        ],
      },
      table: {
        caption: `Overdue by provider, ${scope}`,
        head: ['Provider', 'Referred', 'Not accepted in time', 'Not contacted in time'],
        rows: rows.map((row, index) => [
          labels[index] ?? '',
          formatCount(row.referred),
          formatCount(row.overdue.accept),
          formatCount(row.overdue.firstContact),
        ]),
      },
    };
  }

  function waitingFigure(rows: MetricsRow[], name: (row: MetricsRow) => string): Figure {
    const labels = rows.map(name);
    const stages = Object.entries(waitingStageWords) as [keyof MetricsRow['current'], string][];
    const colours: Colour[] = ['red', 'orange', 'yellow', 'green', 'grey'];
    return {
      id: 'waiting',
      title: 'Waiting now by provider',
      intro: 'The referrals received in the period that are at each stage now.',
      label: `Stacked horizontal bar chart of referrals at each stage now, by provider. ${inTable}`,
      ...(rows.length ? {} : { empty: noReferrals }),
      tall: rows.length > 4,
      chart: {
        type: 'bar',
        horizontal: true,
        stacked: true,
        axis: 'Referrals',
        labels,
        series: stages.map(([key, words], index) => ({
          label: words,
          colour: colours[index] ?? 'blue',
          data: rows.map((row) => row.current[key]),
        })),
      },
      table: {
        caption: `Waiting now by provider, ${scope}`,
        head: ['Provider', ...stages.map(([, words]) => words)],
        rows: rows.map((row, index) => [
          labels[index] ?? '',
          ...stages.map(([key]) => formatCount(row.current[key])),
        ]),
      },
    };
  }
}

/** The headline figures of the period. */
function cardsOf(totals: MetricsRow) {
  const { overdue } = totals;
  return [
    {
      id: 'referrals',
      label: 'Referrals',
      value: formatCount(totals.referred),
      detail: 'received in the period',
    },
    {
      id: 'engaged',
      label: 'Engaged',
      value: formatCount(totals.engaged),
      detail: 'of those referrals, so far',
    },
    {
      id: 'engagement-rate',
      label: 'Referral to engagement',
      value: formatRate(totals.engagementRate),
      detail: 'of referrals reached engagement',
    },
    {
      id: 'first-contact',
      label: 'Median time to first contact',
      value: formatHours(totals.timeToFirstContactHours.median),
      detail: `90th percentile: ${formatHours(totals.timeToFirstContactHours.p90)}`,
    },
    {
      id: 'overdue',
      label: 'Overdue',
      value: formatCount(overdue.accept + overdue.firstContact),
      detail: `${formatCount(overdue.accept)} not accepted in time, ${formatCount(overdue.firstContact)} not contacted in time`,
    },
  ];
}

/** What the last check for stuck referrals found, in words (counts only, as the hub sees). */
export function reconciliationOf(
  report: ReconciliationReport,
  providerName: (id: string) => string,
) {
  const notRouted = report.counts['not-routed'] ?? 0;
  const notPulled = report.counts['not-pulled'] ?? 0;
  const checkedAt = new Date(report.checkedAt);
  const checked = Number.isNaN(checkedAt.getTime())
    ? 'at an unknown time'
    : londonTime.format(checkedAt);
  const byProvider = Object.entries(report.byProvider ?? {});
  return {
    stuck: notRouted + notPulled > 0,
    checked,
    heading: `${formatCount(notRouted + notPulled)} referrals are stuck between intake and a provider.`,
    notRouted: `${formatCount(notRouted)} stored but not routed after ${formatCount(report.notRoutedAfterMinutes)} minutes`,
    notPulled:
      `${formatCount(notPulled)} routed to a provider but not picked up by their acceptance deadline` +
      (byProvider.length > 0
        ? `: ${byProvider.map(([id, n]) => `${providerName(id)} ${formatCount(n)}`).join(', ')}`
        : ''),
  };
}

/** The filters' form: the ends' months and years, the spokes to choose from, their errors. */
export function filterFormOf(
  partnership: Partnership,
  values: FormValues,
  errors: readonly FilterError[],
  spokesWithReferrals?: readonly string[],
) {
  const names = namesOf(partnership);
  const errorOf = (field: FilterError['field']) =>
    errors.find((error) => error.field === field)?.inline;
  // Those with referrals in the period and the one chosen; every spoke when no figures were read.
  const ids = [
    ...new Set([
      ...(spokesWithReferrals ?? partnership.spokes.map((spoke) => spoke.id)),
      ...(values.spoke ? [values.spoke] : []),
    ]),
  ].sort((a, b) => names.spoke(a).localeCompare(names.spoke(b), 'en-GB'));
  return {
    from: { ...values.from, error: errorOf('from') },
    to: { ...values.to, error: errorOf('to') },
    spoke: {
      error: errorOf('spoke'),
      items: [
        { value: '', text: 'All spokes', selected: values.spoke === '' },
        ...ids.map((id) => ({ value: id, text: names.spoke(id), selected: id === values.spoke })),
      ],
    },
  };
}

/** The error summary's list: each problem linked to its field. */
export function errorListOf(errors: readonly FilterError[]) {
  return errors.map((error) => ({
    text: error.text,
    href: error.href ?? `#${fieldIds[error.field]}`,
  }));
}
