/**
 * What the table's adapters share in building requests and reading answers: update expressions,
 * page cursors and conditional failures. No key is spelled here (see layout.ts).
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Referral } from '../domain/referral.ts';
import { ValidationError } from '../errors.ts';
import { withoutTableAttributes } from './layout.ts';

/** SET for defined values, REMOVE for undefined ones, with the condition's values merged in. */
export function updateOf(
  changes: Record<string, unknown>,
  conditionValues: Record<string, unknown>,
  conditionNames: Record<string, string> = { '#status': 'status' },
) {
  const names: Record<string, string> = { ...conditionNames };
  const values: Record<string, unknown> = { ...conditionValues };
  const set: string[] = [];
  const remove: string[] = [];
  for (const [key, value] of Object.entries(changes)) {
    names[`#${key}`] = key;
    if (value === undefined) {
      remove.push(`#${key}`);
    } else {
      values[`:${key}`] = value;
      set.push(`#${key} = :${key}`);
    }
  }
  const expression = [
    ...(set.length ? [`SET ${set.join(', ')}`] : []),
    ...(remove.length ? [`REMOVE ${remove.join(', ')}`] : []),
  ].join(' ');
  return {
    UpdateExpression: expression,
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
  };
}

/** A page cursor, opaque to callers: the last key read, base64url-encoded. */
export function encodeCursor(key: Record<string, unknown>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The key a page cursor holds; a ValidationError on `/cursor` for anything else. */
export function decodeCursor(cursor: string): Record<string, unknown> {
  const invalid = (cause?: unknown) =>
    new ValidationError(
      'The page cursor is not valid.',
      [{ pointer: '/cursor', detail: 'must be a cursor from a previous page' }],
      { cause },
    );
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch (error) {
    throw invalid(error);
  }
  // A key is an object of string attributes (the table's and the index's own).
  const isKey =
    typeof key === 'object' &&
    key !== null &&
    !Array.isArray(key) &&
    Object.values(key).every((value) => typeof value === 'string');
  if (!isKey) throw invalid();
  return key as Record<string, unknown>;
}

/** Whether a write was refused by its condition (alone, or as part of a transaction). */
export function isConditionalFailure(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException ||
    (error instanceof Error && error.name === 'TransactionCanceledException')
  );
}

/** A referral from its item: the table's bookkeeping left out. */
export function toReferral(item: Record<string, unknown>): Referral {
  return withoutTableAttributes(item) as unknown as Referral;
}
