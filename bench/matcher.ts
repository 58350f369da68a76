/**
 * Benchmark: our compiled EventBridge pattern matcher against serverless-offline-aws-eventbridge's
 * on 100 referral-routing rules and 100,000 seeded events, plus how many of our documentation
 * conformance cases each gets right. Run directly with `npx tsx bench/matcher.ts`.
 */
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import type { CompiledPattern } from '#shared/routing/pattern.ts';
import { compilePattern, matchesPattern } from '#shared/routing/pattern.ts';
import {
  conformanceCases,
  type ConformanceCase,
} from '#test/unit/eventbridge/conformance-cases.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { pick, seededRandom } from './stats.ts';
import { pathwayKinds } from '#events/vocabulary.ts';

/** What one benchmark run measured. */
export interface MatcherBenchResult {
  readonly rules: number;
  readonly events: number;
  readonly oursEventsPerSecond: number;
  readonly theirsEventsPerSecond: number;
  readonly ratio: number;
  readonly ourConformance: { readonly passed: number; readonly total: number };
  readonly theirConformance: { readonly passed: number; readonly total: number };
  /** Their matcher is timed on a leading sample of the events, within a time budget. */
  readonly theirsEventsMeasured: number;
  /** Rule evaluations their matcher threw on (each counted as "not subscribed"). */
  readonly theirsThrows: number;
  /** Rule×event decisions on the measured sample where their answer differs from ours. */
  readonly disagreements: number;
}

/** Knobs for a shorter or longer run; the defaults are the published benchmark. */
export interface MatcherBenchOptions {
  readonly events?: number;
  readonly seed?: number;
  /** Wall-clock budget for timing their matcher, which is far slower than ours. */
  readonly theirsTimeBudgetMs?: number;
}

const SOURCE = 'reachable.avon-and-somerset';
const SPOKES = avonAndSomerset.spokes.map((spoke) => spoke.id);
const PATHWAYS = pathwayKinds;
const REFERRERS = [
  'school',
  'hospital',
  'social-care',
  'youth-justice',
  'police',
  'voluntary',
] as const;
/** Who each pathway takes, by age in years (inclusive). */
const ELIGIBLE_AGES: Readonly<Record<(typeof PATHWAYS)[number], readonly [number, number]>> = {
  'weapons-in-schools': [8, 16],
  'ae-teachable-moment': [10, 25],
  admit: [10, 18],
  'sos-mentoring': [10, 25],
  'care-leaver-mentoring': [16, 25],
  'drug-alcohol-young-people': [10, 21],
  'targeted-intervention': [8, 17],
};

/** A PutEvents entry, the input both matchers start from. */
interface PutEventsEntry {
  readonly Source: string;
  readonly DetailType: string;
  readonly Detail: string;
  readonly Time: string;
  readonly Resources: readonly string[];
  readonly EventBusName: string;
}

interface TheirSubscriber {
  readonly event: { readonly pattern: unknown };
  readonly functionKey: string;
}

interface TheirPlugin {
  verifyIsSubscribed(subscriber: TheirSubscriber, entry: PutEventsEntry): boolean;
}

type TheirPluginClass = new (
  serverless: unknown,
  options: unknown,
  logging: unknown,
) => TheirPlugin;

const received = { source: [SOURCE], 'detail-type': ['referral.received'] };

/** The 100 routing rules of the benchmark: exact, anything-but, numeric, prefix, exists and $or. */
export function referralRoutingRules(): Record<string, unknown>[] {
  const rules: Record<string, unknown>[] = [];
  for (const spoke of SPOKES) {
    for (const pathway of PATHWAYS) {
      const [youngest, oldest] = ELIGIBLE_AGES[pathway];
      rules.push({
        ...received,
        detail: {
          spoke: [spoke],
          pathway: [pathway],
          ageYears: [{ numeric: ['>=', youngest, '<=', oldest] }],
        },
      });
    }
    rules.push({
      ...received,
      detail: {
        spoke: [spoke],
        $or: [
          { flags: { weaponUsedOrThreatened: [true] } },
          { flags: { aggravatingFactors: [true] } },
        ],
      },
    });
    rules.push({
      ...received,
      detail: { spoke: [spoke], flags: { aggravatingFactors: [{ exists: false }] } },
    });
    rules.push({
      source: [SOURCE],
      'detail-type': [{ 'anything-but': 'referral.received' }],
      detail: { spoke: [spoke] },
    });
    rules.push({
      source: [SOURCE],
      $or: [
        { detail: { spoke: [spoke], flags: { weaponUsedOrThreatened: [true] } } },
        { detail: { spoke: [spoke], referrerType: ['police'] } },
      ],
    });
    rules.push({
      ...received,
      detail: {
        spoke: [spoke],
        referrerType: ['hospital'],
        pathway: ['ae-teachable-moment'],
        flags: { inStaffedWindow: [true] },
      },
    });
  }
  for (const prefix of ['north-', 'south-', 'bath-', 'bristol', 'som']) {
    rules.push({
      ...received,
      detail: { spoke: [{ prefix }], ageYears: [{ numeric: ['<', 18] }] },
    });
  }
  for (const pathway of PATHWAYS) {
    rules.push({
      ...received,
      detail: { pathway: [pathway], flags: { inStaffedWindow: [false] } },
    });
    rules.push({
      ...received,
      detail: {
        pathway: [pathway],
        ageYears: [{ numeric: ['<', 18] }],
        referrerType: [{ 'anything-but': 'police' }],
      },
    });
    rules.push({
      ...received,
      detail: {
        pathway: [pathway],
        ageYears: [{ numeric: ['>=', 18] }],
        referrerType: [{ 'anything-but': ['school'] }],
      },
    });
  }
  for (const referrer of REFERRERS) {
    rules.push({
      ...received,
      detail: {
        referrerType: [referrer],
        pathway: [{ 'anything-but': ['weapons-in-schools', 'admit'] }],
      },
    });
    rules.push({
      ...received,
      detail: {
        referrerType: [{ 'equals-ignore-case': referrer.toUpperCase() }],
        ageYears: [{ numeric: ['>', 12] }],
      },
    });
  }
  rules.push({ source: [{ prefix: 'reachable.' }], 'detail-type': [{ prefix: 'referral.' }] });
  rules.push({
    ...received,
    detail: { pathway: [{ prefix: 'care-' }], ageYears: [{ numeric: ['>=', 16] }] },
  });
  return rules;
}

interface GeneratedEvents {
  readonly entries: readonly PutEventsEntry[];
  readonly ids: readonly string[];
}

/** Seeded referral events as PutEvents entries (with the ids EventBridge would assign). */
export function referralEvents(count: number, seed: number): GeneratedEvents {
  const random = seededRandom(seed);
  const entries: PutEventsEntry[] = [];
  const ids: string[] = [];
  const start = Date.UTC(2025, 0, 6, 8, 0, 0);
  for (let i = 0; i < count; i++) {
    const roll = random();
    const detailType =
      roll < 0.85 ? 'referral.received' : roll < 0.95 ? 'referral.updated' : 'referral.withdrawn';
    const flags: Record<string, boolean> = {
      weaponUsedOrThreatened: random() < 0.12,
      inStaffedWindow: random() < 0.7,
    };
    // Aggravating factors are sometimes not yet known at referral time.
    if (random() < 0.85) flags['aggravatingFactors'] = random() < 0.2;
    const detail = {
      referralId: `REF-${String(i).padStart(7, '0')}`,
      spoke: pick(random, SPOKES),
      pathway: pick(random, PATHWAYS),
      ageYears: 8 + Math.floor(random() * 18),
      flags,
      referrerType: pick(random, REFERRERS),
    };
    entries.push({
      Source: SOURCE,
      DetailType: detailType,
      Detail: JSON.stringify(detail),
      Time: new Date(start + i * 7_000).toISOString(),
      Resources: [],
      EventBusName: 'reachable',
    });
    ids.push(
      `${Math.floor(random() * 0xffffffff)
        .toString(16)
        .padStart(8, '0')}-${i}`,
    );
  }
  return { entries, ids };
}

/** Builds the event EventBridge would deliver for an entry: what our matcher sees. */
function toEvent(entry: PutEventsEntry, id: string): Record<string, unknown> {
  return {
    version: '0',
    id,
    'detail-type': entry.DetailType,
    source: entry.Source,
    account: '123456789012',
    time: entry.Time,
    region: 'eu-west-2',
    resources: entry.Resources,
    detail: JSON.parse(entry.Detail) as unknown,
  };
}

function loadTheirPlugin(): TheirPlugin {
  const require = createRequire(import.meta.url);
  const Plugin = require('serverless-offline-aws-eventbridge') as TheirPluginClass;
  // Only the matching methods are used; the constructor just stores these.
  return new Plugin(
    { service: { custom: {}, provider: {} } },
    {},
    { log: { notice: () => undefined } },
  );
}

function theirVerdict(
  plugin: TheirPlugin,
  subscriber: TheirSubscriber,
  entry: PutEventsEntry,
): boolean | 'threw' {
  try {
    return plugin.verifyIsSubscribed(subscriber, entry);
  } catch {
    return 'threw';
  }
}

/** The PutEvents entry their plugin would receive for a conformance case's event. */
function entryFor(event: unknown): PutEventsEntry {
  const record = (typeof event === 'object' && event !== null ? event : {}) as Record<
    string,
    unknown
  >;
  return {
    Source: record['source'] as string,
    DetailType: record['detail-type'] as string,
    Detail: (record['detail'] === undefined
      ? undefined
      : JSON.stringify(record['detail'])) as string,
    Time: record['time'] as string,
    Resources: (record['resources'] ?? []) as string[],
    EventBusName: 'default',
  };
}

function ourConformance(cases: readonly ConformanceCase[]): number {
  return cases.filter(({ pattern, event, expected }) => {
    try {
      return matchesPattern(pattern, event) === expected;
    } catch {
      return false;
    }
  }).length;
}

function theirConformance(plugin: TheirPlugin, cases: readonly ConformanceCase[]): number {
  return cases.filter(({ pattern, event, expected }) => {
    // Their plugin reads patterns from serverless.yml, so it always gets an object.
    const parsed: unknown = typeof pattern === 'string' ? JSON.parse(pattern) : pattern;
    const verdict = theirVerdict(
      plugin,
      { event: { pattern: parsed }, functionKey: 'case' },
      entryFor(event),
    );
    return verdict === expected;
  }).length;
}

/** Runs the benchmark: throughput of both matchers on the same rules and events, and conformance. */
export async function runMatcherBench(
  options: MatcherBenchOptions = {},
): Promise<MatcherBenchResult> {
  const eventCount = options.events ?? 100_000;
  const budgetMs = options.theirsTimeBudgetMs ?? 10_000;
  const rules = referralRoutingRules();
  const { entries, ids } = referralEvents(eventCount, options.seed ?? 20250106);
  const compiled: CompiledPattern[] = rules.map((rule) => compilePattern(rule));
  const plugin = loadTheirPlugin();
  const subscribers: TheirSubscriber[] = rules.map((pattern, i) => ({
    event: { pattern },
    functionKey: `rule${i}`,
  }));

  // Ours: warm up, then build each delivered event and test every rule against it.
  let sink = 0;
  for (let i = 0; i < Math.min(2_000, eventCount); i++) {
    const event = toEvent(entries[i] as PutEventsEntry, ids[i] as string);
    for (const rule of compiled) if (rule(event)) sink++;
  }
  const oursStart = performance.now();
  for (let i = 0; i < eventCount; i++) {
    const event = toEvent(entries[i] as PutEventsEntry, ids[i] as string);
    for (const rule of compiled) if (rule(event)) sink++;
  }
  const oursSeconds = (performance.now() - oursStart) / 1000;

  // Theirs: far slower, so timed over a leading sample within the budget.
  const theirVerdicts: (boolean | 'threw')[] = [];
  let measured = 0;
  const theirsStart = performance.now();
  while (measured < eventCount && performance.now() - theirsStart < budgetMs) {
    const entry = entries[measured] as PutEventsEntry;
    for (const subscriber of subscribers)
      theirVerdicts.push(theirVerdict(plugin, subscriber, entry));
    measured++;
  }
  const theirsSeconds = (performance.now() - theirsStart) / 1000;

  let disagreements = 0;
  for (let i = 0; i < measured; i++) {
    const event = toEvent(entries[i] as PutEventsEntry, ids[i] as string);
    compiled.forEach((rule, r) => {
      const theirs = theirVerdicts[i * compiled.length + r];
      if (theirs === 'threw' || theirs !== rule(event)) disagreements++;
    });
  }
  if (sink < 0) throw new Error('unreachable: keeps the match count observable');

  const oursEventsPerSecond = eventCount / oursSeconds;
  const theirsEventsPerSecond = measured / theirsSeconds;
  return {
    rules: rules.length,
    events: eventCount,
    oursEventsPerSecond,
    theirsEventsPerSecond,
    ratio: oursEventsPerSecond / theirsEventsPerSecond,
    ourConformance: { passed: ourConformance(conformanceCases), total: conformanceCases.length },
    theirConformance: {
      passed: theirConformance(plugin, conformanceCases),
      total: conformanceCases.length,
    },
    theirsEventsMeasured: measured,
    theirsThrows: theirVerdicts.filter((verdict) => verdict === 'threw').length,
    disagreements,
  };
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

/** Prints a matcher benchmark result as a table. */
export function printMatcherBench(result: MatcherBenchResult): void {
  const rate = (n: number): string => `${Math.round(n).toLocaleString('en-GB')} events/s`;
  console.table({
    rules: { value: result.rules },
    events: { value: result.events },
    ours: { value: rate(result.oursEventsPerSecond) },
    theirs: {
      value: `${rate(result.theirsEventsPerSecond)} (${result.theirsEventsMeasured} events timed)`,
    },
    ratio: { value: `${result.ratio.toFixed(1)}x` },
    'our conformance': { value: `${result.ourConformance.passed}/${result.ourConformance.total}` },
    'their conformance': {
      value: `${result.theirConformance.passed}/${result.theirConformance.total}`,
    },
    'their throws': { value: result.theirsThrows },
    'rule decisions where theirs differs': { value: result.disagreements },
  });
}

if (invokedDirectly) {
  // No top-level await, so the module also loads where it is transpiled to CommonJS.
  runMatcherBench()
    .then(printMatcherBench)
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
