import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag-acknowledgements.ts';

export interface PersonalDataProtectionProps {
  /** The partnership whose personal data this protects: bound into every data key's use. */
  partnershipId: string;
}

/**
 * What protects a partnership's personal data at rest: the customer-managed KMS key its data keys
 * are generated under (AWS Encryption SDK envelope encryption, rotated yearly by KMS), and the
 * key of the young people's blind index. Both are kept when the stack is deleted: without them
 * the sealed referrals and their index could never be read again.
 */
export class PersonalDataProtection extends Construct {
  readonly key: Key;
  readonly subjectIndexKey: Secret;
  readonly partnershipId: string;

  constructor(scope: Construct, id: string, { partnershipId }: PersonalDataProtectionProps) {
    super(scope, id);
    this.partnershipId = partnershipId;
    this.key = new Key(this, 'Key', {
      description: `Reachable ${partnershipId}: wraps the data keys of referrals' personal data`,
      enableKeyRotation: true,
      pendingWindow: Duration.days(30),
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.subjectIndexKey = new Secret(this, 'SubjectIndexKey', {
      description: `Reachable ${partnershipId}: the key of the young people's blind index (HMAC)`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
      removalPolicy: RemovalPolicy.RETAIN,
    });
    acknowledgeNag(this.subjectIndexKey, 'AwsSolutions-SMG4');
  }
}
