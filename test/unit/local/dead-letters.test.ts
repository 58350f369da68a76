import {
  GetQueueAttributesCommand,
  ListQueuesCommand,
  ListQueueTagsCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  StartMessageMoveTaskCommand,
} from '@aws-sdk/client-sqs';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import {
  awsQueueDirectory,
  deadLetterQueuesOf,
  findDeadLetterQueue,
  idsOf,
  NotRedrivableError,
  peekDeadLetters,
  redriveDeadLetters,
  type DeadLetterQueue,
} from '#local/dead-letters.ts';
import { formatList, formatRedrive, formatShow } from '#local/dlq.ts';
import { loadLocalTemplate, resourcesOfType } from '#local/template.ts';

const sqs = mockClient(SQSClient);
const { template } = loadLocalTemplate();
const queues = deadLetterQueuesOf(template);
const stackName = 'Reachable-avon-and-somerset-dev';
const byName = (name: string): DeadLetterQueue => findDeadLetterQueue(queues, name);

beforeEach(() => {
  sqs.reset();
});

describe('the dead-letter queues of the template', () => {
  it('finds every queue that parks messages, and nothing else, each with what parks them', () => {
    // Prepare: every queue some redrive policy, rule target or stream mapping names to park in.
    const named = new Set(
      JSON.stringify(template.Resources)
        .match(
          /"(?:deadLetterTargetArn|DeadLetterConfig|Destination)":\{[^}]*?"Fn::GetAtt":\["(\w+)"/g,
        )
        ?.map((match) => /\["(\w+)"/.exec(match)?.[1] ?? ''),
    );

    // Act
    const found = new Set(queues.map((queue) => queue.logicalId));

    // Assess
    expect(found).toEqual(named);
    const allQueues = resourcesOfType(template, 'AWS::SQS::Queue').map(([id]) => id);
    for (const queue of queues) expect(allQueues).toContain(queue.logicalId);
    expect(byName('RoutingEscalationDeadLetterQueue')).toMatchObject({
      kind: 'queue',
      sourceQueue: { name: 'RoutingEscalationQueue', maxReceiveCount: 5 },
    });
    expect(byName('PublishFailures')).toMatchObject({
      kind: 'stream-failure',
      parkedFrom: 'stream of ReferralsTable to PublishFunction, after its retries',
    });
    expect(byName('RoutingRoutesomersetturningpointadmitTargetDeadLetterQueue')).toMatchObject({
      kind: 'rule-target',
      parkedFrom:
        'rule RoutingRoutesomersetturningpointadmitRule, undeliverable to RoutingProviderturningpointadmitQueue',
    });
  });

  it.each([
    ['its name', 'RoutingEscalationDeadLetterQueue', 'RoutingEscalationDeadLetterQueue'],
    ['its source queue', 'RoutingEscalationQueue', 'RoutingEscalationDeadLetterQueue'],
    ['a part naming one', 'Escalation-dead', 'RoutingEscalationDeadLetterQueue'],
    [
      'a provider',
      'provider-turning-point-admit',
      'RoutingProviderturningpointadmitDeadLetterQueue',
    ],
  ])('finds a dead-letter queue by %s', (_case, query, expected) => {
    // Act
    const found = findDeadLetterQueue(queues, query);

    // Assess
    expect(found.name).toBe(expected);
  });

  it.each([
    ['names more than one', 'hub-projection', /names 2 dead-letter queues/],
    ['names none', 'nowhere', /No dead-letter queue is called "nowhere"/],
  ])('refuses a name that %s, listing the candidates', (_case, query, message) => {
    // Act
    const finding = () => findDeadLetterQueue(queues, query);

    // Assess
    expect(finding).toThrow(message);
  });
});

describe('npm run dlq on AWS', () => {
  const dlqUrl = `https://sqs.eu-west-2.amazonaws.com/123456789012/${stackName}-RoutingEscalationDeadLett-AbC123`;
  const logicalIds = Object.keys(template.Resources);
  const sourceQueueId = logicalIds.find((id) => /^RoutingEscalationQueue[0-9A-F]{8}$/.test(id));
  const sourceUrl = `https://sqs.eu-west-2.amazonaws.com/123456789012/${stackName}-${sourceQueueId}-XyZ789`;
  const escalation = () => byName('RoutingEscalationDeadLetterQueue');

  it("finds the stack's queues by CloudFormation's logical-id tag, or by their generated name", async () => {
    // Prepare
    sqs.on(ListQueuesCommand).resolves({ QueueUrls: [dlqUrl, sourceUrl] });
    sqs.on(ListQueueTagsCommand, { QueueUrl: dlqUrl }).resolves({
      Tags: { 'aws:cloudformation:logical-id': escalation().logicalId },
    });
    sqs.on(ListQueueTagsCommand, { QueueUrl: sourceUrl }).resolves({ Tags: {} });

    // Act
    const directory = await awsQueueDirectory(new SQSClient({}), stackName, logicalIds);

    // Assess
    expect(directory.mode).toBe('aws');
    expect(directory.urlOf(escalation().logicalId)).toBe(dlqUrl);
    expect(directory.urlOf(escalation().sourceQueue?.logicalId ?? '')).toBe(sourceUrl);
    expect(sqs.commandCalls(ListQueuesCommand)[0]?.args[0].input).toMatchObject({
      QueueNamePrefix: stackName,
    });
  });

  it("redrives with SQS's own message move task, back to the queue each message came from", async () => {
    // Prepare
    const dlqArn = 'arn:aws:sqs:eu-west-2:123456789012:escalation-dlq';
    sqs.on(GetQueueAttributesCommand).resolves({ Attributes: { QueueArn: dlqArn } });
    sqs.on(StartMessageMoveTaskCommand).resolves({ TaskHandle: 'task-1' });
    const directory = {
      mode: 'aws' as const,
      sqs: new SQSClient({}),
      urlOf: (id: string) => (id === escalation().logicalId ? dlqUrl : undefined),
    };

    // Act
    const result = await redriveDeadLetters(directory, escalation());

    // Assess
    expect(result).toEqual({ mode: 'aws', taskHandle: 'task-1' });
    const [move] = sqs.commandCalls(StartMessageMoveTaskCommand);
    expect(move?.args[0].input).toEqual({ SourceArn: dlqArn });
    expect(sqs.commandCalls(ReceiveMessageCommand)).toHaveLength(0);
    expect(sqs.commandCalls(SendMessageCommand)).toHaveLength(0);
    expect(formatRedrive(escalation(), result)).toContain('task task-1');
  });

  it.each(['PublishFailures', 'RoutingRoutesomersetturningpointadmitTargetDeadLetterQueue'])(
    'refuses to redrive %s, which has no source queue, and touches nothing',
    async (name) => {
      // Prepare
      const directory = { mode: 'aws' as const, sqs: new SQSClient({}), urlOf: () => dlqUrl };

      // Act
      const redriving = redriveDeadLetters(directory, byName(name));

      // Assess
      await expect(redriving).rejects.toBeInstanceOf(NotRedrivableError);
      expect(sqs.calls()).toHaveLength(0);
    },
  );
});

describe('what npm run dlq prints', () => {
  it('shows a parked message by its ids, receives and first receive, leaving it in place', async () => {
    // Prepare
    const body = JSON.stringify({
      version: '0',
      id: 'event-1',
      'detail-type': 'referral.received',
      detail: { referralId: 'r-1', status: 'received', subject: { givenName: 'Jordan' } },
    });
    sqs.on(ReceiveMessageCommand).resolves({
      Messages: [
        {
          MessageId: 'm-1',
          Body: body,
          ReceiptHandle: 'h-1',
          Attributes: {
            SentTimestamp: String(Date.parse('2026-11-20T10:00:00Z')),
            ApproximateFirstReceiveTimestamp: String(Date.parse('2026-11-20T10:00:01Z')),
            ApproximateReceiveCount: '6',
          },
        },
      ],
    });
    const directory = { mode: 'local' as const, sqs: new SQSClient({}), urlOf: () => 'url' };
    const queue = byName('provider-turning-point-admit');

    // Act
    const messages = await peekDeadLetters(directory, queue);
    const text = formatShow(queue, messages);

    // Assess
    expect(messages).toEqual([
      {
        messageId: 'm-1',
        sentAt: '2026-11-20T10:00:00.000Z',
        receiveCount: 5,
        firstReceivedAt: '2026-11-20T10:00:01.000Z',
        ids: {
          detailType: 'referral.received',
          eventId: 'event-1',
          referralId: 'r-1',
          status: 'received',
        },
      },
    ]);
    for (const call of sqs.commandCalls(ReceiveMessageCommand)) {
      expect(call.args[0].input.VisibilityTimeout).toBe(0);
    }
    expect(text).toContain('m-1  sent 2026-11-20T10:00:00.000Z, received 5 times');
    expect(text).toContain('referralId r-1');
    expect(text).not.toContain('Jordan');
  });

  it('names only ids whatever the body, and says so when it is not JSON', () => {
    // Act
    const ids = [
      idsOf('{"referralId": "Jordan'),
      idsOf(JSON.stringify({ eventId: 'e', referralId: 'r', routeId: 'somerset-triage' })),
      idsOf(JSON.stringify({ name: 'Jordan Example', postcode: 'BS1 1AA' })),
    ];

    // Assess
    expect(ids).toEqual([
      { body: 'not JSON (22 bytes)' },
      { eventId: 'e', referralId: 'r', routeId: 'somerset-triage' },
      { body: 'JSON with no ids we know' },
    ]);
  });

  it('lists each dead-letter queue with its depth, whether it can be redriven and its source', () => {
    // Act
    const text = formatList([
      { ...byName('RoutingEscalationDeadLetterQueue'), url: 'u', waiting: 2, inFlight: 1 },
      { ...byName('PublishFailures'), url: 'u', waiting: 0, inFlight: 0 },
    ]);

    // Assess
    const [header, decisions, publish, , total] = text.split('\n');
    expect(header).toMatch(/^DEAD-LETTER QUEUE\s+WAITING\s+IN FLIGHT\s+REDRIVE\s+PARKED FROM$/);
    expect(decisions).toMatch(
      /^RoutingEscalationDeadLetterQueue\s+2\s+1\s+yes\s+queue RoutingEscalationQueue, after 5 receives$/,
    );
    expect(publish).toMatch(/^PublishFailures\s+0\s+0\s+no\s+stream of ReferralsTable/);
    expect(total).toBe('2 parked in all.');
  });
});
