import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalEventBridge } from '#local/eventbridge/bus.ts';
import { validatePattern } from '#shared/routing/pattern.ts';
import { startEventBridgeServer } from '#local/eventbridge/server.ts';
import { startRuntime } from '#local/runtime.ts';
import { startSqs, type RunningService } from '#local/services.ts';
import { loadLocalTemplate, resourcesOfType } from '#local/template.ts';

const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
let sqsService: RunningService;
let sqs: SQSClient;
let events: EventBridgeClient;
let closeEventBridge: () => void;
let queueUrl: string;
let bus: LocalEventBridge;

beforeAll(async () => {
  sqsService = await startSqs();
  sqs = new SQSClient({
    endpoint: sqsService.endpoint,
    region: 'eu-west-2',
    credentials,
    useQueueUrlAsEndpoint: false,
  });
  const created = await sqs.send(new CreateQueueCommand({ QueueName: 'provider' }));
  queueUrl = created.QueueUrl!;
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes!.QueueArn!;
  bus = new LocalEventBridge({
    account: '000000000000',
    region: 'eu-west-2',
    send: async (arn, body) => {
      if (arn !== queueArn) throw new Error(`unknown queue ${arn}`);
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    },
  });
  bus.addBus('reachable');
  bus.addRule({
    name: 'admit',
    busName: 'reachable',
    pattern: { 'detail-type': ['referral.received'], detail: { pathway: ['admit'] } },
    targets: [{ id: 'T', queueArn, maximumRetryAttempts: 3, maximumEventAgeSeconds: 60 }],
  });
  const server = await startEventBridgeServer(bus);
  closeEventBridge = () => server.server.close();
  events = new EventBridgeClient({ endpoint: server.url, region: 'eu-west-2', credentials });
});

afterAll(async () => {
  events?.destroy();
  sqs?.destroy();
  closeEventBridge?.();
  await sqsService?.stop();
});

describe('the local PutEvents endpoint, spoken to by the real EventBridge SDK client', () => {
  it('accepts entries, answers per entry, and delivers the envelope to the SQS target', async () => {
    // Prepare
    const good = {
      Source: 'reachable.test',
      DetailType: 'referral.received',
      Detail: '{"pathway":"admit"}',
      EventBusName: 'reachable',
    };

    // Act
    const result = await events.send(
      new PutEventsCommand({ Entries: [good, { ...good, Detail: '"just a string"' }] }),
    );
    await bus.drain();
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        WaitTimeSeconds: 1,
      }),
    );

    // Assess
    expect(result.FailedEntryCount).toBe(1);
    expect(result.Entries?.[0]?.EventId).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.Entries?.[1]?.ErrorCode).toBe('MalformedDetail');
    expect(Messages).toHaveLength(1);
    expect(JSON.parse(Messages[0]!.Body!)).toMatchObject({
      id: result.Entries?.[0]?.EventId,
      'detail-type': 'referral.received',
      detail: { pathway: 'admit' },
    });
  });

  it('refuses more than 10 entries, and a request over 256 KB, as ValidationException', async () => {
    // Prepare
    const entry = { Source: 's', DetailType: 'd', Detail: '{}', EventBusName: 'reachable' };
    const big = { ...entry, Detail: JSON.stringify({ text: 'x'.repeat(140 * 1024) }) };

    // Act
    const tooMany = events.send(
      new PutEventsCommand({ Entries: Array.from({ length: 11 }, () => entry) }),
    );
    const tooLarge = events.send(new PutEventsCommand({ Entries: [big, big] }));

    // Assess
    await expect(tooMany).rejects.toMatchObject({ name: 'ValidationException' });
    await expect(tooLarge).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(/over the limit/) as unknown,
    });
  });
});

describe('rules from the synthesized template', () => {
  it('are every one a pattern EventBridge accepts (schedules aside, which have none)', () => {
    // Prepare
    const { template } = loadLocalTemplate();
    const rules = resourcesOfType(template, 'AWS::Events::Rule').filter(
      ([, rule]) => rule.Properties?.ScheduleExpression === undefined,
    );

    // Act
    const invalid = rules.filter(([, rule]) => {
      try {
        validatePattern(rule.Properties?.EventPattern);
        return false;
      } catch {
        return true;
      }
    });

    // Assess
    expect(rules.length).toBeGreaterThan(0);
    expect(invalid.map(([id]) => id)).toEqual([]);
  });

  it('stop the runtime from starting when one is invalid, with a message naming the rule', async () => {
    // Prepare
    const { template } = loadLocalTemplate();
    const broken = structuredClone(template);
    const [ruleId, rule] = resourcesOfType(broken, 'AWS::Events::Rule')[0]!;
    rule.Properties = { ...rule.Properties, EventPattern: { detail: { spoke: [{ prefix: 5 }] } } };

    // Act
    const starting = startRuntime({ port: 0, template: broken });

    // Assess
    await expect(starting).rejects.toThrow(
      new RegExp(`Rule ${ruleId} has an invalid event pattern`),
    );
  });
});
