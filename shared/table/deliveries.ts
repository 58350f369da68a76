import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { GetCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../adapters/clients.ts';
import { ConflictError } from '../errors.ts';
import { deliveryKey, entities, tableKey, type DeliveryChannel } from './layout.ts';

export type { DeliveryChannel } from './layout.ts';

/**
 * A delivery taken: which body it carried (its SHA-256) and what was answered, kept until
 * `expiresAt` (seconds, the table's TTL) so a retry gets the same answer. No personal data.
 * `webhookId` is the sender's key for it: the webhook id, or the API call's idempotency key.
 */
export interface DeliveryRecord {
  organisationId: string;
  webhookId: string;
  bodySha256: string;
  receipt: Record<string, unknown>;
  expiresAt: number;
  /** @default 'webhook' */
  channel?: DeliveryChannel;
}

/**
 * The delivery's key was taken by a delivery written first. `existing` is that delivery's
 * record, as the failed conditional write returned it, when it did.
 */
export class DuplicateDeliveryError extends ConflictError {
  constructor(
    webhookId: string,
    options?: ErrorOptions,
    readonly existing?: DeliveryRecord,
  ) {
    super(`Webhook delivery ${webhookId} has already been taken.`, options);
    this.name = 'DuplicateDeliveryError';
  }
}

/**
 * Another request was writing the same delivery's record at this very moment (DynamoDB refused
 * one of two transactions on it): read it again, and it will be there, or try again.
 */
export class DeliveryInProgressError extends ConflictError {
  constructor(webhookId: string, options?: ErrorOptions) {
    super(`Webhook delivery ${webhookId} is being taken by another request; try again.`, options);
    this.name = 'DeliveryInProgressError';
  }
}

/** The item of a delivery's record, as written with the referral it made. */
export function deliveryItem(delivery: DeliveryRecord): Record<string, unknown> {
  return {
    ...deliveryKey(delivery.organisationId, delivery.webhookId, delivery.channel),
    entity: entities.delivery,
    ...delivery,
  };
}

/** A delivery record from its item, as read or as a failed write returned it (marshalled). */
export function toDeliveryRecord(item: Record<string, unknown>): DeliveryRecord {
  const plain = isMarshalled(item)
    ? unmarshall(item as Record<string, AttributeValue>)
    : (item as Record<string, unknown>);
  const { organisationId, webhookId, bodySha256, receipt, expiresAt, channel } = plain;
  return {
    organisationId,
    webhookId,
    bodySha256,
    receipt,
    expiresAt,
    ...(channel ? { channel } : {}),
  } as DeliveryRecord;
}

function isMarshalled(item: Record<string, unknown>): boolean {
  const pk = item[tableKey.partitionKey];
  return typeof pk === 'object' && pk !== null && 'S' in pk;
}

export interface DeliveryRecordsOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

/**
 * The records of deliveries taken (signed webhooks, API calls with an Idempotency-Key), read
 * back to answer a retry. They are written with the referral they made (`Referrals.create`).
 */
export class DeliveryRecords {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor({ tableName, client }: DeliveryRecordsOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
  }

  /** The record of a delivery already taken on this channel, or undefined. */
  async delivery(
    organisationId: string,
    webhookId: string,
    channel?: DeliveryChannel,
  ): Promise<DeliveryRecord | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({
        TableName: this.#tableName,
        Key: deliveryKey(organisationId, webhookId, channel),
        ConsistentRead: true,
      }),
    );
    return Item ? toDeliveryRecord(Item) : undefined;
  }
}
