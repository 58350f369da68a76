import { DynamoDBClient, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import {
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { AuditLog, maxReadsPerWrite } from '#shared/table/audit-log.ts';
import type { ReadRecord } from '#shared/domain/audit.ts';
import { AuditUnavailableError } from '#shared/errors.ts';
import { tableName } from '../functions/builders.ts';

const documents = mockClient(DynamoDBDocumentClient);
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const at = '2026-11-20T23:00:00.000Z';

const newLog = () =>
  new AuditLog({ tableName, client: DynamoDBDocumentClient.from(new DynamoDBClient({})) });

const read = (fields: Partial<ReadRecord> = {}): ReadRecord => ({
  referralId,
  at,
  action: 'referral.read',
  actor: { role: 'provider', id: 'turning-point-admit', subject: 'jo.bloggs' },
  purpose: 'provider-casework',
  correlationId: 'request-1',
  expiresAt: 1_990_000_000,
  ...fields,
});

/** A referral id for the n-th referral of a page. */
const idOf = (n: number) => `7c9e6679-7425-40de-944b-${String(n).padStart(12, '0')}`;

beforeEach(() => {
  documents.reset();
  documents.on(PutCommand).resolves({});
  documents.on(TransactWriteCommand).resolves({});
  documents.on(GetCommand).resolves({});
  documents.on(QueryCommand).resolves({ Items: [] });
});

describe('AuditLog.record', () => {
  it('puts one read under the referral’s audit partition, keyed by time, never over another', async () => {
    // Prepare
    const log = newLog();

    // Act
    await log.record([read()]);

    // Assess
    const puts = documents.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0]!.args[0].input;
    expect(input).toMatchObject({
      TableName: tableName,
      ConditionExpression: 'attribute_not_exists(PK)',
      Item: { PK: `AUDIT#${referralId}`, entity: 'audit-read', ...read() },
    });
    expect(String(input.Item?.SK)).toMatch(
      new RegExp(`^${at}#[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`),
    );
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });

  it('writes the reads of a page in one transaction, all or none, each under its own referral', async () => {
    // Prepare
    const reads = [1, 2, 3].map((n) => read({ referralId: idOf(n), action: 'referral.listed' }));

    // Act
    await newLog().record(reads);

    // Assess
    const transactions = documents.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    const items = transactions[0]!.args[0].input.TransactItems ?? [];
    expect(items.map((item) => item.Put?.Item?.PK)).toEqual(
      [1, 2, 3].map((n) => `AUDIT#${idOf(n)}`),
    );
    expect(new Set(items.map((item) => item.Put?.Item?.SK)).size).toBe(3);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('writes nothing for an empty page', async () => {
    // Act
    await newLog().record([]);

    // Assess
    expect(documents.calls()).toHaveLength(0);
  });

  it(`refuses more than ${maxReadsPerWrite} reads at once, writing none`, async () => {
    // Prepare
    const reads = Array.from({ length: maxReadsPerWrite + 1 }, (_, n) =>
      read({ referralId: idOf(n) }),
    );

    // Act
    const thrown = await newLog()
      .record(reads)
      .catch((error: unknown) => error);

    // Assess
    expect(thrown).toBeInstanceOf(RangeError);
    expect(documents.calls()).toHaveLength(0);
  });

  it.each([
    ['a put', 1],
    ['a transaction', 2],
  ])('turns a failed %s into AuditUnavailableError, keeping the cause', async (_case, count) => {
    // Prepare
    const failure = new TransactionCanceledException({ message: 'cancelled', $metadata: {} });
    documents.on(PutCommand).rejects(failure);
    documents.on(TransactWriteCommand).rejects(failure);
    const reads = Array.from({ length: count }, (_, n) => read({ referralId: idOf(n) }));

    // Act
    const thrown = await newLog()
      .record(reads)
      .catch((error: unknown) => error);

    // Assess
    expect(thrown).toBeInstanceOf(AuditUnavailableError);
    expect((thrown as Error).cause).toBe(failure);
  });
});

describe('AuditLog.arrival', () => {
  it('reads the referral’s arrival by id, asking for identifiers and its routing only', async () => {
    // Prepare
    documents.on(GetCommand).resolves({
      Item: {
        referralId,
        receivedAt: '2026-11-20T22:45:00.000Z',
        referrerOrganisationId: 'musgrove-park-hospital-ae',
        routing: {
          routeId: 'somerset-turning-point-admit',
          destination: { kind: 'provider', providerId: 'turning-point-admit' },
          reasons: ['Admit referrals in Somerset go to Turning Point.'],
          decidedAt: '2026-11-20T22:45:00.000Z',
        },
      },
    });

    // Act
    const arrival = await newLog().arrival(referralId);

    // Assess
    expect(arrival).toMatchObject([
      {
        action: 'referral.received',
        at: '2026-11-20T22:45:00.000Z',
        actor: { role: 'organisation', id: 'musgrove-park-hospital-ae' },
      },
      {
        action: 'referral.routed',
        at: '2026-11-20T22:45:00.000Z',
        actor: { role: 'system', id: 'route:somerset-turning-point-admit' },
      },
    ]);
    const input = documents.commandCalls(GetCommand)[0]!.args[0].input;
    expect(input.Key).toEqual({ PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' });
    expect(Object.values(input.ExpressionAttributeNames ?? {}).sort()).toEqual([
      'receivedAt',
      'referralId',
      'referrerOrganisationId',
      'routing',
    ]);
    expect(input.ProjectionExpression).not.toMatch(/personal/);
  });

  it('is empty when the referral is not held', async () => {
    // Act
    const arrival = await newLog().arrival(referralId);

    // Assess
    expect(arrival).toEqual([]);
  });
});

describe('AuditLog.changes and reads', () => {
  it('queries the referral’s transitions after a key, leaving their events behind', async () => {
    // Prepare
    const after = 'TRANSITION#2026-11-20T22:45:02.000Z#routed';
    documents.on(QueryCommand).resolves({
      Items: [
        {
          SK: 'TRANSITION#2026-11-20T23:00:00.000Z#accepted',
          referralId,
          at,
          from: 'routed',
          to: 'accepted',
          actor: { kind: 'provider', id: 'turning-point-admit', subject: 'jo.bloggs' },
        },
      ],
      LastEvaluatedKey: { PK: `REFERRAL#${referralId}`, SK: 'x' },
    });

    // Act
    const page = await newLog().changes(referralId, { after, limit: 10 });

    // Assess
    expect(page).toEqual({
      items: [
        {
          key: 'TRANSITION#2026-11-20T23:00:00.000Z#accepted',
          entry: expect.objectContaining({
            kind: 'change',
            action: 'referral.accepted',
            actor: { role: 'provider', id: 'turning-point-admit', subject: 'jo.bloggs' },
          }),
        },
      ],
      more: true,
    });
    const input = documents.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :prefix)',
      ExpressionAttributeValues: { ':pk': `REFERRAL#${referralId}`, ':prefix': 'TRANSITION#' },
      ExclusiveStartKey: { PK: `REFERRAL#${referralId}`, SK: after },
      Limit: 10,
    });
    expect(Object.values(input.ExpressionAttributeNames ?? {})).not.toContain('event');
    expect(input.IndexName).toBeUndefined();
  });

  it('queries the referral’s read records from the start, oldest first', async () => {
    // Prepare
    const stored = {
      PK: `AUDIT#${referralId}`,
      SK: `${at}#0`,
      entity: 'audit-read',
      ...read({ detail: 'accept', action: 'referral.command-answered' }),
    };
    documents.on(QueryCommand).resolves({ Items: [stored] });

    // Act
    const page = await newLog().reads(referralId, { limit: 5 });

    // Assess
    expect(page).toEqual({
      items: [
        {
          key: `${at}#0`,
          entry: {
            referralId,
            at,
            kind: 'read',
            action: 'referral.command-answered',
            actor: read().actor,
            purpose: 'provider-casework',
            detail: 'accept',
            correlationId: 'request-1',
          },
        },
      ],
      more: false,
    });
    const input = documents.commandCalls(QueryCommand)[0]!.args[0].input;
    expect(input).toMatchObject({
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': `AUDIT#${referralId}` },
      Limit: 5,
    });
    expect(input.ExclusiveStartKey).toBeUndefined();
    expect(input.ScanIndexForward).not.toBe(false);
  });
});
