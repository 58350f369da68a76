import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  type CreateTableCommandInput,
} from '@aws-sdk/client-dynamodb';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { interceptLocalhostDns } from 'fauxqs';
import type { APIGatewayProxyEventV2, DynamoDBRecord } from 'aws-lambda';
import {
  dynamoDocumentClient,
  eventBridge as functionsEventBridge,
  sqs as functionsSqs,
} from '#shared/adapters/clients.ts';
import { setLocalClockOffset } from '#shared/clock.ts';
import { LocalEventBridge, type LocalTarget } from './eventbridge/bus.ts';
import { validatePattern } from '#shared/routing/pattern.ts';
import { startEventBridgeServer } from './eventbridge/server.ts';
import { applyEnvironments, loadInvoker, type LocalFunction } from './functions.ts';
import { FunctionProcess } from './function-process.ts';
import { startHttpServer, type LocalRoute } from './http-server.ts';
import { localOnlyRoutes } from './clock-route.ts';
import { localQueuesRoute } from './queues-route.ts';
import { localFormsEnvironment } from './forms-csrf-key.ts';
import { nameUserPools } from './identity.ts';
import { localPersonalDataEnvironment } from './personal-data-keys.ts';
import { localAuthEnvironment } from './signing-key.ts';
import { localWebhookEnvironment } from './webhook-secrets.ts';
import { resolveValue, type LocalPhysical } from './intrinsics.ts';
import { startDynamoDbLocal, startSqs, type RunningService } from './services.ts';
import { QueuePoller } from './queue-poller.ts';
import { StreamPoller, streamRecordFilter, type FilterCriteria } from './streams.ts';
import { loadLocalTemplate, resourcesOfType, type Template } from './template.ts';

export const localRegion = 'eu-west-2';
export const localAccount = '000000000000';

export interface RuntimeOptions {
  /** Port for the HTTP API; 0 picks a free one. @default 3000 */
  port?: number;
  /** A template to run instead of the app's own (tests of the runtime itself). */
  template?: Template;
  /** Function settings to override, e.g. a short `LEASE_SECONDS` in a test. */
  environment?: Record<string, string>;
  /** Run scheduled rules this often instead of at their template rate (tests). */
  scheduleEveryMs?: number;
  /**
   * Every queue's visibility timeout in seconds, instead of the template's: tests that watch a
   * failing message be received again and again until it is parked in its dead-letter queue.
   */
  queueVisibilitySeconds?: number;
}

/** The embedded runtime, running. */
export interface Runtime {
  url: string;
  stackName: string;
  /** The partnership the template is for (undefined for a custom template). */
  partnershipId: string | undefined;
  synthesized: boolean;
  endpoints: { dynamodb: string; sqs: string; eventbridge: string };
  eventBridge: LocalEventBridge;
  /** Queue URL by the template's logical id. */
  queueUrls: ReadonlyMap<string, string>;
  tableNames: readonly string[];
  /**
   * Stops every event source mapping (stream and queue pollers) as a crash would: a stream batch
   * being retried is left undone, to be delivered again when the mappings start.
   */
  stopEventSourceMappings: () => Promise<void>;
  /**
   * Starts the event source mappings again. Each stream resumes after the last record it was done
   * with, as Lambda's mapping keeps its position; `fromTrimHorizon` forgets that position and reads
   * each stream from its oldest record again (everything is published again).
   */
  startEventSourceMappings: (options?: { fromTrimHorizon?: boolean }) => void;
  /** The process the functions run in: `crash()` kills every invocation in flight. */
  functionProcess: FunctionProcess;
  /**
   * The SQS client of the parts that are AWS's own: the bus delivering to its target queues, and
   * the event source mappings receiving and deleting. Faults put into it are faults of SQS.
   */
  servicesSqs: SQSClient;
  stop: () => Promise<void>;
}

/**
 * Starts the whole of Reachable on this machine from the synthesized template: DynamoDB Local,
 * fauxqs, the local EventBridge with the template's rules, the stream mapping and the HTTP API,
 * all running the same handler code that deploys.
 */
export async function startRuntime({
  port = 3000,
  ...options
}: RuntimeOptions = {}): Promise<Runtime> {
  const { template, stackName, synthesized, partnershipId } = options.template
    ? {
        template: options.template,
        stackName: 'custom',
        synthesized: false,
        partnershipId: undefined,
      }
    : loadLocalTemplate();
  validateRules(template);
  useLocalCredentials();

  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.reverse()) await stopOne().catch(() => undefined);
  };
  try {
    const [dynamodb, sqsService] = await Promise.all([startDynamoDbLocal(), startSqs()]);
    stoppers.push(dynamodb.stop, sqsService.stop);
    const restoreDns = interceptLocalhostDns();
    stoppers.push(async () => restoreDns());
    pointSdkAt(dynamodb, sqsService);

    const physical = new Map<string, LocalPhysical>();
    nameSecrets(template, physical);
    nameKeys(template, physical);
    const tableNames = await createTables(template, physical);
    const sqs = new SQSClient({});
    stoppers.push(async () => sqs.destroy());
    const { queueUrls, queueUrlByArn } = await createQueues(
      template,
      physical,
      sqs,
      options.queueVisibilitySeconds,
    );

    const eventBridge = new LocalEventBridge({
      account: localAccount,
      region: localRegion,
      send: async (queueArn, body) => {
        const queueUrl = queueUrlByArn.get(queueArn);
        if (!queueUrl) throw new Error(`No local queue with ARN ${queueArn}`);
        await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
      },
    });
    addBusesAndRules(template, physical, eventBridge);
    const eventBridgeServer = await startEventBridgeServer(eventBridge);
    stoppers.push(() => closeServer(eventBridgeServer.server));
    process.env.AWS_ENDPOINT_URL_EVENTBRIDGE = eventBridgeServer.url;

    // Tokens, webhook signatures and the forms' CSRF tokens are checked against the runtime's own
    // keys and secrets (`npm run token`), not the deployment's identity provider and Secrets Manager.
    nameUserPools(template, physical);
    const functionProcess = new FunctionProcess();
    functionProcess.guard(dynamoDocumentClient());
    functionProcess.guard(functionsSqs());
    functionProcess.guard(functionsEventBridge());
    const invokers = await loadFunctions(template, physical, functionProcess, {
      ...localAuthEnvironment(),
      ...localWebhookEnvironment(partnershipId),
      ...localFormsEnvironment(),
      ...localPersonalDataEnvironment(),
      ...options.environment,
    });
    const schedules = startSchedules(template, physical, invokers, options.scheduleEveryMs);
    stoppers.push(async () => schedules.forEach((timer) => clearInterval(timer)));
    // Stream positions outlive the pollers, as a Lambda mapping's do.
    const streamCheckpoints = new Map<string, Map<string, string>>();
    let pollers: (StreamPoller | QueuePoller)[] = [];
    const startMappings = ({ fromTrimHorizon = false } = {}) => {
      if (pollers.length > 0) throw new Error('The event source mappings are running already');
      if (fromTrimHorizon) streamCheckpoints.clear();
      pollers = startEventSourceMappings(template, physical, invokers, sqs, queueUrlByArn, {
        streamCheckpoints,
      });
    };
    const stopMappings = async () => {
      const stopping = pollers;
      pollers = [];
      await Promise.all(stopping.map((poller) => poller.stop()));
    };
    startMappings();
    stoppers.push(stopMappings);

    // The local-only routes (the clock) sit beside the template's; a stopped runtime leaves the
    // clock real for whatever runs next in this process.
    const queuesRoute = localQueuesRoute(
      {
        region: localRegion,
        sqsEndpoint: process.env.AWS_ENDPOINT_URL_SQS ?? sqsService.endpoint,
        queueUrls: Object.fromEntries(queueUrls),
      },
      template,
    );
    const http = await startHttpServer(
      [...localOnlyRoutes(), queuesRoute, ...httpRoutes(template, physical, invokers)],
      port,
    );
    stoppers.push(async () => setLocalClockOffset(0));
    stoppers.push(() => closeServer(http.server));

    return {
      url: http.url,
      stackName,
      partnershipId,
      synthesized,
      endpoints: {
        dynamodb: dynamodb.endpoint,
        sqs: sqsService.endpoint,
        eventbridge: eventBridgeServer.url,
      },
      eventBridge,
      queueUrls,
      tableNames,
      stopEventSourceMappings: stopMappings,
      startEventSourceMappings: startMappings,
      functionProcess,
      servicesSqs: sqs,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Rules matching events on a bus; scheduled rules have no pattern. */
function patternRules(template: Template) {
  return resourcesOfType(template, 'AWS::Events::Rule').filter(
    ([, resource]) => resource.Properties?.ScheduleExpression === undefined,
  );
}

/**
 * Scheduled rules on a timer, at their `rate(...)` (or `everyMs` in tests), invoking their
 * Lambda targets with a scheduled event as EventBridge would.
 */
function startSchedules(
  template: Template,
  physical: Map<string, LocalPhysical>,
  invokers: Map<string, Invoke>,
  everyMs: number | undefined,
): NodeJS.Timeout[] {
  return resourcesOfType(template, 'AWS::Events::Rule').flatMap(([logicalId, resource]) => {
    const props = resolveValue(resource.Properties ?? {}, physical) as {
      ScheduleExpression?: string;
      State?: string;
      Targets?: { Arn: string }[];
    };
    if (!props.ScheduleExpression || props.State === 'DISABLED') return [];
    const intervalMs = everyMs ?? rateMs(props.ScheduleExpression, logicalId);
    return (props.Targets ?? []).map((target) => {
      const invoke = invokerForArn(invokers, target.Arn);
      if (!invoke) throw new Error(`Schedule ${logicalId} targets no local function`);
      const event = {
        version: '0',
        source: 'aws.events',
        'detail-type': 'Scheduled Event',
        account: localAccount,
        region: localRegion,
        resources: [`arn:aws:events:${localRegion}:${localAccount}:rule/${logicalId}`],
        detail: {},
      };
      return setInterval(() => {
        invoke({ ...event, id: randomUUID(), time: new Date().toISOString() }).catch(
          (error: unknown) => console.error(`Scheduled ${logicalId} failed`, error),
        );
      }, intervalMs);
    });
  });
}

function rateMs(expression: string, logicalId: string): number {
  const match = /^rate\((\d+) (minute|hour|day)s?\)$/.exec(expression);
  const unitMs = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };
  const [, count, unit] = match ?? [];
  if (!count || !unit) {
    throw new Error(`Schedule ${logicalId}: only rate(...) runs locally, not ${expression}`);
  }
  return Number(count) * unitMs[unit as keyof typeof unitMs];
}

/** Refuses to start on a rule EventBridge would refuse, naming the rule. */
function validateRules(template: Template): void {
  for (const [logicalId, resource] of patternRules(template)) {
    try {
      validatePattern(resource.Properties?.EventPattern);
    } catch (error) {
      throw new Error(
        `Rule ${logicalId} has an invalid event pattern: ${(error as Error).message}`,
        { cause: error },
      );
    }
  }
}

/** Local services accept any credentials; setting them stops the SDK probing for real ones. */
function useLocalCredentials(): void {
  process.env.AWS_REGION = localRegion;
  process.env.AWS_ACCESS_KEY_ID = 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
}

function pointSdkAt(dynamodb: RunningService, sqsService: RunningService): void {
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamodb.endpoint;
  process.env.AWS_ENDPOINT_URL_DYNAMODB_STREAMS = dynamodb.endpoint;
  // fauxqs names queues sqs.<region>.localhost; an endpoint of the same host keeps the SDK
  // from warning that queue URLs and endpoint differ.
  process.env.AWS_ENDPOINT_URL_SQS = sqsService.endpoint.replace(
    '127.0.0.1',
    `sqs.${localRegion}.localhost`,
  );
}

async function createTables(
  template: Template,
  physical: Map<string, LocalPhysical>,
): Promise<string[]> {
  const client = new DynamoDBClient({});
  const names: string[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::DynamoDB::Table')) {
    const props = resource.Properties ?? {};
    const input = {
      TableName: logicalId,
      KeySchema: props.KeySchema,
      AttributeDefinitions: props.AttributeDefinitions,
      GlobalSecondaryIndexes: props.GlobalSecondaryIndexes,
      BillingMode: 'PAY_PER_REQUEST',
      StreamSpecification: props.StreamSpecification
        ? { StreamEnabled: true, ...(props.StreamSpecification as object) }
        : undefined,
    } as CreateTableCommandInput;
    await client.send(new CreateTableCommand(input));
    const { Table } = await client.send(new DescribeTableCommand({ TableName: logicalId }));
    physical.set(logicalId, {
      ref: logicalId,
      attributes: {
        Arn: Table?.TableArn ?? '',
        ...(Table?.LatestStreamArn ? { StreamArn: Table.LatestStreamArn } : {}),
      },
    });
    names.push(logicalId);
  }
  client.destroy();
  return names;
}

async function createQueues(
  template: Template,
  physical: Map<string, LocalPhysical>,
  sqs: SQSClient,
  visibilitySeconds: number | undefined,
): Promise<{ queueUrls: Map<string, string>; queueUrlByArn: Map<string, string> }> {
  const queues = resourcesOfType(template, 'AWS::SQS::Queue');
  // Dead-letter queues first, so redrive policies can name them.
  const ordered = [...queues].sort(
    ([, a], [, b]) =>
      Number(Boolean(a.Properties?.RedrivePolicy)) - Number(Boolean(b.Properties?.RedrivePolicy)),
  );
  const queueUrls = new Map<string, string>();
  const queueUrlByArn = new Map<string, string>();
  for (const [logicalId, resource] of ordered) {
    const props = resource.Properties ?? {};
    const attributes: Record<string, string> = {};
    const visibilityTimeout = visibilitySeconds ?? props.VisibilityTimeout;
    if (visibilityTimeout !== undefined) attributes.VisibilityTimeout = String(visibilityTimeout);
    if (props.MessageRetentionPeriod !== undefined)
      attributes.MessageRetentionPeriod = String(props.MessageRetentionPeriod);
    if (props.RedrivePolicy)
      attributes.RedrivePolicy = JSON.stringify(resolveValue(props.RedrivePolicy, physical));
    const name = logicalId.slice(0, 80);
    const { QueueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
    );
    const queueArn = Attributes?.QueueArn;
    if (!QueueUrl || !queueArn) throw new Error(`fauxqs did not create queue ${name}`);
    physical.set(logicalId, {
      ref: QueueUrl,
      attributes: { Arn: queueArn, QueueName: name, QueueUrl },
    });
    queueUrls.set(logicalId, QueueUrl);
    queueUrlByArn.set(queueArn, QueueUrl);
  }
  return { queueUrls, queueUrlByArn };
}

/**
 * There is no local Secrets Manager: a secret's references resolve to a local ARN, and the
 * functions get the local values through environment overrides instead (webhook secrets).
 */
function nameSecrets(template: Template, physical: Map<string, LocalPhysical>): void {
  for (const [logicalId] of resourcesOfType(template, 'AWS::SecretsManager::Secret')) {
    const arn = `arn:aws:secretsmanager:${localRegion}:${localAccount}:secret:${logicalId}`;
    physical.set(logicalId, { ref: arn, attributes: { Id: arn } });
  }
}

/**
 * There is no local KMS: a key's references resolve to a local ARN, and the functions seal and
 * open personal data with the runtime's own AES key instead (`PERSONAL_DATA_LOCAL_KEY`).
 */
function nameKeys(template: Template, physical: Map<string, LocalPhysical>): void {
  for (const [logicalId] of resourcesOfType(template, 'AWS::KMS::Key')) {
    const arn = `arn:aws:kms:${localRegion}:${localAccount}:key/${logicalId}`;
    physical.set(logicalId, { ref: logicalId, attributes: { Arn: arn, KeyId: logicalId } });
  }
}

function addBusesAndRules(
  template: Template,
  physical: Map<string, LocalPhysical>,
  bus: LocalEventBridge,
): void {
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Events::EventBus')) {
    const name = String(resource.Properties?.Name);
    bus.addBus(name);
    physical.set(logicalId, {
      ref: name,
      attributes: {
        Name: name,
        Arn: `arn:aws:events:${localRegion}:${localAccount}:event-bus/${name}`,
      },
    });
  }
  for (const [logicalId, resource] of patternRules(template)) {
    const props = resolveValue(resource.Properties ?? {}, physical) as {
      EventBusName?: string;
      EventPattern: unknown;
      State?: string;
      Targets?: {
        Id: string;
        Arn: string;
        DeadLetterConfig?: { Arn: string };
        InputPath?: string;
        InputTransformer?: { InputPathsMap?: Record<string, string>; InputTemplate: string };
        RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
      }[];
    };
    if (props.State === 'DISABLED') continue;
    bus.addRule({
      name: logicalId,
      busName: props.EventBusName ?? 'default',
      pattern: props.EventPattern,
      targets: (props.Targets ?? []).map((target): LocalTarget => ({
        id: target.Id,
        queueArn: target.Arn,
        ...(target.DeadLetterConfig ? { deadLetterQueueArn: target.DeadLetterConfig.Arn } : {}),
        ...(target.InputPath ? { inputPath: target.InputPath } : {}),
        ...(target.InputTransformer
          ? {
              inputTransformer: {
                inputTemplate: target.InputTransformer.InputTemplate,
                inputPathsMap: target.InputTransformer.InputPathsMap ?? {},
              },
            }
          : {}),
        // EventBridge's defaults when a target sets no retry policy.
        maximumRetryAttempts: target.RetryPolicy?.MaximumRetryAttempts ?? 185,
        maximumEventAgeSeconds: target.RetryPolicy?.MaximumEventAgeInSeconds ?? 86_400,
      })),
    });
  }
}

type Invoke = (event: unknown) => Promise<unknown>;

async function loadFunctions(
  template: Template,
  physical: Map<string, LocalPhysical>,
  functionProcess: FunctionProcess,
  overrides: Record<string, string>,
): Promise<Map<string, Invoke>> {
  const functions: LocalFunction[] = [];
  for (const [logicalId, resource] of resourcesOfType(template, 'AWS::Lambda::Function')) {
    const handlerFile = resource.Metadata?.['reachable:handler'];
    if (typeof handlerFile !== 'string') continue; // not one of ours (e.g. a CDK custom resource)
    physical.set(logicalId, {
      ref: logicalId,
      attributes: { Arn: functionArn(logicalId) },
    });
    const variables =
      (resource.Properties?.Environment as { Variables?: unknown } | undefined)?.Variables ?? {};
    functions.push({
      logicalId,
      handlerFile,
      timeoutSeconds: Number(resource.Properties?.Timeout ?? 3),
      environment: resolveValue(variables, physical) as Record<string, string>,
    });
  }
  // Environments go in before any handler module loads: handlers read them at import.
  applyEnvironments(functions);
  Object.assign(process.env, overrides);
  const invokers = new Map<string, Invoke>();
  for (const fn of functions) {
    const invoke = await loadInvoker(fn);
    invokers.set(fn.logicalId, (event) => functionProcess.invoke(() => invoke(event)));
  }
  return invokers;
}

/** Table streams and SQS queues that invoke functions, each polled as Lambda would. */
function startEventSourceMappings(
  template: Template,
  physical: Map<string, LocalPhysical>,
  invokers: Map<string, Invoke>,
  sqs: SQSClient,
  queueUrlByArn: Map<string, string>,
  { streamCheckpoints }: { streamCheckpoints: Map<string, Map<string, string>> },
): (StreamPoller | QueuePoller)[] {
  const pollers: (StreamPoller | QueuePoller)[] = [];
  for (const [logicalId, resource] of resourcesOfType(
    template,
    'AWS::Lambda::EventSourceMapping',
  )) {
    const props = resolveValue(resource.Properties ?? {}, physical) as {
      EventSourceArn: string;
      FunctionName: string;
      BatchSize?: number;
      MaximumRetryAttempts?: number;
      FunctionResponseTypes?: string[];
      DestinationConfig?: { OnFailure?: { Destination?: string } };
      FilterCriteria?: FilterCriteria;
    };
    const invoke = invokers.get(props.FunctionName);
    if (!invoke)
      throw new Error(
        `Event source mapping ${logicalId} names unknown function ${props.FunctionName}`,
      );
    const sourceQueueUrl = queueUrlByArn.get(props.EventSourceArn);
    if (sourceQueueUrl) {
      const poller = new QueuePoller({
        queueUrl: sourceQueueUrl,
        queueArn: props.EventSourceArn,
        region: localRegion,
        batchSize: props.BatchSize ?? 10,
        sqs,
        invoke,
      });
      poller.start();
      pollers.push(poller);
      continue;
    }
    const failureQueueUrl = queueUrlByArn.get(
      props.DestinationConfig?.OnFailure?.Destination ?? '',
    );
    const checkpoints = streamCheckpoints.get(logicalId) ?? new Map<string, string>();
    streamCheckpoints.set(logicalId, checkpoints);
    const poller = new StreamPoller({
      streamArn: props.EventSourceArn,
      checkpoints,
      batchSize: props.BatchSize ?? 100,
      maximumRetryAttempts: props.MaximumRetryAttempts ?? 10_000,
      // As Lambda filters before invoking: only what the template's criteria let through.
      filter: streamRecordFilter(props.FilterCriteria),
      invoke,
      onFailure: async (records: DynamoDBRecord[]) => {
        const body = JSON.stringify({
          mapping: logicalId,
          sequenceNumbers: records.map((r) => r.dynamodb?.SequenceNumber),
        });
        if (failureQueueUrl)
          await sqs.send(new SendMessageCommand({ QueueUrl: failureQueueUrl, MessageBody: body }));
        else console.error(`Stream records dropped after retries: ${body}`);
      },
    });
    poller.start();
    pollers.push(poller);
  }
  return pollers;
}

function httpRoutes(
  template: Template,
  physical: Map<string, LocalPhysical>,
  invokers: Map<string, Invoke>,
): LocalRoute[] {
  for (const [logicalId] of resourcesOfType(template, 'AWS::ApiGatewayV2::Integration')) {
    physical.set(logicalId, { ref: logicalId, attributes: {} });
  }
  return resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([logicalId, resource]) => {
    const routeKey = String(resource.Properties?.RouteKey);
    const integrationId = String(resolveValue(resource.Properties?.Target, physical)).replace(
      /^integrations\//,
      '',
    );
    const integration = template.Resources[integrationId];
    const functionArn = String(resolveValue(integration?.Properties?.IntegrationUri, physical));
    const invoke = invokerForArn(invokers, functionArn);
    if (!invoke) throw new Error(`Route ${logicalId} (${routeKey}) has no local function`);
    return { routeKey, invoke: (event: APIGatewayProxyEventV2) => invoke(event) };
  });
}

/** The local function a template names by ARN (routes and schedules do; mappings use ids). */
function invokerForArn(invokers: Map<string, Invoke>, arn: string): Invoke | undefined {
  const logicalId = /:function:([^:]+)$/.exec(arn)?.[1];
  return logicalId !== undefined && functionArn(logicalId) === arn
    ? invokers.get(logicalId)
    : undefined;
}

function functionArn(logicalId: string): string {
  return `arn:aws:lambda:${localRegion}:${localAccount}:function:${logicalId}`;
}

async function closeServer(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
