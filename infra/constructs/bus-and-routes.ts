import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Destination, Route } from '#events/routing/index.ts';
import {
  providerIds,
  spokeIds,
  type ProviderId,
  type SpokeId,
} from '#shared/domain/partnership.ts';
import { RouteRule } from './route-rule.ts';
import { WorkQueue } from './work-queue.ts';

export interface BusAndRoutesProps {
  partnership: string;
  stage: string;
  source: string;
  routes: readonly Route[];
}

/**
 * The partnership's event bus, every destination queue (one per provider, a triage queue per
 * spoke, one escalation queue) and one rule per route.
 */
export class BusAndRoutes extends Construct {
  readonly bus: EventBus;
  readonly providerQueues: Record<ProviderId, WorkQueue>;
  readonly triageQueues: Record<SpokeId, WorkQueue>;
  readonly escalationQueue: WorkQueue;
  readonly rules: RouteRule[];

  constructor(scope: Construct, id: string, props: BusAndRoutesProps) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `reachable-${props.partnership}-${props.stage}`,
    });
    this.providerQueues = Object.fromEntries(
      providerIds.map((providerId) => [providerId, new WorkQueue(this, `Provider-${providerId}`)]),
    ) as Record<ProviderId, WorkQueue>;
    this.triageQueues = Object.fromEntries(
      spokeIds.map((spoke) => [spoke, new WorkQueue(this, `Triage-${spoke}`)]),
    ) as Record<SpokeId, WorkQueue>;
    this.escalationQueue = new WorkQueue(this, 'Escalation');

    this.rules = props.routes.map(
      (route) =>
        new RouteRule(this, `Route-${route.id}`, {
          bus: this.bus,
          source: props.source,
          route,
          target: this.queueFor(route.destination),
        }),
    );
  }

  /** The queue behind a route's destination. */
  queueFor(destination: Destination): IQueue {
    switch (destination.kind) {
      case 'provider':
        return this.providerQueues[destination.providerId].queue;
      case 'triage':
        return this.triageQueues[destination.spoke].queue;
      case 'escalation':
        return this.escalationQueue.queue;
    }
  }
}
