import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError } from '../errors.ts';
import { apiRequestIdPath, logContext, type Log } from '../observability.ts';
import { problemDetails } from './problem.ts';
import type { HttpFunctionName, RouteKeyOf } from './routes.ts';

/** One route of a function: API Gateway's route key to its handling. */
export type Route = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * A function's dispatch table: exactly the route keys `shared/http/routes.ts` gives it, so a
 * route served but not handled (or handled but not served) fails `tsc`.
 */
export type RoutesOf<F extends HttpFunctionName> = { readonly [K in RouteKeyOf<F>]: Route };

/** A handler serving several routes by their route key, every error as problem+json. */
export function routeHandler(routes: Readonly<Record<string, Route>>, log: Log) {
  return middy<APIGatewayProxyEventV2>()
    .use(logContext({ correlationIdPath: apiRequestIdPath }))
    .use(problemDetails(log))
    .handler(async (event) => {
      const route = routes[event.routeKey];
      if (!route) throw new NotFoundError(`No route ${event.routeKey}.`);
      return route(event);
    });
}
