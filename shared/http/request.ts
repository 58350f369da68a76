import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { fieldProblems } from '../domain/intake.ts';
import { ValidationError } from '../errors.ts';
import { headerValue, readJsonBody } from './body.ts';

/** Parses a value against a request schema, or throws a 400 naming every field at fault. */
export function parseRequest<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
): z.infer<T> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new ValidationError(`The ${what} has fields that need correcting.`, [
      ...fieldProblems(parsed.error, `this ${what}`),
    ]);
  }
  return parsed.data;
}

/** The JSON body of a request, checked against its schema. */
export function parseBody<T extends z.ZodType>(
  event: APIGatewayProxyEventV2,
  schema: T,
): z.infer<T> {
  return parseRequest(schema, readJsonBody(event), 'request');
}

/** A referral id from the path, or a 400 naming it. */
export function referralIdFrom(event: APIGatewayProxyEventV2): string {
  const parsed = z.uuid().safeParse(event.pathParameters?.referralId);
  if (!parsed.success) {
    throw new ValidationError('The referral id in the path is not valid.', [
      { pointer: '/referralId', detail: 'must be a referral id (a UUID)' },
    ]);
  }
  return parsed.data;
}

/**
 * The request's `Idempotency-Key` header (IETF draft-ietf-httpapi-idempotency-key-header), or
 * undefined when it has none; a 400 naming it when it is empty, too long or not printable ASCII.
 */
export function idempotencyKeyFrom(event: APIGatewayProxyEventV2): string | undefined {
  const key = headerValue(event, 'idempotency-key');
  if (key === undefined) return undefined;
  if (!/^[\x21-\x7e][\x20-\x7e]{0,254}$/.test(key)) {
    throw new ValidationError('The Idempotency-Key header is not valid.', [
      {
        pointer: '/idempotency-key',
        detail: 'the Idempotency-Key header must be 1 to 255 printable ASCII characters',
      },
    ]);
  }
  return key;
}
