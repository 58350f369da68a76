import path from 'node:path';
import { Duration, Stack } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { IEventBus } from 'aws-cdk-lib/aws-events';
import { Architecture, Runtime, type CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { acknowledgeNag } from '../nag-acknowledgements.ts';
import type { PersonalDataProtection } from './personal-data.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

/** The metadata key that tells the local runtime which handler file a function runs. */
export const handlerMetadataKey = 'reachable:handler';

/** The DynamoDB actions a function may call on the table's items (and, for Query, its keys). */
export type TableAction = 'GetItem' | 'PutItem' | 'UpdateItem' | 'ConditionCheckItem' | 'Query';

/** What a function does with personal data: seal it (write) or open it (show it). */
export type PersonalDataKeyUse = 'encrypt' | 'decrypt';

// The one KMS action each use calls: the Encryption SDK's KMS keyring generates a data key
// (GenerateDataKey) to seal, and unwraps it (Decrypt) to open.
const kmsActions: Record<PersonalDataKeyUse, string> = {
  encrypt: 'kms:GenerateDataKey',
  decrypt: 'kms:Decrypt',
};

/** What a function may do in the table: see `bindTable`. */
export interface TableAccess {
  table: readonly TableAction[];
  /** The global secondary indexes the function queries, by name. */
  queryIndexes?: readonly string[];
}

export interface ReachableFunctionProps {
  /** The folder under `functions/` holding `handler.ts`. */
  name: string;
  description: string;
  /** @default Duration.seconds(10) */
  timeout?: Duration;
  /** @default 512 */
  memorySize?: number;
  environment?: Record<string, string>;
  /** Project folders or files shipped inside the bundle, at the same relative path (pages). */
  copyIntoBundle?: string[];
}

/**
 * Every Lambda of Reachable: Node 22 on arm64, ESM bundle minified with source maps, the AWS SDK
 * left to the runtime, a log group with retention, and `bind*` helpers that set the
 * environment variable and the least-privilege grant together.
 */
export class ReachableFunction extends Construct {
  readonly fn: NodejsFunction;

  constructor(scope: Construct, id: string, props: ReachableFunctionProps) {
    super(scope, id);
    const entry = `functions/${props.name}/handler.ts`;
    const logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.ONE_MONTH });
    this.fn = new NodejsFunction(this, 'Function', {
      entry: path.join(projectRoot, entry),
      projectRoot,
      depsLockFilePath: path.join(projectRoot, 'package-lock.json'),
      handler: 'handler',
      description: props.description,
      runtime: Runtime.NODEJS_22_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(10),
      logGroup,
      environment: {
        NODE_OPTIONS: '--enable-source-maps',
        POWERTOOLS_SERVICE_NAME: 'reachable',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        minify: true,
        sourceMap: true,
        externalModules: ['@aws-sdk/*'],
        mainFields: ['module', 'main'],
        // Some CommonJS dependencies call require(); give the ESM bundle one.
        banner:
          "import { createRequire } from 'node:module';const require = createRequire(import.meta.url);",
        ...(props.copyIntoBundle
          ? {
              commandHooks: {
                beforeBundling: () => [],
                beforeInstall: () => [],
                afterBundling: (inputDir: string, outputDir: string) =>
                  (props.copyIntoBundle ?? []).map((item) => {
                    // A folder or a file, copied to the same path (a folder merged into one
                    // already there).
                    const parent = path.posix.dirname(item);
                    return `mkdir -p "${outputDir}/${parent}" && cp -R "${inputDir}/${item}" "${outputDir}/${parent}/"`;
                  }),
              },
            }
          : {}),
      },
    });
    (this.fn.node.defaultChild as CfnFunction).addMetadata(handlerMetadataKey, entry);
    acknowledgeNag(this.fn, 'AwsSolutions-L1');
    acknowledgeNag(
      this.fn,
      'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]',
    );
  }

  /**
   * Names the table by TABLE_NAME and grants exactly the given actions: `table` on the table's
   * items (a TransactWriteItems needs the PutItem, UpdateItem or ConditionCheckItem of each of
   * its items), and Query on each named index only, never `index/*`.
   */
  bindTable(table: ITable, access: TableAccess): this {
    this.fn.addEnvironment('TABLE_NAME', table.tableName);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: access.table.map((action) => `dynamodb:${action}`),
        resources: [table.tableArn],
      }),
    );
    const indexes = access.queryIndexes ?? [];
    if (indexes.length > 0) {
      this.fn.addToRolePolicy(
        new PolicyStatement({
          actions: ['dynamodb:Query'],
          resources: indexes.map((index) => `${table.tableArn}/index/${index}`),
        }),
      );
    }
    return this;
  }

  /** Lets the function read the organisations' webhook secrets, named by WEBHOOK_SECRETS_ARN. */
  bindWebhookSecrets(secret: ISecret): this {
    this.fn.addEnvironment('WEBHOOK_SECRETS_ARN', secret.secretArn);
    secret.grantRead(this.fn);
    return this;
  }

  /** Lets the function read the referral forms' CSRF key, named by FORMS_CSRF_KEY_ARN. */
  bindFormsCsrfKey(secret: ISecret): this {
    this.fn.addEnvironment('FORMS_CSRF_KEY_ARN', secret.secretArn);
    secret.grantRead(this.fn);
    return this;
  }

  /**
   * Lets the function seal (`encrypt`: kms:GenerateDataKey) and/or open (`decrypt`: kms:Decrypt)
   * personal data with the partnership's KMS key, named by PERSONAL_DATA_KEY_ARN, and only under
   * an encryption context naming its partnership.
   */
  bindPersonalDataKey(protection: PersonalDataProtection, ...uses: PersonalDataKeyUse[]): this {
    if (uses.length === 0) throw new Error('bindPersonalDataKey needs encrypt, decrypt or both');
    this.fn.addEnvironment('PERSONAL_DATA_KEY_ARN', protection.key.keyArn);
    this.fn.addToRolePolicy(
      new PolicyStatement({
        actions: [...new Set(uses)].map((use) => kmsActions[use]),
        resources: [protection.key.keyArn],
        conditions: {
          StringEquals: {
            'kms:EncryptionContext:reachable-partnership': protection.partnershipId,
          },
        },
      }),
    );
    return this;
  }

  /** Lets the function compute young people's blind index, its key named by SUBJECT_INDEX_KEY_ARN. */
  bindSubjectIndexKey(protection: PersonalDataProtection): this {
    this.fn.addEnvironment('SUBJECT_INDEX_KEY_ARN', protection.subjectIndexKey.secretArn);
    protection.subjectIndexKey.grantRead(this.fn);
    return this;
  }

  /** Lets the function put events on the bus, named by EVENT_BUS_NAME. */
  bindBus(bus: IEventBus): this {
    this.fn.addEnvironment('EVENT_BUS_NAME', bus.eventBusName);
    bus.grantPutEventsTo(this.fn);
    return this;
  }

  /** Lets the function consume the given queues, their URLs in `variable` as a JSON object by key. */
  bindConsumedQueues(variable: string, queues: Record<string, IQueue>): this {
    const urls = Object.fromEntries(Object.entries(queues).map(([key, q]) => [key, q.queueUrl]));
    this.fn.addEnvironment(variable, Stack.of(this).toJsonString(urls));
    for (const queue of Object.values(queues)) queue.grantConsumeMessages(this.fn);
    return this;
  }
}
