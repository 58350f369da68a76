import { setTimeout as sleep } from 'node:timers/promises';
import {
  PutEventsCommand,
  type EventBridgeClient,
  type PutEventsResultEntry,
} from '@aws-sdk/client-eventbridge';
import type { DetailType, OperationsDetailType } from '#events/catalogue.ts';
import { eventBridge } from './clients.ts';

export interface OutgoingEvent {
  detailType: DetailType | OperationsDetailType;
  detail: object;
}

export interface EventBusOptions {
  busName: string;
  source: string;
  client?: EventBridgeClient;
  /**
   * PutEvents requests per publish: the first, then one per retry of the entries refused.
   * @default 3
   */
  attempts?: number;
  /**
   * Pause before the first retry, doubled before each next one.
   * @default 100
   */
  retryDelayMs?: number;
}

/** Raised when EventBridge refuses an entry, so the caller's batch item is retried. */
export class PublishFailedError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PublishFailedError';
  }
}

/** The partnership's custom event bus. */
export class EventBus {
  readonly #busName: string;
  readonly #source: string;
  readonly #client: EventBridgeClient;
  readonly #attempts: number;
  readonly #retryDelayMs: number;

  constructor({ busName, source, client, attempts = 3, retryDelayMs = 100 }: EventBusOptions) {
    this.#busName = busName;
    this.#source = source;
    this.#client = client ?? eventBridge();
    this.#attempts = attempts;
    this.#retryDelayMs = retryDelayMs;
  }

  /**
   * Puts the events of one outbox record in one request. Entries EventBridge refuses (throttled,
   * an internal failure) are put again, alone: the ones it took are never sent twice by this
   * call. Throws when some are still refused after the last attempt, so the record is retried
   * (consumers are idempotent, so what a retried record publishes again is harmless).
   */
  async publish(events: readonly OutgoingEvent[]): Promise<string[]> {
    const eventIds: (string | undefined)[] = events.map(() => undefined);
    let pending = events.map((event, index) => ({ event, index }));
    let refused: string[] = [];
    for (let attempt = 0; attempt < this.#attempts && pending.length > 0; attempt++) {
      if (attempt > 0) await sleep(this.#retryDelayMs * 2 ** (attempt - 1));
      const entries = await this.#put(pending.map(({ event }) => event));
      refused = [];
      pending = pending.filter(({ event, index }, position) => {
        const entry = entries[position];
        if (entry?.EventId) {
          eventIds[index] = entry.EventId;
          return false;
        }
        refused.push(`${event.detailType}: ${entry?.ErrorCode ?? 'no entry'}`);
        return true;
      });
    }
    if (pending.length > 0) {
      throw new PublishFailedError(`EventBridge refused ${refused.join(', ')}`);
    }
    return eventIds.map((id) => id ?? '');
  }

  /** One PutEvents request; its result entries in the order of the events. */
  async #put(events: readonly OutgoingEvent[]): Promise<PutEventsResultEntry[]> {
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: events.map((event) => ({
          EventBusName: this.#busName,
          Source: this.#source,
          DetailType: event.detailType,
          Detail: JSON.stringify(event.detail),
        })),
      }),
    );
    return result.Entries ?? [];
  }
}
