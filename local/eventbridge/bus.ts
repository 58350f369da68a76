import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { matchesPattern, validatePattern } from '#shared/routing/pattern.ts';
import { targetBody, type TargetInput } from './transform.ts';

/** One target of a rule: an SQS queue, with EventBridge's retry policy and dead-letter queue. */
export interface LocalTarget extends TargetInput {
  id: string;
  queueArn: string;
  deadLetterQueueArn?: string;
  maximumRetryAttempts: number;
  maximumEventAgeSeconds: number;
}

export interface LocalRule {
  name: string;
  busName: string;
  pattern: unknown;
  targets: LocalTarget[];
}

/** A PutEvents request entry, as the SDK sends it. */
export interface PutEventsEntry {
  Source?: string;
  DetailType?: string;
  Detail?: string;
  EventBusName?: string;
  Resources?: string[];
  Time?: string | number;
}

export type PutEventsResultEntry =
  { EventId: string } | { ErrorCode: string; ErrorMessage: string };

/** Sends one message body to the queue with this ARN; throws when it cannot. */
export type SendToQueue = (queueArn: string, body: string) => Promise<void>;

export interface LocalEventBridgeOptions {
  account: string;
  region: string;
  send: SendToQueue;
  /** First retry delay; doubles each attempt. Small locally so failures show quickly. */
  retryBaseDelayMs?: number;
}

/** What the bus has done, for operators and tests: unmatched events are counted, never hidden. */
export interface BusStats {
  accepted: number;
  matched: number;
  unmatched: number;
  delivered: number;
  deadLettered: number;
  dropped: number;
}

/** An event as the bus accepted it, in EventBridge's envelope. */
export type BusEvent = {
  version: string;
  id: string;
  'detail-type': string;
  source: string;
  account: string;
  time: string;
  region: string;
  resources: string[];
  detail: unknown;
};

/** EventBridge's limit on the entries of one PutEvents request, counted as it counts them. */
export const maxRequestEntriesBytes = 256 * 1024;

/** An entry's size as EventBridge calculates it (user guide, "Calculating PutEvents event entry size"). */
export function entrySize(entry: PutEventsEntry): number {
  const bytes = (text: string | undefined) =>
    text === undefined ? 0 : Buffer.byteLength(text, 'utf8');
  return (
    (entry.Time === undefined ? 0 : 14) +
    bytes(entry.Source) +
    bytes(entry.DetailType) +
    bytes(entry.Detail) +
    (entry.Resources ?? []).reduce((total, resource) => total + bytes(resource), 0)
  );
}

/**
 * An in-process EventBridge: buses with rules, PutEvents with EventBridge's envelope and
 * per-entry errors, and delivery to SQS targets with retries and dead-letter queues.
 */
export class LocalEventBridge {
  readonly stats: BusStats = {
    accepted: 0,
    matched: 0,
    unmatched: 0,
    delivered: 0,
    deadLettered: 0,
    dropped: 0,
  };
  /** The most recent events no rule matched (identifiers and detail-type only). */
  readonly recentUnmatched: { id: string; source: string; detailType: string }[] = [];
  readonly #rules: LocalRule[] = [];
  readonly #buses = new Set<string>(['default']);
  readonly #inFlight = new Set<Promise<void>>();
  readonly #observers = new Set<(event: BusEvent) => void>();
  readonly #options: Required<LocalEventBridgeOptions>;

  constructor(options: LocalEventBridgeOptions) {
    this.#options = { retryBaseDelayMs: 50, ...options };
  }

  /** Adds a bus by name. */
  /** The names of the buses, `default` included. */
  get busNames(): string[] {
    return [...this.#buses];
  }

  addBus(name: string): void {
    this.#buses.add(name);
  }

  /** Adds a rule; throws, naming the rule, when its pattern is one EventBridge would reject. */
  addRule(rule: LocalRule): void {
    try {
      validatePattern(rule.pattern);
    } catch (error) {
      throw new Error(
        `Rule ${rule.name} has an invalid event pattern: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    if (!this.#buses.has(rule.busName))
      throw new Error(`Rule ${rule.name} names unknown bus ${rule.busName}`);
    this.#rules.push(rule);
  }

  /** The rules, for inspection. */
  get rules(): readonly LocalRule[] {
    return this.#rules;
  }

  /**
   * Calls `observer` with every event the bus accepts, matched or not, until the returned
   * function is called: for tests that check what the events carry.
   */
  observe(observer: (event: BusEvent) => void): () => void {
    this.#observers.add(observer);
    return () => this.#observers.delete(observer);
  }

  /** PutEvents: accepts each valid entry and delivers it in the background, like EventBridge. */
  putEvents(entries: readonly PutEventsEntry[]): {
    FailedEntryCount: number;
    Entries: PutEventsResultEntry[];
  } {
    const results = entries.map((entry) => this.#putOne(entry));
    return {
      FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length,
      Entries: results,
    };
  }

  /** Waits until every delivery under way has finished (delivered or dead-lettered). */
  async drain(): Promise<void> {
    while (this.#inFlight.size > 0) await Promise.allSettled([...this.#inFlight]);
  }

  #putOne(entry: PutEventsEntry): PutEventsResultEntry {
    const invalid = (message: string) => ({ ErrorCode: 'InvalidArgument', ErrorMessage: message });
    if (!entry.Source)
      return invalid('Parameter Source is not valid. Reason: Source is a required argument.');
    if (!entry.DetailType)
      return invalid(
        'Parameter DetailType is not valid. Reason: DetailType is a required argument.',
      );
    if (entry.Detail === undefined)
      return invalid('Parameter Detail is not valid. Reason: Detail is a required argument.');
    let detail: unknown;
    try {
      detail = JSON.parse(entry.Detail);
    } catch {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    if (detail === null || typeof detail !== 'object' || Array.isArray(detail)) {
      return { ErrorCode: 'MalformedDetail', ErrorMessage: 'Detail is malformed.' };
    }
    const busName = busNameOf(entry.EventBusName ?? 'default');
    if (!this.#buses.has(busName)) {
      return {
        ErrorCode: 'ResourceNotFoundException',
        ErrorMessage: `Event bus ${busName} does not exist.`,
      };
    }

    const envelope: BusEvent = {
      version: '0',
      id: randomUUID(),
      'detail-type': entry.DetailType,
      source: entry.Source,
      account: this.#options.account,
      time: eventTime(entry.Time),
      region: this.#options.region,
      resources: entry.Resources ?? [],
      detail,
    };
    this.stats.accepted++;
    for (const observer of this.#observers) observer(envelope);
    const matching = this.#rules.filter(
      (rule) => rule.busName === busName && matchesPattern(rule.pattern, envelope),
    );
    if (matching.length === 0) {
      this.stats.unmatched++;
      this.recentUnmatched.push({
        id: envelope.id,
        source: envelope.source,
        detailType: envelope['detail-type'],
      });
      if (this.recentUnmatched.length > 100) this.recentUnmatched.shift();
    } else {
      this.stats.matched++;
    }
    for (const rule of matching) {
      for (const target of rule.targets) {
        const body = targetBody(envelope, target, {
          ruleName: rule.name,
          ruleArn: `arn:aws:events:${this.#options.region}:${this.#options.account}:rule/${rule.busName}/${rule.name}`,
        });
        this.#track(this.#deliver(rule, target, body));
      }
    }
    return { EventId: envelope.id };
  }

  async #deliver(rule: LocalRule, target: LocalTarget, body: string): Promise<void> {
    const deadline = Date.now() + target.maximumEventAgeSeconds * 1000;
    let lastError: unknown;
    for (
      let attempt = 0;
      attempt <= target.maximumRetryAttempts && Date.now() <= deadline;
      attempt++
    ) {
      if (attempt > 0)
        await sleep(Math.min(this.#options.retryBaseDelayMs * 2 ** (attempt - 1), 30_000));
      try {
        await this.#options.send(target.queueArn, body);
        this.stats.delivered++;
        return;
      } catch (error) {
        lastError = error;
      }
    }
    if (target.deadLetterQueueArn) {
      await this.#options.send(target.deadLetterQueueArn, body);
      this.stats.deadLettered++;
      return;
    }
    this.stats.dropped++;
    console.error(
      `Rule ${rule.name}: delivery to ${target.queueArn} failed and there is no dead-letter queue`,
      lastError,
    );
  }

  #track(delivery: Promise<void>): void {
    this.#inFlight.add(delivery);
    void delivery.finally(() => this.#inFlight.delete(delivery));
  }
}

/** A bus given by name or by ARN. */
function busNameOf(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? (nameOrArn.split('/').pop() ?? nameOrArn) : nameOrArn;
}

/** EventBridge's envelope time: whole seconds, UTC, with a Z. */
function eventTime(time: string | number | undefined): string {
  const date =
    time === undefined ? new Date() : new Date(typeof time === 'number' ? time * 1000 : time);
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z');
}
