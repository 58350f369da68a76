import { CfnOutput } from 'aws-cdk-lib';
import {
  HttpApi,
  type CfnStage,
  type HttpMethod,
  type IHttpRouteAuthorizer,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import { roles, type Role } from '#shared/http/auth.ts';
import { acknowledgeNag } from '../nag-acknowledgements.ts';
import type { ReachableFunction } from './reachable-function.ts';

export interface ApiRoute {
  method: HttpMethod;
  path: string;
  function: ReachableFunction;
  /**
   * The role whose bearer token the route takes: the JWT authorizer checks the token and that it
   * carries this role's scope before the function (which checks it again) is invoked.
   * @default none: an open route (a page, the API description, a signed webhook)
   */
  role?: Role;
}

export interface ApiOptions {
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

/** The HTTP API in front of every function; routes are declared where the functions are. */
export class Api extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, routes: readonly ApiRoute[], options: ApiOptions) {
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
    for (const route of routes) {
      let integration = integrations.get(route.function);
      if (!integration) {
        integration = new HttpLambdaIntegration(
          `${route.function.node.id}Integration`,
          route.function.fn,
        );
        integrations.set(route.function, integration);
      }
      const added = this.httpApi.addRoutes({
        path: route.path,
        methods: [route.method],
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
