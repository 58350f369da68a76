import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { WorkQueue } from '#shared/adapters/work-queue.ts';

const queues = mockClient(SQSClient);
const queueUrl = 'https://sqs.eu-west-2.amazonaws.com/123456789012/reachable-turning-point-admit';
const newQueue = () => new WorkQueue({ queueUrl, client: new SQSClient({}) });

beforeEach(() => {
  queues.reset();
});

describe('WorkQueue.receive', () => {
  it('takes one message by long polling (so every SQS server is asked), hidden for the lease', async () => {
    // Prepare
    queues
      .on(ReceiveMessageCommand)
      .resolves({ Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1', Body: '{}' }] });

    // Act
    const message = await newQueue().receive(900);

    // Assess
    expect(message).toEqual({ messageId: 'm-1', receiptHandle: 'r-1', body: '{}' });
    expect(queues.commandCalls(ReceiveMessageCommand)[0]!.args[0].input).toEqual({
      QueueUrl: queueUrl,
      MaxNumberOfMessages: 1,
      VisibilityTimeout: 900,
      WaitTimeSeconds: 1,
    });
  });

  it.each([
    { case: 'no messages', output: {} },
    { case: 'an empty list', output: { Messages: [] } },
    {
      case: 'a message without a receipt handle',
      output: { Messages: [{ MessageId: 'm-1', Body: '{}' }] },
    },
    {
      case: 'a message without a body',
      output: { Messages: [{ MessageId: 'm-1', ReceiptHandle: 'r-1' }] },
    },
  ])('returns undefined for $case', async ({ output }) => {
    // Prepare
    queues.on(ReceiveMessageCommand).resolves(output);

    // Act
    const message = await newQueue().receive(60);

    // Assess
    expect(message).toBeUndefined();
  });
});

describe('WorkQueue.delete', () => {
  it('deletes the message by its receipt handle from this queue', async () => {
    // Prepare
    queues.on(DeleteMessageCommand).resolves({});

    // Act
    await newQueue().delete('r-1');

    // Assess
    const deletes = queues.commandCalls(DeleteMessageCommand);
    expect(deletes).toHaveLength(1);
    expect(deletes[0]!.args[0].input).toEqual({ QueueUrl: queueUrl, ReceiptHandle: 'r-1' });
  });
});

describe('WorkQueue.extend', () => {
  it('keeps the leased message hidden for another lease, counted from now', async () => {
    // Prepare
    queues.on(ChangeMessageVisibilityCommand).resolves({});

    // Act
    await newQueue().extend('r-1', 900);

    // Assess
    const changes = queues.commandCalls(ChangeMessageVisibilityCommand);
    expect(changes).toHaveLength(1);
    expect(changes[0]!.args[0].input).toEqual({
      QueueUrl: queueUrl,
      ReceiptHandle: 'r-1',
      VisibilityTimeout: 900,
    });
  });

  it('lets a refusal through, e.g. for a receipt handle whose lease has run out', async () => {
    // Prepare
    const refusal = Object.assign(new Error('Message does not exist or is not available'), {
      name: 'InvalidParameterValue',
    });
    queues.on(ChangeMessageVisibilityCommand).rejects(refusal);

    // Act
    const extending = newQueue().extend('r-expired', 900);

    // Assess
    await expect(extending).rejects.toBe(refusal);
  });
});
