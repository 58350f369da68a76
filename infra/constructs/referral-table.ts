import { RemovalPolicy } from 'aws-cdk-lib';
import {
  AttributeType,
  BillingMode,
  ProjectionType,
  StreamViewType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { expiryAttribute, indexes, tableKey } from '#shared/table/layout.ts';

/**
 * The one table: referrals, transitions (audit + outbox), provider capacity, delivery records,
 * the hub's aggregates and the records of reads, keyed as `shared/table/layout.ts` says, with
 * its indexes by purpose (by provider, by spoke, by organisation, due, by subject, retained;
 * the last two keys only). Its stream is the outbox.
 */
export class ReferralTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: tableKey.partitionKey, type: AttributeType.STRING },
      sortKey: { name: tableKey.sortKey, type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: expiryAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    for (const { indexName, partitionKey, sortKey, keysOnly } of Object.values(indexes)) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: partitionKey, type: AttributeType.STRING },
        sortKey: { name: sortKey, type: AttributeType.STRING },
        // Subject access and the retention sweep need only the referral's key from these.
        ...(keysOnly ? { projectionType: ProjectionType.KEYS_ONLY } : {}),
      });
    }
  }
}
