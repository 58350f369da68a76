import { Duration, Lazy, SecretValue, Stack, type StackProps } from 'aws-cdk-lib';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { ComparisonOperator, Metric, TreatMissingData } from 'aws-cdk-lib/aws-cloudwatch';
import { Match, Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction, SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import { HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { FilterCriteria, StartingPosition } from 'aws-cdk-lib/aws-lambda';
import { DynamoEventSource, SqsDlq, SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type { Construct } from 'constructs';
import { eventSource, operationsDetailTypes } from '#events/catalogue.ts';
import { checkRoutes, routesFor, type Route } from '#events/routing/index.ts';
import { defaultAuditRetentionDays } from '#shared/domain/audit.ts';
import { partnershipById, type Partnership } from '#shared/domain/partnership.ts';
import { indexes, outboxStreamPattern } from '#shared/table/layout.ts';
import type { DeploymentConfig } from './config.ts';
import { Api, type ApiRoute } from './constructs/api.ts';
import { deadLetterQueue } from './constructs/dead-letter-queue.ts';
import { Identity } from './constructs/identity.ts';
import { PersonalDataProtection } from './constructs/personal-data.ts';
import { BusAndRoutes } from './constructs/bus-and-routes.ts';
import { ReachableFunction } from './constructs/reachable-function.ts';
import { ReferralTable } from './constructs/referral-table.ts';
import { WorkQueue } from './constructs/work-queue.ts';
import { acknowledgeNag } from './nag-acknowledgements.ts';

export interface ReachableStackProps extends StackProps {
  config: DeploymentConfig;
  /** @default the registered config of `config.partnership` */
  partnership?: Partnership;
  /** @default the partnership's routes from events/routing */
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

    const recordRouting = new ReachableFunction(this, 'RecordRouting', {
      name: 'record-routing',
      description: 'Records on each referral which route sent it where, and why',
      environment,
      // The referral by id; a transition is an update of it and a put of its record.
    }).bindTable(this.table.table, { table: ['GetItem', 'UpdateItem', 'PutItem'] });
    recordRouting.fn.addEventSource(
      new SqsEventSource(this.busAndRoutes.routingDecisions.queue, {
        batchSize: 10,
        reportBatchItemFailures: true,
      }),
    );

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
      description: 'The provider page, the hub dashboard and their assets',
      copyIntoBundle: ['web'],
    });

    // The referral forms' CSRF key: a random string, only ever read by the forms function.
    const formsCsrfKey = new Secret(this, 'FormsCsrfKey', {
      description: `Reachable ${partnership.id}: the key of the referral forms' CSRF tokens`,
      generateSecretString: { passwordLength: 64, excludePunctuation: true },
    });
    acknowledgeNag(formsCsrfKey, 'AwsSolutions-SMG4');
    const forms = new ReachableFunction(this, 'Forms', {
      name: 'forms',
      description: 'The referral forms: sign in, a form per pathway, the confirmation',
      environment: { ...environment, ...authEnvironment },
      // The page templates, and GOV.UK Frontend's nunjucks macros they call.
      copyIntoBundle: [
        'functions/forms/templates',
        'node_modules/govuk-frontend/dist/govuk/components',
        'node_modules/govuk-frontend/dist/govuk/macros',
      ],
    })
      // A referral put through the intake, read back by id for its confirmation.
      .bindTable(this.table.table, { table: ['GetItem', 'PutItem'] })
      .bindFormsCsrfKey(formsCsrfKey)
      // Seals what the form sends; the confirmation shows no personal data, so never opens it.
      .bindPersonalDataKey(this.personalData, 'encrypt')
      .bindSubjectIndexKey(this.personalData);

    const provider = '/v1/providers/{providerId}';
    const referral = `${provider}/referrals/{referralId}`;
    const organisation = '/v1/organisations/{organisationId}/referrals';
    // A route with a role takes that role's bearer token (the JWT authorizer checks its scope);
    // a route without one is open, and its function checks whatever it takes.
    const apiRoutes: ApiRoute[] = [
      { method: HttpMethod.POST, path: '/v1/referrals', function: intake, role: 'organisation' },
      {
        method: HttpMethod.POST,
        path: '/v1/webhooks/{organisationId}/referrals',
        function: intake,
      },
      { method: HttpMethod.GET, path: '/openapi.json', function: apiDocs },
      { method: HttpMethod.GET, path: '/v1/hub/metrics', function: hubApi, role: 'hub' },
      { method: HttpMethod.GET, path: '/v1/hub/returns/{period}', function: hubApi, role: 'hub' },
      {
        method: HttpMethod.GET,
        path: '/v1/spokes/{spokeId}/metrics',
        function: hubApi,
        role: 'spoke',
      },
      { method: HttpMethod.GET, path: '/v1/admin/audit', function: adminApi, role: 'admin' },
      { method: HttpMethod.GET, path: '/provider', function: web },
      { method: HttpMethod.GET, path: '/provider/{file+}', function: web },
      { method: HttpMethod.GET, path: '/hub', function: web },
      { method: HttpMethod.GET, path: '/hub/{file+}', function: web },
      { method: HttpMethod.GET, path: '/docs', function: web },
      { method: HttpMethod.GET, path: '/docs/{file+}', function: web },
      { method: HttpMethod.GET, path: '/assets/{file+}', function: web },
      { method: HttpMethod.GET, path: '/refer', function: forms },
      { method: HttpMethod.POST, path: '/refer/sign-in', function: forms },
      { method: HttpMethod.POST, path: '/refer/sign-out', function: forms },
      { method: HttpMethod.GET, path: '/refer/{pathway}', function: forms },
      { method: HttpMethod.POST, path: '/refer/{pathway}', function: forms },
      { method: HttpMethod.GET, path: '/refer/received/{referralId}', function: forms },
      ...(
        [
          [HttpMethod.GET, `${provider}/referrals`],
          [HttpMethod.GET, `${provider}/referrals/next`],
          [HttpMethod.GET, referral],
          [HttpMethod.POST, `${referral}/lease`],
          [HttpMethod.POST, `${referral}/accept`],
          [HttpMethod.POST, `${referral}/decline`],
          [HttpMethod.POST, `${referral}/contact-attempts`],
          [HttpMethod.POST, `${referral}/engaged`],
          [HttpMethod.POST, `${referral}/close`],
          [HttpMethod.POST, `${referral}/reroute`],
          [HttpMethod.GET, `${provider}/capacity`],
          [HttpMethod.PUT, `${provider}/capacity`],
        ] satisfies [HttpMethod, string][]
      ).map(([method, path]) => ({
        method,
        path,
        function: providerApi,
        role: 'provider' as const,
      })),
      ...(
        [
          [HttpMethod.GET, organisation],
          [HttpMethod.GET, `${organisation}/{referralId}`],
          [HttpMethod.POST, `${organisation}/{referralId}/withdraw`],
        ] satisfies [HttpMethod, string][]
      ).map(([method, path]) => ({
        method,
        path,
        function: referrerApi,
        role: 'organisation' as const,
      })),
    ];
    this.api = new Api(this, 'Api', apiRoutes, { authorizer: this.identity.authorizer });
  }
}
