import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
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

  constructor({ busName, source, client }: EventBusOptions) {
    this.#busName = busName;
    this.#source = source;
    this.#client = client ?? eventBridge();
  }

  /**
   * Puts the events of one outbox record in one request; throws when EventBridge refuses any,
   * so the record is retried (consumers are idempotent, so a repeat is harmless).
   */
  async publish(events: readonly OutgoingEvent[]): Promise<string[]> {
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
    const entries = result.Entries ?? [];
    const refused = events.flatMap((event, index) => {
      const entry = entries[index];
      return entry?.EventId ? [] : [`${event.detailType}: ${entry?.ErrorCode ?? 'no entry'}`];
    });
    if ((result.FailedEntryCount ?? 0) > 0 || refused.length > 0) {
      throw new PublishFailedError(`EventBridge refused ${refused.join(', ')}`);
    }
    return entries.map((entry) => entry.EventId ?? '');
  }
}
