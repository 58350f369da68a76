import { z } from 'zod';
import { destinationSchema } from '#events/referral-lifecycle.ts';
import type { Route } from '#events/routing/route.ts';
import type { Referrals } from '../table/referrals.ts';
import { recordTransition } from '../domain/transition.ts';
import { auditReason } from '../domain/lifecycle.ts';
import { planTransition, type Referral, type RoutingDecision } from '../domain/referral.ts';
import { routingReasons } from '../domain/routing-reasons.ts';
import type { Log } from '../observability.ts';
import type { Partnership } from '../partnership/schema.ts';

/**
 * Routing moves a received referral to `routed`; one withdrawn before its routing was recorded
 * keeps its status, and the decision is still recorded for the coordinator.
 */
function planRoute(referral: Referral, providerId: string | undefined, at: string) {
  const planned = planTransition(
    referral,
    { type: 'route', ...(providerId ? { providerId } : {}) },
    at,
  );
  return planned.kind === 'change'
    ? planned
    : { to: referral.status, changes: providerId ? { providerId } : {} };
}

/** What a route rule reports alongside each delivery (its input transformer builds this). */
export const routingDecisionMessageSchema = z.strictObject({
  eventId: z.string().min(1),
  referralId: z.uuid(),
  routeId: z.string().min(1),
  destination: destinationSchema,
});
export type RoutingDecisionMessage = z.infer<typeof routingDecisionMessageSchema>;

/** Raised when a second route claims a referral: the exactly-one-destination promise broke. */
export class RoutedTwiceError extends Error {
  constructor(referralId: string, first: string, second: string) {
    super(`Referral ${referralId} was routed by ${first} and again by ${second}`);
    this.name = 'RoutedTwiceError';
  }
}

export interface RecordRoutingDependencies {
  partnership: Partnership;
  routes: readonly Route[];
  store: Pick<Referrals, 'get' | 'transition'>;
  now: () => Date;
  log: Log;
}

/**
 * Records which rule routed a referral, where to and why, and moves it to `routed` (with its
 * `referral.routed` event). A redelivered decision has no second effect; a decision from a
 * different route is an invariant broken and is refused loudly, to be parked and alarmed.
 */
export async function recordRoutingDecision(
  message: RoutingDecisionMessage,
  { partnership, routes, store, now, log }: RecordRoutingDependencies,
): Promise<void> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const referral = await store.get(message.referralId);
    if (!referral) throw new Error(`Routing decision for unknown referral ${message.referralId}`);
    if (referral.routing) {
      if (referral.routing.routeId === message.routeId) return; // a redelivery
      throw new RoutedTwiceError(referral.referralId, referral.routing.routeId, message.routeId);
    }
    const route = routes.find((r) => r.id === message.routeId);
    const decidedAt = now();
    const routing: RoutingDecision = {
      routeId: message.routeId,
      destination: message.destination,
      reasons: routingReasons(
        referral,
        message.destination,
        route?.description ?? message.routeId,
        partnership,
      ),
      decidedAt: decidedAt.toISOString(),
    };
    const providerId =
      message.destination.kind === 'provider' ? message.destination.providerId : undefined;
    const planned = planRoute(referral, providerId, decidedAt.toISOString());
    const routed = await store.transition(
      recordTransition(referral, {
        to: planned.to,
        at: decidedAt,
        actor: { kind: 'system', id: `route:${message.routeId}` },
        why: auditReason({ type: 'route', ...(providerId ? { providerId } : {}) }),
        changes: { ...planned.changes, routing },
      }),
    );
    if (routed) {
      log.info('Routing recorded', { referralId: referral.referralId, routeId: message.routeId });
      return;
    }
    // Lost a race with another change (e.g. an acceptance); read again and retry.
  }
  throw new Error(`Could not record the routing of ${message.referralId} after retries`);
}
