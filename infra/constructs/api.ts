import { CfnOutput } from 'aws-cdk-lib';
import { HttpApi, type CfnStage, type HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import type { ReachableFunction } from './reachable-function.ts';

export interface ApiRoute {
  method: HttpMethod;
  path: string;
  function: ReachableFunction;
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

  constructor(scope: Construct, id: string, routes: readonly ApiRoute[]) {
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
      this.httpApi.addRoutes({ path: route.path, methods: [route.method], integration });
    }
    new CfnOutput(this, 'Url', {
      value: this.httpApi.apiEndpoint,
      description: 'Base URL of the API',
    });
  }
}
