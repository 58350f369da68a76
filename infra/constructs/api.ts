import { CfnOutput } from 'aws-cdk-lib';
import { HttpApi, type HttpMethod } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import type { ReachableFunction } from './reachable-function.ts';

export interface ApiRoute {
  method: HttpMethod;
  path: string;
  function: ReachableFunction;
}

/** The HTTP API in front of every function; routes are declared where the functions are. */
export class Api extends Construct {
  readonly httpApi: HttpApi;

  constructor(scope: Construct, id: string, routes: readonly ApiRoute[]) {
    super(scope, id);
    this.httpApi = new HttpApi(this, 'HttpApi', {
      description:
        'Reachable: referral intake, provider, referrer and hub APIs, the provider and hub pages',
    });
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
