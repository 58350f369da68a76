import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { SignJWT, createLocalJWKSet, exportJWK, generateKeyPair } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { UnauthorizedError } from '#shared/errors.ts';
import { Authenticator, roles } from '#shared/http/auth.ts';
import type { AccessTokenOverrides } from '#shared/services/token-claims.ts';
import { captureOutput, partnershipId } from './builders.ts';

// The handler's part: Cognito's event in, the decision logged (never who) and answered in the
// shape Cognito applies, and the token that makes is one the API takes as that role, or refuses.
// Each decision and its overrides are tested in test/unit/services/token-claims.test.ts.
vi.stubEnv('PARTNERSHIP', partnershipId);
const { handler } = await import('#functions/pre-token/handler.ts');

const userPoolId = 'eu-west-2_Example1';
const issuer = `https://cognito-idp.eu-west-2.amazonaws.com/${userPoolId}`;
const clientId = 'web-client-id';
// The user pool's signing key (Cognito signs with RS256), made once for the file.
const cognitoKey = await generateKeyPair('RS256');
const cognitoJwk = { ...(await exportJWK(cognitoKey.publicKey)), kid: 'cognito-key', alg: 'RS256' };

/** Cognito's V2_0 pre-token-generation event for a user with these groups and attributes. */
function preTokenEvent(
  groups: string[],
  userAttributes: Record<string, string> = {},
  scopes: string[] = ['aws.cognito.signin.user.admin'],
): PreTokenGenerationV2TriggerEvent {
  return {
    version: '2',
    triggerSource: 'TokenGeneration_HostedAuth',
    region: 'eu-west-2',
    userPoolId,
    userName: 'a1b2c3d4-0000-4000-8000-000000000001',
    callerContext: { awsSdkVersion: 'aws-sdk-unknown-unknown', clientId },
    request: {
      userAttributes: {
        sub: 'a1b2c3d4-0000-4000-8000-000000000001',
        'cognito:user_status': 'CONFIRMED',
        email_verified: 'true',
        email: 'coordinator@example.org',
        ...userAttributes,
      },
      groupConfiguration: { groupsToOverride: groups, iamRolesToOverride: [] },
      scopes,
    },
    response: { claimsAndScopeOverrideDetails: {} },
  };
}

async function overridesFor(event: PreTokenGenerationV2TriggerEvent) {
  const answered = await handler(event);
  return answered.response.claimsAndScopeOverrideDetails
    .accessTokenGeneration as AccessTokenOverrides;
}

/**
 * The access token Cognito would issue once it applies the trigger's answer: its own claims
 * (no `aud`, a `client_id`, `token_use: access`) with the scopes added and suppressed.
 */
async function cognitoAccessToken(requested: string[], overrides: AccessTokenOverrides) {
  const scopes = [...requested, ...(overrides.scopesToAdd ?? [])].filter(
    (scope) => !overrides.scopesToSuppress.includes(scope),
  );
  const token = await new SignJWT({
    token_use: 'access',
    client_id: clientId,
    scope: [...new Set(scopes)].join(' '),
    username: 'a1b2c3d4-0000-4000-8000-000000000001',
    ...overrides.claimsToAddOrOverride,
  })
    .setProtectedHeader({ alg: 'RS256', kid: 'cognito-key' })
    .setIssuer(issuer)
    .setSubject('a1b2c3d4-0000-4000-8000-000000000001')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(cognitoKey.privateKey);
  const authenticator = new Authenticator({
    keys: createLocalJWKSet({ keys: [cognitoJwk] }),
    issuer,
    audience: [clientId],
  });
  return authenticator.authenticate({ authorization: `Bearer ${token}` });
}

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  output = captureOutput();
});

afterEach(() => {
  output.restore();
});

describe('the pre-token trigger (V2_0)', () => {
  it.each([
    [
      'referrer',
      'musgrove-park-hospital-ae',
      { kind: 'organisation', organisationId: 'musgrove-park-hospital-ae' },
    ],
    ['provider', 'st-giles-sos', { kind: 'provider', providerId: 'st-giles-sos' }],
    ['spoke-coordinator', 'bristol', { kind: 'spoke', spokeId: 'bristol' }],
    ['hub-analyst', undefined, { kind: 'hub', partnershipId }],
    ['admin', undefined, { kind: 'admin', partnershipId }],
  ])(
    'gives a member of %s an access token the API takes as that role and tenant',
    async (group, tenant, principal) => {
      // Prepare
      const event = preTokenEvent(
        [group, 'some-other-group'],
        tenant ? { 'custom:tenant': tenant } : {},
      );

      // Act
      const overrides = await overridesFor(event);
      const authenticated = await cognitoAccessToken(event.request.scopes ?? [], overrides);

      // Assess
      expect(authenticated).toMatchObject(principal);
    },
  );

  it('strips every other role scope a web client asked for, so a provider cannot ask to be admin', async () => {
    // Prepare
    const allScopes = Object.values(roles).map((role) => role.scope);
    const event = preTokenEvent(['provider'], { 'custom:tenant': 'project-28' }, [
      'openid',
      ...allScopes,
    ]);

    // Act
    const overrides = await overridesFor(event);
    const authenticated = await cognitoAccessToken(event.request.scopes ?? [], overrides);

    // Assess
    expect(overrides.scopesToAdd).toEqual(['reachable/provider']);
    expect(overrides.scopesToSuppress.sort()).toEqual(
      allScopes.filter((scope) => scope !== 'reachable/provider').sort(),
    );
    expect(authenticated).toMatchObject({ kind: 'provider', providerId: 'project-28' });
  });

  it.each([
    ['no role group', ['staff'], { 'custom:tenant': 'st-giles-sos' }],
    ['two role groups', ['provider', 'hub-analyst'], { 'custom:tenant': 'st-giles-sos' }],
    ['a provider without a tenant', ['provider'], {}],
    ['a provider whose tenant is not a provider', ['provider'], { 'custom:tenant': 'bristol' }],
    ['a coordinator of an unknown spoke', ['spoke-coordinator'], { 'custom:tenant': 'nowhere' }],
    ['an organisation named by a provider id', ['referrer'], { 'custom:tenant': 'project-28' }],
  ])(
    'gives %s a token with no Reachable scope, which the API refuses',
    async (_case, groups, attributes) => {
      // Prepare
      const allScopes = Object.values(roles).map((role) => role.scope);
      const event = preTokenEvent(groups, attributes, ['openid', ...allScopes]);

      // Act
      const overrides = await overridesFor(event);
      const refusal = await cognitoAccessToken(event.request.scopes ?? [], overrides).catch(
        (error: unknown) => error,
      );

      // Assess
      expect(overrides.claimsToAddOrOverride).toBeUndefined();
      expect(overrides.scopesToSuppress.sort()).toEqual(allScopes.sort());
      expect(refusal).toBeInstanceOf(UnauthorizedError);
      expect((refusal as Error).message).toBe('Token has no Reachable scope.');
    },
  );

  it('logs the role decided, never the user or their email', async () => {
    // Prepare
    const granted = preTokenEvent(['spoke-coordinator'], { 'custom:tenant': 'somerset' });
    const refused = preTokenEvent([]);

    // Act
    await handler(granted);
    await handler(refused);

    // Assess
    const lines = output
      .text()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toMatchObject([
      { message: 'Access token role', role: 'spoke', tenant: 'somerset' },
      { message: 'Access token without a role', reason: 'no-role-group' },
    ]);
    expect(output.text()).not.toContain('coordinator@example.org');
    expect(output.text()).not.toContain('a1b2c3d4');
  });
});
