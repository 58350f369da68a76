import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { partnershipById } from '#partnerships/index.ts';
import type { Referral } from '#shared/domain/referral.ts';
import {
  captureOutput,
  lambdaContext,
  partnershipId,
  personalValuesOf,
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
} from './builders.ts';

vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('EVENT_BUS_NAME', 'reachable-test-bus');
vi.stubEnv('PARTNERSHIP', partnershipId);
const documents = mockClient(DynamoDBDocumentClient);
const eventBridge = mockClient(EventBridgeClient);
const { handler } = await import('#functions/reconciliation/handler.ts');

const schedule = { 'detail-type': 'Scheduled Event', detail: {} } as ScheduledEvent;
const context = lambdaContext('reachable-reconciliation');
const now = new Date('2026-11-23T12:00:00.000Z');
const hoursAgo = (hours: number) => new Date(now.getTime() - hours * 3_600_000);
const spokes = partnershipById(partnershipId).spokes.map((spoke) => spoke.id);

/** Stuck before routing: received three hours ago, still `received`. */
const unrouted = (): Referral =>
  referralFromExample('weapons-possession-bristol.json', 'unrouted-1', hoursAgo(3));

/** Routed to St Giles two days ago, never pulled, its acceptance deadline a day gone. */
const unpulled = (): Referral => ({
  ...routedReferral(
    referralFromExample('sos-exploitation-north-somerset.json', 'unpulled-1', hoursAgo(48)),
    'north-somerset-sos',
    { kind: 'provider', providerId: 'st-giles-sos' },
  ),
  deadlines: { acceptBy: hoursAgo(24).toISOString(), firstContactBy: hoursAgo(1).toISOString() },
});

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  vi.useFakeTimers({ now, toFake: ['Date'] });
  documents.reset();
  eventBridge.reset();
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(PutCommand).resolves({});
  eventBridge.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'e-1' }] });
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

describe('reconciliation handler', () => {
  it("reads each spoke's last 30 days on GSI2, keeps the counts for the hub and raises one alarm event naming the referrals by id", async () => {
    // Prepare
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'SPOKE#bristol' } }, false)
      .resolves({ Items: [referralItem(unrouted())] })
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'SPOKE#north-somerset' } }, false)
      .resolves({ Items: [referralItem(unpulled())] });

    // Act
    const report = await handler(schedule, context);

    // Assess
    const queries = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries.map((query) => query.ExpressionAttributeValues?.[':pk']).sort()).toEqual(
      spokes.map((spoke) => `SPOKE#${spoke}`).sort(),
    );
    expect(queries[0]).toMatchObject({
      IndexName: 'GSI2',
      ExpressionAttributeValues: {
        ':from': new Date(now.getTime() - 30 * 24 * 3_600_000).toISOString(),
        ':to': `${now.toISOString()}#~`,
      },
    });
    expect(report.counts).toEqual({ 'not-routed': 1, 'not-pulled': 1 });
    const [saved] = documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item);
    expect(saved).toMatchObject({ PK: 'RECONCILIATION', SK: 'LATEST', counts: report.counts });
    expect(JSON.stringify(saved)).not.toContain('unrouted-1');
    const [put] = eventBridge.commandCalls(PutEventsCommand).map((call) => call.args[0].input);
    expect(put?.Entries).toHaveLength(1);
    const entry = put!.Entries![0]!;
    expect(entry.DetailType).toBe('reconciliation.discrepancies-found');
    const detail = JSON.parse(entry.Detail ?? '{}') as { discrepancies: { referralId: string }[] };
    expect(detail.discrepancies.map((d) => d.referralId).sort()).toEqual([
      'unpulled-1',
      'unrouted-1',
    ]);
    const published = `${entry.Detail}${output.text()}`;
    for (const personal of [
      ...personalValuesOf('weapons-possession-bristol.json'),
      ...personalValuesOf('sos-exploitation-north-somerset.json'),
    ]) {
      expect(published).not.toContain(personal);
    }
  });

  it('raises no alarm event when nothing is stuck, but still keeps the (zero) counts', async () => {
    // Act
    const report = await handler(schedule, context);

    // Assess
    expect(report.counts).toEqual({ 'not-routed': 0, 'not-pulled': 0 });
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
    expect(eventBridge.commandCalls(PutEventsCommand)).toHaveLength(0);
  });

  it('lets a failure to raise the alarm through, so the scheduled run is retried', async () => {
    // Prepare
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': 'SPOKE#bristol' } }, false)
      .resolves({ Items: [referralItem(unrouted())] });
    eventBridge.on(PutEventsCommand).rejects(new Error('Service unavailable'));

    // Act
    const run = handler(schedule, context);

    // Assess
    await expect(run).rejects.toThrow('Service unavailable');
  });
});
