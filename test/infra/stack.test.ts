import { routingDisagreement } from '#shared/services/provider-work.ts';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { WorkQueue } from '#infra/constructs/work-queue.ts';
import { httpRouteList } from '#shared/http/routes.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { streamRecordFilter, type FilterCriteria } from '#local/streams.ts';
import {
  entities,
  expiryAttribute,
  indexes as tableIndexes,
  outboxEntities,
  outboxStreamPattern,
  tableKey,
} from '#shared/table/layout.ts';
import {
  actionsOf,
  functionId,
  functionsByHandler,
  getAtt,
  logicalIdOf,
  resourcesOf,
  resourcesOfType,
  roleStatements,
  synthesize,
  type Resource,
  type Statement,
  type Synthesized,
  testConfig,
} from './synth.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..');

let synthesized: Synthesized;
let resources: Record<string, Resource>;
let tableId: string;

beforeAll(() => {
  synthesized = synthesize({ validate: true });
  resources = synthesized.resources;
  tableId = logicalIdOf(synthesized.stack.table.table);
});

// The cloud assembly goes to a fresh temporary directory: leave none behind.
afterAll(() => {
  if (synthesized) rmSync(synthesized.assemblyDirectory, { recursive: true, force: true });
});

/** The environment variables a handler reads with requireEnv or requireJsonEnv. */
function requiredEnvironment(handlerFile: string): string[] {
  const source = readFileSync(path.join(projectRoot, handlerFile), 'utf8');
  return [...source.matchAll(/require(?:Json)?Env\(\s*'([A-Z0-9_]+)'\s*\)/g)].map(
    (match) => match[1]!,
  );
}

/** The environment variables a deployed function is given. */
function variablesOfFunction(
  fnId: string,
  of: Record<string, Resource> = resources,
): Record<string, unknown> {
  const environment = of[fnId]!.Properties.Environment as
    { Variables?: Record<string, unknown> } | undefined;
  return environment?.Variables ?? {};
}

/** The environment variables of the function running `functions/<name>/handler.ts`. */
const variablesOf = (name: string) => variablesOfFunction(functionId(resources, name));

/** Every route of the HTTP API, by route key, as the ARN of the function it integrates. */
function apiRoutes(): Record<string, unknown> {
  return Object.fromEntries(
    resourcesOfType(resources, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
      const integrationId = joinedText(route.Properties.Target).replace('integrations/ref:', '');
      return [
        route.Properties.RouteKey as string,
        resources[integrationId]!.Properties.IntegrationUri,
      ];
    }),
  );
}

/** Replaces every `{ Ref: id }` in a value by `ref:<id>`, so Fn::Join can be read as text. */
function joinedText(value: unknown): string {
  const join = value as { 'Fn::Join': [string, unknown[]] };
  return join['Fn::Join'][1]
    .map((part) => (typeof part === 'string' ? part : `ref:${(part as { Ref: string }).Ref}`))
    .join(join['Fn::Join'][0]);
}

describe('the template', () => {
  it("passes CDK's built-in CloudFormation validation without a single finding", () => {
    // Prepare
    const reportFile = path.join(synthesized.assemblyDirectory, 'validation-report.json');

    // Act
    const report = JSON.parse(readFileSync(reportFile, 'utf8')) as { pluginReports: unknown[] };

    // Assess
    expect(report.pluginReports).toEqual([]);
  });
});

describe('the referrals table', () => {
  it('is on-demand, with point-in-time recovery, a NEW_IMAGE stream and TTL on the expiry attribute', () => {
    // Prepare
    const { template } = synthesized;

    // Act
    const tables = template.findResources('AWS::DynamoDB::Table');

    // Assess
    expect(Object.keys(tables)).toEqual([tableId]);
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      StreamSpecification: { StreamViewType: 'NEW_IMAGE' },
      TimeToLiveSpecification: { AttributeName: expiryAttribute, Enabled: true },
    });
    // The attribute the stored referral carries its expiry in (Referral.expiresAt).
    expect(expiryAttribute).toBe('expiresAt');
  });

  it('is keyed and indexed as the table layout says: by provider, spoke, organisation, due, subject, retained', () => {
    // Prepare
    const table = resources[tableId]!.Properties;
    const layout = Object.values(tableIndexes);

    // Act
    const indexes = table.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: unknown[];
      Projection: unknown;
    }[];

    // Assess
    expect(table.KeySchema).toEqual([
      { AttributeName: tableKey.partitionKey, KeyType: 'HASH' },
      { AttributeName: tableKey.sortKey, KeyType: 'RANGE' },
    ]);
    // The names they were deployed with: renaming an index in CloudFormation replaces it.
    expect(layout.map(({ indexName }) => indexName)).toEqual([
      'GSI1',
      'GSI2',
      'GSI3',
      'GSI4',
      'GSI5',
      'GSI6',
    ]);
    expect(Object.fromEntries(indexes.map((index) => [index.IndexName, index.KeySchema]))).toEqual(
      Object.fromEntries(
        layout.map(({ indexName, partitionKey, sortKey }) => [
          indexName,
          [
            { AttributeName: partitionKey, KeyType: 'HASH' },
            { AttributeName: sortKey, KeyType: 'RANGE' },
          ],
        ]),
      ),
    );
    // Queries by provider, spoke, organisation and due return referrals: they carry the whole
    // item. Subject access and the retention sweep need only the referral's key.
    expect(Object.fromEntries(indexes.map((index) => [index.IndexName, index.Projection]))).toEqual(
      {
        [tableIndexes.byProvider.indexName]: { ProjectionType: 'ALL' },
        [tableIndexes.bySpoke.indexName]: { ProjectionType: 'ALL' },
        [tableIndexes.byOrganisation.indexName]: { ProjectionType: 'ALL' },
        [tableIndexes.due.indexName]: { ProjectionType: 'ALL' },
        [tableIndexes.bySubject.indexName]: { ProjectionType: 'KEYS_ONLY' },
        [tableIndexes.retained.indexName]: { ProjectionType: 'KEYS_ONLY' },
      },
    );
    expect(table.AttributeDefinitions).toEqual(
      expect.arrayContaining(
        [
          tableKey.partitionKey,
          tableKey.sortKey,
          ...layout.flatMap(({ partitionKey, sortKey }) => [partitionKey, sortKey]),
        ].map((name) => ({
          AttributeName: name,
          AttributeType: 'S',
        })),
      ),
    );
  });

  it('keeps the data when the stack is deleted or the table replaced', () => {
    // Prepare
    const table = resources[tableId]! as Resource & Record<string, unknown>;

    // Act
    const { DeletionPolicy, UpdateReplacePolicy } = table;

    // Assess
    expect(DeletionPolicy).toBe('Retain');
    expect(UpdateReplacePolicy).toBe('Retain');
    expect(table.Properties.DeletionProtectionEnabled).toBe(true);
  });
});

describe("Reachable's functions", () => {
  it('deploys one function for every handler under functions/, each naming an existing file', () => {
    // Prepare
    const handlerFiles = readdirSync(path.join(projectRoot, 'functions'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => `functions/${entry.name}/handler.ts`)
      .filter((file) => existsSync(path.join(projectRoot, file)));

    // Act
    const deployed = [...functionsByHandler(resources).keys()];

    // Assess
    expect(deployed.sort()).toEqual(handlerFiles.sort());
    expect(resourcesOfType(resources, 'AWS::Lambda::Function')).toHaveLength(deployed.length);
  });

  it('runs every function on Node 22 and arm64', () => {
    // Prepare
    const ids = [...functionsByHandler(resources).values()];

    // Act
    const settings = ids.map((id) => ({
      id,
      runtime: resources[id]!.Properties.Runtime,
      architectures: resources[id]!.Properties.Architectures,
    }));

    // Assess
    expect(ids.length).toBeGreaterThan(0);
    for (const setting of settings) {
      expect(setting).toEqual({ id: setting.id, runtime: 'nodejs22.x', architectures: ['arm64'] });
    }
  });

  it('logs every function to its own log group with a retention period', () => {
    // Prepare
    const ids = [...functionsByHandler(resources).values()];

    // Act
    const logGroups = ids.map((id) => {
      const config = resources[id]!.Properties.LoggingConfig as { LogGroup?: { Ref?: string } };
      return config?.LogGroup?.Ref;
    });

    // Assess
    expect(new Set(logGroups).size).toBe(ids.length);
    for (const logGroup of logGroups) {
      expect(logGroup).toBeDefined();
      expect(resources[logGroup!]!.Type).toBe('AWS::Logs::LogGroup');
      expect(resources[logGroup!]!.Properties.RetentionInDays).toBeGreaterThan(0);
    }
  });

  it('gives every function each environment variable its handler requires', () => {
    // Prepare
    const handlers = [...functionsByHandler(resources)];

    // Act
    const missing = handlers.flatMap(([handler, id]) => {
      const variables =
        (resources[id]!.Properties.Environment as { Variables?: Record<string, unknown> })
          ?.Variables ?? {};
      return requiredEnvironment(handler)
        .filter((name) => variables[name] === undefined)
        .map((name) => `${handler}: ${name}`);
    });

    // Assess
    expect(requiredEnvironment('functions/intake/handler.ts')).toContain('PARTNERSHIP');
    expect(missing).toEqual([]);
  });

  it('names the partnership, the table and the bus by what the stack deployed', () => {
    // Prepare
    const busId = logicalIdOf(synthesized.stack.busAndRoutes.bus);
    const tableUsers = [
      'intake',
      'provider-api',
      'referrer-api',
      'sla-sweep',
      'projector',
      'hub-api',
      'hub-page',
      'forms',
      'admin-api',
    ];
    const partnershipUsers = [
      'intake',
      'publish',
      'provider-api',
      'hub-api',
      'hub-page',
      'forms',
      'admin-api',
    ];

    // Act
    const tableNames = tableUsers.map((name) => [name, variablesOf(name).TABLE_NAME]);
    const partnerships = partnershipUsers.map((name) => [name, variablesOf(name).PARTNERSHIP]);
    const busName = variablesOf('publish').EVENT_BUS_NAME;

    // Assess
    expect(tableNames).toEqual(tableUsers.map((name) => [name, { Ref: tableId }]));
    expect(partnerships).toEqual(partnershipUsers.map((name) => [name, avonAndSomerset.id]));
    expect(busName).toEqual({ Ref: busId });
  });

  it("gives every function that authenticates its callers the deployment's identity provider, never inline keys", () => {
    // Prepare
    const authenticating = [...functionsByHandler(resources)].filter(([handler]) =>
      /\bauthenticatorFromEnv\s*\(/.test(readFileSync(path.join(projectRoot, handler), 'utf8')),
    );

    // Act
    const settings = authenticating.map(([handler, id]) => [
      handler,
      Object.fromEntries(
        Object.entries(variablesOfFunction(id)).filter(([name]) => name.startsWith('AUTH_')),
      ),
    ]);

    // Assess
    expect(authenticating.map(([handler]) => handler)).toEqual(
      expect.arrayContaining([
        'functions/intake/handler.ts',
        'functions/provider-api/handler.ts',
        'functions/referrer-api/handler.ts',
        'functions/hub-api/handler.ts',
      ]),
    );
    // Exactly these, the stack's user pool: an AUTH_JWKS_JSON (the local runtime's inline keys)
    // would override the URL.
    const userPool = logicalIdOf(synthesized.stack.identity.userPool!);
    const webClient = logicalIdOf(synthesized.stack.identity.webClient!);
    expect(settings).toEqual(
      authenticating.map(([handler]) => [
        handler,
        {
          AUTH_JWKS_URL: {
            'Fn::Join': ['', [getAtt(userPool, 'ProviderURL'), '/.well-known/jwks.json']],
          },
          AUTH_ISSUER: getAtt(userPool, 'ProviderURL'),
          AUTH_AUDIENCE: { Ref: webClient },
        },
      ]),
    );
  });

  it('tells every function that records reads how long audit records outlive their referral: six years unless configured', () => {
    // Prepare
    const recorders = [...functionsByHandler(resources)]
      .filter(([handler]) => {
        const source = readFileSync(path.join(projectRoot, handler), 'utf8');
        // Directly, or through the provider work every provider-facing function shares.
        return source.includes("'AUDIT_RETENTION_DAYS'") || source.includes('providerWorkFromEnv(');
      })
      .map(([handler]) => handler.split('/')[1]!);
    const configured = synthesize({ config: { ...testConfig, auditRetentionDays: 3650 } });

    // Act
    const byDefault = recorders.map((name) => variablesOf(name).AUDIT_RETENTION_DAYS);
    const whenConfigured = recorders.map(
      (name) =>
        variablesOfFunction(functionId(configured.resources, name), configured.resources)
          .AUDIT_RETENTION_DAYS,
    );
    rmSync(configured.assemblyDirectory, { recursive: true, force: true });

    // Assess
    expect(recorders).toEqual(expect.arrayContaining(['provider-api', 'provider-page']));
    expect(byDefault).toEqual(recorders.map(() => String(6 * 365)));
    expect(whenConfigured).toEqual(recorders.map(() => '3650'));
  });

  it("gives the provider API every provider's queue URL, keyed by provider id", () => {
    // Prepare
    const { providerQueues } = synthesized.stack.busAndRoutes;
    const environment = variablesOf('provider-api');

    // Act
    const urls = JSON.parse(joinedText(environment.PROVIDER_QUEUE_URLS)) as Record<string, string>;

    // Assess
    expect(urls).toEqual(
      Object.fromEntries(
        avonAndSomerset.providers.map((p) => [
          p.id,
          `ref:${logicalIdOf(providerQueues[p.id]!.queue)}`,
        ]),
      ),
    );
  });
});

describe('the publish function (the outbox)', () => {
  it('reads the table stream from the start, in batches that report item failures and bisect', () => {
    // Prepare
    const publishId = functionId(resources, 'publish');

    // Act
    const mappings = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping').filter(
      ([, mapping]) =>
        JSON.stringify(mapping.Properties.FunctionName) === JSON.stringify({ Ref: publishId }),
    );

    // Assess
    expect(mappings).toHaveLength(1);
    const [, mapping] = mappings[0]!;
    expect(mapping.Properties).toMatchObject({
      EventSourceArn: getAtt(tableId, 'StreamArn'),
      StartingPosition: 'TRIM_HORIZON',
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      BisectBatchOnFunctionError: true,
    });
  });

  it('is invoked only for the outbox: inserted referral and transition items, filtered in the template', () => {
    // Prepare
    const publishId = functionId(resources, 'publish');
    const [, mapping] = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: publishId }),
    )!;

    // Act
    const filters = (mapping.Properties.FilterCriteria as { Filters: { Pattern: string }[] })
      .Filters;

    // Assess
    expect(filters).toHaveLength(1);
    expect(JSON.parse(filters[0]!.Pattern)).toEqual({
      eventName: ['INSERT'],
      dynamodb: { NewImage: { entity: { S: ['referral', 'transition'] } } },
    });
    expect(JSON.parse(filters[0]!.Pattern)).toEqual(outboxStreamPattern);
  });

  it("is filtered locally by the template's own criteria: the outbox items go through, nothing else", () => {
    // Prepare
    const publishId = functionId(resources, 'publish');
    const [, mapping] = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: publishId }),
    )!;
    const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', entity: string) => ({
      eventName,
      eventSource: 'aws:dynamodb',
      dynamodb: { NewImage: { entity: { S: entity }, referralId: { S: 'r-1' } } },
    });

    // Act
    const filter = streamRecordFilter(mapping.Properties.FilterCriteria as FilterCriteria)!;

    // Assess
    expect(filter(record('INSERT', entities.referral))).toBe(true);
    expect(filter(record('INSERT', entities.transition))).toBe(true);
    expect(filter(record('MODIFY', entities.referral))).toBe(false);
    for (const other of Object.values(entities).filter(
      (entity) => !(outboxEntities as readonly string[]).includes(entity),
    )) {
      expect(filter(record('INSERT', other)), other).toBe(false);
    }
  });

  it('retries a failing record a bounded number of times, then parks it in an SQS queue', () => {
    // Prepare
    const publishId = functionId(resources, 'publish');
    const [, mapping] = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping').find(
      ([, m]) => JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: publishId }),
    )!;

    // Act
    const retries = mapping.Properties.MaximumRetryAttempts as number;
    const destination = (
      mapping.Properties.DestinationConfig as {
        OnFailure: { Destination: { 'Fn::GetAtt': [string, string] } };
      }
    ).OnFailure.Destination['Fn::GetAtt'];

    // Assess
    expect(Number.isInteger(retries)).toBe(true);
    expect(retries).toBeGreaterThan(0);
    expect(retries).toBeLessThanOrEqual(10_000);
    expect(destination[1]).toBe('Arn');
    expect(resources[destination[0]]!.Type).toBe('AWS::SQS::Queue');
    expect(resources[destination[0]]!.Properties).toMatchObject({
      MessageRetentionPeriod: 14 * 24 * 60 * 60,
      SqsManagedSseEnabled: true,
    });
  });
});

describe('routing disagreements', () => {
  it("counts the provider pull's routing-disagreement log line and alarms on the first one", () => {
    // Prepare
    const providerApiLogs = resourcesOfType(resources, 'AWS::Logs::LogGroup').find(([id]) =>
      id.startsWith('ProviderApi'),
    )!;

    // Act
    const filters = resourcesOfType(resources, 'AWS::Logs::MetricFilter');
    const alarms = resourcesOfType(resources, 'AWS::CloudWatch::Alarm').filter(
      ([, alarm]) => alarm.Properties.MetricName === 'RoutingDisagreements',
    );

    // Assess
    expect(filters).toHaveLength(1);
    expect(filters[0]![1].Properties).toMatchObject({
      LogGroupName: { Ref: providerApiLogs[0] },
      FilterPattern: `{ $.message = "${routingDisagreement}" }`,
      MetricTransformations: [
        { MetricNamespace: 'Reachable', MetricName: 'RoutingDisagreements', MetricValue: '1' },
      ],
    });
    expect(alarms).toHaveLength(1);
    expect(alarms[0]![1].Properties).toMatchObject({
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      TreatMissingData: 'notBreaching',
    });
  });

  it('has no routing-decisions function or queue: the decision is recorded at intake', () => {
    // Act
    const functions = resourcesOfType(resources, 'AWS::Lambda::Function').map(([id]) => id);

    // Assess
    expect(functions.filter((id) => /RecordRouting/.test(id))).toEqual([]);
    expect(Object.keys(resources).filter((id) => /RoutingDecisions/.test(id))).toEqual([]);
  });
});

describe('the projector function (the hub aggregates)', () => {
  const hubProjection = () => synthesized.stack.node.findChild('HubProjection') as WorkQueue;

  it('consumes the HubProjection queue alone, ten messages at a time, reporting item failures', () => {
    // Prepare
    const projectorId = functionId(resources, 'projector');
    const queueId = logicalIdOf(hubProjection().queue);

    // Act
    const mappings = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping').filter(([, m]) =>
      isDeepStrictEqual(m.Properties.FunctionName, { Ref: projectorId }),
    );
    const fromHubProjection = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) => isDeepStrictEqual(m.Properties.EventSourceArn, getAtt(queueId)),
    );

    // Assess
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toMatchObject({
      EventSourceArn: getAtt(queueId),
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
    // No other function takes events off the hub's queue.
    expect(fromHubProjection.map(([id]) => id)).toEqual(mappings.map(([id]) => id));
  });

  it("hides a received event for the queue's 60 seconds, at least six times the function's timeout", () => {
    // Prepare
    const timeout = resources[functionId(resources, 'projector')]!.Properties.Timeout as number;

    // Act
    const visibility = resources[logicalIdOf(hubProjection().queue)]!.Properties
      .VisibilityTimeout as number;

    // Assess
    expect(visibility).toBe(60);
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });

  it('may consume HubProjection and use the table, and nothing else: no other queue, no bus', () => {
    // Prepare
    const queueArn = getAtt(logicalIdOf(hubProjection().queue));
    const tableArn = getAtt(tableId);
    const tableResources = [tableArn, { 'Fn::Join': ['', [tableArn, '/index/*']] }];
    const statements = roleStatements(resources, functionId(resources, 'projector'));
    const onlyOf = (s: Statement, service: string) =>
      actionsOf(s).every((action) => action.startsWith(`${service}:`));

    // Act
    const sqsResources = statements.filter((s) => onlyOf(s, 'sqs')).flatMap(resourcesOf);
    const dynamodbResources = statements.filter((s) => onlyOf(s, 'dynamodb')).flatMap(resourcesOf);
    const otherStatements = statements.filter((s) => !onlyOf(s, 'sqs') && !onlyOf(s, 'dynamodb'));
    const consumers = [...functionsByHandler(resources)]
      .filter(([, id]) =>
        roleStatements(resources, id).some(
          (s) =>
            actionsOf(s).includes('sqs:ReceiveMessage') &&
            resourcesOf(s).some((r) => isDeepStrictEqual(r, queueArn)),
        ),
      )
      .map(([handler]) => handler);

    // Assess
    expect(sqsResources).toEqual([queueArn]);
    expect(dynamodbResources.length).toBeGreaterThan(0);
    for (const resource of dynamodbResources) expect(tableResources).toContainEqual(resource);
    expect(otherStatements).toEqual([]);
    // No other function takes the hub's events.
    expect(consumers).toEqual(['functions/projector/handler.ts']);
    expect(Object.keys(variablesOf('projector')).filter((v) => /QUEUE|BUS/.test(v))).toEqual([]);
  });
});

describe('the HTTP API', () => {
  it('serves every route of the routes table, by the function it names, and no other route', () => {
    // Prepare
    const { template } = synthesized;
    const table = httpRouteList();

    // Act
    const routes = apiRoutes();

    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    expect(table.length).toBeGreaterThan(30);
    expect(routes).toEqual(
      Object.fromEntries(
        table.map((route) => [route.key, getAtt(functionId(resources, route.function))]),
      ),
    );
  });

  it('lets API Gateway invoke each function behind a route, from that route, and no other function', () => {
    // Prepare
    const permissions = resourcesOfType(resources, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal === 'apigateway.amazonaws.com');

    // Act
    const missing = Object.entries(apiRoutes())
      .filter(([key, fnArn]) => {
        const path = key.slice(key.indexOf(' ') + 1);
        return !permissions.some(
          (p) =>
            p.Action === 'lambda:InvokeFunction' &&
            isDeepStrictEqual(p.FunctionName, fnArn) &&
            joinedText(p.SourceArn).endsWith(`/*/*${path}`),
        );
      })
      .map(([key]) => key);
    const invokable = new Set(permissions.map((p) => JSON.stringify(p.FunctionName)));

    // Assess
    expect(missing).toEqual([]);
    expect(invokable).toEqual(
      new Set(Object.values(apiRoutes()).map((arn) => JSON.stringify(arn))),
    );
  });
});

describe('the API access logs', () => {
  it('logs each request to a log group with retention: request id, route key, status, latency and IP only', () => {
    // Prepare
    const [[, stage]] = resourcesOfType(resources, 'AWS::ApiGatewayV2::Stage') as [
      [string, Resource],
    ];

    // Act
    const settings = stage.Properties.AccessLogSettings as {
      DestinationArn: { 'Fn::GetAtt': [string, string] };
      Format: string;
    };
    const logGroup = resources[settings.DestinationArn['Fn::GetAtt'][0]]!;
    const format = JSON.parse(settings.Format) as Record<string, string>;

    // Assess
    expect(logGroup.Type).toBe('AWS::Logs::LogGroup');
    expect(logGroup.Properties.RetentionInDays).toBeGreaterThan(0);
    expect(format).toEqual({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      latencyMs: '$context.responseLatency',
      ip: '$context.identity.sourceIp',
    });
    expect(settings.Format).not.toMatch(/body|querystring|path|header|authorizer/i);
  });
});

describe('the deadline sweep', () => {
  const scheduleId = () => logicalIdOf(synthesized.stack.node.findChild('SlaSweepSchedule'));
  const reconciliationId = () =>
    logicalIdOf(synthesized.stack.node.findChild('ReconciliationSchedule'));

  it('runs every five minutes on the default bus, matching no events; reconciliation and the retention sweep are the only other schedules', () => {
    // Prepare
    const rules = resourcesOfType(resources, 'AWS::Events::Rule');
    const retentionScheduleId = logicalIdOf(
      synthesized.stack.node.findChild('RetentionSweepSchedule'),
    );

    // Act
    const scheduled = rules.filter(([, rule]) => rule.Properties.ScheduleExpression !== undefined);

    // Assess
    expect(scheduled.map(([id]) => id).sort()).toEqual(
      [scheduleId(), reconciliationId(), retentionScheduleId].sort(),
    );
    expect(resources[reconciliationId()]!.Properties.ScheduleExpression).toBe('rate(15 minutes)');
    const schedule = resources[scheduleId()]!.Properties;
    expect(schedule.ScheduleExpression).toBe('rate(5 minutes)');
    expect(schedule.State).toBe('ENABLED');
    expect(schedule.EventPattern).toBeUndefined();
    // Schedules run on the account's default bus, not the partnership's.
    expect(schedule.EventBusName).toBeUndefined();
  });

  it('invokes the sla-sweep function alone, retrying a failed delivery twice, then parking it', () => {
    // Prepare
    const schedule = resources[scheduleId()]!.Properties;

    // Act
    const targets = schedule.Targets as Record<string, unknown>[];

    // Assess
    expect(targets).toEqual([
      {
        Id: expect.any(String) as unknown,
        Arn: getAtt(functionId(resources, 'sla-sweep')),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
        DeadLetterConfig: {
          Arn: getAtt(logicalIdOf(synthesized.stack.node.findChild('SlaSweepFailures'))),
        },
      },
    ]);
  });

  it('lets EventBridge invoke the sla-sweep function from that rule only, and reconciliation and the retention sweep from their own', () => {
    // Prepare
    const { template } = synthesized;
    const slaSweepArn = getAtt(functionId(resources, 'sla-sweep'));
    const reconciliationArn = getAtt(functionId(resources, 'reconciliation'));
    const retentionSweepArn = getAtt(functionId(resources, 'retention-sweep'));
    const retentionScheduleId = logicalIdOf(
      synthesized.stack.node.findChild('RetentionSweepSchedule'),
    );

    // Act
    const fromEventBridge = resourcesOfType(resources, 'AWS::Lambda::Permission')
      .map(([, p]) => p.Properties)
      .filter((p) => p.Principal === 'events.amazonaws.com');

    // Assess
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: slaSweepArn,
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(scheduleId()),
    });
    const permission = (FunctionName: unknown, SourceArn: unknown) => ({
      Action: 'lambda:InvokeFunction',
      FunctionName,
      Principal: 'events.amazonaws.com',
      SourceArn,
    });
    expect(fromEventBridge).toHaveLength(3);
    expect(fromEventBridge).toEqual(
      expect.arrayContaining([
        permission(slaSweepArn, getAtt(scheduleId())),
        permission(reconciliationArn, getAtt(reconciliationId())),
        permission(retentionSweepArn, getAtt(retentionScheduleId)),
      ]),
    );
  });

  it('gives each sweep a one-minute timeout, well inside the five minutes until the next', () => {
    // Prepare
    const slaSweep = resources[functionId(resources, 'sla-sweep')]!.Properties;

    // Act
    const timeout = slaSweep.Timeout as number;

    // Assess
    expect(timeout).toBe(60);
    expect(timeout).toBeLessThan(5 * 60);
  });
});

describe('least privilege', () => {
  const allows = (statements: Statement[], action: string, resource: unknown) =>
    statements.some(
      (s) =>
        s.Effect === 'Allow' &&
        actionsOf(s).includes(action) &&
        JSON.stringify(s.Resource) === JSON.stringify(resource),
    );

  /** The actions a function's role allows on exactly this resource. */
  const allowedOn = (statements: Statement[], resource: unknown) =>
    statements
      .filter(
        (s) => s.Effect === 'Allow' && resourcesOf(s).some((r) => isDeepStrictEqual(r, resource)),
      )
      .flatMap(actionsOf);

  it('lets the publish and reconciliation functions put events on the bus, and no other function', () => {
    // Prepare
    const busArn = getAtt(logicalIdOf(synthesized.stack.busAndRoutes.bus));
    const publishId = functionId(resources, 'publish');

    // Act
    const putters = [...functionsByHandler(resources)]
      .filter(([, id]) =>
        roleStatements(resources, id).some((s) =>
          actionsOf(s).some((action) => action.startsWith('events:')),
        ),
      )
      .map(([handler]) => handler);

    // Assess
    expect(allows(roleStatements(resources, publishId), 'events:PutEvents', busArn)).toBe(true);
    expect(putters.sort()).toEqual([
      'functions/publish/handler.ts',
      'functions/reconciliation/handler.ts',
    ]);
  });

  it('lets the intake read the webhook secrets, the forms, the provider page and the hub page the CSRF key, the intake and the forms the blind index key, and no other function touch Secrets Manager', () => {
    // Prepare
    const secrets = Object.entries(resources).filter(
      ([, resource]) => resource.Type === 'AWS::SecretsManager::Secret',
    );
    const secretId = secrets.find(([id]) => id.startsWith('WebhookSecrets'))?.[0];
    const csrfKeyId = secrets.find(([id]) => id.startsWith('FormsCsrfKey'))?.[0];
    const indexKeyId = logicalIdOf(synthesized.stack.personalData.subjectIndexKey);
    const intakeId = functionId(resources, 'intake');
    const formsId = functionId(resources, 'forms');
    const providerPageId = functionId(resources, 'provider-page');

    // Act
    const readers = [...functionsByHandler(resources)]
      .filter(([, id]) =>
        roleStatements(resources, id).some((s) =>
          actionsOf(s).some((action) => action.startsWith('secretsmanager:')),
        ),
      )
      .map(([handler]) => handler);

    // Assess
    expect(secretId).toBeDefined();
    expect(allowedOn(roleStatements(resources, intakeId), { Ref: secretId })).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue']),
    );
    for (const id of [formsId, providerPageId]) {
      expect(allowedOn(roleStatements(resources, id), { Ref: csrfKeyId })).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue']),
      );
    }
    expect(allowedOn(roleStatements(resources, providerPageId), { Ref: secretId })).toEqual([]);
    expect(allowedOn(roleStatements(resources, providerPageId), { Ref: indexKeyId })).toEqual([]);
    expect(variablesOf('provider-page').FORMS_CSRF_KEY_ARN).toEqual({ Ref: csrfKeyId });
    for (const id of [intakeId, formsId]) {
      expect(allowedOn(roleStatements(resources, id), { Ref: indexKeyId })).toEqual(
        expect.arrayContaining(['secretsmanager:GetSecretValue']),
      );
    }
    expect(allowedOn(roleStatements(resources, formsId), { Ref: secretId })).toEqual([]);
    expect(allowedOn(roleStatements(resources, intakeId), { Ref: csrfKeyId })).toEqual([]);
    expect(variablesOf('forms').FORMS_CSRF_KEY_ARN).toEqual({ Ref: csrfKeyId });
    expect(variablesOf('intake').SUBJECT_INDEX_KEY_ARN).toEqual({ Ref: indexKeyId });
    expect(variablesOf('forms').SUBJECT_INDEX_KEY_ARN).toEqual({ Ref: indexKeyId });
    expect(secrets).toHaveLength(3);
    // The hub page signs its forms with the same key as the other pages.
    const hubPageId = functionId(resources, 'hub-page');
    expect(allowedOn(roleStatements(resources, hubPageId), { Ref: csrfKeyId })).toEqual(
      expect.arrayContaining(['secretsmanager:GetSecretValue']),
    );
    expect(allowedOn(roleStatements(resources, hubPageId), { Ref: secretId })).toEqual([]);
    expect(readers.sort()).toEqual([
      'functions/forms/handler.ts',
      'functions/hub-page/handler.ts',
      'functions/intake/handler.ts',
      'functions/provider-page/handler.ts',
    ]);
  });

  it.each(['provider-api', 'provider-page'])(
    "lets the %s consume every provider's queue and no other queue",
    (name) => {
      // Prepare
      const { providerQueues } = synthesized.stack.busAndRoutes;
      const statements = roleStatements(resources, functionId(resources, name));
      const consume = ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:ChangeMessageVisibility'];

      // Act
      const sqsResources = statements
        .filter((s) => actionsOf(s).some((action) => action.startsWith('sqs:')))
        .map((s) => JSON.stringify(s.Resource));

      // Assess
      for (const provider of avonAndSomerset.providers) {
        const queueArn = getAtt(logicalIdOf(providerQueues[provider.id]!.queue));
        for (const action of consume) expect(allows(statements, action, queueArn)).toBe(true);
      }
      expect(new Set(sqsResources)).toEqual(
        new Set(
          Object.values(providerQueues).map((wq) => JSON.stringify(getAtt(logicalIdOf(wq.queue)))),
        ),
      );
    },
  );

  it('lets the provider API extend a lease (ChangeMessageVisibility) on every provider queue, and on no other queue', () => {
    // Prepare
    const { providerQueues } = synthesized.stack.busAndRoutes;
    const statements = roleStatements(resources, functionId(resources, 'provider-api'));

    // Act
    const extendable = statements
      .filter((s) => s.Effect === 'Allow' && actionsOf(s).includes('sqs:ChangeMessageVisibility'))
      .flatMap(resourcesOf)
      .map((resource) => JSON.stringify(resource));

    // Assess
    expect(new Set(extendable)).toEqual(
      new Set(
        avonAndSomerset.providers.map((p) =>
          JSON.stringify(getAtt(logicalIdOf(providerQueues[p.id]!.queue))),
        ),
      ),
    );
  });

  it.each([
    // dueBy queries the due index; flagOverdue updates the referral and puts its transition.
    {
      name: 'sla-sweep',
      table: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
      index: tableIndexes.due.indexName,
    },
    // A status by id; the organisation's list on its index; a withdrawal is a transition.
    {
      name: 'referrer-api',
      table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
      index: tableIndexes.byOrganisation.indexName,
    },
    // A referral by id; the provider's list on its index; transitions, leases and capacity.
    {
      name: 'provider-api',
      table: ['dynamodb:GetItem', 'dynamodb:UpdateItem', 'dynamodb:PutItem'],
      index: tableIndexes.byProvider.indexName,
    },
  ])(
    'lets $name read and write what it needs of the table and query its index $index',
    ({ name, table, index }) => {
      // Prepare
      const statements = roleStatements(resources, functionId(resources, name));
      const tableArn = getAtt(tableId);
      const indexArn = { 'Fn::Join': ['', [tableArn, `/index/${index}`]] };

      // Act
      const onTable = allowedOn(statements, tableArn);
      const onIndexes = allowedOn(statements, indexArn);

      // Assess
      expect(onTable).toEqual(expect.arrayContaining(table));
      expect(onIndexes).toEqual(['dynamodb:Query']);
    },
  );

  it.each(['referrer-api', 'hub-api', 'admin-api'])(
    'gives %s the table and nothing else: no queue, no bus',
    (name) => {
      // Prepare
      const tableArn = getAtt(tableId);
      const tableResources = [
        tableArn,
        { 'Fn::Join': ['', [tableArn, `/index/${tableIndexes.byOrganisation.indexName}`]] },
      ];
      const statements = roleStatements(resources, functionId(resources, name));
      const environment = variablesOf(name);

      // Act
      const actions = statements.flatMap(actionsOf);
      const resourcesGranted = statements.flatMap(resourcesOf);

      // Assess
      expect(actions.length).toBeGreaterThan(0);
      expect(actions.filter((action) => /^(sqs|events):/.test(action))).toEqual([]);
      expect(actions.filter((action) => !action.startsWith('dynamodb:'))).toEqual([]);
      for (const resource of resourcesGranted) expect(tableResources).toContainEqual(resource);
      expect(Object.keys(environment).filter((v) => /QUEUE|BUS/.test(v))).toEqual([]);
    },
  );

  it.each([
    // The projector counts each fact once per referral and creates missing aggregates.
    { name: 'projector', table: ['dynamodb:UpdateItem', 'dynamodb:PutItem'] },
    // The hub's metrics: one query per month on the table's aggregates.
    { name: 'hub-api', table: ['dynamodb:Query'] },
  ])('lets $name read or write the aggregates it needs in the table', ({ name, table }) => {
    // Prepare
    const statements = roleStatements(resources, functionId(resources, name));
    const tableArn = getAtt(tableId);

    // Act
    const onTable = allowedOn(statements, tableArn);

    // Assess
    expect(onTable).toEqual(expect.arrayContaining(table));
  });

  /** Each function's DynamoDB actions, by what they may be called on: the table or an index. */
  const tableAccess: Record<string, { table?: string[]; indexes?: Record<string, string[]> }> = {
    intake: { table: ['GetItem', 'PutItem'] },
    forms: { table: ['GetItem', 'PutItem'] },
    'sla-sweep': {
      table: ['PutItem', 'UpdateItem'],
      indexes: { [tableIndexes.due.indexName]: ['Query'] },
    },
    // Expired referrals on the retained index (keys only); an erasure is one update, nothing read.
    'retention-sweep': {
      table: ['UpdateItem'],
      indexes: { [tableIndexes.retained.indexName]: ['Query'] },
    },
    projector: { table: ['GetItem', 'PutItem', 'UpdateItem'] },
    'hub-api': { table: ['GetItem', 'Query'] },
    // The hub service's reads, as the hub API's.
    'hub-page': { table: ['GetItem', 'Query'] },
    reconciliation: {
      table: ['PutItem'],
      indexes: { [tableIndexes.bySpoke.indexName]: ['Query'] },
    },
    // A referral's arrival by id; its transitions and read records, each a query on the table.
    'admin-api': { table: ['GetItem', 'Query'] },
    'provider-api': {
      table: ['GetItem', 'PutItem', 'UpdateItem'],
      indexes: { [tableIndexes.byProvider.indexName]: ['Query'] },
    },
    // The provider page does the provider API's work through the same services.
    'provider-page': {
      table: ['GetItem', 'PutItem', 'UpdateItem'],
      indexes: { [tableIndexes.byProvider.indexName]: ['Query'] },
    },
    'referrer-api': {
      table: ['GetItem', 'PutItem', 'UpdateItem'],
      indexes: { [tableIndexes.byOrganisation.indexName]: ['Query'] },
    },
    publish: {},
    'api-docs': {},
    web: {},
    'pre-token': {},
  };

  /** A function's DynamoDB actions on its table and indexes, by resource, sorted. */
  const dynamoAccess = (name: string) => {
    const tableArn = getAtt(tableId);
    const granted = new Map<string, string[]>();
    for (const statement of roleStatements(resources, functionId(resources, name))) {
      const actions = actionsOf(statement).filter((a) => a.startsWith('dynamodb:'));
      if (statement.Effect !== 'Allow' || actions.length === 0) continue;
      for (const resource of resourcesOf(statement)) {
        // Only the stream's own actions (publish) name anything but the table or an index.
        if (JSON.stringify(resource).includes('StreamArn') || resource === '*') continue;
        const index = (resource as { 'Fn::Join'?: [string, [unknown, string]] })['Fn::Join'];
        const key = isDeepStrictEqual(resource, tableArn)
          ? 'table'
          : index && isDeepStrictEqual(index[1][0], tableArn)
            ? index[1][1]
            : JSON.stringify(resource);
        granted.set(key, [...(granted.get(key) ?? []), ...actions].sort());
      }
    }
    return Object.fromEntries(granted);
  };

  it.each(Object.entries(tableAccess))(
    'grants %s exactly the DynamoDB actions it calls, on the table and the indexes it queries',
    (name, access) => {
      // Prepare
      const expected = Object.fromEntries([
        ...(access.table ? [['table', access.table.map((a) => `dynamodb:${a}`).sort()]] : []),
        ...Object.entries(access.indexes ?? {}).map(([index, actions]) => [
          `/index/${index}`,
          actions.map((a) => `dynamodb:${a}`).sort(),
        ]),
      ]);

      // Act
      const granted = dynamoAccess(name);

      // Assess
      expect(granted).toEqual(expected);
    },
  );

  it('pins the DynamoDB access of every function deployed', () => {
    // Prepare
    const deployed = [...functionsByHandler(resources).keys()].map(
      (handler) => handler.split('/')[1],
    );

    // Act
    const pinned = Object.keys(tableAccess);

    // Assess
    expect(pinned.sort()).toEqual(deployed.sort());
  });

  it('lets no function Scan the table or an index, least of all one serving providers', () => {
    // Prepare
    const ids = [...functionsByHandler(resources).values()];

    // Act
    const scanners = ids.filter((id) =>
      roleStatements(resources, id).some((s) =>
        actionsOf(s).some((a) => a === 'dynamodb:Scan' || a === 'dynamodb:*'),
      ),
    );

    // Assess
    expect(scanners).toEqual([]);
    expect(Object.values(dynamoAccess('provider-api')).flat()).not.toContain('dynamodb:Scan');
  });

  it('lets no function touch an index it does not query, nor every index at once', () => {
    // Prepare
    const ids = [...functionsByHandler(resources).values()];

    // Act
    const indexResources = ids.flatMap((id) =>
      roleStatements(resources, id)
        .flatMap(resourcesOf)
        .map((resource) => JSON.stringify(resource))
        .filter((resource) => resource.includes('/index/')),
    );

    // Assess
    expect(indexResources.filter((resource) => resource.includes('/index/*'))).toEqual([]);
  });

  it('gives the web function, which serves files from its own bundle, no permission at all', () => {
    // Prepare
    const webId = functionId(resources, 'web');

    // Act
    const statements = roleStatements(resources, webId);

    // Assess
    expect(statements).toEqual([]);
  });

  it('grants no function a wildcard action', () => {
    // Prepare
    const ids = [...functionsByHandler(resources).values()];

    // Act
    const wildcards = ids.flatMap((id) =>
      roleStatements(resources, id)
        .flatMap(actionsOf)
        .filter((action) => action === '*' || action.endsWith(':*')),
    );

    // Assess
    expect(wildcards).toEqual([]);
  });
});

describe('personal data at rest', () => {
  const keyId = () => logicalIdOf(synthesized.stack.personalData.key);
  const keyArn = () => getAtt(keyId());

  /** Each function's KMS actions, sorted, for the functions that have any. */
  const kmsAccess = () =>
    Object.fromEntries(
      [...functionsByHandler(resources)]
        .map(([handler, id]): [string, string[]] => [
          handler.split('/')[1]!,
          roleStatements(resources, id)
            .flatMap(actionsOf)
            .filter((action) => action.startsWith('kms:'))
            .sort(),
        ])
        .filter(([, actions]) => actions.length > 0),
    );

  it('has one customer-managed KMS key, rotated every year, kept when the stack is deleted', () => {
    // Prepare
    const { template } = synthesized;

    // Act
    const key = resources[keyId()]! as Resource & Record<string, unknown>;

    // Assess
    template.resourceCountIs('AWS::KMS::Key', 1);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.PendingWindowInDays).toBe(30);
    expect(key.DeletionPolicy).toBe('Retain');
    expect(key.UpdateReplacePolicy).toBe('Retain');
  });

  it('lets the intake and the forms seal, the provider API and page seal and open, and no other function use the key', () => {
    // Prepare
    const seal = 'kms:GenerateDataKey';
    const open = 'kms:Decrypt';

    // Act
    const access = kmsAccess();

    // Assess
    // Only the provider API and page show personal data (the forms' confirmation shows none).
    expect(access).toEqual({
      intake: [seal],
      forms: [seal],
      'provider-api': [open, seal],
      'provider-page': [open, seal],
    });
  });

  it('grants the key on itself alone, and only for data bound to the partnership', () => {
    // Prepare
    const users = ['intake', 'forms', 'provider-api', 'provider-page'];

    // Act
    const statements = users.flatMap((name) =>
      roleStatements(resources, functionId(resources, name)).filter((s) =>
        actionsOf(s).some((action) => action.startsWith('kms:')),
      ),
    );

    // Assess
    expect(statements).toHaveLength(users.length);
    for (const statement of statements) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.Resource).toEqual(keyArn());
      expect(statement.Condition).toEqual({
        StringEquals: { 'kms:EncryptionContext:reachable-partnership': avonAndSomerset.id },
      });
    }
  });

  it('names the key by PERSONAL_DATA_KEY_ARN in exactly the functions granted it', () => {
    // Prepare
    const granted = Object.keys(kmsAccess()).sort();

    // Act
    const named = [...functionsByHandler(resources)]
      .filter(([, id]) => variablesOfFunction(id).PERSONAL_DATA_KEY_ARN !== undefined)
      .map(([handler]) => handler.split('/')[1]!)
      .sort();

    // Assess
    expect(named).toEqual(granted);
    for (const name of named) expect(variablesOf(name).PERSONAL_DATA_KEY_ARN).toEqual(keyArn());
  });

  it('keeps the blind index key in Secrets Manager, generated, and kept when the stack is deleted', () => {
    // Prepare
    const id = logicalIdOf(synthesized.stack.personalData.subjectIndexKey);

    // Act
    const secret = resources[id]! as Resource & Record<string, unknown>;

    // Assess
    expect(secret.Properties.GenerateSecretString).toMatchObject({
      PasswordLength: 64,
      ExcludePunctuation: true,
    });
    expect(secret.DeletionPolicy).toBe('Retain');
  });
});

describe('the retention sweep', () => {
  const scheduleId = () => logicalIdOf(synthesized.stack.node.findChild('RetentionSweepSchedule'));

  it('runs once a day on the default bus, invoking the retention-sweep function, retrying twice, then parking it', () => {
    // Prepare
    const schedule = resources[scheduleId()]!.Properties;

    // Act
    const targets = schedule.Targets as Record<string, unknown>[];

    // Assess
    expect(schedule.ScheduleExpression).toBe('rate(1 day)');
    expect(schedule.State).toBe('ENABLED');
    expect(schedule.EventBusName).toBeUndefined();
    expect(targets).toEqual([
      {
        Id: expect.any(String) as unknown,
        Arn: getAtt(functionId(resources, 'retention-sweep')),
        RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 24 * 60 * 60 },
        DeadLetterConfig: {
          Arn: getAtt(logicalIdOf(synthesized.stack.node.findChild('RetentionSweepFailures'))),
        },
      },
    ]);
    synthesized.template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: getAtt(functionId(resources, 'retention-sweep')),
      Principal: 'events.amazonaws.com',
      SourceArn: getAtt(scheduleId()),
    });
  });

  it('erases with the table alone: no key, no secret, no queue, no bus', () => {
    // Prepare
    const statements = roleStatements(resources, functionId(resources, 'retention-sweep'));

    // Act
    const actions = statements.flatMap(actionsOf);

    // Assess
    expect(actions.filter((action) => !action.startsWith('dynamodb:'))).toEqual([]);
    expect(Object.keys(variablesOf('retention-sweep')).sort()).toEqual(
      ['NODE_OPTIONS', 'POWERTOOLS_SERVICE_NAME', 'TABLE_NAME'].sort(),
    );
    expect(resources[functionId(resources, 'retention-sweep')]!.Properties.Timeout).toBe(300);
  });
});
