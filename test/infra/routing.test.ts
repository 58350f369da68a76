import { rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Rule } from 'aws-cdk-lib/aws-events';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { detailTypes, eventSource } from '#events/catalogue.ts';
import { referralEventDetailSchema } from '#events/referral-lifecycle.ts';
import { routesFor } from '#partnerships/index.ts';
import type { Route } from '#shared/routing/routes.ts';
import { matchesPattern } from '#shared/routing/pattern.ts';
import { routeMetadataKey, type RouteRule } from '#infra/constructs/route-rule.ts';
import type { WorkQueue } from '#infra/constructs/work-queue.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { asRule } from '#shared/routing/decide.ts';
import {
  actionsOf,
  getAtt,
  logicalIdOf,
  resourcesOfType,
  synthesize,
  testConfig,
  type Resource,
  type Statement,
  type Synthesized,
} from './synth.ts';

const routes = routesFor(avonAndSomerset.id);
const spokeRoutes = routes.filter((route) => route.detailType === detailTypes.referralReceived);

interface Target {
  Id: string;
  Arn: unknown;
  DeadLetterConfig?: { Arn: unknown };
  RetryPolicy?: { MaximumRetryAttempts: number; MaximumEventAgeInSeconds: number };
  InputTransformer?: { InputPathsMap: Record<string, string>; InputTemplate: string };
}

let synthesized: Synthesized;
let resources: Record<string, Resource>;

beforeAll(() => {
  synthesized = synthesize();
  resources = synthesized.resources;
});

// The cloud assembly goes to a fresh temporary directory: leave none behind.
afterAll(() => {
  if (synthesized) rmSync(synthesized.assemblyDirectory, { recursive: true, force: true });
});

/** The queue of the hub's projection, with its own dead-letter queue. */
const hubProjection = () => synthesized.stack.node.findChild('HubProjection') as WorkQueue;

/** The rule feeding the hub's projection: on the bus, but not a route. */
const hubProjectionRule = () => synthesized.stack.node.findChild('HubProjectionRule') as Rule;

/** The operators' alerts queue and the rule that fills it with reconciliation's alarm events. */
const operationsAlerts = () => synthesized.stack.node.findChild('OperationsAlerts') as WorkQueue;
const operationsAlertsRule = () => synthesized.stack.node.findChild('OperationsAlertsRule') as Rule;

/** Where the hub projection rule parks the events it cannot deliver. */
const hubProjectionRuleFailures = () =>
  synthesized.stack.node.findChild('HubProjectionRuleFailures') as Queue;

/**
 * The work queues the partnership config calls for, by what they are for, and the hub's
 * projection queue.
 */
function workQueues() {
  const { busAndRoutes } = synthesized.stack;
  return [
    ...avonAndSomerset.providers.map((p) => ({
      name: `provider ${p.id}`,
      workQueue: busAndRoutes.providerQueues[p.id]!,
    })),
    ...avonAndSomerset.spokes.map((s) => ({
      name: `triage of ${s.id}`,
      workQueue: busAndRoutes.triageQueues[s.id]!,
    })),
    { name: 'escalation', workQueue: busAndRoutes.escalationQueue },
    { name: 'hub projection', workQueue: hubProjection() },
    { name: 'operations alerts', workQueue: operationsAlerts() },
  ];
}

/** The logical id of the queue a route's destination names, found from the config's keys. */
function destinationQueueId(route: Route): string {
  const { busAndRoutes } = synthesized.stack;
  const { destination } = route;
  const workQueue =
    destination.kind === 'provider'
      ? busAndRoutes.providerQueues[destination.providerId]
      : destination.kind === 'triage'
        ? busAndRoutes.triageQueues[destination.spoke]
        : busAndRoutes.escalationQueue;
  return logicalIdOf(workQueue!.queue);
}

/** The event pattern a route's rule must have, exactly. */
const expectedPattern = (route: Route) => ({
  source: [eventSource(avonAndSomerset.id)],
  'detail-type': [route.detailType],
  detail: route.pattern,
});

/** The rules whose event pattern is exactly the route's. */
function rulesFor(route: Route): [string, Resource][] {
  return resourcesOfType(resources, 'AWS::Events::Rule').filter(([, rule]) =>
    isDeepStrictEqual(rule.Properties.EventPattern, expectedPattern(route)),
  );
}

const targetsOf = (rule: Resource) => rule.Properties.Targets as Target[];

/**
 * The route rules: every rule naming its route in its metadata, wherever it is (the first test
 * of the route rules checks they are all on the partnership's bus). The hub projection rule is on
 * the bus too but is no route; scheduled rules (the deadline sweep) run on the default bus, match
 * no events and are tested with the stack.
 */
function routeRules(): [string, Resource][] {
  return resourcesOfType(resources, 'AWS::Events::Rule').filter(
    ([, rule]) => rule.Metadata?.[routeMetadataKey] !== undefined,
  );
}

/** The construct of a route's rule, holding its own dead-letter queue. */
function routeRuleOf(route: Route): RouteRule {
  const rule = synthesized.stack.busAndRoutes.rules.find((r) => r.node.id === `Route-${route.id}`);
  if (!rule) throw new Error(`No rule for route ${route.id}`);
  return rule;
}

/**
 * A policy document with every Fn::GetAtt Arn replaced by the longest ARN CloudFormation can
 * give that resource, so its size can be compared with SQS's limit.
 */
function withLongestArns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withLongestArns);
  if (value === null || typeof value !== 'object') return value;
  if ('Fn::GetAtt' in value) {
    const [id] = value['Fn::GetAtt'] as [string, string];
    const where = 'eu-west-2:123456789012';
    // CloudFormation names a rule in up to 64 characters and a queue in up to 80.
    return resources[id]!.Type === 'AWS::Events::Rule'
      ? `arn:aws:events:${where}:rule/reachable-${testConfig.partnership}-${testConfig.stage}/${'r'.repeat(64)}`
      : `arn:aws:sqs:${where}:${'q'.repeat(80)}`;
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withLongestArns(v)]));
}

describe('the event bus', () => {
  it("is the partnership's own custom bus, named for the deployment", () => {
    // Prepare
    const { template } = synthesized;

    // Act
    const buses = resourcesOfType(resources, 'AWS::Events::EventBus');

    // Assess
    template.resourceCountIs('AWS::Events::EventBus', 1);
    expect(buses[0]![1].Properties.Name).toBe(
      `reachable-${testConfig.partnership}-${testConfig.stage}`,
    );
  });
});

describe('the work queues', () => {
  it('has one queue per provider, a triage queue per spoke, one escalation queue, HubProjection and OperationsAlerts, and no other work queue', () => {
    // Prepare
    const expected = workQueues().map(({ workQueue }) => logicalIdOf(workQueue.queue));

    // Act
    const withRedrive = resourcesOfType(resources, 'AWS::SQS::Queue')
      .filter(([, queue]) => queue.Properties.RedrivePolicy !== undefined)
      .map(([id]) => id);

    // Assess
    expect(Object.keys(synthesized.stack.busAndRoutes.providerQueues).sort()).toEqual(
      avonAndSomerset.providers.map((p) => p.id).sort(),
    );
    expect(Object.keys(synthesized.stack.busAndRoutes.triageQueues).sort()).toEqual(
      avonAndSomerset.spokes.map((s) => s.id).sort(),
    );
    expect(new Set(expected).size).toBe(
      avonAndSomerset.providers.length + avonAndSomerset.spokes.length + 3,
    );
    expect(withRedrive.sort()).toEqual(expected.sort());
  });

  it('gives every work queue its own dead-letter queue, after a bounded number of receives', () => {
    // Prepare
    const queues = workQueues();

    // Act
    const redrives = queues.map(({ name, workQueue }) => ({
      name,
      redrive: resources[logicalIdOf(workQueue.queue)]!.Properties.RedrivePolicy as {
        deadLetterTargetArn: unknown;
        maxReceiveCount: number;
      },
      deadLetterQueueArn: getAtt(logicalIdOf(workQueue.deadLetterQueue)),
    }));

    // Assess
    const deadLetterQueues = new Set(redrives.map((r) => JSON.stringify(r.deadLetterQueueArn)));
    expect(deadLetterQueues.size).toBe(queues.length);
    for (const { name, redrive, deadLetterQueueArn } of redrives) {
      expect(redrive.deadLetterTargetArn, name).toEqual(deadLetterQueueArn);
      expect(redrive.maxReceiveCount, name).toBeGreaterThan(0);
      expect(redrive.maxReceiveCount, name).toBeLessThanOrEqual(10);
    }
  });

  it("holds a provider's pulled referral for the 15-minute lease", () => {
    // Prepare
    const { providerQueues } = synthesized.stack.busAndRoutes;

    // Act
    const visibility = avonAndSomerset.providers.map(
      (p) => resources[logicalIdOf(providerQueues[p.id]!.queue)]!.Properties.VisibilityTimeout,
    );

    // Assess
    expect(visibility).toEqual(avonAndSomerset.providers.map(() => 15 * 60));
  });

  it('declares no queue beyond the work queues, their dead-letter queues, one per route rule, and the failures of publish, the three scheduled checks and the two operations rules', () => {
    // Prepare
    // Providers, spokes' triage, escalation, HubProjection, OperationsAlerts.
    const workQueueCount = avonAndSomerset.providers.length + avonAndSomerset.spokes.length + 3;

    // Act
    const queues = resourcesOfType(resources, 'AWS::SQS::Queue');

    // Assess
    expect(workQueues()).toHaveLength(workQueueCount);
    // Failures of publish, the deadline sweep, the retention sweep, reconciliation, and the hub
    // projection and operations alerts rules.
    expect(queues).toHaveLength(2 * workQueueCount + routes.length + 6);
  });

  it('encrypts every queue, keeps messages 14 days and refuses anything but TLS', () => {
    // Prepare
    const policies = resourcesOfType(resources, 'AWS::SQS::QueuePolicy').map(([, p]) => p);

    // Act
    const queues = resourcesOfType(resources, 'AWS::SQS::Queue');

    // Assess
    for (const [id, queue] of queues) {
      expect(queue.Properties.SqsManagedSseEnabled, id).toBe(true);
      expect(queue.Properties.MessageRetentionPeriod, id).toBe(14 * 24 * 60 * 60);
      const tlsOnly = policies.some(
        ({ Properties: policy }) =>
          isDeepStrictEqual(policy.Queues, [{ Ref: id }]) &&
          (policy.PolicyDocument as { Statement: Statement[] }).Statement.some(
            (s) =>
              s.Effect === 'Deny' &&
              isDeepStrictEqual(s.Condition, { Bool: { 'aws:SecureTransport': 'false' } }),
          ),
      );
      expect(tlsOnly, id).toBe(true);
    }
  });

  it('keeps 14 days in every dead-letter queue, whether a redrive policy, a rule target or a stream names it', () => {
    // Prepare
    const idOf = (arn: unknown) => (arn as { 'Fn::GetAtt': [string, string] })['Fn::GetAtt'][0];
    const queues = resourcesOfType(resources, 'AWS::SQS::Queue');
    const rules = resourcesOfType(resources, 'AWS::Events::Rule');
    const mappings = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping');

    // Act
    const deadLetterQueues = new Set([
      ...queues.flatMap(([, queue]) => {
        const redrive = queue.Properties.RedrivePolicy as
          { deadLetterTargetArn: unknown } | undefined;
        return redrive ? [idOf(redrive.deadLetterTargetArn)] : [];
      }),
      ...rules.flatMap(([, rule]) =>
        ((rule.Properties.Targets ?? []) as Target[]).flatMap((target) =>
          target.DeadLetterConfig ? [idOf(target.DeadLetterConfig.Arn)] : [],
        ),
      ),
      ...mappings.flatMap(([, mapping]) => {
        const destination = mapping.Properties.DestinationConfig as
          { OnFailure: { Destination: unknown } } | undefined;
        return destination ? [idOf(destination.OnFailure.Destination)] : [];
      }),
    ]);

    // Assess
    const workQueueCount = avonAndSomerset.providers.length + avonAndSomerset.spokes.length + 3;
    expect(deadLetterQueues.size).toBe(workQueueCount + routes.length + 6);
    for (const id of deadLetterQueues) {
      expect(resources[id]?.Type, id).toBe('AWS::SQS::Queue');
      expect(resources[id]?.Properties.MessageRetentionPeriod, id).toBe(14 * 24 * 60 * 60);
      expect(resources[id]?.Properties.SqsManagedSseEnabled, id).toBe(true);
    }
  });
});

describe('the route rules', () => {
  it('has exactly one rule per route of the partnership, on its bus, with the route pattern', () => {
    // Prepare
    const busRef = { Ref: logicalIdOf(synthesized.stack.busAndRoutes.bus) };
    const rules = resourcesOfType(resources, 'AWS::Events::Rule');

    // Act
    const matches = routes.map((route) => ({ route: route.id, rules: rulesFor(route) }));
    const onTheBus = rules.filter(([, rule]) =>
      isDeepStrictEqual(rule.Properties.EventBusName, busRef),
    );
    const offTheBus = rules.filter(
      ([, rule]) => !isDeepStrictEqual(rule.Properties.EventBusName, busRef),
    );

    // Assess
    expect(routeRules()).toHaveLength(routes.length);
    // On the bus: the route rules, the hub projection rule and the operations alerts rule.
    expect(onTheBus.map(([id]) => id).sort()).toEqual(
      [
        ...routeRules().map(([id]) => id),
        logicalIdOf(hubProjectionRule()),
        logicalIdOf(operationsAlertsRule()),
      ].sort(),
    );
    for (const { route, rules } of matches) {
      expect(rules, route).toHaveLength(1);
      expect(rules[0]![1].Properties.EventBusName, route).toEqual(busRef);
      expect(rules[0]![1].Properties.State, route).toBe('ENABLED');
    }
    // Off the bus there are schedules only: no route can slip onto the default bus.
    for (const [id, rule] of offTheBus) {
      expect(rule.Properties.ScheduleExpression, id).toBeDefined();
      expect(rule.Properties.EventPattern, id).toBeUndefined();
    }
  });

  it('names its route, spoke and destination on every route rule, for the tools that read the template', () => {
    // Prepare
    const expected = routes.map((route) => ({
      id: route.id,
      spoke: route.spoke,
      destination: route.destination,
    }));

    // Act
    const metadata = routes.map(
      (route) => rulesFor(route)[0]![1].Metadata?.[routeMetadataKey] as Record<string, unknown>,
    );

    // Assess
    expect(metadata).toEqual(expected);
  });

  it("delivers each route to its destination's queue first", () => {
    // Prepare
    const expected = routes.map((route) => ({
      route: route.id,
      arn: getAtt(destinationQueueId(route)),
    }));

    // Act
    const actual = routes.map((route) => ({
      route: route.id,
      arn: targetsOf(rulesFor(route)[0]![1])[0]!.Arn,
    }));

    // Assess
    expect(actual).toEqual(expected);
  });

  it('gives every target a dead-letter queue of its rule and a retry policy of 185 attempts over 24 hours', () => {
    // Prepare
    const rules = routeRules();

    // Act
    const targets = rules.flatMap(([id, rule]) =>
      targetsOf(rule).map((target) => ({ id, target })),
    );
    const deadLetterQueuesByRule = new Map<string, Set<string>>();
    for (const { id, target } of targets) {
      const set = deadLetterQueuesByRule.get(id) ?? new Set();
      set.add(JSON.stringify(target.DeadLetterConfig?.Arn));
      deadLetterQueuesByRule.set(id, set);
    }

    // Assess
    for (const { id, target } of targets) {
      expect(target.RetryPolicy, `${id} ${target.Id}`).toEqual({
        MaximumRetryAttempts: 185,
        MaximumEventAgeInSeconds: 24 * 60 * 60,
      });
      const deadLetterQueue = (target.DeadLetterConfig?.Arn as { 'Fn::GetAtt'?: [string] })?.[
        'Fn::GetAtt'
      ]?.[0];
      expect(deadLetterQueue && resources[deadLetterQueue]?.Type, `${id} ${target.Id}`).toBe(
        'AWS::SQS::Queue',
      );
    }
    const perRule = [...deadLetterQueuesByRule.values()];
    expect(perRule.every((set) => set.size === 1)).toBe(true);
    expect(new Set(perRule.map((set) => [...set][0])).size).toBe(rules.length);
  });

  it("lets the bus's rules send to the destination queues, and only its own rule to a route's dead-letter queue", () => {
    // Prepare
    const policies = resourcesOfType(resources, 'AWS::SQS::QueuePolicy').map(([, p]) => p);
    const rulesOfBus = {
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':events:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':rule/',
          { Ref: logicalIdOf(synthesized.stack.busAndRoutes.bus) },
          '/*',
        ],
      ],
    };
    const allows = (queueArn: unknown, condition: unknown) =>
      policies.some(({ Properties: policy }) =>
        (policy.PolicyDocument as { Statement: Statement[] }).Statement.some(
          (s) =>
            s.Effect === 'Allow' &&
            isDeepStrictEqual(s.Principal, { Service: 'events.amazonaws.com' }) &&
            (Array.isArray(s.Action) ? s.Action : [s.Action]).includes('sqs:SendMessage') &&
            isDeepStrictEqual(s.Resource, queueArn) &&
            isDeepStrictEqual(s.Condition, condition),
        ),
      );

    // Act
    const refused = routeRules().flatMap(([ruleId, rule]) =>
      targetsOf(rule).flatMap((target) => [
        ...(allows(target.Arn, { ArnLike: { 'aws:SourceArn': rulesOfBus } })
          ? []
          : [`${ruleId} → ${JSON.stringify(target.Arn)}`]),
        ...(allows(target.DeadLetterConfig?.Arn, {
          ArnEquals: { 'aws:SourceArn': getAtt(ruleId) },
        })
          ? []
          : [`${ruleId} → dead letters ${JSON.stringify(target.DeadLetterConfig?.Arn)}`]),
      ]),
    );

    // Assess
    expect(refused).toEqual([]);
  });

  it('grants each shared queue once, however many routes feed it (TLS rule plus one grant)', () => {
    // Prepare
    const { triageQueues, providerQueues } = synthesized.stack.busAndRoutes;
    const shared = [triageQueues.bristol!.queue, providerQueues['st-giles-sos']!.queue];

    // Act
    const statements = shared.map((queue) => {
      const [, policy] = resourcesOfType(resources, 'AWS::SQS::QueuePolicy').find(([, p]) =>
        isDeepStrictEqual(p.Properties.Queues, [{ Ref: logicalIdOf(queue) }]),
      )!;
      return (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement.length;
    });

    // Assess
    expect(statements).toEqual([2, 2]);
  });

  it('deploys every spoke route as the rule intake decides with, with one target: its destination', () => {
    // Prepare
    const source = eventSource(avonAndSomerset.id);

    // Act
    const deployed = spokeRoutes.map((route) => {
      const [, rule] = rulesFor(route)[0]!;
      return { route, pattern: rule.Properties.EventPattern, targets: targetsOf(rule) };
    });

    // Assess
    expect(spokeRoutes.length).toBeGreaterThan(0);
    for (const { route, pattern, targets } of deployed) {
      expect(pattern, route.id).toEqual(asRule(route, source).eventPattern);
      expect(targets, route.id).toEqual([
        expect.objectContaining({
          Arn: getAtt(logicalIdOf(synthesized.stack.busAndRoutes.queueFor(route.destination))),
        }),
      ]);
      expect(targets[0]!.InputTransformer, route.id).toBeUndefined();
    }
  });

  it('sends escalations to the escalation queue alone', () => {
    // Prepare
    const escalationRoutes = routes.filter((r) => r.detailType === detailTypes.referralEscalated);

    // Act
    const targets = escalationRoutes.map((route) => targetsOf(rulesFor(route)[0]![1]));

    // Assess
    expect(escalationRoutes).toHaveLength(1);
    expect(targets).toEqual([
      [
        expect.objectContaining({
          Arn: getAtt(logicalIdOf(synthesized.stack.busAndRoutes.escalationQueue.queue)),
        }),
      ],
    ]);
  });

  it('sends every missed deadline (referral.overdue) to the escalation queue, through its own dead-letter queue', () => {
    // Prepare
    const overdueRoutes = routes.filter((r) => r.detailType === detailTypes.referralOverdue);
    // Every deadline an overdue event can name, from the event contract.
    const deadlines = referralEventDetailSchema.shape.overdue.unwrap().options;
    const { escalationQueue } = synthesized.stack.busAndRoutes;

    // Act
    const rules = overdueRoutes.map((route) => ({ route, rules: rulesFor(route) }));

    // Assess
    expect(overdueRoutes.map((route) => route.id)).toEqual(['overdue']);
    for (const { route, rules: matching } of rules) {
      expect(matching, route.id).toHaveLength(1);
      const [, rule] = matching[0]!;
      expect(rule.Properties.EventPattern, route.id).toEqual({
        source: [eventSource(avonAndSomerset.id)],
        'detail-type': [detailTypes.referralOverdue],
        detail: { overdue: [...deadlines] },
      });
      expect(targetsOf(rule), route.id).toEqual([
        expect.objectContaining({
          Arn: getAtt(logicalIdOf(escalationQueue.queue)),
          DeadLetterConfig: { Arn: getAtt(logicalIdOf(routeRuleOf(route).deadLetterQueue)) },
        }),
      ]);
    }
  });

  it("sends a referral rerouted to a provider to that provider's queue, one rule per provider, each with its own dead-letter queue", () => {
    // Prepare
    const { providerQueues } = synthesized.stack.busAndRoutes;
    const rerouteRoutes = routes.filter((r) => r.detailType === detailTypes.referralRerouted);

    // Act
    const delivered = avonAndSomerset.providers.map((provider) => {
      const matching = resourcesOfType(resources, 'AWS::Events::Rule').filter(([, rule]) =>
        isDeepStrictEqual(rule.Properties.EventPattern, {
          source: [eventSource(avonAndSomerset.id)],
          'detail-type': [detailTypes.referralRerouted],
          detail: { providerId: [provider.id] },
        }),
      );
      return { provider: provider.id, matching };
    });

    // Assess
    expect(rerouteRoutes.map((route) => route.id).sort()).toEqual(
      avonAndSomerset.providers.map((p) => `reroute-${p.id}`).sort(),
    );
    for (const { provider, matching } of delivered) {
      expect(matching, provider).toHaveLength(1);
      const route = rerouteRoutes.find(
        (r) => r.destination.kind === 'provider' && r.destination.providerId === provider,
      )!;
      expect(targetsOf(matching[0]![1]), provider).toEqual([
        expect.objectContaining({
          Arn: getAtt(logicalIdOf(providerQueues[provider]!.queue)),
          DeadLetterConfig: { Arn: getAtt(logicalIdOf(routeRuleOf(route).deadLetterQueue)) },
        }),
      ]);
    }
  });

  it("keeps every queue policy within SQS's limits of 20 statements and 8,192 bytes", () => {
    // Prepare
    const policies = resourcesOfType(resources, 'AWS::SQS::QueuePolicy');

    // Act
    const sizes = policies.map(([id, { Properties: policy }]) => {
      const document = policy.PolicyDocument as { Statement: Statement[] };
      return {
        id,
        statements: document.Statement.length,
        bytes: Buffer.byteLength(JSON.stringify(withLongestArns(document))),
      };
    });

    // Assess
    for (const size of sizes) {
      expect(size.statements, size.id).toBeLessThanOrEqual(20);
      expect(size.bytes, size.id).toBeLessThanOrEqual(8192);
    }
  });
});

describe('the hub projection rule', () => {
  const ruleId = () => logicalIdOf(hubProjectionRule());
  const queueArn = () => getAtt(logicalIdOf(hubProjection().queue));
  const failuresArn = () => getAtt(logicalIdOf(hubProjectionRuleFailures()));

  /** The statements of the one policy of a queue. */
  const policyOf = (queue: Queue): Statement[] => {
    const policies = resourcesOfType(resources, 'AWS::SQS::QueuePolicy').filter(([, p]) =>
      isDeepStrictEqual(p.Properties.Queues, [{ Ref: logicalIdOf(queue) }]),
    );
    expect(policies).toHaveLength(1);
    return (policies[0]![1].Properties.PolicyDocument as { Statement: Statement[] }).Statement;
  };

  /** The statements letting EventBridge send to a queue. */
  const eventBridgeGrants = (statements: Statement[]) =>
    statements.filter(
      (s) =>
        s.Effect === 'Allow' && isDeepStrictEqual(s.Principal, { Service: 'events.amazonaws.com' }),
    );

  it("matches every referral lifecycle event of the partnership, on the partnership's bus, and is no route", () => {
    // Prepare
    const busRef = { Ref: logicalIdOf(synthesized.stack.busAndRoutes.bus) };
    const event = (source: string, detailType: string) => ({
      version: '0',
      id: 'event-1',
      source,
      'detail-type': detailType,
      account: '123456789012',
      time: '2026-04-01T09:00:00Z',
      region: 'eu-west-2',
      resources: [],
      detail: { referralId: '6f1c1b3e-4a52-4b8a-9a43-2f4f0f6f2b11' },
    });
    const source = eventSource(avonAndSomerset.id);

    // Act
    const rule = resources[ruleId()]!;
    const pattern = rule.Properties.EventPattern;
    const unmatched = Object.values(detailTypes).filter(
      (detailType) => !matchesPattern(pattern, event(source, detailType)),
    );

    // Assess
    expect(rule.Properties.EventBusName).toEqual(busRef);
    expect(rule.Properties.State).toBe('ENABLED');
    expect(pattern).toEqual({
      source: [source],
      'detail-type': [{ prefix: 'referral.' }],
    });
    expect(Object.values(detailTypes).length).toBeGreaterThan(0);
    expect(unmatched).toEqual([]);
    // Another partnership's events, or an event that is not a referral's, stay out.
    expect(
      matchesPattern(pattern, event('reachable.elsewhere', detailTypes.referralReceived)),
    ).toBe(false);
    expect(matchesPattern(pattern, event(source, 'provider.capacity-changed'))).toBe(false);
    expect(rule.Metadata?.[routeMetadataKey]).toBeUndefined();
  });

  it('delivers the whole event to HubProjection alone, retrying 185 times over 24 hours, then parking it in its own dead-letter queue', () => {
    // Prepare
    const routeDeadLetterQueues = synthesized.stack.busAndRoutes.rules.map((rule) =>
      logicalIdOf(rule.deadLetterQueue),
    );

    // Act
    const targets = targetsOf(resources[ruleId()]!);

    // Assess
    // No input transformer: the projector reads the EventBridge envelope (detail-type, detail).
    expect(targets).toEqual([
      {
        Id: expect.any(String) as unknown,
        Arn: queueArn(),
        DeadLetterConfig: { Arn: failuresArn() },
        RetryPolicy: { MaximumRetryAttempts: 185, MaximumEventAgeInSeconds: 24 * 60 * 60 },
      },
    ]);
    expect(routeDeadLetterQueues).not.toContain(logicalIdOf(hubProjectionRuleFailures()));
    expect(logicalIdOf(hubProjectionRuleFailures())).not.toBe(
      logicalIdOf(hubProjection().deadLetterQueue),
    );
  });

  it('lets this rule alone send to HubProjection and to its dead-letter queue, beside the TLS rule', () => {
    // Prepare
    const fromThisRule = { ArnEquals: { 'aws:SourceArn': getAtt(ruleId()) } };

    // Act
    const queuePolicy = policyOf(hubProjection().queue);
    const failuresPolicy = policyOf(hubProjectionRuleFailures());

    // Assess
    for (const [statements, arn] of [
      [queuePolicy, queueArn()],
      [failuresPolicy, failuresArn()],
    ] as const) {
      // The TLS-only rule and one grant: the SqsQueue target's own, for this rule only.
      expect(statements).toHaveLength(2);
      const grants = eventBridgeGrants(statements);
      expect(grants).toHaveLength(1);
      expect(grants[0]!.Resource).toEqual(arn);
      expect(grants[0]!.Condition).toEqual(fromThisRule);
      expect(actionsOf(grants[0]!)).toContain('sqs:SendMessage');
    }
  });
});
