import { rmSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { partnershipById } from '#partnerships/index.ts';
import { roles, type Role } from '#shared/http/auth.ts';
import { openApiDocument } from '#shared/http/openapi.ts';
import { httpRouteList } from '#shared/http/routes.ts';
import {
  functionId,
  functionsByHandler,
  getAtt,
  logicalIdOf,
  oidcTestConfig,
  resourcesOfType,
  synthesize,
  testConfig,
  type Resource,
  type Synthesized,
} from './synth.ts';

let cognito: Synthesized;
let oidc: Synthesized;

beforeAll(() => {
  cognito = synthesize();
  oidc = synthesize({ config: oidcTestConfig });
});

afterAll(() => {
  for (const synthesized of [cognito, oidc]) {
    if (synthesized) rmSync(synthesized.assemblyDirectory, { recursive: true, force: true });
  }
});

/**
 * The routes that stay open (see SECURITY.md): those the routes table gives no role. Besides the
 * pages, their assets and the referral forms (a session cookie), only these, each for its reason.
 */
const openRoutes = httpRouteList()
  .filter((route) => !route.role)
  .map((route) => route.key as string);
const openApiRoutes = [
  // The API's description, and the HMAC-signed webhooks.
  'GET /openapi.json',
  'POST /v1/webhooks/{organisationId}/referrals',
];

/** Whose token a route takes, by its path: written here, not read from the stack. */
function expectedRole(routeKey: string): Role {
  const path = routeKey.slice(routeKey.indexOf(' ') + 1);
  if (routeKey === 'POST /v1/referrals' || path.startsWith('/v1/organisations/')) {
    return 'organisation';
  }
  if (path.startsWith('/v1/providers/')) return 'provider';
  if (path.startsWith('/v1/spokes/')) return 'spoke';
  if (path.startsWith('/v1/hub/')) return 'hub';
  if (path.startsWith('/v1/admin/')) return 'admin';
  throw new Error(`No role is expected for ${routeKey}: an open route must be listed as one`);
}

/** Every route of the HTTP API by route key. */
const routesOf = (resources: Record<string, Resource>) =>
  Object.fromEntries(
    resourcesOfType(resources, 'AWS::ApiGatewayV2::Route').map(([, route]) => [
      route.Properties.RouteKey as string,
      route.Properties,
    ]),
  );

describe.each([
  ['a Cognito user pool', () => cognito],
  ['an OIDC issuer', () => oidc],
])('the HTTP API with %s', (_variant, synthesized) => {
  it('has one JWT authorizer reading the bearer token from the Authorization header', () => {
    // Prepare
    const { template } = synthesized();

    // Act
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');

    // Assess
    expect(Object.keys(authorizers)).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
    });
  });

  it('puts the authorizer and exactly its role scope on every route that takes a bearer token', () => {
    // Prepare
    const { resources } = synthesized();
    const [[authorizerId]] = resourcesOfType(resources, 'AWS::ApiGatewayV2::Authorizer') as [
      [string, Resource],
    ];
    const routes = Object.entries(routesOf(resources)).filter(([key]) => !openRoutes.includes(key));

    // Act
    const checks = routes.map(([key, route]) => ({
      key,
      type: route.AuthorizationType,
      authorizer: route.AuthorizerId,
      scopes: route.AuthorizationScopes,
    }));

    // Assess
    expect(routes.length).toBeGreaterThanOrEqual(19);
    expect(checks).toEqual(
      routes.map(([key]) => ({
        key,
        type: 'JWT',
        authorizer: { Ref: authorizerId },
        scopes: [roles[expectedRole(key)].scope],
      })),
    );
  });

  it('leaves open exactly the pages, the forms, the API description and the signed webhooks', () => {
    // Prepare
    const { resources } = synthesized();

    // Act
    const open = Object.entries(routesOf(resources))
      .filter(([, route]) => route.AuthorizationType === 'NONE')
      .map(([key]) => key);

    // Assess
    expect(open.sort()).toEqual([...openRoutes].sort());
    // Nothing under /v1/ is open but the signed webhooks; the pages are no API.
    const openOutsidePages = httpRouteList()
      .filter((route) => !route.role && route.kind !== 'page')
      .map((route) => route.key);
    expect(openOutsidePages.sort()).toEqual([...openApiRoutes].sort());
    for (const key of open.filter((k) => !openApiRoutes.includes(k))) {
      expect(key).not.toMatch(/^[A-Z]+ \/v1\//);
    }
    for (const key of open) expect(routesOf(resources)[key]).not.toHaveProperty('AuthorizerId');
  });

  it('gives every token route of the OpenAPI document exactly the scope the authorizer asks', () => {
    // Prepare
    const { resources } = synthesized();
    const document = openApiDocument(partnershipById('avon-and-somerset'));
    const served = routesOf(resources);

    // Act
    const described = Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
      Object.entries(item ?? {}).map(([method, operation]) => {
        const key = `${method.toUpperCase()} ${path}`;
        const security = (operation as { security?: Record<string, string[]>[] }).security;
        return [key, security?.flatMap((requirement) => requirement.bearer ?? []) ?? []] as const;
      }),
    );

    // Assess
    expect(described.length).toBeGreaterThan(15);
    for (const [key, scopes] of described) {
      expect(scopes, key).toEqual(served[key]?.AuthorizationScopes ?? []);
    }
  });
});

describe('a Cognito user pool of its own', () => {
  it('lets no one sign themselves up, requires TOTP MFA and enforces threat protection (Plus)', () => {
    // Prepare
    const { template } = cognito;

    // Act
    const pools = template.findResources('AWS::Cognito::UserPool');

    // Assess
    expect(Object.keys(pools)).toHaveLength(1);
    template.hasResource('AWS::Cognito::UserPool', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
        MfaConfiguration: 'ON',
        EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
        UserPoolTier: 'PLUS',
        UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
        DeletionProtection: 'ACTIVE',
        Policies: {
          PasswordPolicy: Match.objectLike({
            MinimumLength: 14,
            RequireLowercase: true,
            RequireUppercase: true,
            RequireNumbers: true,
            RequireSymbols: true,
          }),
        },
        Schema: [Match.objectLike({ Name: 'tenant', AttributeDataType: 'String', Mutable: true })],
      }),
    });
  });

  it('has the reachable resource server with one scope per role, and one group per role', () => {
    // Prepare
    const { template, resources } = cognito;
    const scopeNames = Object.values(roles).map((role) => role.scope.split('/')[1]);

    // Act
    const groups = resourcesOfType(resources, 'AWS::Cognito::UserPoolGroup').map(
      ([, group]) => group.Properties.GroupName,
    );

    // Assess
    template.resourceCountIs('AWS::Cognito::UserPoolResourceServer', 1);
    template.hasResourceProperties('AWS::Cognito::UserPoolResourceServer', {
      Identifier: 'reachable',
      Scopes: scopeNames.map((name) => Match.objectLike({ ScopeName: name })),
    });
    expect(groups.sort()).toEqual([...scopeNames].sort());
  });

  it('runs the pre-token function (V2_0) on every token, and lets only this pool invoke it', () => {
    // Prepare
    const { template, resources } = cognito;
    const preToken = functionId(resources, 'pre-token');
    const pool = logicalIdOf(cognito.stack.identity.userPool!);

    // Act
    const invokers = resourcesOfType(resources, 'AWS::Lambda::Permission')
      .map(([, permission]) => permission.Properties)
      .filter((permission) => permission.Principal === 'cognito-idp.amazonaws.com');

    // Assess
    template.hasResourceProperties('AWS::Cognito::UserPool', {
      LambdaConfig: {
        PreTokenGenerationConfig: { LambdaArn: getAtt(preToken), LambdaVersion: 'V2_0' },
      },
    });
    expect(invokers).toEqual([
      expect.objectContaining({
        Action: 'lambda:InvokeFunction',
        FunctionName: getAtt(preToken),
        SourceArn: getAtt(pool),
      }),
    ]);
  });

  it('has a web client with no secret, the code flow with every role scope, and no way to write custom:tenant', () => {
    // Prepare
    const { resources } = cognito;
    const [[, client]] = resourcesOfType(resources, 'AWS::Cognito::UserPoolClient') as [
      [string, Resource],
    ];
    const api = logicalIdOf(cognito.stack.api.httpApi);

    // Act
    const props = client.Properties;

    // Assess
    expect(props.GenerateSecret).toBe(false);
    expect(props.AllowedOAuthFlows).toEqual(['code']);
    expect(props.ExplicitAuthFlows).toEqual(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
    expect(JSON.stringify(props.AllowedOAuthScopes)).toContain('/spoke-coordinator');
    expect(props.AllowedOAuthScopes).toHaveLength(2 + Object.keys(roles).length);
    expect(props.WriteAttributes).toEqual(['name']);
    expect(props.ReadAttributes).toContain('custom:tenant');
    expect(props.PreventUserExistenceErrors).toBe('ENABLED');
    expect(props.EnableTokenRevocation).toBe(true);
    // By default sign-in returns to the deployed API's own pages.
    expect(props.CallbackURLs).toEqual(
      ['/provider', '/hub'].map((page) => ({
        'Fn::Join': ['', [getAtt(api, 'ApiEndpoint'), page]],
      })),
    );
  });

  it('returns sign-in to the callbacks the config names instead, when it names any', () => {
    // Prepare
    const callbackUrls = ['https://reachable.example.org/provider'];

    // Act
    const { resources, assemblyDirectory } = synthesize({
      config: { ...testConfig, auth: { kind: 'cognito', callbackUrls } },
    });
    rmSync(assemblyDirectory, { recursive: true, force: true });

    // Assess
    const [[, client]] = resourcesOfType(resources, 'AWS::Cognito::UserPoolClient') as [
      [string, Resource],
    ];
    expect(client.Properties.CallbackURLs).toEqual(callbackUrls);
  });

  it('checks tokens at the authorizer and in the functions against the same issuer and client', () => {
    // Prepare
    const { template, resources } = cognito;
    const pool = logicalIdOf(cognito.stack.identity.userPool!);
    const client = logicalIdOf(cognito.stack.identity.webClient!);
    const hubApi = resources[functionId(resources, 'hub-api')]!;

    // Act
    const variables = (hubApi.Properties.Environment as { Variables: Record<string, unknown> })
      .Variables;

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: getAtt(pool, 'ProviderURL'), Audience: [{ Ref: client }] },
    });
    expect(variables.AUTH_ISSUER).toEqual(getAtt(pool, 'ProviderURL'));
    expect(variables.AUTH_AUDIENCE).toEqual({ Ref: client });
  });
});

describe('an OIDC issuer of the partnership', () => {
  it('creates no user pool and no pre-token function', () => {
    // Prepare
    const { template, resources } = oidc;

    // Act
    const handlers = [...functionsByHandler(resources).keys()];

    // Assess
    for (const type of [
      'AWS::Cognito::UserPool',
      'AWS::Cognito::UserPoolClient',
      'AWS::Cognito::UserPoolResourceServer',
      'AWS::Cognito::UserPoolGroup',
    ]) {
      template.resourceCountIs(type, 0);
    }
    expect(handlers).not.toContain('functions/pre-token/handler.ts');
  });

  it('checks tokens at the authorizer and in the functions against the issuer and audiences of the config', () => {
    // Prepare
    const { template, resources } = oidc;
    const { auth } = oidcTestConfig;
    if (auth.kind !== 'oidc') throw new Error('oidcTestConfig is an OIDC config');
    const authenticating = [
      'intake',
      'provider-api',
      'referrer-api',
      'hub-api',
      'hub-page',
      'forms',
    ];

    // Act
    const settings = authenticating.map((name) => {
      const fn = resources[functionId(resources, name)]!;
      const { AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL } = (
        fn.Properties.Environment as { Variables: Record<string, unknown> }
      ).Variables;
      return { AUTH_ISSUER, AUTH_AUDIENCE, AUTH_JWKS_URL };
    });

    // Assess
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: auth.issuer, Audience: auth.audience },
    });
    expect(settings).toEqual(
      authenticating.map(() => ({
        AUTH_ISSUER: auth.issuer,
        AUTH_AUDIENCE: auth.audience.join(','),
        AUTH_JWKS_URL: auth.jwksUrl,
      })),
    );
  });
});
