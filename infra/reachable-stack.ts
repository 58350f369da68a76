import { Duration, Lazy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { FilterPattern, MetricFilter } from 'aws-cdk-lib/aws-logs';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { eventSource, operationsDetailTypes } from '#events/catalogue.ts';
import { routesFor } from '#partnerships/index.ts';
import { checkRoutes, type Route } from '#shared/routing/routes.ts';
import { defaultAuditRetentionDays } from '#shared/domain/audit.ts';
import { routingDisagreement } from '#shared/services/provider-work.ts';
import { partnershipById, type Partnership } from '#partnerships/index.ts';
import { indexes, outboxStreamPattern } from '#shared/table/layout.ts';
import type { DeploymentConfig } from './config.ts';
import { Api } from './constructs/api.ts';
import { deadLetterQueue } from './constructs/dead-letter-queue.ts';
import { Identity } from './constructs/identity.ts';
import { PersonalDataProtection } from './constructs/personal-data.ts';
import { BusAndRoutes } from './constructs/bus-and-routes.ts';
import { ReachableFunction } from './constructs/reachable-function.ts';
import { ReferralTable } from './constructs/referral-table.ts';
import { WorkQueue } from './constructs/work-queue.ts';
import { acknowledgeNag } from './nag-acknowledgements.ts';
import { chartJsDist, chartJsFiles, hubTemplates } from '#web/hub/bundle.ts';
import { govukAssetFiles, govukDist, pageKitBundleFolders } from '#web/kit/bundle.ts';

export interface ReachableStackProps extends StackProps {
  config: DeploymentConfig;
  /** @default the registered config of `config.partnership` */
  partnership?: Partnership;
  /** @default the partnership's routes, as `partnerships/index.ts` registers them */
  routes?: readonly Route[];
}

/** One partnership's Reachable: intake, outbox, bus and routes, provider queues and API. */
export class ReachableStack extends Stack {
  readonly table: ReferralTable;
  readonly personalData: PersonalDataProtection;
  readonly busAndRoutes: BusAndRoutes;
  readonly api: Api;
  readonly identity: Identity;

  constructor(scope: Construct, id: string, props: ReachableStackProps) {
    super(scope, id, props);
    const partnership = props.partnership ?? partnershipById(props.config.partnership);
    const routes = props.routes ?? routesFor(partnership.id);
    // A route that names an unknown provider or a pathway a spoke does not run fails synth.
    checkRoutes(partnership, routes);
    const environment = { PARTNERSHIP: partnership.id };
    // Who signs bearer tokens: the stack's Cognito user pool or the config's OIDC issuer. By
    // default sign-in returns to the deployed API's own pages.
    this.identity = new Identity(this, 'Identity', {
      auth: props.config.auth,
      partnership,
      defaultCallbackUrls: Lazy.list({
        produce: () =>
          ['/provider', '/hub'].map((page) => `${this.api.httpApi.apiEndpoint}${page}`),
      }),
    });
    const authEnvironment = { ...this.identity.environment };
    // How long audit records outlive their referral: every function writing them says the same.
    const auditEnvironment = {
      AUDIT_RETENTION_DAYS: String(props.config.auditRetentionDays ?? defaultAuditRetentionDays),
    };

    this.table = new ReferralTable(this, 'Referrals');
    // Personal data is sealed by the functions that write it (intake, forms, provider decline
    // details) and opened only by the one that must show it (provider-api).
    this.personalData = new PersonalDataProtection(this, 'PersonalData', {
      partnershipId: partnership.id,
    });
    this.busAndRoutes = new BusAndRoutes(this, 'Routing', {
      partnership,
      stage: props.config.stage,
      source: eventSource(partnership.id),
      routes,
    });

    // Per referrer organisation, the secrets its systems sign webhooks with (JSON
    // `{ "<organisationId>": ["whsec_…"] }`), set by the partnership's administrators; two at once
    // while rotating. Starts empty: no organisation can send webhooks until it is given a secret.
    const webhookSecrets = new Secret(this, 'WebhookSecrets', {
      description: `Reachable ${partnership.id}: webhook signing secrets per referrer organisation`,
      secretStringValue: SecretValue.unsafePlainText('{}'),
    });
    acknowledgeNag(webhookSecrets, 'AwsSolutions-SMG4');

    const intake = new ReachableFunction(this, 'Intake', {
      name: 'intake',
      description: 'Checks and stores referrals (POST /v1/referrals, signed webhooks)',
      environment: { ...environment, ...authEnvironment },
    })
      // A webhook's earlier answer by id; a referral put alone or with its delivery record.
      .bindTable(this.table.table, { table: ['GetItem', 'PutItem'] })
      .bindWebhookSecrets(webhookSecrets)
      .bindPersonalDataKey(this.personalData, 'encrypt')
      .bindSubjectIndexKey(this.personalData);

    const publish = new ReachableFunction(this, 'Publish', {
      name: 'publish',
      description: 'Publishes new referrals and transitions from the table stream to the bus',
      environment,
    }).bindBus(this.busAndRoutes.bus); // reads only the stream, which its event source grants
    const publishFailures = deadLetterQueue(
      this,
      'PublishFailures',
      'the table stream (unpublished events)',
    );
    publish.fn.addEventSource(
      new DynamoEventSource(this.table.table, {
        startingPosition: StartingPosition.TRIM_HORIZON,
        batchSize: 10,
        bisectBatchOnError: true,
        retryAttempts: 10,
        reportBatchItemFailures: true,
        onFailure: new SqsDlq(publishFailures),
        // Only the outbox (new referrals and transitions) invokes it: the rest of the table's
        // writes (aggregates, reads, leases) never cost an invocation or hold the stream up.
        filters: [FilterCriteria.filter(outboxStreamPattern)],
      }),
    );
    acknowledgeNag(publish.fn, 'AwsSolutions-IAM5[Resource::*]');
    // The outbox failing or falling behind means referrals stored but not yet routed.
    publish.fn
      .metricErrors({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'PublishErrorsAlarm', {
        alarmDescription: 'The outbox could not publish: referrals may be stored but not routed.',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    new Metric({
      namespace: 'AWS/Lambda',
      metricName: 'IteratorAge',
      dimensionsMap: { FunctionName: publish.fn.functionName },
      statistic: 'Maximum',
      period: Duration.minutes(5),
    }).createAlarm(this, 'PublishBehindAlarm', {
      alarmDescription: 'The outbox is over 5 minutes behind the table: routing is delayed.',
      threshold: Duration.minutes(5).toMilliseconds(),
      evaluationPeriods: 1,
      comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: TreatMissingData.NOT_BREACHING,
    });

    // Deadlines are checked every five minutes: an Admit same-shift deadline is hours away.
    const slaSweep = new ReachableFunction(this, 'SlaSweep', {
      name: 'sla-sweep',
      description: 'Flags missed acceptance and first-contact deadlines, once each',
      timeout: Duration.minutes(1),
      // Referrals due by now on the due index; a flag is an update and a put of its record.
    }).bindTable(this.table.table, {
      table: ['UpdateItem', 'PutItem'],
      queryIndexes: [indexes.due.indexName],
    });
    new Rule(this, 'SlaSweepSchedule', {
      description: 'Runs the deadline sweep',
      schedule: Schedule.rate(Duration.minutes(5)),
      // A sweep that keeps failing means missed deadlines go unflagged: park and alarm.
      targets: [
        new LambdaFunction(slaSweep.fn, {
          retryAttempts: 2,
          // The next run is five minutes later; an older invocation is stale.
          maxEventAge: Duration.minutes(5),
          deadLetterQueue: deadLetterQueue(this, 'SlaSweepFailures', 'the deadline sweep'),
        }),
      ],
    });

    // Personal data past its pathway's retention period is erased once a day. DynamoDB's TTL on
    // `expiresAt` deletes such items too, but only within days; the sweep makes it certain and
    // keeps the anonymous rest (and DynamoDB Local has no TTL at all).
    const retentionSweep = new ReachableFunction(this, 'RetentionSweep', {
      name: 'retention-sweep',
      description: 'Erases the personal data of referrals past their retention period',
      timeout: Duration.minutes(5),
      // Expired referrals on the retained index (keys only); an erasure is one update. No key:
      // nothing opened.
    }).bindTable(this.table.table, {
      table: ['UpdateItem'],
      queryIndexes: [indexes.retained.indexName],
    });
    new Rule(this, 'RetentionSweepSchedule', {
      description: 'Runs the retention sweep',
      schedule: Schedule.rate(Duration.days(1)),
      targets: [
        new LambdaFunction(retentionSweep.fn, {
          retryAttempts: 2,
          // The next run is a day later; an older invocation is stale.
          maxEventAge: Duration.days(1),
          deadLetterQueue: deadLetterQueue(this, 'RetentionSweepFailures', 'the retention sweep'),
        }),
      ],
    });

    // Reconciliation: referrals stuck between intake and a provider raise an alarm event, which
    // waits in the operators' alerts queue (alarmed) until someone looks.
    const reconciliation = new ReachableFunction(this, 'Reconciliation', {
      name: 'reconciliation',
      description: 'Finds referrals stored but not routed, or routed but never pulled in time',
      environment,
      timeout: Duration.minutes(1),
      // Each spoke's recent referrals on the by-spoke index; the latest counts put for the hub.
    })
      .bindTable(this.table.table, {
        table: ['PutItem'],
        queryIndexes: [indexes.bySpoke.indexName],
      })
      .bindBus(this.busAndRoutes.bus);
    new Rule(this, 'ReconciliationSchedule', {
      description: 'Runs the reconciliation check',
      schedule: Schedule.rate(Duration.minutes(15)),
      targets: [
        new LambdaFunction(reconciliation.fn, {
          retryAttempts: 2,
          // The next run is fifteen minutes later; an older invocation is stale.
          maxEventAge: Duration.minutes(15),
          deadLetterQueue: deadLetterQueue(
            this,
            'ReconciliationFailures',
            'the reconciliation check',
          ),
        }),
      ],
    });
    const operationsAlerts = new WorkQueue(this, 'OperationsAlerts', {
      alarmWhenWaitingLongerThan: Duration.minutes(1),
      pickedUpBy: 'an operator',
    });
    new Rule(this, 'OperationsAlertsRule', {
      eventBus: this.busAndRoutes.bus,
      description: 'Alarm events for operators: referrals found stuck by reconciliation',
      eventPattern: {
        source: [eventSource(partnership.id)],
        detailType: [operationsDetailTypes.reconciliationDiscrepancies],
      },
      targets: [
        new SqsQueue(operationsAlerts.queue, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: deadLetterQueue(
            this,
            'OperationsAlertsRuleFailures',
            'the operations alerts rule',
          ),
        }),
      ],
    });

    // The hub's aggregates: every lifecycle event, from its own queue, counted once per referral.
    const hubProjection = new WorkQueue(this, 'HubProjection', {
      visibilityTimeout: Duration.seconds(60),
    });
    new Rule(this, 'HubProjectionRule', {
      eventBus: this.busAndRoutes.bus,
      description: 'Every referral lifecycle event, for the hub aggregates',
      eventPattern: {
        source: [eventSource(partnership.id)],
        detailType: Match.prefix('referral.'),
      },
      targets: [
        new SqsQueue(hubProjection.queue, {
          retryAttempts: 185,
          maxEventAge: Duration.hours(24),
          deadLetterQueue: deadLetterQueue(
            this,
            'HubProjectionRuleFailures',
            'the hub projection rule',
          ),
        }),
      ],
    });
    const projector = new ReachableFunction(this, 'Projector', {
      name: 'projector',
      description: 'Keeps the hub aggregates: counts and times per spoke, pathway, provider, month',
      // A referral's projection marker; aggregates created (put) and counted (update).
    }).bindTable(this.table.table, { table: ['GetItem', 'PutItem', 'UpdateItem'] });
    projector.fn.addEventSource(
      new SqsEventSource(hubProjection.queue, { batchSize: 10, reportBatchItemFailures: true }),
    );
    const hubApi = new ReachableFunction(this, 'HubApi', {
      name: 'hub-api',
      description: "The hub's metrics, from aggregates only",
      environment: { ...environment, ...authEnvironment },
      // One query per month of the aggregates and the latest reconciliation: read only.
    }).bindTable(this.table.table, { table: ['Query', 'GetItem'] });

    const providerQueues = Object.fromEntries(
      Object.entries(this.busAndRoutes.providerQueues).map(([id, wq]) => [id, wq.queue]),
    );
    const providerApi = new ReachableFunction(this, 'ProviderApi', {
      name: 'provider-api',
      description: 'Providers: work queue with leases, the lifecycle of their referrals, capacity',
      environment: { ...environment, ...authEnvironment, ...auditEnvironment },
    })
      // A referral by id, the provider's list on its index, leases, transitions and capacity, and
      // the audit records of its reads (a put, or a page's in one transaction); no Scan.
      .bindTable(this.table.table, {
        table: ['GetItem', 'UpdateItem', 'PutItem'],
        queryIndexes: [indexes.byProvider.indexName],
      })
      .bindConsumedQueues('PROVIDER_QUEUE_URLS', providerQueues)
      // Shows the provider the personal data; seals a decline's details.
      .bindPersonalDataKey(this.personalData, 'encrypt', 'decrypt');
    // Intake records each referral's route; the rule that delivered it must agree. A message for
    // a referral routed elsewhere is logged by the provider's pull, counted here and alarmed.
    new MetricFilter(this, 'RoutingDisagreements', {
      logGroup: providerApi.logGroup,
      filterPattern: FilterPattern.stringValue('$.message', '=', routingDisagreement),
      metricNamespace: 'Reachable',
      metricName: 'RoutingDisagreements',
      metricValue: '1',
    })
      .metric({ period: Duration.minutes(5), statistic: 'Sum' })
      .createAlarm(this, 'RoutingDisagreementAlarm', {
        alarmDescription:
          'A referral reached a provider queue it was not routed to: the rules and the decision recorded at intake disagree.',
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      });
    const referrerApi = new ReachableFunction(this, 'ReferrerApi', {
      name: 'referrer-api',
      description: 'Referrer organisations: status and dates of the referrals they sent',
      environment: authEnvironment,
      // A status by id, the organisation's list on its index, a withdrawal (a transition).
    }).bindTable(this.table.table, {
      table: ['GetItem', 'UpdateItem', 'PutItem'],
      queryIndexes: [indexes.byOrganisation.indexName],
    });

    const adminApi = new ReachableFunction(this, 'AdminApi', {
      name: 'admin-api',
      description: "Administrators: a referral's audit trail of reads and changes",
      environment: { ...environment, ...authEnvironment },
      // The referral's arrival (identifiers only) by id; its transitions and read records, each
      // by its partition on the table: read only.
    }).bindTable(this.table.table, { table: ['GetItem', 'Query'] });

    const apiDocs = new ReachableFunction(this, 'ApiDocs', {
      name: 'api-docs',
      description: 'The OpenAPI 3.1 description of the API (GET /openapi.json)',
      environment,
    });

    const web = new ReachableFunction(this, 'Web', {
      name: 'web',
      description: 'The API reference and the assets of every page',
      // GOV.UK Frontend's compiled stylesheet and script come from the installed package.
      copyIntoBundle: [
        'web',
        ...govukAssetFiles.map((file) => `${govukDist}/${file}`),
        // Chart.js for the hub's charts, as the installed package has it.
        ...chartJsFiles.map((file) => `${chartJsDist}/${file}`),
      ],
    });

    // The pages' CSRF key: a random string, only ever read by the page functions.
    const formsCsrfKey = new Secret(this, 'FormsCsrfKey', {
      description: `Reachable ${partnership.id}: the key of the referral forms' CSRF tokens`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeNag(formsCsrfKey, 'AwsSolutions-SMG4');
    const forms = new ReachableFunction(this, 'Forms', {
      name: 'forms',
      description: 'The referral forms: sign in, a form per pathway, the confirmation',
      environment: { ...environment, ...authEnvironment },
      // The page's templates, the kit's, and GOV.UK Frontend's nunjucks macros they call.
      copyIntoBundle: ['web/refer/templates', ...pageKitBundleFolders],
    })
      // A referral put through the intake, read back by id for its confirmation.
      .bindTable(this.table.table, { table: ['GetItem', 'PutItem'] })
      .bindFormsCsrfKey(formsCsrfKey)
      // Seals what the form sends; the confirmation shows no personal data, so never opens it.
      .bindPersonalDataKey(this.personalData, 'encrypt')
      .bindSubjectIndexKey(this.personalData);

    const hubPage = new ReachableFunction(this, 'HubPage', {
      name: 'hub-page',
      description: "The hub dashboard: the partnership's figures and its quarterly return",
      environment: { ...environment, ...authEnvironment },
      // The page's templates, the kit's, and GOV.UK Frontend's nunjucks macros they call.
      copyIntoBundle: [hubTemplates, ...pageKitBundleFolders],
    })
      // The hub service's reads, as the hub API's: aggregates by month, the latest reconciliation.
      .bindTable(this.table.table, { table: ['Query', 'GetItem'] })
      .bindFormsCsrfKey(formsCsrfKey);

    // The provider page: the provider API's services and grants, behind a session cookie.
    const providerPage = new ReachableFunction(this, 'ProviderPage', {
      name: 'provider-page',
      description: 'The provider page: sign in, the work queue, a referral and its commands',
      environment: { ...environment, ...authEnvironment, ...auditEnvironment },
      // The page's templates, the kit's, and GOV.UK Frontend's nunjucks macros they call.
      copyIntoBundle: ['web/provider/templates', ...pageKitBundleFolders],
    })
      // As the provider API: a referral by id, the provider's list on GSI1, leases, transitions
      // and the audit records of its reads; no Scan.
      .bindTable(this.table.table, {
        table: ['GetItem', 'UpdateItem', 'PutItem'],
        queryIndexes: ['GSI1'],
      })
      .bindConsumedQueues('PROVIDER_QUEUE_URLS', providerQueues)
      .bindFormsCsrfKey(formsCsrfKey)
      // Shows the provider the personal data; seals a decline's details.
      .bindPersonalDataKey(this.personalData, 'encrypt', 'decrypt');

    this.api = new Api(this, 'Api', {
      functions: {
        intake,
        'api-docs': apiDocs,
        'hub-api': hubApi,
        'admin-api': adminApi,
        'provider-api': providerApi,
        'referrer-api': referrerApi,
        web,
        forms,
        'provider-page': providerPage,
        'hub-page': hubPage,
      },
      authorizer: this.identity.authorizer,
    });
  }
}
