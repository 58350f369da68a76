import { PutEventsCommand, type EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { DetailType } from '#events/catalogue.ts';
import { eventBridge } from './clients.ts';

export interface OutgoingEvent {
  detailType: DetailType;
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

  /** Puts one event; throws when EventBridge does not accept it. */
  async publish(event: OutgoingEvent): Promise<string> {
    const result = await this.#client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.#busName,
            Source: this.#source,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
          },
        ],
      }),
    );
    const entry = result.Entries?.[0];
    if ((result.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
      throw new PublishFailedError(
        `EventBridge refused ${event.detailType}: ${entry?.ErrorCode ?? 'unknown'} ${entry?.ErrorMessage ?? ''}`.trim(),
      );
    }
    return entry.EventId;
  }
}
