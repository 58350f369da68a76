import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import type { Referral } from '#shared/domain/referral.ts';
import { ValidationError } from '#shared/errors.ts';
import { referralKey } from '#shared/table/layout.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import {
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
} from '../functions/builders.ts';

const documents = mockClient(DynamoDBDocumentClient);
const referralId = '2d1c0b9a-8f7e-4d6c-9b5a-4f3e2d1c0b9a';
const key = referralKey(referralId);
const provider = 'turning-point-admit';
const at = new Date('2026-11-20T23:10:00.000Z');
const acceptBy = '2026-11-21T00:00:00.000Z';
const deadlines = { acceptBy, firstContactBy: '2026-11-24T17:00:00.000Z' };

/** Queries need no key to seal with: they never write. */
const store = () =>
  new ReferralQueries({ tableName, client: DynamoDBDocumentClient.from(new DynamoDBClient({})) });
const routed = (): Referral =>
  routedReferral(
    referralFromExample('admit-friday-night.json', referralId),
    `somerset-${provider}`,
    {
      kind: 'provider',
      providerId: provider,
    },
  );
const withDeadlines = (referral: Referral): Referral => ({ ...referral, deadlines });

beforeEach(() => {
  documents.reset();
});

describe('ReferralQueries', () => {
  const lastKey = {
    PK: key.PK,
    SK: 'REFERRAL',
    GSI4PK: 'DUE',
    GSI4SK: `${acceptBy}#${referralId}`,
  };

  it('finds referrals due by now through the deadline index, oldest first, a page at a time', async () => {
    // Prepare
    const referral = withDeadlines(routed());
    documents
      .on(QueryCommand)
      .resolves({ Items: [referralItem(referral)], LastEvaluatedKey: lastKey });

    // Act
    const page = await store().dueBy(at);
    const nextPage = await store().dueBy(at, { cursor: page.cursor! });

    // Assess
    expect(page.referrals).toEqual([referral]);
    expect(page.cursor).toEqual(expect.any(String));
    const queries = documents.commandCalls(QueryCommand);
    expect(queries[0]!.args[0].input).toEqual({
      TableName: tableName,
      IndexName: 'GSI4',
      KeyConditionExpression: 'GSI4PK = :due AND GSI4SK <= :now',
      ExpressionAttributeValues: { ':due': 'DUE', ':now': `${at.toISOString()}#~` },
      Limit: 100,
      ScanIndexForward: true,
    });
    expect(queries[1]!.args[0].input.ExclusiveStartKey).toEqual(lastKey);
    expect(nextPage.referrals).toHaveLength(1);
  });

  it('lists a provider’s referrals newest first, in one status or all', async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [] });

    // Act
    await store().listByProvider(provider, { status: 'accepted', limit: 10 });
    const page = await store().listByProvider(provider, {});

    // Assess
    const [inStatus, all] = documents.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(inStatus).toMatchObject({
      IndexName: 'GSI1',
      KeyConditionExpression: 'GSI1PK = :pk AND begins_with(GSI1SK, :status)',
      ExpressionAttributeValues: { ':pk': `PROVIDER#${provider}`, ':status': 'accepted#' },
      Limit: 10,
      ScanIndexForward: false,
    });
    expect(all).toMatchObject({
      KeyConditionExpression: 'GSI1PK = :pk',
      ExpressionAttributeValues: { ':pk': `PROVIDER#${provider}` },
      Limit: 50,
    });
    expect(page).toEqual({ referrals: [] });
  });

  it('lists the referrals an organisation sent through its index, newest first', async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [referralItem(routed())] });

    // Act
    const page = await store().listByOrganisation('musgrove-park-hospital-ae', { limit: 5 });

    // Assess
    expect(page).toEqual({ referrals: [routed()] });
    expect(documents.commandCalls(QueryCommand)[0]!.args[0].input).toMatchObject({
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': 'ORGANISATION#musgrove-park-hospital-ae' },
      Limit: 5,
      ScanIndexForward: false,
    });
  });

  it('refuses a cursor that is not valid JSON as a ValidationError, before asking DynamoDB', async () => {
    // Prepare
    const cursor = 'not-a-cursor';

    // Act
    const listing = store().listByProvider(provider, { cursor });

    // Assess
    await expect(listing).rejects.toThrow(ValidationError);
    expect(documents.calls()).toHaveLength(0);
  });

  it.each(['"x"', '42', 'null', '[]'])(
    'refuses a cursor that decodes to %s rather than a key, before asking DynamoDB',
    async (decoded) => {
      // Prepare
      documents.on(QueryCommand).resolves({ Items: [] });
      const cursor = Buffer.from(decoded).toString('base64url');

      // Act
      const listing = store().listByProvider(provider, { cursor });

      // Assess
      await expect(listing).rejects.toThrow(ValidationError);
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it("finds a young person's referrals through the blind index alone, every page", async () => {
    // Prepare
    const otherId = '9b2f7c4e-1d3a-4e5f-8a6b-7c8d9e0f1a2b';
    const lastKey = { PK: key.PK, SK: 'REFERRAL', GSI5PK: 'SUBJECT#blind', GSI5SK: 'x' };
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [{ PK: key.PK, SK: 'REFERRAL' }], LastEvaluatedKey: lastKey })
      .resolves({ Items: [{ PK: `REFERRAL#${otherId}`, SK: 'REFERRAL' }] });

    // Act
    const ids = await store().referralIdsBySubject('blind');

    // Assess
    expect(ids).toEqual([referralId, otherId]);
    const queries = documents.commandCalls(QueryCommand).map((call) => call.args[0].input);
    expect(queries[0]).toEqual({
      TableName: tableName,
      IndexName: 'GSI5',
      KeyConditionExpression: 'GSI5PK = :pk',
      ExpressionAttributeValues: { ':pk': 'SUBJECT#blind' },
    });
    expect(queries[1]!.ExclusiveStartKey).toEqual(lastKey);
  });

  it('reads everything under a referral’s key, consistently: the referral, its transitions and the rest', async () => {
    // Prepare
    const referral = routed();
    const transition = {
      PK: key.PK,
      SK: `TRANSITION#${at.toISOString()}#routed`,
      entity: 'transition',
      referralId,
      from: 'received',
      to: 'routed',
    };
    const marker = { PK: key.PK, SK: 'COUNTED#referred', entity: 'counted-fact' };
    documents.on(QueryCommand).resolves({ Items: [referralItem(referral), transition, marker] });

    // Act
    const history = await store().history(referralId);

    // Assess
    expect(history.referral).toEqual(referral);
    expect(history.transitions).toEqual([{ referralId, from: 'received', to: 'routed' }]);
    expect(history.other).toEqual([marker]);
    expect(documents.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': key.PK },
      ConsistentRead: true,
    });
  });

  it('finds referrals past their retention through the retention index, a page at a time', async () => {
    // Prepare
    const lastKey = { PK: key.PK, SK: 'REFERRAL', GSI6PK: 'RETAINED', GSI6SK: 'x' };
    documents
      .on(QueryCommand)
      .resolves({ Items: [{ PK: key.PK, SK: 'REFERRAL' }], LastEvaluatedKey: lastKey });

    // Act
    const page = await store().expiredBy(at, { limit: 1 });

    // Assess
    expect(page.referralIds).toEqual([referralId]);
    expect(page.cursor).toEqual(expect.any(String));
    expect(documents.commandCalls(QueryCommand)[0]!.args[0].input).toEqual({
      TableName: tableName,
      IndexName: 'GSI6',
      KeyConditionExpression: 'GSI6PK = :retained AND GSI6SK <= :now',
      ExpressionAttributeValues: { ':retained': 'RETAINED', ':now': `${at.toISOString()}#~` },
      Limit: 1,
    });
  });
});
