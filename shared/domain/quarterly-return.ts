/**
 * The quarterly return a spoke sends the hub, computed from the aggregates: every total is a sum
 * of the rows, so the rows, the by-spoke and by-pathway subtotals and the total always add up
 * (DOMAIN.md: the software never accepts a typed total).
 *
 * Figures per referral received in the quarter (financial-year quarters, Q1 = April to June, on
 * the Europe/London calendar the aggregates' months are read in):
 * - referrals: referrals routed (the `referred` fact);
 * - engaged: referrals that reached engagement;
 * - interventionsDelivered: referrals closed with the outcome `completed`, that is, an
 *   intervention taken to its end (other outcomes, such as disengaged, are not deliveries);
 * - engagementRate: engaged / referrals to 3 decimals, null when there were no referrals,
 *   computed from the summed counts on every line (never an average of rates).
 */
import {
  quarterLabel,
  quarterMonths,
  rate,
  summarise,
  type Aggregate,
  type Quarter,
} from './hub-metrics.ts';

export interface ReturnFigures {
  referrals: number;
  engaged: number;
  engagementRate: number | null;
  interventionsDelivered: number;
}

export interface ReturnRow extends ReturnFigures {
  spoke: string;
  pathway: string;
}

export interface QuarterlyReturn {
  /** "2026/27 Q1". */
  period: string;
  /** The months it covers, "2026-04" to "2026-06". */
  months: string[];
  /** One row per spoke and pathway with referrals in the quarter, by spoke then pathway. */
  rows: ReturnRow[];
  totals: ReturnFigures;
  bySpoke: (ReturnFigures & { spoke: string })[];
  byPathway: (ReturnFigures & { pathway: string })[];
}

type Counts = Omit<ReturnFigures, 'engagementRate'>;

const withRate = (counts: Counts): ReturnFigures => ({
  referrals: counts.referrals,
  engaged: counts.engaged,
  engagementRate: rate(counts.engaged, counts.referrals),
  interventionsDelivered: counts.interventionsDelivered,
});

function sumOf(rows: readonly Counts[]): ReturnFigures {
  return withRate({
    referrals: rows.reduce((sum, row) => sum + row.referrals, 0),
    engaged: rows.reduce((sum, row) => sum + row.engaged, 0),
    interventionsDelivered: rows.reduce((sum, row) => sum + row.interventionsDelivered, 0),
  });
}

function subtotals<K extends 'spoke' | 'pathway'>(rows: readonly ReturnRow[], key: K) {
  const keys = [...new Set(rows.map((row) => row[key]))].sort();
  return keys.map(
    (value) =>
      ({ [key]: value, ...sumOf(rows.filter((row) => row[key] === value)) }) as ReturnFigures &
        Record<K, string>,
  );
}

/**
 * The return for quarter `quarter` of the financial year starting in April of `year`, from aggregates of any months (others are ignored).
 */
export function quarterlyReturn(
  aggregates: readonly Aggregate[],
  year: number,
  quarter: Quarter,
): QuarterlyReturn {
  if (!Number.isInteger(year) || year < 1 || year > 9999) {
    throw new RangeError('The year must be a whole number from 1 to 9999');
  }
  if (![1, 2, 3, 4].includes(quarter)) throw new RangeError('The quarter must be 1, 2, 3 or 4');
  const months = quarterMonths(year, quarter);
  const filter = { from: months[0], to: months[2] };
  const rows = summarise(aggregates, filter, ['spoke', 'pathway']).map((row): ReturnRow => ({
    spoke: row.group.spoke ?? '',
    pathway: row.group.pathway ?? '',
    ...withRate({
      referrals: row.referred,
      engaged: row.engaged,
      interventionsDelivered: row.outcomes.completed,
    }),
  }));
  return {
    period: quarterLabel(year, quarter),
    months,
    rows,
    totals: sumOf(rows),
    bySpoke: subtotals(rows, 'spoke'),
    byPathway: subtotals(rows, 'pathway'),
  };
}

const allSpokes = 'All spokes';
const allPathways = 'All pathways';

/** The return as CSV (RFC 4180, CRLF): rows, then by-spoke and by-pathway subtotals, then total. */
export function toCsv(ret: QuarterlyReturn): string {
  const header = [
    'Period',
    'Spoke',
    'Pathway',
    'Referrals',
    'Engaged',
    'Engagement rate',
    'Interventions delivered',
  ];
  const line = (spoke: string, pathway: string, figures: ReturnFigures) => [
    ret.period,
    spoke,
    pathway,
    figures.referrals,
    figures.engaged,
    figures.engagementRate,
    figures.interventionsDelivered,
  ];
  const records = [
    header,
    ...ret.rows.map((row) => line(row.spoke, row.pathway, row)),
    ...ret.bySpoke.map((row) => line(row.spoke, allPathways, row)),
    ...ret.byPathway.map((row) => line(allSpokes, row.pathway, row)),
    line(allSpokes, allPathways, ret.totals),
  ];
  return records.map((record) => record.map(csvField).join(',') + '\r\n').join('');
}

/**
 * One CSV field: a number as written, null as empty, text quoted when it holds a comma, quote or
 * line break (quotes doubled). Text a spreadsheet would run as a formula (=, +, -, @, tab, CR at
 * the start) is prefixed with an apostrophe; the ids in a return never start that way.
 */
export function csvField(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The file a quarter's return downloads as: "reachable-avon-and-somerset-2026-Q1.csv". */
export function returnFileName(partnershipId: string, year: number, quarter: Quarter): string {
  return `reachable-${partnershipId}-${year}-Q${quarter}.csv`;
}
