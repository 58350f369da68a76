import { DynamoDBDocumentClient, QueryCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Referral } from '#shared/domain/referral.ts';
import {
  captureOutput,
  lambdaContext,
  personalValuesOf,
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
} from './builders.ts';

vi.stubEnv('TABLE_NAME', tableName);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/sla-sweep/handler.ts');

const schedule: ScheduledEvent = {
  version: '0',
  id: 'd2f1c0b9-8a7e-4d6c-9b5a-4e3f2a1b0c9d',
  'detail-type': 'Scheduled Event',
  source: 'aws.events',
  account: '123456789012',
  time: '2026-11-21T00:05:00Z',
  region: 'eu-west-2',
  resources: ['arn:aws:events:eu-west-2:123456789012:rule/sla-sweep'],
  detail: {},
};
const context = lambdaContext('reachable-sla-sweep');

const referralId = '6d5c4b3a-2f1e-4d0c-9b8a-7f6e5d4c3b2a';
const now = new Date('2026-11-21T00:05:00.000Z');

/** Friday night's Admit referral, routed, past its same-shift deadline for acceptance. */
const overdue = (): Referral => ({
  ...routedReferral(
    referralFromExample('admit-friday-night.json', referralId),
    'somerset-turning-point-admit',
    { kind: 'provider', providerId: 'turning-point-admit' },
  ),
  status: 'accepted',
  deadlines: { acceptBy: '2026-11-21T00:00:00.000Z', firstContactBy: '2026-11-21T00:00:00.000Z' },
});

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  documents.on(TransactWriteCommand).resolves({});
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

describe('sla-sweep handler', () => {
  it('sweeps the deadline index of its table as of now and reports what it flagged', async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [referralItem(overdue())] });

    // Act
    const result = await handler(schedule, context);

    // Assess
    expect(result).toEqual({ checked: 1, flagged: 1 });
    expect(documents.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      TableName: tableName,
      IndexName: 'GSI4',
      ExpressionAttributeValues: { ':now': `${now.toISOString()}#~` },
    });
    const [update] =
      documents.commandCalls(TransactWriteCommand)[0]!.args[0].input.TransactItems ?? [];
    expect(update?.Update?.TableName).toBe(tableName);
    const logged = output.text();
    expect(logged).toContain('Deadline sweep done');
    expect(logged).toContain(referralId);
    expect(logged).toContain('"function_name":"reachable-sla-sweep"');
    for (const personal of personalValuesOf('admit-friday-night.json')) {
      expect(logged).not.toContain(personal);
    }
  });

  it('lets a failure of the table through, so the scheduled run is retried', async () => {
    // Prepare
    const failure = new Error('Service unavailable');
    documents.on(QueryCommand).rejects(failure);

    // Act
    const sweeping = handler(schedule, context);

    // Assess
    await expect(sweeping).rejects.toBe(failure);
  });
});
