import type { MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import {
  AuditUnavailableError,
  ConflictError,
  ForbiddenError,
  GoneError,
  IdempotencyKeyReusedError,
  IllegalTransitionError,
  NotFoundError,
  PayloadTooLargeError,
  UnauthorizedError,
  UnsupportedMediaTypeError,
  ValidationError,
  asError,
} from '../errors.ts';
import type { Log } from '../observability.ts';

/** An RFC 9457 problem details document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { pointer: string; detail: string }[];
  /** For an illegal transition: where the referral is, and the commands it allows. */
  currentStatus?: string;
  allowed?: readonly string[];
}

const problemBase = 'https://reachable.dev/problems/';

/** Maps any thrown value to a problem document; unknown errors become a bare 500. */
export function toProblem(thrown: unknown): Problem {
  const error = asError(thrown);
  if (error instanceof ValidationError) {
    return {
      type: `${problemBase}invalid-request`,
      title: 'Your request is not valid',
      status: 400,
      detail: error.message,
      errors: error.problems,
    };
  }
  if (error instanceof PayloadTooLargeError) {
    return known(413, 'payload-too-large', 'Request body too large', error);
  }
  if (error instanceof UnsupportedMediaTypeError) {
    return known(415, 'unsupported-media-type', 'Unsupported media type', error);
  }
  if (error instanceof UnauthorizedError) {
    return known(401, 'unauthorized', 'Not signed in', error);
  }
  if (error instanceof ForbiddenError) {
    return {
      ...known(403, 'forbidden', 'Not allowed', error),
      ...(error.problems.length > 0 ? { errors: error.problems } : {}),
    };
  }
  if (error instanceof NotFoundError) return known(404, 'not-found', 'Not found', error);
  if (error instanceof GoneError) return known(410, 'gone', 'Gone', error);
  if (error instanceof IllegalTransitionError) {
    return {
      ...known(409, 'illegal-transition', 'Not allowed from the current status', error),
      currentStatus: error.currentStatus,
      allowed: error.allowed,
    };
  }
  if (error instanceof ConflictError) return known(409, 'conflict', 'Conflict', error);
  if (error instanceof IdempotencyKeyReusedError) {
    const title =
      error.keyName === 'Idempotency-Key'
        ? 'Idempotency key used for another body'
        : 'Webhook id used for another body';
    return known(422, 'idempotency-key-reused', title, error);
  }
  if (error instanceof AuditUnavailableError) {
    return known(503, 'audit-unavailable', 'Access could not be recorded', error);
  }
  return {
    type: 'about:blank',
    title: 'Internal Server Error',
    status: 500,
    detail: 'Something went wrong on our side. Nothing you sent has been lost; please try again.',
  };
}

function known(status: number, slug: string, title: string, error: Error): Problem {
  return { type: `${problemBase}${slug}`, title, status, detail: error.message };
}

/** The challenge every 401 carries (RFC 6750): a bearer token is what is asked for. */
export const bearerChallenge = 'Bearer realm="reachable"';

/**
 * Serialises a problem as an API Gateway response with the problem+json media type; a 401 also
 * carries the `WWW-Authenticate` bearer challenge.
 */
export function problemResponse(problem: Problem): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: problem.status,
    headers: {
      'content-type': 'application/problem+json',
      ...(problem.status === 401 ? { 'www-authenticate': bearerChallenge } : {}),
    },
    body: JSON.stringify(problem),
  };
}

/**
 * Outermost middy middleware: every error leaves as problem+json, never a bare 500.
 * Logs the error's name and message for 5xx only; request bodies are never logged.
 */
export function problemDetails(
  log: Log,
): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2> {
  return {
    onError: (request) => {
      const problem = toProblem(request.error);
      if (problem.status >= 500) {
        const error = asError(request.error);
        log.error('Unhandled error', { errorName: error.name, errorMessage: error.message });
      }
      request.response = problemResponse({ ...problem, instance: request.event.rawPath });
    },
  };
}

/** A JSON response. */
export function json(statusCode: number, body: unknown): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  };
}
