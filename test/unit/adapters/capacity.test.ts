import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { CapacityRecords } from '#shared/table/capacity.ts';
import { tableName } from '../functions/builders.ts';

const documents = mockClient(DynamoDBDocumentClient);
const provider = 'turning-point-admit';
const at = new Date('2026-11-20T23:10:00.000Z');
const records = () =>
  new CapacityRecords({ tableName, client: DynamoDBDocumentClient.from(new DynamoDBClient({})) });

beforeEach(() => {
  documents.reset();
});

describe('CapacityRecords', () => {
  const capacityKey = { PK: `PROVIDER#${provider}`, SK: 'CAPACITY' };
  const capacity = {
    providerId: provider,
    status: 'waitlist' as const,
    expectedWaitDays: 7,
    updatedAt: at.toISOString(),
  };

  it('records the latest word on a provider’s capacity under the provider', async () => {
    // Prepare
    documents.on(PutCommand).resolves({});

    // Act
    await records().putCapacity(capacity);

    // Assess
    expect(documents.commandCalls(PutCommand)[0]!.args[0].input).toEqual({
      TableName: tableName,
      Item: { ...capacityKey, entity: 'capacity', ...capacity },
    });
  });

  it('reads it back without the table’s bookkeeping, or undefined when never said', async () => {
    // Prepare
    documents.on(GetCommand).resolves({});
    documents
      .on(GetCommand, { Key: capacityKey })
      .resolves({ Item: { ...capacityKey, entity: 'capacity', ...capacity } });

    // Act
    const stated = await records().getCapacity(provider);
    const neverSaid = await records().getCapacity('st-giles-sos');

    // Assess
    expect(stated).toEqual(capacity);
    expect(neverSaid).toBeUndefined();
  });
});
