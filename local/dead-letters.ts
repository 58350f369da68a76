import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  StartMessageMoveTaskCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import { resourcesOfType, type Template } from './template.ts';

// What `npm run dlq` knows and does: every dead-letter queue of the template, what parks
// messages in it, how many wait there, what they are (ids only), and moving them back.

/**
 * How messages come to be parked: `queue` after too many receives from a source queue (SQS
 * redrive); `rule-target` when EventBridge could not deliver to a rule's target; `stream-failure`
 * when the table stream's mapping gave up on a batch (the message names the records).
 */
export type DeadLetterKind = 'queue' | 'rule-target' | 'stream-failure';

/** One dead-letter queue of the template and where its messages come from. */
export interface DeadLetterQueue {
  logicalId: string;
  /** The logical id without CDK's hash: what an operator types. */
  name: string;
  kind: DeadLetterKind;
  /** The source queue (kind `queue`): where a redrive puts messages back. */
  sourceQueue?: { logicalId: string; name: string; maxReceiveCount: number };
  /** In words: what parks messages here. */
  parkedFrom: string;
}

/** A queue's logical id without the 8-character hash CDK appends. */
export function shortName(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/** The logical id an `Fn::GetAtt [id, 'Arn']` or `Ref id` names, if it is one. */
function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const ref = (value as { Ref?: unknown }).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

/**
 * Every dead-letter queue the template declares, with what parks messages in it: a queue's
 * redrive policy, a rule target's dead-letter config, a stream mapping's on-failure destination.
 */
export function deadLetterQueuesOf(template: Template): DeadLetterQueue[] {
  const found = new Map<string, DeadLetterQueue>();
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::SQS::Queue')) {
    const policy = resource.Properties?.RedrivePolicy as
      { deadLetterTargetArn?: unknown; maxReceiveCount?: number } | undefined;
    const dlq = referencedId(policy?.deadLetterTargetArn);
    if (!dlq) continue;
    const maxReceiveCount = Number(policy?.maxReceiveCount ?? 0);
    found.set(dlq, {
      logicalId: dlq,
      name: shortName(dlq),
      kind: 'queue',
      sourceQueue: { logicalId, name: shortName(logicalId), maxReceiveCount },
      parkedFrom: `queue ${shortName(logicalId)}, after ${maxReceiveCount} receives`,
    });
  }
  for (const [ruleId, resource] of resourcesOfType(template, 'AWS::Events::Rule')) {
    const targets = (resource.Properties?.Targets ?? []) as {
      Arn?: unknown;
      DeadLetterConfig?: { Arn?: unknown };
    }[];
    for (const target of targets) {
      const dlq = referencedId(target.DeadLetterConfig?.Arn);
      if (!dlq) continue;
      const existing = found.get(dlq);
      const targetName = shortName(referencedId(target.Arn) ?? 'unknown');
      if (existing?.kind === 'rule-target') {
        existing.parkedFrom += `, ${targetName}`;
        continue;
      }
      found.set(dlq, {
        logicalId: dlq,
        name: shortName(dlq),
        kind: 'rule-target',
        parkedFrom: `rule ${shortName(ruleId)}, undeliverable to ${targetName}`,
      });
    }
  }
  for (const [mappingId, resource] of resourcesOfType(
    template,
    'AWS::Lambda::EventSourceMapping',
  )) {
    const props = resource.Properties ?? {};
    const destination = (props.DestinationConfig as { OnFailure?: { Destination?: unknown } })
      ?.OnFailure?.Destination;
    const dlq = referencedId(destination);
    if (!dlq) continue;
    const fn = shortName(referencedId(props.FunctionName) ?? mappingId);
    const source = shortName(referencedId(props.EventSourceArn) ?? 'unknown');
    found.set(dlq, {
      logicalId: dlq,
      name: shortName(dlq),
      kind: 'stream-failure',
      parkedFrom: `stream of ${source} to ${fn}, after its retries`,
    });
  }
  return [...found.values()].sort((a, b) => a.name.localeCompare(b.name));
}

/** Letters and digits only, lower case: how names are compared. */
const normalised = (text: string) => text.toLowerCase().replace(/[^a-z0-9]/g, '');

/**
 * The dead-letter queue an operator means: its name or logical id, or what identifies exactly
 * one (`hub-projection-dead-letter`, `provider-turning-point-admit`), or its source queue's name.
 */
export function findDeadLetterQueue(
  queues: readonly DeadLetterQueue[],
  query: string,
): DeadLetterQueue {
  const wanted = normalised(query);
  const exact = queues.filter((queue) =>
    [queue.name, queue.logicalId, queue.sourceQueue?.name ?? ''].some(
      (name) => normalised(name) === wanted,
    ),
  );
  const candidates =
    exact.length > 0
      ? exact
      : queues.filter((queue) => wanted.length > 0 && normalised(queue.name).includes(wanted));
  const [only] = candidates;
  if (candidates.length === 1 && only) return only;
  const names = (candidates.length > 0 ? candidates : queues).map((queue) => queue.name);
  throw new Error(
    candidates.length > 0
      ? `"${query}" names ${candidates.length} dead-letter queues; say which:\n  ${names.join('\n  ')}`
      : `No dead-letter queue is called "${query}". There are:\n  ${names.join('\n  ')}`,
  );
}

/** Where the queues are: the embedded runtime's fauxqs, or a deployed stack on AWS. */
export interface QueueDirectory {
  /** `local` moves messages itself; `aws` asks SQS to (StartMessageMoveTask). */
  mode: 'local' | 'aws';
  sqs: SQSClient;
  /** A queue's URL by its template logical id, or undefined when it has none here. */
  urlOf: (logicalId: string) => string | undefined;
}

/** The embedded runtime's queues, by the logical ids it created them under. */
export function localQueueDirectory(
  sqs: SQSClient,
  queueUrls: ReadonlyMap<string, string>,
): QueueDirectory {
  return { mode: 'local', sqs, urlOf: (logicalId) => queueUrls.get(logicalId) };
}

/**
 * A deployed stack's queues. CloudFormation tags each queue with its logical id
 * (`aws:cloudformation:logical-id`); a queue without the tag is matched by its generated name,
 * `<stack>-<logical id, shortened>-<suffix>`.
 */
export async function awsQueueDirectory(
  sqs: SQSClient,
  stackName: string,
  logicalIds: readonly string[],
): Promise<QueueDirectory> {
  const urls: string[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sqs.send(
      new ListQueuesCommand({
        QueueNamePrefix: stackName.slice(0, 80),
        MaxResults: 1000,
        ...(nextToken ? { NextToken: nextToken } : {}),
      }),
    );
    urls.push(...(page.QueueUrls ?? []));
    nextToken = page.NextToken;
  } while (nextToken);
  const byLogicalId = new Map<string, string>();
  for (const url of urls) {
    const { Tags = {} } = await sqs.send(new ListQueueTagsCommand({ QueueUrl: url }));
    const logicalId =
      Tags['aws:cloudformation:logical-id'] ?? logicalIdFromName(url, stackName, logicalIds);
    if (logicalId) byLogicalId.set(logicalId, url);
  }
  return { mode: 'aws', sqs, urlOf: (logicalId) => byLogicalId.get(logicalId) };
}

function logicalIdFromName(
  url: string,
  stackName: string,
  logicalIds: readonly string[],
): string | undefined {
  const name = url.split('/').at(-1) ?? '';
  const middle = name.slice(stackName.length + 1).replace(/-[A-Za-z0-9]+$/, '');
  if (!name.startsWith(`${stackName}-`) || middle.length === 0) return undefined;
  const matches = logicalIds.filter((id) => id.startsWith(middle));
  return matches.length === 1 ? matches[0] : undefined;
}

/** A dead-letter queue with what waits in it now. */
export interface DeadLetterDepth extends DeadLetterQueue {
  url?: string;
  waiting?: number;
  inFlight?: number;
}

/** Every dead-letter queue with its approximate depth (waiting and in flight). */
export async function listDeadLetterQueues(
  directory: QueueDirectory,
  queues: readonly DeadLetterQueue[],
): Promise<DeadLetterDepth[]> {
  return Promise.all(
    queues.map(async (queue) => {
      const url = directory.urlOf(queue.logicalId);
      if (!url) return { ...queue };
      const { Attributes = {} } = await directory.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return {
        ...queue,
        url,
        waiting: Number(Attributes.ApproximateNumberOfMessages ?? 0),
        inFlight: Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
      };
    }),
  );
}

/** A parked message, as `show` prints it: its ids and history, never its whole body. */
export interface ParkedMessage {
  messageId: string;
  sentAt?: string;
  /** Receives before this look (each look with `show` is a receive too). */
  receiveCount: number;
  firstReceivedAt?: string;
  /** What EventBridge says went wrong, for a rule target's dead letters. */
  errorCode?: string;
  /** Identifiers and detail-type from the body (message bodies carry no personal data). */
  ids: Record<string, string>;
}

/** The fields of a body `show` prints: identifiers and types, whatever shape the body has. */
export function idsOf(body: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return { body: `not JSON (${Buffer.byteLength(body)} bytes)` };
  }
  if (typeof parsed !== 'object' || parsed === null) return { body: typeof parsed };
  const record = parsed as Record<string, unknown>;
  const detail = (record.detail ?? {}) as Record<string, unknown>;
  const batch = (record.DDBStreamBatchInfo ?? {}) as Record<string, unknown>;
  const picked: [string, unknown][] = [
    ['detailType', record['detail-type']],
    ['eventId', record['detail-type'] === undefined ? record.eventId : record.id],
    ['referralId', detail.referralId ?? record.referralId],
    ['status', detail.status],
    ['routeId', record.routeId],
    ['mapping', record.mapping],
    [
      'sequenceNumbers',
      Array.isArray(record.sequenceNumbers) ? record.sequenceNumbers.join(' ') : undefined,
    ],
    ['startSequenceNumber', batch.startSequenceNumber],
    ['endSequenceNumber', batch.endSequenceNumber],
  ];
  const ids = Object.fromEntries(
    picked.filter(([, value]) => typeof value === 'string' && value.length > 0) as [
      string,
      string,
    ][],
  );
  return Object.keys(ids).length > 0 ? ids : { body: 'JSON with no ids we know' };
}

const isoOf = (epochMs: string | undefined) =>
  epochMs === undefined ? undefined : new Date(Number(epochMs)).toISOString();

/**
 * Up to `limit` messages of a dead-letter queue, looked at without taking them: received with a
 * visibility timeout of 0, so they stay where they are.
 */
export async function peekDeadLetters(
  directory: QueueDirectory,
  queue: DeadLetterQueue,
  { limit = 50 }: { limit?: number } = {},
): Promise<ParkedMessage[]> {
  const url = requireUrl(directory, queue);
  const seen = new Map<string, ParkedMessage>();
  for (let round = 0; round < Math.ceil(limit / 10) + 2 && seen.size < limit; round++) {
    const { Messages = [] } = await directory.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    const fresh = Messages.filter((message) => !seen.has(message.MessageId ?? ''));
    if (fresh.length === 0) break;
    for (const message of fresh.slice(0, limit - seen.size)) {
      seen.set(message.MessageId ?? '', parkedMessage(message));
    }
  }
  return [...seen.values()];
}

function parkedMessage(message: Message): ParkedMessage {
  const attributes = message.Attributes ?? {};
  const sentAt = isoOf(attributes.SentTimestamp);
  const firstReceivedAt = isoOf(attributes.ApproximateFirstReceiveTimestamp);
  const errorCode = message.MessageAttributes?.ERROR_CODE?.StringValue;
  return {
    messageId: message.MessageId ?? '',
    ...(sentAt ? { sentAt } : {}),
    receiveCount: Math.max(0, Number(attributes.ApproximateReceiveCount ?? 1) - 1),
    ...(firstReceivedAt ? { firstReceivedAt } : {}),
    ...(errorCode ? { errorCode } : {}),
    ids: idsOf(message.Body ?? ''),
  };
}

/** What a redrive did: how many messages moved (locally), or the SQS task moving them (AWS). */
export type RedriveResult =
  { mode: 'local'; moved: number; failed: number } | { mode: 'aws'; taskHandle: string };

/** Raised for a dead-letter queue with no source queue to move its messages back to. */
export class NotRedrivableError extends Error {
  constructor(queue: DeadLetterQueue) {
    const what =
      queue.kind === 'rule-target'
        ? 'holds events EventBridge could not deliver to a rule target'
        : 'names stream records the publish function gave up on';
    super(
      `${queue.name} ${what}, not messages of a source queue, so it cannot be redriven. ` +
        'See "When something goes wrong" in the README.',
    );
    this.name = 'NotRedrivableError';
  }
}

/**
 * Moves a dead-letter queue's messages back to its source queue. On AWS, SQS's own redrive
 * (StartMessageMoveTask) does it. Locally each message is received, sent to the source, and
 * deleted only once the send succeeded: none is lost, and a crash between the two sends one
 * twice, which the consumers' idempotency makes harmless.
 */
export async function redriveDeadLetters(
  directory: QueueDirectory,
  queue: DeadLetterQueue,
  { visibilitySeconds = 30 }: { visibilitySeconds?: number } = {},
): Promise<RedriveResult> {
  const source = queue.sourceQueue;
  if (queue.kind !== 'queue' || !source) throw new NotRedrivableError(queue);
  const url = requireUrl(directory, queue);
  if (directory.mode === 'aws') {
    const { Attributes = {} } = await directory.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['QueueArn'] }),
    );
    // No destination: SQS moves each message back to the queue it was parked from.
    const { TaskHandle } = await directory.sqs.send(
      new StartMessageMoveTaskCommand({ SourceArn: Attributes.QueueArn }),
    );
    return { mode: 'aws', taskHandle: TaskHandle ?? '' };
  }
  const sourceUrl = directory.urlOf(source.logicalId);
  if (!sourceUrl) throw new Error(`No queue ${source.name} to redrive ${queue.name} to`);
  let moved = 0;
  let failed = 0;
  for (;;) {
    // Taken out of sight while it moves; one that cannot be sent comes back after the timeout.
    const { Messages = [] } = await directory.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: url,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: visibilitySeconds,
        MessageAttributeNames: ['All'],
      }),
    );
    if (Messages.length === 0) break;
    for (const message of Messages) {
      try {
        await directory.sqs.send(
          new SendMessageCommand({
            QueueUrl: sourceUrl,
            MessageBody: message.Body ?? '',
            ...(message.MessageAttributes ? { MessageAttributes: message.MessageAttributes } : {}),
          }),
        );
      } catch {
        failed++;
        continue;
      }
      await directory.sqs.send(
        new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }),
      );
      moved++;
    }
  }
  return { mode: 'local', moved, failed };
}

function requireUrl(directory: QueueDirectory, queue: DeadLetterQueue): string {
  const url = directory.urlOf(queue.logicalId);
  if (!url) throw new Error(`Dead-letter queue ${queue.name} was not found`);
  return url;
}
