import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors.ts';

/** The largest referral body the intake will read: a referral is a few kilobytes. */
export const maxBodyBytes = 64 * 1024;

/**
 * Reads a JSON body: checks size before anything else, then media type, then syntax.
 * Throws a named error for each, so the caller answers 413, 415 or 400.
 */
export function readJsonBody(event: APIGatewayProxyEventV2, limitBytes = maxBodyBytes): unknown {
  return parseJsonBody(event, readRawBody(event, limitBytes));
}

/**
 * The JSON of a body already read (and size-checked) by {@link readRawBody}: media type, then
 * syntax, each refused with its own named error.
 */
export function parseJsonBody(event: APIGatewayProxyEventV2, text: string): unknown {
  const contentType = headerValue(event, 'content-type') ?? '';
  const mediaType = contentType.split(';')[0]?.trim().toLowerCase();
  if (mediaType !== 'application/json') throw new UnsupportedMediaTypeError('application/json');

  if (text.length === 0) {
    throw new ValidationError('The request body is empty.', [
      { pointer: '', detail: 'must be a JSON object' },
    ]);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new ValidationError(
      'The request body is not valid JSON.',
      [{ pointer: '', detail: 'must be valid JSON' }],
      { cause },
    );
  }
}

/** The body as text, exactly as sent; refused before anything else when over the limit. */
export function readRawBody(event: APIGatewayProxyEventV2, limitBytes = maxBodyBytes): string {
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.byteLength > limitBytes) throw new PayloadTooLargeError(limitBytes);
  return bytes.toString('utf8');
}

/** A request header by case-insensitive name. */
export function headerValue(event: APIGatewayProxyEventV2, name: string): string | undefined {
  return headerIn(event.headers ?? {}, name);
}

/** A header of a set of headers by case-insensitive name. */
export function headerIn(
  headers: Record<string, string | undefined>,
  name: string,
): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}
