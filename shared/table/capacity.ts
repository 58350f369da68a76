import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { dynamoDocumentClient } from '../adapters/clients.ts';
import { capacityKey, entities, withoutTableAttributes } from './layout.ts';

/** A provider's capacity as it last said it. */
export interface ProviderCapacity {
  providerId: string;
  status: 'open' | 'waitlist' | 'closed';
  /** With a waitlist: roughly how long until a new referral is picked up. */
  expectedWaitDays?: number;
  updatedAt: string;
}

export interface CapacityRecordsOptions {
  tableName: string;
  client?: DynamoDBDocumentClient;
}

/** What each provider last said about its capacity, one item per provider. */
export class CapacityRecords {
  readonly #tableName: string;
  readonly #client: DynamoDBDocumentClient;

  constructor({ tableName, client }: CapacityRecordsOptions) {
    this.#tableName = tableName;
    this.#client = client ?? dynamoDocumentClient();
  }

  /** What a provider last said about its capacity, if anything. */
  async getCapacity(providerId: string): Promise<ProviderCapacity | undefined> {
    const { Item } = await this.#client.send(
      new GetCommand({ TableName: this.#tableName, Key: capacityKey(providerId) }),
    );
    return Item ? (withoutTableAttributes(Item) as unknown as ProviderCapacity) : undefined;
  }

  /** Records a provider's capacity (the latest word wins). */
  async putCapacity(capacity: ProviderCapacity): Promise<void> {
    await this.#client.send(
      new PutCommand({
        TableName: this.#tableName,
        Item: { ...capacityKey(capacity.providerId), entity: entities.capacity, ...capacity },
      }),
    );
  }
}
