import { describe, expect, it } from 'vitest';
import { partnershipById } from '#partnerships/index.ts';
import { roles, type Role } from '#shared/http/auth.ts';
import {
  accessTokenOverrides,
  decideRole,
  groupOf,
  tenantAttribute,
  type PreTokenRequest,
} from '#shared/services/token-claims.ts';
import { partnershipId } from '#test/unit/functions/builders.ts';

const partnership = partnershipById(partnershipId);
const allScopes = Object.values(roles).map((role) => role.scope);

/** What the trigger reads of a user: their groups and, when given, their tenant. */
const user = (groups: string[], tenant?: string): PreTokenRequest => ({
  userAttributes: {
    email: 'coordinator@example.org',
    ...(tenant ? { [tenantAttribute]: tenant } : {}),
  },
  groupConfiguration: { groupsToOverride: groups },
});

describe('groupOf', () => {
  it('names one group per role, each the name of its scope', () => {
    // Act
    const groups = (Object.keys(roles) as Role[]).map(groupOf);

    // Assess
    expect(groups).toEqual(['referrer', 'provider', 'spoke-coordinator', 'hub-analyst', 'admin']);
  });
});

describe('decideRole', () => {
  it.each([
    ['referrer', 'musgrove-park-hospital-ae', 'organisation'],
    ['provider', 'st-giles-sos', 'provider'],
    ['spoke-coordinator', 'bristol', 'spoke'],
  ] as const)(
    'grants a member of %s the role for a tenant the partnership knows, ignoring other groups',
    (group, tenant, role) => {
      // Act
      const decision = decideRole(user([group, 'some-other-group'], tenant), partnership);

      // Assess
      expect(decision).toEqual({ granted: true, role, tenant });
    },
  );

  it.each([
    ['hub-analyst', 'hub'],
    ['admin', 'admin'],
  ] as const)(
    'grants %s for the partnership itself, whatever tenant the user carries',
    (group, role) => {
      // Act
      const decision = decideRole(user([group], 'st-giles-sos'), partnership);

      // Assess
      expect(decision).toEqual({ granted: true, role, tenant: partnershipId });
    },
  );

  it.each([
    ['no role group', user(['staff'], 'st-giles-sos'), 'no-role-group'],
    ['no groups at all', { userAttributes: {}, groupConfiguration: {} }, 'no-role-group'],
    ['two role groups', user(['provider', 'hub-analyst'], 'st-giles-sos'), 'several-role-groups'],
    ['a provider without a tenant', user(['provider']), 'unknown-tenant'],
    ['a provider whose tenant is not a provider', user(['provider'], 'bristol'), 'unknown-tenant'],
    ['a coordinator of an unknown spoke', user(['spoke-coordinator'], 'nowhere'), 'unknown-tenant'],
    ['an organisation named by a provider id', user(['referrer'], 'project-28'), 'unknown-tenant'],
  ] as const)('refuses %s, saying why', (_case, request, reason) => {
    // Act
    const decision = decideRole(request, partnership);

    // Assess
    expect(decision).toEqual({ granted: false, reason });
  });
});

describe('accessTokenOverrides', () => {
  it("adds the granted role's scope and tenant claim, and suppresses every other role scope", () => {
    // Act
    const overrides = accessTokenOverrides({
      granted: true,
      role: 'provider',
      tenant: 'project-28',
    });

    // Assess
    expect(overrides).toEqual({
      claimsToAddOrOverride: { provider: 'project-28' },
      scopesToAdd: ['reachable/provider'],
      scopesToSuppress: allScopes.filter((scope) => scope !== 'reachable/provider'),
    });
  });

  it('names the partnership in the claim of a hub analyst', () => {
    // Act
    const overrides = accessTokenOverrides({ granted: true, role: 'hub', tenant: partnershipId });

    // Assess
    expect(overrides.claimsToAddOrOverride).toEqual({ partnership: partnershipId });
  });

  it('suppresses every role scope and adds nothing for a refusal', () => {
    // Act
    const overrides = accessTokenOverrides({ granted: false, reason: 'no-role-group' });

    // Assess
    expect(overrides).toEqual({ scopesToSuppress: allScopes });
  });
});
