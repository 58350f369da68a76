import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { monthOf } from '#shared/domain/hub-metrics.ts';
import { localClockPath } from './clock-route.ts';
import { planDemo, type DemoAction, type DemoPlan, type ReferralAction } from './demo-plan.ts';
import { signLocalToken } from './signing-key.ts';

/**
 * `npm run demo-data`: fills a running embedded runtime (`npm start`) with a synthetic year of
 * referrals through the real APIs. The runtime's clock is set to each call's simulated moment in
 * turn, so the intake and providers stamp the times of the story, and set back to real time at the
 * end, whatever happens.
 */

export interface DemoDataOptions {
  /** The runtime's base URL, e.g. http://localhost:3000. */
  url: string;
  /** @default 1 */
  seed?: number;
  /** @default 1 */
  scale?: number;
  /** @default 12 */
  months?: number;
  /** Calls that share a simulated minute run side by side, this many at once. @default 4 */
  concurrency?: number;
  /** The end of the simulation. @default the time of the call */
  now?: Date;
  signal?: AbortSignal;
  /** Progress lines (never personal data). @default console.log */
  log?: (line: string) => void;
}

/** The hub's counts for one spoke and pathway. */
export interface HubRow {
  group: { spoke?: string; pathway?: string; month?: string };
  referred: number;
  accepted: number;
  engaged: number;
  closed: number;
  withdrawn: number;
}

export interface DemoDataResult {
  plan: DemoPlan;
  /** Calls made (clock settings not counted). */
  calls: number;
  elapsedMs: number;
  /** The hub showed every planned referral and engagement before the time limit. */
  caughtUp: boolean;
  /** The hub's rows by spoke and pathway for the simulated months, as it then stood. */
  rows: HubRow[];
}

/** Something the demo cannot get past, in words for whoever ran it. */
export class DemoDataError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'DemoDataError';
  }
}

interface Answer {
  status: number;
  body: Record<string, unknown>;
}

// How long a provider waits for routing to be recorded before giving up, and how often it looks.
const routingWaitMs = 30_000;
const routingPollMs = 50;
// How long to wait for the hub's aggregates to show everything at the end.
const hubWaitMs = 120_000;

/** The runtime's HTTP API as the demo's referrers, providers and hub call it. */
class RuntimeClient {
  readonly #tokens = new Map<string, Promise<string>>();
  calls = 0;

  constructor(readonly url: string) {}

  async request(
    method: string,
    path: string,
    options: {
      as?: Parameters<typeof signLocalToken>[0];
      body?: unknown;
      signal?: AbortSignal;
    } = {},
  ): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (options.body !== undefined) headers['content-type'] = 'application/json';
    if (options.as) headers.authorization = `Bearer ${await this.#token(options.as)}`;
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, {
        method,
        headers,
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        // Only the clock's last call takes a signal: one signal on thousands of requests leaks
        // listeners, and a stop waits for the call in hand anyway (see runDemoData).
        signal: options.signal ?? null,
      });
    } catch (error) {
      if (options.signal?.aborted) throw error;
      throw new DemoDataError(
        `Nothing answers at ${this.url}: start it with npm start (in another terminal), or set REACHABLE_URL.`,
        { cause: error },
      );
    }
    const text = await response.text();
    let body: Record<string, unknown> = {};
    if (/json/.test(response.headers.get('content-type') ?? '') && text) {
      body = JSON.parse(text) as Record<string, unknown>;
    }
    return { status: response.status, body };
  }

  /** A call that must succeed; anything else stops the demo, saying what the API said. */
  async expect(
    what: string,
    method: string,
    path: string,
    options: Parameters<RuntimeClient['request']>[2] = {},
  ): Promise<Record<string, unknown>> {
    this.calls++;
    const answer = await this.request(method, path, options);
    if (answer.status >= 200 && answer.status < 300) return answer.body;
    throw new DemoDataError(`${what}: ${problemText(answer)}`);
  }

  /** Sets the runtime's clock (null: real time). */
  async setClock(at: Date | null, signal?: AbortSignal): Promise<void> {
    const answer = await this.request('PUT', localClockPath, {
      body: { at: at?.toISOString() ?? null },
      ...(signal ? { signal } : {}),
    });
    if (answer.status === 404) {
      throw new DemoDataError(
        `${this.url} has no ${localClockPath}: demo data goes only into the embedded runtime of npm start.`,
      );
    }
    if (answer.status !== 200) throw new DemoDataError(`Setting the clock: ${problemText(answer)}`);
  }

  #token(as: Parameters<typeof signLocalToken>[0]): Promise<string> {
    const key = JSON.stringify(as);
    let token = this.#tokens.get(key);
    if (!token) {
      token = signLocalToken(as);
      this.#tokens.set(key, token);
    }
    return token;
  }
}

function problemText(answer: Answer): string {
  const { title, detail, errors } = answer.body as {
    title?: string;
    detail?: string;
    errors?: { pointer: string; detail: string }[];
  };
  const fields = (errors ?? []).map((e) => `${e.pointer} ${e.detail}`).join('; ');
  return [`${answer.status}`, title, detail, fields].filter(Boolean).join(' - ');
}

const providerPath = (providerId: string) => `/v1/providers/${encodeURIComponent(providerId)}`;

/** Makes each planned call as its referrer, provider or the hub would; keeps the intake's ids. */
class Performer {
  readonly referralIds = new Map<number, string>();

  constructor(private readonly client: RuntimeClient) {}

  async perform(action: DemoAction): Promise<void> {
    if (action.kind === 'capacity') {
      const { providerId, status, expectedWaitDays } = action;
      await this.client.expect('Stating capacity', 'PUT', `${providerPath(providerId)}/capacity`, {
        as: { provider: providerId },
        body: { status, ...(expectedWaitDays === undefined ? {} : { expectedWaitDays }) },
      });
      return;
    }
    if (action.kind === 'submit') {
      // Sent by the organisation the referral is from, with its own token.
      const body = await this.client.expect('Submitting a referral', 'POST', '/v1/referrals', {
        as: { organisation: action.submission.referrer.organisationId },
        body: action.submission,
      });
      if (typeof body.referralId !== 'string') {
        throw new DemoDataError('The intake answered without a referral id');
      }
      this.referralIds.set(action.ref, body.referralId);
      return;
    }
    const referralId = this.referralIds.get(action.ref);
    if (!referralId)
      throw new DemoDataError(`Referral ${action.ref} of the plan was never submitted`);
    if (action.kind === 'withdraw') {
      await this.#withdraw(action.organisationId, referralId);
      return;
    }
    await this.#providerCommand(action, referralId);
  }

  async #withdraw(organisationId: string, referralId: string): Promise<void> {
    const path = `/v1/organisations/${encodeURIComponent(organisationId)}/referrals/${referralId}`;
    const as = { organisation: organisationId };
    // Withdrawn after routing is recorded, so the hub counts it as referred like the rest.
    await this.#untilRouted(async () => {
      const answer = await this.client.request('GET', path, { as });
      const status = (answer.body.referral as { status?: string } | undefined)?.status;
      return status !== undefined && status !== 'received' ? status : undefined;
    });
    await this.client.expect('Withdrawing a referral', 'POST', `${path}/withdraw`, { as });
  }

  async #providerCommand(
    action: Exclude<ReferralAction, { kind: 'submit' | 'withdraw' }>,
    referralId: string,
  ): Promise<void> {
    const { providerId } = action;
    const as = { provider: providerId };
    const base = `${providerPath(providerId)}/referrals`;
    const path = `${base}/${referralId}`;
    const [route, body] = commandRequest(action);
    if (action.kind === 'accept' || action.kind === 'decline') {
      // A provider takes work from its queue: the pull also clears messages of referrals
      // already dealt with. Whichever it hands out, the plan says which referral is decided now.
      this.client.calls++;
      await this.client.request('GET', `${base}/next`, { as });
      // Until routing is recorded the referral is not yet the provider's (404), or is still
      // being routed (409): wait for it, as a provider would try again.
      const answer = await this.#untilRouted(async () => {
        const tried = await this.client.request('POST', `${path}/${route}`, {
          as,
          ...(body ? { body } : {}),
        });
        const notYet = tried.status === 404 || (tried.status === 409 && isConflict(tried));
        return notYet ? undefined : tried;
      });
      this.client.calls++;
      if (answer.status !== 200) {
        throw new DemoDataError(`${action.kind} by ${providerId}: ${problemText(answer)}`);
      }
      return;
    }
    await this.client.expect(`${action.kind} by ${providerId}`, 'POST', `${path}/${route}`, {
      as,
      ...(body ? { body } : {}),
    });
  }

  /** Tries `probe` until it gives an answer, which it does once routing is recorded. */
  async #untilRouted<T>(probe: () => Promise<T | undefined>): Promise<T> {
    const deadline = Date.now() + routingWaitMs;
    for (;;) {
      const found = await probe();
      if (found !== undefined) return found;
      if (Date.now() > deadline) {
        throw new DemoDataError(
          `A referral was still not routed after ${routingWaitMs / 1000} s: is the runtime overloaded?`,
        );
      }
      await sleep(routingPollMs);
    }
  }
}

function isConflict(answer: Answer): boolean {
  return String(answer.body.type ?? '').endsWith('/conflict');
}

/** The provider API route and body of a lifecycle step. */
function commandRequest(
  action: Exclude<ReferralAction, { kind: 'submit' | 'withdraw' }>,
): [string, object | undefined] {
  switch (action.kind) {
    case 'accept':
      return ['accept', undefined];
    case 'decline':
      return [
        'decline',
        { reason: action.reason, ...(action.details ? { details: action.details } : {}) },
      ];
    case 'attempt-contact':
      return [
        'contact-attempts',
        {
          method: action.method,
          result: action.result,
          attemptedAt: new Date(action.at).toISOString(),
        },
      ];
    case 'engage':
      return ['engaged', undefined];
    case 'close':
      return ['close', { outcome: action.outcome }];
    case 'reroute':
      return ['reroute', { toProviderId: action.toProviderId }];
  }
}

/** Runs `work` on every item, at most `limit` at a time. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const worker = async () => {
    for (let item = items[next++]; item !== undefined; item = items[next++]) await work(item);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/** The plan's calls grouped by simulated minute, oldest first. */
function byMinute(actions: readonly DemoAction[]): DemoAction[][] {
  const batches: DemoAction[][] = [];
  for (const action of actions) {
    const batch = batches.at(-1);
    if (batch?.[0]?.at === action.at) batch.push(action);
    else batches.push([action]);
  }
  return batches;
}

interface Totals {
  referred: number;
  engaged: number;
}

async function hubRows(client: RuntimeClient, plan: DemoPlan, groupBy: string): Promise<HubRow[]> {
  const from = plan.months[0] ?? '';
  const to = plan.months.at(-1) ?? '';
  const query = `from=${from}&to=${to}${groupBy ? `&groupBy=${groupBy}` : ''}`;
  const body = await client.expect('Reading the hub metrics', 'GET', `/v1/hub/metrics?${query}`, {
    as: { hub: 'avon-and-somerset' },
  });
  return (body.rows ?? []) as HubRow[];
}

async function hubTotals(client: RuntimeClient, plan: DemoPlan): Promise<Totals> {
  const [row] = await hubRows(client, plan, '');
  return { referred: row?.referred ?? 0, engaged: row?.engaged ?? 0 };
}

/**
 * Plays the plan against a running runtime: each simulated minute's calls with the clock set to
 * that minute, side by side up to `concurrency`; then the clock back to real time (also when it
 * fails or is stopped), and a wait for the hub's aggregates to show it all.
 */
export async function runDemoData(options: DemoDataOptions): Promise<DemoDataResult> {
  const log = options.log ?? ((line: string) => console.log(line));
  const started = Date.now();
  const client = new RuntimeClient(options.url.replace(/\/+$/, ''));
  await client.setClock(null); // is anything there, and is it the embedded runtime?
  const plan = planDemo({
    seed: options.seed ?? 1,
    scale: options.scale ?? 1,
    months: options.months ?? 12,
    now: options.now ?? new Date(),
  });
  const engagedInPlan = plan.referrals.filter((r) => r.engaged).length;
  log(
    `Plan: ${plan.referrals.length} referrals and ${plan.actions.length} calls, ${plan.months[0]} to ${plan.months.at(-1)}.`,
  );

  const before = await hubTotals(client, plan);
  if (before.referred > 0) {
    log(`The runtime already counts ${before.referred} referrals in these months; adding to them.`);
  }

  const performer = new Performer(client);
  let month = '';
  let submitted = 0;
  try {
    for (const batch of byMinute(plan.actions)) {
      options.signal?.throwIfAborted();
      const at = new Date(batch[0]?.at ?? 0);
      const batchMonth = monthOf(at.toISOString());
      if (batchMonth !== month) {
        if (month) log(progress(month, submitted, client.calls, started));
        month = batchMonth;
      }
      await client.setClock(at);
      await inParallel(batch, options.concurrency ?? 4, (action) => performer.perform(action));
      submitted += batch.filter((action) => action.kind === 'submit').length;
    }
    if (month) log(progress(month, submitted, client.calls, started));
  } finally {
    // Never leave the runtime in the past: not on an error, not on Ctrl-C.
    await client.setClock(null, AbortSignal.timeout(5000)).catch((error: unknown) => {
      log(
        `Could not put the runtime's clock back: ${String(error)}. PUT ${localClockPath} {"at":null} does.`,
      );
    });
  }

  log('Clock back to real time. Waiting for the hub to count everything...');
  let caughtUp = false;
  const deadline = Date.now() + hubWaitMs;
  while (!caughtUp && Date.now() < deadline) {
    options.signal?.throwIfAborted();
    const counted = await hubTotals(client, plan);
    caughtUp =
      counted.referred >= before.referred + plan.referrals.length &&
      counted.engaged >= before.engaged + engagedInPlan;
    if (!caughtUp) await sleep(500);
  }
  const rows = await hubRows(client, plan, 'spoke,pathway');
  return { plan, calls: client.calls, elapsedMs: Date.now() - started, caughtUp, rows };
}

function progress(month: string, submitted: number, calls: number, started: number): string {
  const seconds = Math.round((Date.now() - started) / 1000);
  return `  ${month} done: ${submitted} referrals submitted, ${calls} calls (${seconds} s)`;
}

/** The summary: the hub's counts per spoke and pathway, as the dashboard shows them. */
export function summary(result: DemoDataResult): string {
  const rows = [...result.rows].sort(
    (a, b) =>
      (a.group.spoke ?? '').localeCompare(b.group.spoke ?? '') ||
      (a.group.pathway ?? '').localeCompare(b.group.pathway ?? ''),
  );
  const width = (values: string[]) => Math.max(...values.map((v) => v.length));
  const spokeWidth = width(['spoke', ...rows.map((r) => r.group.spoke ?? '')]);
  const pathwayWidth = width(['pathway', ...rows.map((r) => r.group.pathway ?? '')]);
  const line = (spoke: string, pathway: string, cells: (string | number)[]) =>
    `  ${spoke.padEnd(spokeWidth)}  ${pathway.padEnd(pathwayWidth)}  ${cells
      .map((cell) => String(cell).padStart(10))
      .join('')}`;
  const sum = (key: 'referred' | 'accepted' | 'engaged' | 'closed' | 'withdrawn') =>
    rows.reduce((total, row) => total + row[key], 0);
  const seconds = (result.elapsedMs / 1000).toFixed(0);
  return [
    line('spoke', 'pathway', ['referred', 'accepted', 'engaged', 'closed', 'withdrawn']),
    ...rows.map((row) =>
      line(row.group.spoke ?? '', row.group.pathway ?? '', [
        row.referred,
        row.accepted,
        row.engaged,
        row.closed,
        row.withdrawn,
      ]),
    ),
    line('total', '', [
      sum('referred'),
      sum('accepted'),
      sum('engaged'),
      sum('closed'),
      sum('withdrawn'),
    ]),
    '',
    `${result.plan.referrals.length} referrals over ${result.plan.months.length} months (${result.plan.months[0]} to ${result.plan.months.at(-1)}), ${result.calls} API calls, ${seconds} s.`,
    result.caughtUp
      ? 'The hub counts all of them; the newest are still open and the SLA sweep flags the overdue ones within 5 minutes.'
      : 'The hub had not counted everything yet when the demo stopped waiting; it catches up on its own.',
  ].join('\n');
}

const usage = `Usage: npm run demo-data -- [--seed <n>] [--scale <factor>] [--months <n>]

Fills the running embedded runtime (npm start, in another terminal) with synthetic referrals
through its real APIs: the months up to today, at the partnership's volumes.

  --seed <n>        seed of the synthetic choices (default 1): the same seed, the same plan
  --scale <factor>  volume multiplier, e.g. 0.1 for a quick run (default 1)
  --months <n>      calendar months to simulate, this one included (default 12)

The runtime's URL is REACHABLE_URL (default http://localhost:3000).`;

function numberOption(
  value: string | undefined,
  name: string,
  fallback: number,
  check: (n: number) => boolean,
): number {
  if (value === undefined) return fallback;
  const parsed = Number(value);
  if (!check(parsed)) throw new DemoDataError(`--${name} "${value}" is not allowed\n\n${usage}`);
  return parsed;
}

async function main(): Promise<number> {
  let values: { seed?: string; scale?: string; months?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: {
        seed: { type: 'string' },
        scale: { type: 'string' },
        months: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const controller = new AbortController();
  const stop = () => {
    if (controller.signal.aborted) process.exit(130);
    console.log(
      '\nStopping: putting the clock back to real time (Ctrl-C again to quit at once)...',
    );
    controller.abort();
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    const result = await runDemoData({
      url: process.env.REACHABLE_URL ?? 'http://localhost:3000',
      seed: numberOption(values.seed, 'seed', 1, Number.isSafeInteger),
      scale: numberOption(values.scale, 'scale', 1, (n) => n > 0 && n <= 20),
      months: numberOption(
        values.months,
        'months',
        12,
        (n) => Number.isInteger(n) && n >= 1 && n <= 36,
      ),
      signal: controller.signal,
    });
    console.log(`\n${summary(result)}`);
    return 0;
  } catch (error) {
    if (controller.signal.aborted) {
      console.error('Stopped. What was sent so far stays in the runtime.');
      return 130;
    }
    console.error(error instanceof DemoDataError ? error.message : error);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main();
}
