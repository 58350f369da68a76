import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expiryAttribute } from '#infra/constructs/referral-table.ts';
import { avonAndSomerset } from '#shared/partnership/avon-and-somerset.ts';
import {
  actionsOf,
  functionId,
  functionsByHandler,
  getAtt,
  logicalIdOf,
  resourcesOfType,
  roleStatements,
  synthesize,
  type Resource,
  type Statement,
  type Synthesized,
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

  it('is keyed by PK and SK and has the provider (GSI1) and spoke (GSI2) indexes', () => {
    // Prepare
    const table = resources[tableId]!.Properties;

    // Act
    const indexes = table.GlobalSecondaryIndexes as {
      IndexName: string;
      KeySchema: unknown[];
    }[];

    // Assess
    expect(table.KeySchema).toEqual([
      { AttributeName: 'PK', KeyType: 'HASH' },
      { AttributeName: 'SK', KeyType: 'RANGE' },
    ]);
    expect(Object.fromEntries(indexes.map((index) => [index.IndexName, index.KeySchema]))).toEqual({
      GSI1: [
        { AttributeName: 'GSI1PK', KeyType: 'HASH' },
        { AttributeName: 'GSI1SK', KeyType: 'RANGE' },
      ],
      GSI2: [
        { AttributeName: 'GSI2PK', KeyType: 'HASH' },
        { AttributeName: 'GSI2SK', KeyType: 'RANGE' },
      ],
    });
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
    const variables = (name: string) =>
      (
        resources[functionId(resources, name)]!.Properties.Environment as {
          Variables: Record<string, unknown>;
        }
      ).Variables;

    // Act
    const intake = variables('intake');
    const publish = variables('publish');
    const recordRouting = variables('record-routing');

    // Assess
    for (const environment of [intake, publish, recordRouting]) {
      expect(environment.PARTNERSHIP).toBe(avonAndSomerset.id);
    }
    expect(intake.TABLE_NAME).toEqual({ Ref: tableId });
    expect(recordRouting.TABLE_NAME).toEqual({ Ref: tableId });
    expect(publish.EVENT_BUS_NAME).toEqual({ Ref: busId });
  });

  it("gives the provider API every provider's queue URL, keyed by provider id", () => {
    // Prepare
    const { providerQueues } = synthesized.stack.busAndRoutes;
    const environment = (
      resources[functionId(resources, 'provider-api')]!.Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;

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

describe('the record-routing function', () => {
  it('consumes the RoutingDecisions queue and reports item failures', () => {
    // Prepare
    const recordRoutingId = functionId(resources, 'record-routing');
    const queueId = logicalIdOf(synthesized.stack.busAndRoutes.routingDecisions.queue);

    // Act
    const mappings = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping').filter(
      ([, m]) =>
        JSON.stringify(m.Properties.FunctionName) === JSON.stringify({ Ref: recordRoutingId }),
    );

    // Assess
    expect(mappings).toHaveLength(1);
    expect(mappings[0]![1].Properties).toMatchObject({
      EventSourceArn: getAtt(queueId),
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it("hides a received decision for at least six times the function's timeout, as Lambda advises", () => {
    // Prepare
    const timeout = resources[functionId(resources, 'record-routing')]!.Properties
      .Timeout as number;
    const queueId = logicalIdOf(synthesized.stack.busAndRoutes.routingDecisions.queue);

    // Act
    const visibility = resources[queueId]!.Properties.VisibilityTimeout as number;

    // Assess
    expect(visibility).toBeGreaterThanOrEqual(6 * timeout);
  });
});

describe('the HTTP API', () => {
  it('serves exactly the intake and provider routes, each by the function that handles it', () => {
    // Prepare
    const { template } = synthesized;
    const intakeId = functionId(resources, 'intake');
    const providerApiId = functionId(resources, 'provider-api');

    // Act
    const routes = Object.fromEntries(
      resourcesOfType(resources, 'AWS::ApiGatewayV2::Route').map(([, route]) => {
        const integrationId = joinedText(route.Properties.Target).replace('integrations/ref:', '');
        const uri = resources[integrationId]!.Properties.IntegrationUri;
        return [route.Properties.RouteKey as string, uri];
      }),
    );

    // Assess
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    expect(routes).toEqual({
      'POST /v1/referrals': getAtt(intakeId),
      'GET /v1/providers/{providerId}/referrals/next': getAtt(providerApiId),
      'POST /v1/providers/{providerId}/referrals/{referralId}/accept': getAtt(providerApiId),
    });
  });

  it('lets API Gateway invoke every function behind a route', () => {
    // Prepare
    const { template } = synthesized;

    // Act
    const fnIds = [functionId(resources, 'intake'), functionId(resources, 'provider-api')];

    // Assess
    for (const fnId of fnIds) {
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(fnId),
        Principal: 'apigateway.amazonaws.com',
      });
    }
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

  it('lets the publish function put events on the bus, and no other function', () => {
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
    expect(putters).toEqual(['functions/publish/handler.ts']);
  });

  it("lets the provider API consume every provider's queue and no other queue", () => {
    // Prepare
    const { providerQueues } = synthesized.stack.busAndRoutes;
    const statements = roleStatements(resources, functionId(resources, 'provider-api'));
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
