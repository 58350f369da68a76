import type { ProviderId, SpokeId } from '#shared/domain/partnership.ts';

/** Where a route delivers: a provider's work queue, the spoke's triage queue, or escalation. */
export type Destination =
  | { kind: 'provider'; providerId: ProviderId }
  | { kind: 'triage'; spoke: SpokeId }
  | { kind: 'escalation' };

/** The `detail` part of an EventBridge event pattern, as EventBridge's own JSON. */
export type DetailPattern = Record<string, unknown>;

/**
 * One routing rule of a spoke. It becomes one `AWS::Events::Rule` on `referral.received`
 * events of the partnership, matching `detail` against `pattern`.
 */
export interface Route {
  /** Unique within the partnership; becomes part of the rule's name. */
  id: string;
  /** Plain words for the spoke coordinator's routing table. */
  description: string;
  pattern: DetailPattern;
  destination: Destination;
}

/**
 * The catch-all of a spoke: every referral for the spoke that no provider route takes goes to
 * the spoke's triage queue, so nothing is ever routed nowhere.
 * @example triageRoute('somerset', ['admit'])
 */
export function triageRoute(spoke: SpokeId, pathwaysRoutedToProviders: readonly string[]): Route {
  const pathway =
    pathwaysRoutedToProviders.length > 0
      ? { pathway: [{ 'anything-but': [...pathwaysRoutedToProviders] }] }
      : {};
  return {
    id: `${spoke}-triage`,
    description: `Anything else for ${spoke} goes to the spoke's triage for a decision.`,
    pattern: { spoke: [spoke], ...pathway },
    destination: { kind: 'triage', spoke },
  };
}
