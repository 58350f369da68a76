import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';

/** The value at a dotted path of an event (`requestContext.requestId`), for the correlation id. */
function valueAtPath(path: string, data: unknown): unknown {
  return path
    .split('.')
    .reduce<unknown>(
      (value, key) =>
        value !== null && typeof value === 'object'
          ? (value as Record<string, unknown>)[key]
          : undefined,
      data,
    );
}

/**
 * The one logger. Never pass it an event, a body or a referral: they carry personal data about
 * children. Log identifiers and outcomes only; a referral's lines carry its `referralId`, which
 * follows it from intake through the bus and the queues to the provider's calls.
 */
export const logger = new Logger({ serviceName: 'reachable', correlationIdSearchFn: valueAtPath });

/** The narrow logging surface core code receives. */
export type Log = Pick<Logger, 'info' | 'warn' | 'error'>;

/**
 * Middy middleware for every handler: each line carries the Lambda context, and on API routes
 * the API Gateway request id as `correlation_id`; keys added during one invocation are cleared
 * before the next.
 */
export function logContext(options: { correlationIdPath?: string } = {}) {
  return injectLambdaContext(logger, { resetKeys: true, ...options });
}

/** Where an HTTP API event carries its request id. */
export const apiRequestIdPath = 'requestContext.requestId';
