import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import { Rule, type CfnRule, type IEventBus, type IRuleTarget } from 'aws-cdk-lib/aws-events';
import { ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { Route } from '#shared/routing/routes.ts';

export interface RouteRuleProps {
  bus: IEventBus;
  source: string;
  route: Route;
  /**
   * The destination queue. It must already let the bus's rules send to it (see
   * `allowRulesOf`): granting per rule would put one policy statement per route on shared
   * queues and run into SQS's policy size limit as spokes add routes.
   */
  target: IQueue;
  /**
   * Delivery attempts before EventBridge parks the event in this route's dead-letter queue.
   * @default 185 (EventBridge's maximum)
   */
  retryAttempts?: number;
  /**
   * How long EventBridge keeps retrying.
   * @default Duration.hours(24)
   */
  maxEventAge?: Duration;
}

/** Metadata on each rule naming its route, so tools reading the template can explain it. */
export const routeMetadataKey = 'reachable:route';

/** Lets every rule on a bus send to a queue, in one policy statement however many rules. */
export function allowRulesOf(bus: IEventBus, queue: IQueue): void {
  const rulesOfBus = Stack.of(queue).formatArn({
    service: 'events',
    resource: 'rule',
    resourceName: `${bus.eventBusName}/*`,
    arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
  });
  queue.grantSendMessages(
    new ServicePrincipal('events.amazonaws.com').withConditions({
      ArnLike: { 'aws:SourceArn': rulesOfBus },
    }),
  );
}

/**
 * One route: a rule with an SQS target, the route's own dead-letter queue and an explicit retry
 * policy. Its pattern is `asRule`'s, the one intake decides with.
 */
export class RouteRule extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RouteRuleProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(
      this,
      'TargetDeadLetterQueue',
      `route ${props.route.id}`,
    );
    this.rule = new Rule(this, 'Rule', {
      eventBus: props.bus,
      description: props.route.description,
      eventPattern: {
        source: [props.source],
        detailType: [props.route.detailType],
        detail: props.route.pattern,
      },
    });
    (this.rule.node.defaultChild as CfnRule).addMetadata(routeMetadataKey, {
      id: props.route.id,
      spoke: props.route.spoke,
      destination: props.route.destination,
    });
    // The dead-letter queue is this route's alone, so it admits this rule only.
    this.deadLetterQueue.grantSendMessages(
      new ServicePrincipal('events.amazonaws.com').withConditions({
        ArnEquals: { 'aws:SourceArn': this.rule.ruleArn },
      }),
    );
    this.rule.addTarget(this.#queueTarget(props, props.target));
  }

  /** An SQS target with retries and this route's dead-letter queue, granting nothing itself. */
  #queueTarget(props: RouteRuleProps, queue: IQueue): IRuleTarget {
    return {
      bind: () => ({
        arn: queue.queueArn,
        deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        retryPolicy: {
          maximumRetryAttempts: props.retryAttempts ?? 185,
          maximumEventAgeInSeconds: (props.maxEventAge ?? Duration.hours(24)).toSeconds(),
        },
      }),
    };
  }
}
