import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { NotFoundError } from '../errors.ts';
import { apiRequestIdPath, logContext, type Log } from '../observability.ts';
import { problemDetails } from './problem.ts';

/** One route of a function: API Gateway's route key to its handling. */
export type Route = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** A handler serving several routes by their route key, every error as problem+json. */
export function routeHandler(routes: Record<string, Route>, log: Log) {
  return middy<APIGatewayProxyEventV2>()
    .use(logContext({ correlationIdPath: apiRequestIdPath }))
    .use(problemDetails(log))
    .handler(async (event) => {
      const route = routes[event.routeKey];
      if (!route) throw new NotFoundError(`No route ${event.routeKey}.`);
      return route(event);
    });
}
