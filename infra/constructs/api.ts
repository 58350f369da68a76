import { CfnOutput } from 'aws-cdk-lib';
import {
  HttpApi,
  HttpMethod,
  type CfnStage,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { roles } from '#shared/http/auth.ts';
import { httpRouteList, type HttpFunctionName } from '#shared/http/routes.ts';
import { acknowledgeNag } from '../nag-acknowledgements.ts';
import type { ReachableFunction } from './reachable-function.ts';

export interface ApiOptions {
  /** The function behind each route of `shared/http/routes.ts`, by its name there. */
  functions: Record<HttpFunctionName, ReachableFunction>;
  /** The JWT authorizer of every route that names a role. */
  authorizer: IHttpRouteAuthorizer;
}

/** The fields of each access log line: request id, route key, status, latency and source IP. */
export const accessLogFormat = {
  requestId: '$context.requestId',
  routeKey: '$context.routeKey',
  status: '$context.status',
  latencyMs: '$context.responseLatency',
  ip: '$context.identity.sourceIp',
} as const;

/** The HTTP API in front of every function: every route of the one table, `shared/http/routes.ts`. */
export class Api extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, options: ApiOptions) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description:
        'Reachable: referral intake, provider, referrer and hub APIs, the provider and hub pages',
    });
    // Access logs: who called which route, the outcome and how long it took; never a body, a
    // path with its ids, a query string or a header.
    const accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    const stage = this.httpApi.defaultStage?.node.defaultChild as CfnStage | undefined;
    if (stage) {
      stage.accessLogSettings = {
        destinationArn: accessLogs.logGroupArn,
        format: JSON.stringify(accessLogFormat),
      };
    }
    const integrations = new Map<ReachableFunction, HttpLambdaIntegration>();
    // A route with a role takes that role's bearer token (the JWT authorizer checks its scope);
    // a route without one is open, and its function checks whatever it takes.
    for (const route of httpRouteList()) {
      const fn = options.functions[route.function];
      let integration = integrations.get(fn);
      if (!integration) {
        integration = new HttpLambdaIntegration(`${fn.node.id}Integration`, fn.fn);
        integrations.set(fn, integration);
      }
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(route.role
          ? { authorizer: options.authorizer, authorizationScopes: [roles[route.role].scope] }
          : {}),
      });
      if (!route.role) for (const open of added) acknowledgeNag(open, 'AwsSolutions-APIG4');
    }
    new CfnOutput(this, 'Url', {
      value: this.httpApi.apiEndpoint,
      description: 'Base URL of the API',
    });
  }
}
