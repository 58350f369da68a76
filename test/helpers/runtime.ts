import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import {
  referralKey,
  referralPartition,
  tableKey,
  transitionSortKeyPrefix,
} from '#shared/table/layout.ts';

/** Polls until `probe` returns something, as routing on the runtime is asynchronous. */
export async function eventually<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  { attempts = 150, intervalMs = 100 } = {},
): Promise<T> {
  for (let attempt = 0; attempt < attempts; attempt++) {
    const found = await probe();
    if (found !== undefined) return found;
    await sleep(intervalMs);
  }
  throw new Error(`Gave up waiting for ${what}`);
}

/**
 * The work queue behind a destination written as in expectations.json: `provider:<id>`,
 * `triage:<spoke>` or `escalation`. Logical ids drop the hyphens of the config ids.
 */
export function destinationQueueUrl(runtime: Runtime, destination: string): string {
  const [kind = '', id = ''] = destination.split(':');
  const construct = { provider: 'Provider', triage: 'Triage', escalation: 'Escalation' }[kind];
  if (!construct) throw new Error(`Unknown destination ${destination}`);
  const prefix = `Routing${construct}${id.replaceAll('-', '')}Queue`;
  const match = [...runtime.queueUrls].find(([logicalId]) => logicalId.startsWith(prefix));
  if (!match) throw new Error(`No queue for ${destination} (looked for ${prefix}*)`);
  return match[1];
}

/**
 * Referral ids of the messages now in a queue, read without taking them (visibility 0), so the
 * queue is left as it was.
 */
export async function referralIdsInQueue(queueUrl: string): Promise<Set<string>> {
  const sqs = new SQSClient({});
  const ids = new Set<string>();
  try {
    for (let round = 0; round < 5; round++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      for (const message of Messages) {
        const body = JSON.parse(message.Body ?? '{}') as { detail?: { referralId?: string } };
        if (body.detail?.referralId) ids.add(body.detail.referralId);
      }
    }
  } finally {
    sqs.destroy();
  }
  return ids;
}

/** The referral item as stored, read straight from DynamoDB Local. */
export async function storedReferral(
  runtime: Runtime,
  referralId: string,
): Promise<Record<string, unknown> | undefined> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: runtime.tableNames[0],
        Key: referralKey(referralId),
      }),
    );
    return Item;
  } finally {
    documents.destroy();
  }
}

/** Waits until the hub's projector has taken every event off its queue (none waiting or in flight). */
export async function projectionQueueDrained(runtime: Runtime): Promise<void> {
  const queueUrl = [...runtime.queueUrls].find(([id]) => id.startsWith('HubProjectionQueue'))?.[1];
  if (!queueUrl) throw new Error('No hub projection queue in the template');
  await queueDrained(queueUrl);
}

/**
 * Waits until a queue's consumer has taken every message (none waiting or in flight), by its
 * counts alone: looking at the messages would count as receiving them.
 */
export async function queueDrained(queueUrl: string): Promise<void> {
  const sqs = new SQSClient({});
  try {
    await sleep(300); // let the bus deliver first
    await eventually('the projection queue to drain', async () => {
      const { Attributes = {} } = await sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      const waiting =
        Number(Attributes.ApproximateNumberOfMessages) +
        Number(Attributes.ApproximateNumberOfMessagesNotVisible);
      return waiting === 0 ? true : undefined;
    });
  } finally {
    sqs.destroy();
  }
}

/**
 * Every message now in a queue, each once (by message id), read without taking it: one look,
 * as each look counts as a receive towards the queue's redrive policy.
 */
export async function messagesInQueue(
  queueUrl: string,
): Promise<{ messageId: string; body: string; referralId?: string }[]> {
  const sqs = new SQSClient({});
  const seen = new Map<string, { messageId: string; body: string; referralId?: string }>();
  try {
    for (let round = 0; round < 3; round++) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 0,
        }),
      );
      for (const message of Messages) {
        const body = message.Body ?? '';
        seen.set(message.MessageId ?? '', {
          messageId: message.MessageId ?? '',
          body,
          ...referralIdOf(body),
        });
      }
      // Another look only when this one was full: each look is a receive of every message.
      if (Messages.length < 10) break;
    }
  } finally {
    sqs.destroy();
  }
  return [...seen.values()];
}

function referralIdOf(body: string): { referralId?: string } {
  try {
    const parsed = JSON.parse(body) as { detail?: { referralId?: unknown }; referralId?: unknown };
    const id = parsed.detail?.referralId ?? parsed.referralId;
    return typeof id === 'string' ? { referralId: id } : {};
  } catch {
    return {};
  }
}

/** A referral's transition records (its audit trail and outbox entries), oldest first. */
export async function transitionsOf(
  runtime: Runtime,
  referralId: string,
): Promise<Record<string, unknown>[]> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const { Items = [] } = await documents.send(
      new QueryCommand({
        TableName: runtime.tableNames[0],
        KeyConditionExpression: `${tableKey.partitionKey} = :pk AND begins_with(${tableKey.sortKey}, :transition)`,
        ExpressionAttributeValues: {
          ':pk': referralPartition(referralId),
          ':transition': transitionSortKeyPrefix,
        },
        ConsistentRead: true,
      }),
    );
    return Items;
  } finally {
    documents.destroy();
  }
}

/**
 * Every item of the runtime's table as DynamoDB holds it (attribute values, binaries as bytes):
 * what a table export or a backup would show. A test may Scan; no function may.
 */
export async function rawTableItems(runtime: Runtime): Promise<Record<string, AttributeValue>[]> {
  const client = new DynamoDBClient({});
  const items: Record<string, AttributeValue>[] = [];
  try {
    let cursor: Record<string, AttributeValue> | undefined;
    do {
      const { Items = [], LastEvaluatedKey } = await client.send(
        new ScanCommand({
          TableName: runtime.tableNames[0],
          ConsistentRead: true,
          ...(cursor ? { ExclusiveStartKey: cursor } : {}),
        }),
      );
      items.push(...Items);
      cursor = LastEvaluatedKey;
    } while (cursor);
  } finally {
    client.destroy();
  }
  return items;
}

/**
 * An item as text to search: its JSON, with each binary attribute as base64 and as its bytes read
 * as Latin-1 and UTF-8, so a value written in the clear anywhere, even inside bytes, is found.
 */
export function searchableText(item: Record<string, AttributeValue>): string {
  const binaries: string[] = [];
  const json = JSON.stringify(item, (_key, value: unknown) => {
    if (value instanceof Uint8Array) {
      const bytes = Buffer.from(value);
      binaries.push(bytes.toString('latin1'), bytes.toString('utf8'));
      return bytes.toString('base64');
    }
    return value;
  });
  return [json, ...binaries].join('\n');
}

/** Whose token a call carries: any role `npm run token` signs for. */
export type Caller = Parameters<typeof signLocalToken>[0];

/**
 * One call to the runtime's API with the caller's local token (none when `as` is undefined): the
 * status, the body as text, and parsed when there is one.
 */
export async function callAs(
  runtime: { url: string },
  as: Caller | undefined,
  method: string,
  route: string,
  body?: unknown,
) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (as) headers.authorization = `Bearer ${await signLocalToken(as)}`;
  const response = await fetch(`${runtime.url}${route}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return { status: response.status, text, body: text ? (JSON.parse(text) as unknown) : undefined };
}
