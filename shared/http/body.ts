import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';

/** The largest referral body the intake will read: a referral is a few kilobytes. */
export const maxBodyBytes = 64 * 1024;

/**
 * Reads a JSON body: checks size before anything else, then media type, then syntax.
 * Throws a named error for each, so the caller answers 413, 415 or 400.
 */
export function readJsonBody(event: APIGatewayProxyEventV2, limitBytes = maxBodyBytes): unknown {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > limitBytes) throw new PayloadTooLargeError(limitBytes);

  const contentType = headerValue(event, 'content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError('application/json');

  if (bytes.byteLength === 0) {
    throw new ValidationError('The request body is empty.', [
      { pointer: '', detail: 'must be a JSON object' },
    ]);
  }
  try {
    return JSON.parse(bytes.toString('utf8')) as unknown;
  } catch (cause) {
    throw new ValidationError(
      'The request body is not valid JSON.',
      [{ pointer: '', detail: 'must be valid JSON' }],
      { cause },
    );
  }
}

/** A request header by case-insensitive name. */
export function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
