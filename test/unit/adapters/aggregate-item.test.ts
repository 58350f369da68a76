import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { MetricsStore, aggregateItem } from '#shared/table/metrics-store.ts';
import type { Aggregate } from '#shared/domain/hub-metrics.ts';

const documents = mockClient(DynamoDBDocumentClient);

const aggregate: Aggregate = {
  month: '2026-04',
  spoke: 'somerset',
  pathway: 'admit',
  provider: 'turning-point-admit',
  counts: { referred: 12, accepted: 9, 'declined:no-capacity': 2, engaged: 5 },
  timeToFirstContact: [1, 2, 3, 1, 0, 0, 0, 0, 0, 0, 0],
  timeToEngagement: [0, 0, 1, 1, 2, 1, 0, 0, 0, 0, 0],
};

beforeEach(() => {
  documents.reset();
});

describe('aggregateItem', () => {
  it('is read back by aggregatesFor as the aggregate it was made from', async () => {
    // Prepare
    documents.on(QueryCommand).resolves({ Items: [aggregateItem(aggregate)] });
    const store = new MetricsStore({
      tableName: 'table',
      client: DynamoDBDocumentClient.from(new DynamoDBClient({})),
    });

    // Act
    const read = await store.aggregatesFor(['2026-04']);

    // Assess
    expect(read).toEqual([aggregate]);
    expect(aggregateItem(aggregate)).toMatchObject({
      PK: 'AGGREGATE#2026-04',
      SK: 'somerset#admit#turning-point-admit',
      entity: 'aggregate',
    });
  });
});
