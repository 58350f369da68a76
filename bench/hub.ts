/**
 * Benchmark: the hub's metrics API (GET /v1/hub/metrics) over 10,000 and over 1,000,000
 * referrals of history. The API reads monthly aggregates only, one query per month of the
 * period, so its latency should follow the months asked for, not the number of referrals.
 *
 * - 10,000 referrals: synthetic lifecycle events over the last 12 months, projected one by one
 *   through the projector's own code (`projectEvent`, a real `MetricsStore`) into DynamoDB Local.
 * - 1,000,000 referrals: the same generator over 36 months, its facts read with `factsOf` and
 *   summed in memory, written as aggregate items (`aggregateItem`) with BatchWriteItem.
 *
 * Each history gets its own process and runtime (`runHubBench` forks this file): handler modules
 * load once per process and keep the DynamoDB endpoint they first saw, so a second runtime in one
 * process would send the hub API to the first one's stopped DynamoDB Local.
 * Run one history directly with `npx tsx bench/hub.ts 10000` (or `1000000`).
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import {
  loadLocalTemplate,
  projectRoot,
  type Template,
  type TemplateResource,
} from '#local/template.ts';
import { MetricsStore, aggregateItem } from '#shared/table/metrics-store.ts';
import type { Log } from '#shared/observability.ts';
import { monthsBetween } from '#shared/services/hub.ts';
import { projectEvent } from '#shared/services/projector.ts';
import { aggregatesOf, referralHistory, type LifecycleEvent } from './hub-history.ts';
import { percentile, printTable, seededRandom } from './stats.ts';

/** The two histories measured, in referrals. */
export const historySizes = [10_000, 1_000_000] as const;
type HistorySize = (typeof historySizes)[number];

// Referrals projected at once. DynamoDB Local is the bottleneck (about 10 ms of its CPU per
// transaction here); 16 in flight kept it busiest, 1 managed a third of that.
const projectionConcurrency = 16;
const warmUpRounds = 100;
const measuredRounds = 200;

/** What one history measured. */
export interface HubHistoryResult {
  referrals: number;
  /** How the history was made, and how long it took. */
  seeding: string;
  seedingSeconds: number;
  /** Waiting for this process to go quiet before measuring. */
  settleSeconds: number;
  /** The machine's 1-minute load average when seeding began: other work slows everything. */
  loadAverage: number;
  queries: QueryResult[];
}

interface QueryResult {
  query: string;
  months: number;
  itemsRead: number;
  rows: number;
  referred: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
}

const silent: Log = { info: () => undefined, warn: () => undefined, error: () => undefined };
const round = (ms: number) => Math.round(ms * 10) / 10;
const seconds = (ms: number) => Math.round(ms / 100) / 10;
const thousands = (n: number) => n.toLocaleString('en-GB');

/** The query shapes measured: path and query string, named for the table. */
function queryShapes(now: Date): { name: string; search: string }[] {
  const month = (offset: number) =>
    new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + offset, 1))
      .toISOString()
      .slice(0, 7);
  return [
    { name: 'default (12 months, totals)', search: '' },
    { name: '12 months by spoke,pathway', search: '?groupBy=spoke,pathway' },
    { name: '12 months by month', search: '?groupBy=month' },
    {
      name: '36 months by provider,quarter',
      search: `?from=${month(-35)}&to=${month(0)}&groupBy=provider,quarter`,
    },
  ];
}

/** Projects each referral's events in order, `concurrency` referrals at a time. */
async function projectHistory(
  store: MetricsStore,
  history: readonly LifecycleEvent[][],
  concurrency: number,
): Promise<{ events: number; facts: number; retries: number }> {
  let next = 0;
  let events = 0;
  let facts = 0;
  let retries = 0;
  const worker = async () => {
    for (let referral = history[next++]; referral; referral = history[next++]) {
      for (const { detailType, detail } of referral) {
        for (let attempt = 1; ; attempt++) {
          try {
            const counted = await projectEvent(detailType, detail, { store, log: silent });
            facts += counted;
            break;
          } catch (error) {
            // Two workers updating one aggregate at once: the SQS redelivery's job in AWS.
            // Facts already counted are skipped on the retry (their markers exist).
            if (!(error instanceof Error && error.name === 'TransactionCanceledException'))
              throw error;
            if (attempt >= 20) throw error;
            retries++;
            await sleep(Math.random() * 10 * attempt);
          }
        }
        events++;
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { events, facts, retries };
}

/** Writes items 25 to a request, four requests at a time, retrying what is left unprocessed. */
async function batchWrite(
  client: DynamoDBDocumentClient,
  tableName: string,
  items: readonly Record<string, unknown>[],
): Promise<void> {
  const batches: Record<string, unknown>[][] = [];
  for (let i = 0; i < items.length; i += 25) batches.push(items.slice(i, i + 25));
  let next = 0;
  const worker = async () => {
    for (let batch = batches[next++]; batch; batch = batches[next++]) {
      let requests = batch.map((Item) => ({ PutRequest: { Item } }));
      for (let attempt = 1; requests.length > 0; attempt++) {
        if (attempt > 10) throw new Error('DynamoDB Local kept items unprocessed');
        const { UnprocessedItems } = await client.send(
          new BatchWriteCommand({ RequestItems: { [tableName]: requests } }),
        );
        requests = (UnprocessedItems?.[tableName] ?? []) as typeof requests;
      }
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

/** Makes the history, timed, and says how. */
async function seed(
  size: HistorySize,
  store: MetricsStore,
  client: DynamoDBDocumentClient,
  tableName: string,
  now: Date,
): Promise<{ seeding: string; seedingSeconds: number }> {
  const started = performance.now();
  if (size === 10_000) {
    const history = [
      ...referralHistory({ count: size, months: 12, now, random: seededRandom(20261123) }),
    ];
    const { events, facts, retries } = await projectHistory(store, history, projectionConcurrency);
    const took = performance.now() - started;
    return {
      seedingSeconds: seconds(took),
      seeding:
        `${thousands(size)} referrals over 12 months: ${thousands(events)} synthetic lifecycle ` +
        `events projected through projectEvent and MetricsStore into DynamoDB Local ` +
        `(${thousands(facts)} facts, one transaction each, ${projectionConcurrency} referrals ` +
        `at a time, ${thousands(retries)} retries after transaction conflicts) in ` +
        `${seconds(took)} s (${thousands(Math.round(facts / (took / 1000)))} facts/s)`,
    };
  }
  const aggregates = aggregatesOf(
    referralHistory({ count: size, months: 36, now, random: seededRandom(20261124) }),
  );
  const simulated = performance.now();
  const referred = aggregates.reduce((sum, aggregate) => sum + (aggregate.counts.referred ?? 0), 0);
  if (referred !== size) throw new Error(`The aggregates count ${referred} referred, not ${size}`);
  await batchWrite(client, tableName, aggregates.map(aggregateItem));
  const took = performance.now() - started;
  return {
    seedingSeconds: seconds(took),
    seeding:
      `${thousands(size)} referrals over 36 months: simulated in memory with the same generator, ` +
      `their facts read with factsOf and summed into ${thousands(aggregates.length)} aggregate ` +
      `items (${seconds(simulated - started)} s), written with BatchWriteItem ` +
      `(${seconds(performance.now() - simulated)} s)`,
  };
}

/**
 * Waits until this process has been nearly idle for two seconds running, so what the seeding
 * left behind (garbage, the runtime's pollers) does not compete with the measured requests.
 */
async function settled(timeoutMs = 60_000): Promise<number> {
  const started = performance.now();
  let quiet = 0;
  while (quiet < 2 && performance.now() - started < timeoutMs) {
    const before = process.cpuUsage();
    await sleep(1000);
    const { user, system } = process.cpuUsage(before);
    quiet = (user + system) / 1000 < 100 ? quiet + 1 : 0; // under 10% of a core
  }
  return performance.now() - started;
}

/**
 * Times every query shape: `warmUpRounds` rounds of all shapes first (the JVM behind DynamoDB
 * Local compiles its query path only after thousands of queries, and a projected history has
 * already run thousands of writes through it), then `measuredRounds` rounds, one request per
 * shape in turn, so anything else slowing the machine meanwhile falls on every shape alike.
 */
async function measure(
  runtime: Runtime,
  store: MetricsStore,
  token: string,
  shapes: readonly { name: string; search: string }[],
): Promise<QueryResult[]> {
  const get = async (search: string) => {
    const response = await fetch(`${runtime.url}/v1/hub/metrics${search}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`The hub API answered ${response.status}: ${text}`);
    return text;
  };
  for (let round = 0; round < warmUpRounds; round++) {
    for (const shape of shapes) await get(shape.search);
  }
  const samples = shapes.map((): number[] => []);
  for (let round = 0; round < measuredRounds; round++) {
    for (const [i, shape] of shapes.entries()) {
      const started = performance.now();
      await get(shape.search);
      samples[i]?.push(performance.now() - started);
    }
  }
  return Promise.all(
    shapes.map(async (shape, i) => {
      const body = JSON.parse(await get(shape.search)) as {
        period: { from: string; to: string };
        rows: { referred: number }[];
      };
      const months = monthsBetween(body.period.from, body.period.to);
      const sorted = (samples[i] ?? []).sort((x, y) => x - y);
      return {
        query: shape.name,
        months: months.length,
        itemsRead: (await store.aggregatesFor(months)).length,
        rows: body.rows.length,
        referred: body.rows.reduce((sum, row) => sum + row.referred, 0),
        p50Ms: round(percentile(sorted, 50)),
        p95Ms: round(percentile(sorted, 95)),
        p99Ms: round(percentile(sorted, 99)),
      };
    }),
  );
}

/**
 * The app's template without the table stream's mapping. The stream's consumer publishes nothing
 * for aggregates, and on DynamoDB Local it falls behind tens of thousands of projection writes:
 * once its place in the stream is trimmed it retries it forever (TrimmedDataAccessException).
 */
function templateWithoutStreamConsumer(): Template {
  const { template } = loadLocalTemplate();
  const readsStream = (resource: TemplateResource) =>
    resource.Type === 'AWS::Lambda::EventSourceMapping' &&
    JSON.stringify(resource.Properties?.EventSourceArn).includes('StreamArn');
  return {
    ...template,
    Resources: Object.fromEntries(
      Object.entries(template.Resources).filter(([, resource]) => !readsStream(resource)),
    ),
  };
}

/** One history on a fresh runtime: seed it, let the runtime settle, time every query shape. */
export async function measureHistory(size: HistorySize): Promise<HubHistoryResult> {
  const runtime = await startRuntime({ port: 0, template: templateWithoutStreamConsumer() });
  const client = DynamoDBDocumentClient.from(
    new DynamoDBClient({ endpoint: runtime.endpoints.dynamodb }),
    { marshallOptions: { removeUndefinedValues: true } },
  );
  try {
    const tableName = runtime.tableNames[0];
    if (!tableName) throw new Error('The runtime has no table');
    const store = new MetricsStore({ tableName, client });
    const now = new Date();
    const loadAverage = Math.round((os.loadavg()[0] ?? 0) * 10) / 10;
    console.log(`Hub bench: seeding ${thousands(size)} referrals…`);
    const { seeding, seedingSeconds } = await seed(size, store, client, tableName, now);
    console.log(`Hub bench: ${seeding}`);
    const settleSeconds = seconds(await settled());
    const token = await signLocalToken({ hub: 'avon-and-somerset' });
    const queries = await measure(runtime, store, token, queryShapes(now));
    return { referrals: size, seeding, seedingSeconds, settleSeconds, loadAverage, queries };
  } finally {
    client.destroy();
    await runtime.stop();
  }
}

/** Both histories, each in its own process with its own runtime (see the top of this file). */
export async function runHubBench(): Promise<HubHistoryResult[]> {
  const results: HubHistoryResult[] = [];
  for (const size of historySizes) {
    const child = fork(fileURLToPath(import.meta.url), [String(size)], {
      cwd: projectRoot,
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    });
    results.push(
      await new Promise<HubHistoryResult>((resolve, reject) => {
        let result: HubHistoryResult | undefined;
        child.on('message', (message) => (result = message as HubHistoryResult));
        child.on('error', reject);
        child.on('exit', (code) =>
          result
            ? resolve(result)
            : reject(new Error(`The ${thousands(size)} hub bench exited with ${code}`)),
        );
      }),
    );
  }
  return results;
}

/** Prints each history's seeding, the latency of every query shape, and the ratios. */
export function printHubBench(results: readonly HubHistoryResult[]): void {
  console.log(
    `\nHub metrics: GET /v1/hub/metrics with a hub token, one request at a time: ` +
      `${warmUpRounds} rounds of every query to warm up, then ${measuredRounds} rounds timed ` +
      `(one request per query in turn); each history on a runtime of its own`,
  );
  for (const result of results) {
    console.log(
      `- ${result.seeding}; then ${result.settleSeconds} s to settle ` +
        `(1-minute load average ${result.loadAverage} on ${os.cpus().length} cores at the start)`,
    );
  }
  printTable(
    'Hub metrics latency by history and query (items read: aggregate items the API queried)',
    results.flatMap((result) =>
      result.queries.map(({ query, ...measured }) => ({
        history: `${thousands(result.referrals)} referrals`,
        query,
        ...measured,
      })),
    ),
  );
  const [small, large] = results;
  if (!small || !large) return;
  const both = `${thousands(small.referrals)} / ${thousands(large.referrals)}`;
  printTable(
    `Does it grow with the history? p50 with ${thousands(large.referrals)} referrals over p50 with ${thousands(small.referrals)}`,
    small.queries.map((query, i) => {
      const other = large.queries[i];
      return {
        query: query.query,
        [`items read (${both})`]: `${query.itemsRead} / ${other?.itemsRead ?? '?'}`,
        [`p50 ms (${both})`]: `${query.p50Ms} / ${other?.p50Ms ?? '?'}`,
        ratio: other ? (other.p50Ms / query.p50Ms).toFixed(2) : '?',
      };
    }),
  );
}

const invokedDirectly =
  process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href;

if (invokedDirectly) {
  process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
  const size = Number(process.argv[2] ?? historySizes[0]);
  if (!historySizes.includes(size as HistorySize)) {
    throw new Error(`Measure ${historySizes.join(' or ')} referrals, not ${process.argv[2]}`);
  }
  const result = await measureHistory(size as HistorySize);
  if (process.send) {
    await new Promise<void>((resolve, reject) =>
      process.send?.(result, (error: Error | null) => (error ? reject(error) : resolve())),
    );
    process.disconnect();
  } else {
    printHubBench([result]);
  }
}
