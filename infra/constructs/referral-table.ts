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

/** The attribute DynamoDB's TTL reads: when a referral's personal data must be gone. */
export const expiryAttribute = 'expiresAt';

/**
 * The one table: referrals, transitions (audit + outbox), provider capacity, and the indexes
 * for a provider's referrals by status (GSI1), a spoke's referrals by date (GSI2), a referring
 * organisation's referrals by date (GSI3), referrals by next deadline (GSI4, sparse: only
 * referrals with a deadline still to meet), a young person's referrals by blind index (GSI5) and
 * referrals holding personal data by when it must be gone (GSI6); GSI5 and GSI6 are sparse
 * (only while the personal data is held) and keys only. Its stream is the outbox.
 */
export class ReferralTable extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      sortKey: { name: 'SK', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      stream: StreamViewType.NEW_IMAGE,
      timeToLiveAttribute: expiryAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.table.addGlobalSecondaryIndex({
      indexName: 'GSI1',
      partitionKey: { name: 'GSI1PK', type: AttributeType.STRING },
      sortKey: { name: 'GSI1SK', type: AttributeType.STRING },
    });
    for (const indexName of ['GSI2', 'GSI3', 'GSI4']) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: `${indexName}PK`, type: AttributeType.STRING },
        sortKey: { name: `${indexName}SK`, type: AttributeType.STRING },
      });
    }
    // Subject access and the retention sweep need only the referral's key from these.
    for (const indexName of ['GSI5', 'GSI6']) {
      this.table.addGlobalSecondaryIndex({
        indexName,
        partitionKey: { name: `${indexName}PK`, type: AttributeType.STRING },
        sortKey: { name: `${indexName}SK`, type: AttributeType.STRING },
        projectionType: ProjectionType.KEYS_ONLY,
      });
    }
  }
}
