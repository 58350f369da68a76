import { Duration } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { Destination, Route } from '#shared/routing/routes.ts';
import type { Partnership } from '#shared/partnership/schema.ts';
import { allowRulesOf, RouteRule } from './route-rule.ts';
import { WorkQueue } from './work-queue.ts';

export interface BusAndRoutesProps {
  partnership: Partnership;
  stage: string;
  source: string;
  routes: readonly Route[];
}

/**
 * The partnership's event bus, every destination queue (one per provider, a triage queue per
 * spoke, one escalation queue), and one rule per route. The routing decision is recorded at
 * intake from the same rules, so the rules deliver and report nothing else.
 */
export class BusAndRoutes extends Construct {
  readonly bus: EventBus;
  readonly providerQueues: Record<string, WorkQueue>;
  readonly triageQueues: Record<string, WorkQueue>;
  readonly escalationQueue: WorkQueue;
  readonly rules: RouteRule[];

  constructor(scope: Construct, id: string, props: BusAndRoutesProps) {
    super(scope, id);
    const { partnership } = props;
    this.bus = new EventBus(this, 'Bus', {
      eventBusName: `reachable-${partnership.id}-${props.stage}`,
    });
    this.providerQueues = Object.fromEntries(
      partnership.providers.map((p) => [
        p.id,
        new WorkQueue(this, `Provider-${p.id}`, {
          alarmWhenWaitingLongerThan: longestWaitFor(partnership, p.pathways),
          pickedUpBy: p.name,
        }),
      ]),
    );
    this.triageQueues = Object.fromEntries(
      partnership.spokes.map((s) => [
        s.id,
        new WorkQueue(this, `Triage-${s.id}`, {
          alarmWhenWaitingLongerThan: Duration.days(1),
          pickedUpBy: `${s.name}'s triage`,
        }),
      ]),
    );
    // The police have been told to act now; the escalation team must see it within minutes.
    this.escalationQueue = new WorkQueue(this, 'Escalation', {
      alarmWhenWaitingLongerThan: Duration.minutes(15),
      pickedUpBy: 'the escalation team',
    });
    for (const workQueue of [
      ...Object.values(this.providerQueues),
      ...Object.values(this.triageQueues),
      this.escalationQueue,
    ]) {
      allowRulesOf(this.bus, workQueue.queue);
    }

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
    const queue =
      destination.kind === 'provider'
        ? this.providerQueues[destination.providerId]
        : destination.kind === 'triage'
          ? this.triageQueues[destination.spoke]
          : this.escalationQueue;
    if (!queue) throw new Error(`No queue for destination ${JSON.stringify(destination)}`);
    return queue.queue;
  }
}

/**
 * How long a referral may wait unpulled in a provider's queue: within the hour when any of its
 * pathways is staffed by shifts (a same-shift deadline), else a day, the shortest default
 * acceptance deadline.
 */
function longestWaitFor(partnership: Partnership, pathwayIds: readonly string[]): Duration {
  const shifts = partnership.pathways.some(
    (pathway) => pathwayIds.includes(pathway.id) && (pathway.staffedWindows?.length ?? 0) > 0,
  );
  return shifts ? Duration.hours(1) : Duration.days(1);
}
