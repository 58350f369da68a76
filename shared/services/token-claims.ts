import { z } from 'zod';
import { roles, type Role } from '../http/auth.ts';
import type { Partnership } from '../partnership/schema.ts';

/** Every role, in the order of the `roles` table. */
const allRoles = Object.keys(roles) as Role[];

/**
 * The user pool group that grants a role: the role scope's name, e.g. `provider`,
 * `spoke-coordinator` and `hub-analyst` for `reachable/provider`, `reachable/spoke-coordinator`
 * and `reachable/hub-analyst`.
 */
export function groupOf(role: Role): string {
  return roles[role].scope.slice(roles[role].scope.indexOf('/') + 1);
}

/** The user attribute naming whom a provider, organisation or spoke-coordinator user acts for. */
export const tenantAttribute = 'custom:tenant';

/** What the pre-token trigger reads of Cognito's event: the user's groups and attributes. */
export const preTokenRequestSchema = z.object({
  userAttributes: z.record(z.string(), z.string()),
  groupConfiguration: z.object({ groupsToOverride: z.array(z.string()).optional() }),
});
export type PreTokenRequest = z.infer<typeof preTokenRequestSchema>;

/** Why a user's access token grants no Reachable role. */
export type Refusal = 'no-role-group' | 'several-role-groups' | 'unknown-tenant';

/** The role a user's access token is given, or why it is given none. */
export type TokenDecision =
  { granted: true; role: Role; tenant: string } | { granted: false; reason: Refusal };

/** What Cognito's V2 pre-token trigger answers for the access token (V2_0 event). */
export interface AccessTokenOverrides {
  claimsToAddOrOverride?: Record<string, string>;
  scopesToAdd?: string[];
  scopesToSuppress: string[];
}

/**
 * Whom a user acts for, from their user pool groups and `custom:tenant`: exactly one role group,
 * and for a provider, organisation or spoke coordinator a tenant the partnership knows; hub
 * analysts and administrators act for the partnership the pool belongs to.
 */
export function decideRole(request: PreTokenRequest, partnership: Partnership): TokenDecision {
  const groups = request.groupConfiguration.groupsToOverride ?? [];
  const held = allRoles.filter((role) => groups.includes(groupOf(role)));
  if (held.length === 0) return { granted: false, reason: 'no-role-group' };
  const [role] = held;
  if (held.length > 1 || !role) return { granted: false, reason: 'several-role-groups' };
  if (role === 'hub' || role === 'admin') return { granted: true, role, tenant: partnership.id };
  const tenant = request.userAttributes[tenantAttribute] ?? '';
  const known = {
    organisation: partnership.referrerOrganisations,
    provider: partnership.providers,
    spoke: partnership.spokes,
  }[role].some((entry) => entry.id === tenant);
  return known ? { granted: true, role, tenant } : { granted: false, reason: 'unknown-tenant' };
}

/**
 * The access token's claims and scopes for a decision. Every role scope but the one granted is
 * suppressed, whatever the client asked for: an OAuth client may request any scope it is allowed,
 * so the scopes a token carries are the trigger's, never the client's. A refusal grants none.
 * @example accessTokenOverrides({ granted: true, role: 'provider', tenant: 'st-giles-sos' })
 */
export function accessTokenOverrides(decision: TokenDecision): AccessTokenOverrides {
  if (!decision.granted) {
    return { scopesToSuppress: allRoles.map((role) => roles[role].scope) };
  }
  const { role, tenant } = decision;
  return {
    claimsToAddOrOverride: { [roles[role].claim]: tenant },
    scopesToAdd: [roles[role].scope],
    scopesToSuppress: allRoles.filter((other) => other !== role).map((r) => roles[r].scope),
  };
}
