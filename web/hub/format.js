/**
 * Words and numbers for the hub dashboard: the partnership's names for the ids the hub API
 * answers with, and counts, rates, hours and months as people read them.
 */

/**
 * Names from the partnership's configuration (shared/partnership/avon-and-somerset.ts; a unit
 * test keeps them equal). An id not listed here is still shown, in words made from the id.
 */
export const spokeNames = {
  bristol: 'Bristol',
  somerset: 'Somerset',
  'north-somerset': 'North Somerset',
  'south-gloucestershire': 'South Gloucestershire',
  'bath-ne-somerset': 'Bath and North East Somerset',
};
export const pathwayNames = {
  'weapons-in-schools': 'Weapons in schools',
  'ae-teachable-moment': 'A&E teachable moment',
  admit: 'Admit (Musgrove Park Hospital A&E)',
  'sos-mentoring': 'SOS mentoring (exploitation)',
  'care-leaver-mentoring': 'Care leaver peer mentoring',
  'drug-alcohol-young-people': 'Drug and alcohol support for young people (Project 28)',
  'targeted-intervention': 'Targeted intervention (multi-agency operational meeting)',
};
export const providerNames = {
  'turning-point-admit': 'Turning Point (Admit Young People Recovery workers)',
  'bristol-safer-options': 'Bristol Safer Options',
  'st-giles-sos': 'St Giles Trust (SOS project)',
  'project-28': 'Project 28',
  'south-glos-care-leaver-mentoring': 'South Gloucestershire care leaver peer mentoring',
  // Facts about a referral no provider holds (a spoke's triage, an escalation) are counted here.
  triage: 'Triage (no provider)',
};
export const partnershipNames = {
  'avon-and-somerset': 'Avon and Somerset Violence Reduction Partnership',
};

/** The lifecycle's decline reasons (shared/domain/lifecycle.ts), in words. */
export const declineReasonNames = {
  'out-of-area': 'Out of the provider’s area',
  'not-eligible': 'Not eligible for the service',
  'no-capacity': 'No capacity at the time',
  'already-known': 'Already known to the provider',
  other: 'Another reason',
};

/** The stages of `current`: referrals received in the period that are at that stage now. */
export const waitingStages = [
  ['awaitingDecision', 'Waiting to be accepted or declined'],
  ['awaitingFirstContact', 'Accepted, waiting for first contact'],
  ['awaitingEngagement', 'Contacted, not yet engaged'],
  ['engaged', 'Engaged'],
  ['declinedAwaitingReroute', 'Declined, waiting to be rerouted'],
];

/** "north-somerset" as "North somerset": for an id the names above do not know. */
function words(id) {
  const text = String(id).replaceAll('-', ' ');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** @param {string} id */
export const spokeName = (id) => spokeNames[id] ?? words(id);
/** @param {string} id */
export const pathwayName = (id) => pathwayNames[id] ?? words(id);
/** @param {string} id */
export const providerName = (id) => providerNames[id] ?? words(id);
/** @param {string} id */
export const partnershipName = (id) => partnershipNames[id] ?? words(id);

const counts = new Intl.NumberFormat('en-GB');
const percentages = new Intl.NumberFormat('en-GB', { style: 'percent', maximumFractionDigits: 1 });
const isNumber = (value) => typeof value === 'number' && Number.isFinite(value);

/** A count, or "no data" when the API sent none. */
export function formatCount(value) {
  return isNumber(value) ? counts.format(value) : 'no data';
}

/** A rate (0.333) as a percentage ("33.3%"); "no data" when nothing was referred (null). */
export function formatRate(value) {
  return isNumber(value) ? percentages.format(value) : 'no data';
}

/** A rate as a number of percent for a chart (33.3), or null for a gap. */
export function ratePercent(value) {
  return isNumber(value) ? Math.round(value * 1000) / 10 : null;
}

/**
 * A time reading in hours, as the API sends it: a number (the upper bound of the band the
 * percentile falls in), `">720"` beyond the last band, or null when nothing was timed.
 * @param {unknown} reading
 */
export function formatHours(reading) {
  if (isNumber(reading)) return `${counts.format(reading)} ${reading === 1 ? 'hour' : 'hours'}`;
  const overflow = typeof reading === 'string' ? /^>(\d+)$/.exec(reading) : null;
  return overflow ? `over ${overflow[1]} hours` : 'no data';
}

/** A time reading as a number for a chart: an overflow is drawn at its bound, no data as a gap. */
export function hoursValue(reading) {
  if (isNumber(reading)) return reading;
  const overflow = typeof reading === 'string' ? /^>(\d+)$/.exec(reading) : null;
  return overflow ? Number(overflow[1]) : null;
}

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

/**
 * "2026-04" as "April 2026" (or "Apr 2026" when short); anything else as it is.
 * @param {string} month
 */
export function monthName(month, { short = false } = {}) {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) return month;
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
  return (short ? shortMonths : longMonths).format(date);
}

/** "December 2025 to November 2026", or one month's name when the period is one month. */
export function periodName(from, to) {
  return from === to ? monthName(from) : `${monthName(from)} to ${monthName(to)}`;
}

/** Every month from `from` to `to` inclusive ("YYYY-MM"), as the API counts them. */
export function monthsBetween(from, to) {
  const months = [];
  let [year, month] = from.split('-').map(Number);
  const [endYear, endMonth] = to.split('-').map(Number);
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
 * The quarterly return's period (`2026-Q1`, the path `GET /v1/hub/returns/{period}` takes) for a
 * quarter as the metrics label it: `2026-Q1`, or a financial year's `2026/27 Q1`. Undefined for a
 * label of any other shape: the label itself is only ever shown as the API wrote it.
 * @param {string} label
 */
export function returnPeriodOf(label) {
  const match = /^(\d{4})(?:-|\/\d{2} )Q([1-4])$/.exec(label);
  return match ? `${match[1]}-Q${match[2]}` : undefined;
}
