import { detailTypes, eventSource } from '#events/catalogue.ts';
import type { Destination } from '#events/referral-lifecycle.ts';
import { routesFor } from '#partnerships/index.ts';
import type { Route } from './routes.ts';
import { toEventDetail, planTransition, type Referral } from '../domain/referral.ts';
import { routingReasons } from '../domain/routing-reasons.ts';
import type { Partnership } from '../partnership/schema.ts';
import { matchesPattern } from './pattern.ts';

/** A rule's whole event pattern, as EventBridge's own JSON: source, detail-type and detail. */
export interface RuleEventPattern {
  source?: unknown;
  'detail-type'?: unknown;
  detail?: Record<string, unknown>;
}

/** A route as a rule: what it matches and where it delivers. Config routes and template rules both are. */
export interface RouteRuleLike {
  id: string;
  description: string;
  /** Undefined for partnership-wide routes (escalation, overdue, reroutes). */
  spoke?: string;
  destination: Destination;
  eventPattern: RuleEventPattern;
}

/**
 * The rule a configured route becomes: the stack deploys exactly this pattern, and intake decides
 * with it, so the decision recorded and the rule that delivers are the same rule.
 */
export function asRule(route: Route, source: string): RouteRuleLike {
  return {
    id: route.id,
    description: route.description,
    ...(route.spoke === undefined ? {} : { spoke: route.spoke }),
    destination: route.destination,
    eventPattern: { source: [source], 'detail-type': [route.detailType], detail: route.pattern },
  };
}

/** An EventBridge envelope around a detail, as the bus delivers it to rules. */
export function envelope(source: string, detailType: string, detail: object): object {
  return {
    version: '0',
    id: '00000000-0000-4000-8000-000000000000',
    'detail-type': detailType,
    source,
    account: '000000000000',
    time: '2026-01-01T00:00:00Z',
    region: 'eu-west-2',
    resources: [],
    detail,
  };
}

/** The rules that match an event, by the same engine the local bus runs. */
export function rulesMatching<R extends RouteRuleLike>(rules: readonly R[], event: object): R[] {
  return rules.filter((rule) => matchesPattern(rule.eventPattern, event));
}

/** Raised when a referral matches no route or more than one: the exactly-one promise broke. */
export class UnroutableReferralError extends Error {
  constructor(
    readonly matched: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      matched.length === 0
        ? 'The referral matches no route'
        : `The referral matches more than one route: ${matched.join(', ')}`,
      options,
    );
    this.name = 'UnroutableReferralError';
  }
}

/**
 * The one rule that takes a `referral.received` event with this detail. Throws
 * UnroutableReferralError when none or several do (the routing proof shows neither can happen).
 */
export function decideRoute<R extends RouteRuleLike>(
  rules: readonly R[],
  source: string,
  detail: object,
): R {
  const matched = rulesMatching(rules, envelope(source, detailTypes.referralReceived, detail));
  const [only, ...more] = matched;
  if (!only || more.length > 0) throw new UnroutableReferralError(matched.map((r) => r.id));
  return only;
}

/**
 * A received referral routed by its spoke's rules: status `routed`, the provider it goes to, and
 * the decision (which rule, where, why) recorded on it, all at the moment it was received. The
 * caller stores it in the same write as the referral itself. `rules` are the partnership's
 * configured routes unless given (tools pass the rules read back from the template).
 */
export function routeReferral(
  referral: Referral,
  partnership: Partnership,
  rules: readonly RouteRuleLike[] = rulesFor(partnership),
): Referral {
  const rule = decideRoute(rules, eventSource(partnership.id), toEventDetail(referral));
  const providerId = rule.destination.kind === 'provider' ? rule.destination.providerId : undefined;
  const at = referral.receivedAt;
  const planned = planTransition(
    referral,
    { type: 'route', ...(providerId ? { providerId } : {}) },
    at,
  );
  if (planned.kind !== 'change')
    throw new Error(`Referral ${referral.referralId} is already routed`);
  return {
    ...referral,
    ...planned.changes,
    status: planned.to,
    routing: {
      routeId: rule.id,
      destination: rule.destination,
      reasons: routingReasons(referral, rule.destination, rule.description, partnership),
      decidedAt: at,
    },
  };
}

/**
 * A new referral as it was the moment before its routing, which its `referral.received` event
 * carries (the rules match that event): not yet anybody's, no route, no routed milestone.
 */
export function asReceived(referral: Referral): Referral {
  const { routing: _routing, providerId: _providerId, milestones, ...rest } = referral;
  const { routedAt: _routedAt, ...otherMilestones } = milestones ?? {};
  return {
    ...rest,
    status: 'received',
    ...(Object.keys(otherMilestones).length > 0 ? { milestones: otherMilestones } : {}),
  };
}

const rulesByPartnership = new WeakMap<Partnership, RouteRuleLike[]>();

/** The rules the stack deploys for a partnership's routes, made once per partnership. */
export function rulesFor(partnership: Partnership): RouteRuleLike[] {
  let rules = rulesByPartnership.get(partnership);
  if (!rules) {
    const source = eventSource(partnership.id);
    rules = routesFor(partnership.id).map((route) => asRule(route, source));
    rulesByPartnership.set(partnership, rules);
  }
  return rules;
}
