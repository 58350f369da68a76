import { randomUUID } from 'node:crypto';
import {
  PurgeQueueCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  deadLetterQueuesOf,
  findDeadLetterQueue,
  localQueueDirectory,
  peekDeadLetters,
  redriveDeadLetters,
} from '#local/dead-letters.ts';
import { main as dlq } from '#local/dlq.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { loadLocalTemplate } from '#local/template.ts';
import { dynamoDocumentClient } from '#shared/adapters/clients.ts';
import { injectFault, type Fault } from '#test/helpers/faults.ts';
import {
  referredIn as referredInMonth,
  routedEventMessage,
} from '#test/helpers/lifecycle-events.ts';
import { eventually, messagesInQueue, projectionQueueDrained } from '#test/helpers/runtime.ts';

// Poison messages on the embedded runtime, on the hub's projection queue (maxReceiveCount 5):
// queues here hide a received message for 1 second instead of 60, so a failing message goes
// through its five receives in seconds. fauxqs applies the queue's redrive policy as SQS does.

let runtime: Runtime;
let sqs: SQSClient;
let fault: Fault | undefined;
const deadLetterQueues = deadLetterQueuesOf(loadLocalTemplate().template);
const projectionDlq = findDeadLetterQueue(deadLetterQueues, 'HubProjectionDeadLetterQueue');

beforeAll(async () => {
  runtime = await startRuntime({ port: 0, queueVisibilitySeconds: 1 });
  sqs = new SQSClient({});
});

// Each test starts with nothing parked: what an earlier test parked is not its business.
beforeEach(async () => {
  await sqs.send(new PurgeQueueCommand({ QueueUrl: queueUrl(projectionDlq.logicalId) }));
});

afterEach(() => {
  fault?.remove();
  fault = undefined;
  vi.restoreAllMocks();
});

afterAll(async () => {
  sqs?.destroy();
  await runtime?.stop();
});

const queueUrl = (logicalId: string) => {
  const url = runtime.queueUrls.get(logicalId);
  if (!url) throw new Error(`No queue ${logicalId}`);
  return url;
};
const projectionQueue = () => queueUrl(projectionDlq.sourceQueue?.logicalId ?? 'no source queue');
const directory = () => localQueueDirectory(sqs, runtime.queueUrls);

const routedEvent = routedEventMessage;
const referredIn = (month: string) => referredInMonth(runtime, month);

/** Waits until the dead-letter queue holds a message whose body names the referral. */
async function parked(referralId: string): Promise<void> {
  const dlqUrl = queueUrl(projectionDlq.logicalId);
  await eventually(
    `${referralId} parked`,
    async () => {
      const messages = await messagesInQueue(dlqUrl);
      return messages.some((message) => message.body.includes(referralId)) ? true : undefined;
    },
    { attempts: 300 },
  );
}

/** Every log line written while `act` runs, parsed; nothing reaches the terminal. */
async function logLinesOf(act: () => Promise<void>): Promise<Record<string, unknown>[]> {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  try {
    await act();
  } finally {
    vi.restoreAllMocks();
  }
  return chunks
    .join('')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('a poison message in a batch', () => {
  it('lets the others succeed, is received five times, then is parked with its reason logged', async () => {
    // Prepare
    const month = '2019-03';
    const good = [randomUUID(), randomUUID()];
    const poison = '{"detail-type": "referral.routed", "detail": {"referralId": "Jordan Example"';

    // Act
    const lines = await logLinesOf(async () => {
      const { MessageId: poisonId } = await sqs.send(
        new SendMessageCommand({ QueueUrl: projectionQueue(), MessageBody: poison }),
      );
      await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: projectionQueue(),
          Entries: good.map((referralId, index) => ({
            Id: String(index),
            MessageBody: routedEvent(referralId, month),
          })),
        }),
      );
      await eventually(
        'the poison message parked',
        async () => {
          const messages = await messagesInQueue(queueUrl(projectionDlq.logicalId));
          return messages.some((message) => message.messageId === poisonId) ? true : undefined;
        },
        { attempts: 300 },
      );
    });

    // Assess: the good ones counted, once each...
    expect(await referredIn(month)).toBe(2);
    // ...the poison one received five times (maxReceiveCount), each failure logged by id and
    // error name and never its body, then parked.
    const [parkedMessage, ...others] = await peekDeadLetters(directory(), projectionDlq);
    expect(others).toHaveLength(0);
    const failures = lines.filter(
      (line) => line.message === 'Record failed' && line.messageId === parkedMessage?.messageId,
    );
    expect(failures.map((line) => line.receiveCount)).toEqual([1, 2, 3, 4, 5]);
    for (const failure of failures) {
      expect(failure).toMatchObject({ level: 'ERROR', errorName: expect.any(String) as string });
    }
    expect(JSON.stringify(lines)).not.toContain('Jordan Example');
    expect(parkedMessage?.receiveCount).toBeGreaterThanOrEqual(5);
    expect(parkedMessage?.ids).toEqual({ body: expect.stringMatching(/^not JSON/) as string });
  });
});

/**
 * A referral's routed event sent to the projection queue while the table refuses its projection
 * (an outage), until it is parked. The outage is the test's `fault`: it goes on until removed.
 */
async function parkProjectionOf(referralId: string, month: string): Promise<void> {
  fault = injectFault(dynamoDocumentClient(), {
    when: 'before',
    matches: ({ input }) => input.includes(referralId),
  });
  await sqs.send(
    new SendMessageCommand({
      QueueUrl: projectionQueue(),
      MessageBody: routedEvent(referralId, month),
    }),
  );
  await parked(referralId);
}

describe('npm run dlq: park, fix the cause, redrive', () => {
  it('processes a redriven message once and leaves the dead-letter queue empty', async () => {
    // Prepare: the table refuses this referral's projection (an outage), until it is fixed.
    const month = '2019-04';
    const referralId = randomUUID();
    await parkProjectionOf(referralId, month);
    await projectionQueueDrained(runtime);
    expect(await referredIn(month)).toBe(0);
    const [shown] = await peekDeadLetters(directory(), projectionDlq);
    fault?.remove(); // the cause is fixed

    // Act
    const result = await redriveDeadLetters(directory(), projectionDlq);

    // Assess
    expect(result).toEqual({ mode: 'local', moved: 1, failed: 0 });
    expect(shown?.ids).toMatchObject({ detailType: 'referral.routed', referralId });
    await eventually('the redriven message counted', async () =>
      (await referredIn(month)) === 1 ? true : undefined,
    );
    await projectionQueueDrained(runtime);
    expect(await referredIn(month)).toBe(1);
    expect(await messagesInQueue(queueUrl(projectionDlq.logicalId))).toEqual([]);
    expect(await redriveDeadLetters(directory(), projectionDlq)).toEqual({
      mode: 'local',
      moved: 0,
      failed: 0,
    });
  });

  it('sends a message again when a redrive crashed after sending it, and it is still counted once', async () => {
    // Prepare: parked as above; the redrive will crash between its send and its delete.
    const month = '2019-05';
    const referralId = randomUUID();
    await parkProjectionOf(referralId, month);
    fault?.remove();
    const operatorSqs = new SQSClient({});
    const crash = injectFault(operatorSqs, {
      when: 'before',
      matches: ({ commandName }) => commandName === 'DeleteMessageCommand',
      times: 1,
    });
    const operator = localQueueDirectory(operatorSqs, runtime.queueUrls);
    const crashed = await redriveDeadLetters(operator, projectionDlq, {
      visibilitySeconds: 1,
    }).then(
      () => undefined,
      (error: unknown) => error,
    );
    expect((crashed as Error | undefined)?.name).toBe('InjectedCrashBeforeRequest');
    await eventually('the first copy counted', async () =>
      (await referredIn(month)) === 1 ? true : undefined,
    );

    // Act: the operator runs the redrive again; the message still parked goes a second time.
    const again = await eventually('the undeleted message back in sight', async () => {
      const result = await redriveDeadLetters(operator, projectionDlq, { visibilitySeconds: 1 });
      return result.mode === 'local' && result.moved === 1 ? result : undefined;
    });
    operatorSqs.destroy();

    // Assess
    expect(again).toEqual({ mode: 'local', moved: 1, failed: 0 });
    expect(crash.failed).toBe(1);
    await projectionQueueDrained(runtime);
    expect(await referredIn(month)).toBe(1);
    expect(await messagesInQueue(queueUrl(projectionDlq.logicalId))).toEqual([]);
  });
});

describe('npm run dlq against the running runtime', () => {
  it('lists every dead-letter queue with its depth and source, and shows one without taking its messages', async () => {
    // Prepare: one message parked by hand, as the runtime's queues stand.
    const referralId = randomUUID();
    await sqs.send(
      new SendMessageCommand({
        QueueUrl: queueUrl(projectionDlq.logicalId),
        MessageBody: routedEvent(referralId, '2019-06'),
      }),
    );
    const printed: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((text: unknown) => printed.push(String(text)));
    vi.stubEnv('REACHABLE_URL', runtime.url);

    // Act
    const listed = await dlq(['list']);
    const shown = await dlq(['show', 'hub-projection-dead-letter']);
    const ambiguous = await dlq(['show', 'hub-projection']);
    vi.unstubAllEnvs();

    // Assess
    expect([listed, shown, ambiguous]).toEqual([0, 0, 1]);
    const [list = '', show = ''] = printed;
    expect(list).toMatch(
      /HubProjectionDeadLetterQueue\s+1\s+0\s+yes\s+queue HubProjectionQueue, after 5 receives/,
    );
    expect(list).toMatch(/RoutingEscalationDeadLetterQueue\s+0\s+0\s+yes/);
    expect(list).toMatch(/PublishFailures\s+0\s+0\s+no\s+stream of ReferralsTable/);
    for (const queue of deadLetterQueues) expect(list).toContain(queue.name);
    expect(show).toContain(`detailType referral.routed`);
    expect(show).toContain(`referralId ${referralId}`);
    expect(await messagesInQueue(queueUrl(projectionDlq.logicalId))).toHaveLength(1);
  });
});
