import { Duration } from 'aws-cdk-lib';
import {
  EventField,
  Rule,
  RuleTargetInput,
  type CfnRule,
  type IEventBus,
} from 'aws-cdk-lib/aws-events';
import { SqsQueue } from 'aws-cdk-lib/aws-events-targets';
import type { IQueue, Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './dead-letter-queue.ts';
import type { Route } from '#events/routing/index.ts';

export interface RouteRuleProps {
  bus: IEventBus;
  source: string;
  route: Route;
  target: IQueue;
  /** Where the rule also reports its decision (referral, route, destination), if anywhere. */
  decisions?: IQueue;
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

/**
 * One spoke route: a rule on `referral.received` with an SQS target, that target's own
 * dead-letter queue and an explicit retry policy. Separate from the queue: many routes feed one.
 */
export class RouteRule extends Construct {
  readonly rule: Rule;
  readonly deadLetterQueue: Queue;

  constructor(scope: Construct, id: string, props: RouteRuleProps) {
    super(scope, id);
    this.deadLetterQueue = deadLetterQueue(this, 'TargetDeadLetterQueue');
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
    const retryPolicy = {
      deadLetterQueue: this.deadLetterQueue,
      retryAttempts: props.retryAttempts ?? 185,
      maxEventAge: props.maxEventAge ?? Duration.hours(24),
    };
    this.rule.addTarget(new SqsQueue(props.target, retryPolicy));
    if (props.decisions) {
      this.rule.addTarget(
        new SqsQueue(props.decisions, {
          ...retryPolicy,
          message: RuleTargetInput.fromObject({
            eventId: EventField.eventId,
            referralId: EventField.fromPath('$.detail.referralId'),
            routeId: props.route.id,
            destination: props.route.destination,
          }),
        }),
      );
    }
  }
}
