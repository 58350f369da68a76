import { CfnOutput, Duration, Fn, RemovalPolicy } from 'aws-cdk-lib';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  LambdaVersion,
  Mfa,
  OAuthScope,
  ResourceServerScope,
  StandardThreatProtectionMode,
  StringAttribute,
  UserPool,
  UserPoolOperation,
  type UserPoolClient,
} from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import { roles, type Role } from '#shared/http/auth.ts';
import type { Partnership } from '#shared/partnership/schema.ts';
import { groupOf } from '#shared/services/token-claims.ts';
import type { AuthConfig } from '../config.ts';
import { ReachableFunction } from './reachable-function.ts';

export interface IdentityProps {
  auth: AuthConfig;
  partnership: Partnership;
  /** Where the web client's sign-in may return to when the config names nowhere. */
  defaultCallbackUrls: string[];
}

/** What a function needs to verify bearer tokens itself (see `authenticatorFromEnv`). */
export interface AuthEnvironment {
  AUTH_ISSUER: string;
  AUTH_AUDIENCE: string;
  AUTH_JWKS_URL: string;
}

/** The resource server every role scope belongs to: `reachable` of `reachable/provider`. */
export const resourceServerId = roles.provider.scope.split('/')[0] ?? 'reachable';

/**
 * Who signs the bearer tokens, and the API Gateway JWT authorizer that checks them. For
 * `cognito`: a user pool with no self sign-up, TOTP MFA required, the Plus plan's threat
 * protection enforced, the `reachable` resource server with one scope per role, one group per
 * role, a web client, and the pre-token trigger that puts the user's role scope and tenant claim
 * into the access token. For `oidc`: the issuer and audiences of the config.
 */
export class Identity extends Construct {
  readonly issuer: string;
  readonly audience: string[];
  readonly jwksUrl: string;
  readonly authorizer: HttpJwtAuthorizer;
  readonly userPool?: UserPool;
  readonly webClient?: UserPoolClient;
  readonly preToken?: ReachableFunction;

  constructor(scope: Construct, id: string, props: IdentityProps) {
    super(scope, id);
    const { auth } = props;
    if (auth.kind === 'oidc') {
      this.issuer = auth.issuer;
      this.audience = auth.audience;
      this.jwksUrl = auth.jwksUrl;
    } else {
      const { userPool, webClient, preToken } = this.#cognito(props, auth.callbackUrls);
      this.userPool = userPool;
      this.webClient = webClient;
      this.preToken = preToken;
      this.issuer = userPool.userPoolProviderUrl;
      this.audience = [webClient.userPoolClientId];
      this.jwksUrl = Fn.join('', [userPool.userPoolProviderUrl, '/.well-known/jwks.json']);
    }
    // Checks signature, issuer, audience (aud, or client_id) and expiry before any function
    // runs; each route adds the one scope of its role.
    this.authorizer = new HttpJwtAuthorizer('BearerToken', this.issuer, {
      jwtAudience: this.audience,
      identitySource: ['$request.header.Authorization'],
    });
  }

  /** The variables a function verifies tokens with; the same issuer and audience as the authorizer. */
  get environment(): AuthEnvironment {
    return {
      AUTH_ISSUER: this.issuer,
      // One client id as it is (a Ref); several joined, as authenticatorFromEnv reads them.
      AUTH_AUDIENCE:
        this.audience.length === 1 ? String(this.audience[0]) : Fn.join(',', this.audience),
      AUTH_JWKS_URL: this.jwksUrl,
    };
  }

  #cognito({ partnership, defaultCallbackUrls }: IdentityProps, callbackUrls?: string[]) {
    const userPool = new UserPool(this, 'UserPool', {
      userPoolName: `reachable-${partnership.id}`,
      // Accounts are made by the partnership's administrators, never by whoever finds the page.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      // Whom a provider, referrer or spoke-coordinator user acts for; set by administrators only.
      customAttributes: { tenant: new StringAttribute({ minLen: 1, maxLen: 80, mutable: true }) },
      // Plus: access-token customisation (the pre-token trigger) and threat protection.
      featurePlan: FeaturePlan.PLUS,
      standardThreatProtectionMode: StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const scopes = Object.fromEntries(
      (Object.keys(roles) as Role[]).map((role) => [
        role,
        new ResourceServerScope({
          scopeName: groupOf(role),
          scopeDescription: `Reachable's routes for ${roles[role].title}`,
        }),
      ]),
    ) as Record<Role, ResourceServerScope>;
    const resourceServer = userPool.addResourceServer('ResourceServer', {
      identifier: resourceServerId,
      userPoolResourceServerName: 'Reachable API',
      scopes: Object.values(scopes),
    });
    for (const role of Object.keys(roles) as Role[]) {
      userPool.addGroup(`Group${groupOf(role).replaceAll('-', '')}`, {
        groupName: groupOf(role),
        description:
          roles[role].claim === 'partnership'
            ? `Reachable ${roles[role].title} of ${partnership.name}`
            : `Reachable ${roles[role].title}: custom:tenant names whom the user acts for`,
      });
    }

    const webClient = userPool.addClient('WebClient', {
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [
          OAuthScope.OPENID,
          OAuthScope.EMAIL,
          ...Object.values(scopes).map((s) => OAuthScope.resourceServer(resourceServer, s)),
        ],
        callbackUrls: callbackUrls ?? defaultCallbackUrls,
      },
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      authSessionValidity: Duration.minutes(5),
      // A user may change their own name; never their email or tenant, which grant access.
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true })
        .withCustomAttributes('tenant'),
      writeAttributes: new ClientAttributes().withStandardAttributes({ fullname: true }),
    });

    const preToken = new ReachableFunction(this, 'PreToken', {
      name: 'pre-token',
      description: "Puts the user's role scope and tenant claim into Cognito access tokens",
      environment: { PARTNERSHIP: partnership.id },
    });
    userPool.addTrigger(
      UserPoolOperation.PRE_TOKEN_GENERATION_CONFIG,
      preToken.fn,
      LambdaVersion.V2_0,
    );

    new CfnOutput(this, 'UserPoolId', {
      value: userPool.userPoolId,
      description: 'The Cognito user pool: add users to one role group and set custom:tenant',
    });
    new CfnOutput(this, 'WebClientId', {
      value: webClient.userPoolClientId,
      description: 'The web client users sign in with (SRP, or the authorization code flow)',
    });
    return { userPool, webClient, preToken };
  }
}
