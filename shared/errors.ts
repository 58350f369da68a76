import { commandOutcomes } from './domain/lifecycle.ts';
import type { FieldProblem } from './domain/intake.ts';

/** Base of every error Reachable raises on purpose; anything else is a bug. */
export class ReachableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ReachableError';
  }
}

/** The request body or parameters break the contract; lists every field at fault. */
export class ValidationError extends ReachableError {
  constructor(
    message: string,
    readonly problems: FieldProblem[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ValidationError';
  }
}

/** The body is larger than the intake accepts; refused before it is parsed. */
export class PayloadTooLargeError extends ReachableError {
  constructor(
    readonly limitBytes: number,
    options?: ErrorOptions,
  ) {
    super(`The request body must be at most ${limitBytes} bytes.`, options);
    this.name = 'PayloadTooLargeError';
  }
}

/** The body is not in a media type the route accepts. */
export class UnsupportedMediaTypeError extends ReachableError {
  constructor(
    readonly expected: string,
    options?: ErrorOptions,
  ) {
    super(`The request body must be sent as ${expected}.`, options);
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** No caller credentials, or credentials that do not hold. */
export class UnauthorizedError extends ReachableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UnauthorizedError';
  }
}

/**
 * The caller is known but may not do this (e.g. a provider asking for the hub's metrics), with
 * the fields at fault when a field of the request is what they may not send.
 */
export class ForbiddenError extends ReachableError {
  constructor(
    message: string,
    readonly problems: FieldProblem[] = [],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ForbiddenError';
  }
}

/** The thing asked for does not exist, or the caller may not know that it does. */
export class NotFoundError extends ReachableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'NotFoundError';
  }
}

/**
 * The thing asked for existed and is gone for good: a referral whose personal data was erased at
 * the end of its retention period.
 */
export class GoneError extends ReachableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GoneError';
  }
}

/** The request is valid but not in the resource's current state. */
export class ConflictError extends ReachableError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'ConflictError';
  }
}

/**
 * A webhook id or idempotency key sent again with a different body: the sender must use a new
 * one. `keyName` says which the sender used.
 */
export class IdempotencyKeyReusedError extends ReachableError {
  constructor(
    message: string,
    readonly keyName: 'webhook-id' | 'Idempotency-Key' = 'webhook-id',
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'IdempotencyKeyReusedError';
  }
}

/**
 * A read's audit record could not be written, so the read is refused (fail closed): nobody sees
 * a child's personal data that the audit trail does not show they saw.
 */
export class AuditUnavailableError extends ReachableError {
  constructor(options?: ErrorOptions) {
    super(
      'The referral cannot be shown now: its access could not be recorded. Nothing was shown; try again.',
      options,
    );
    this.name = 'AuditUnavailableError';
  }
}

/** A lifecycle command the referral's current status does not allow; says what is allowed. */
export class IllegalTransitionError extends ConflictError {
  constructor(
    readonly command: string,
    readonly currentStatus: string,
    readonly allowed: readonly string[],
    options?: ErrorOptions,
  ) {
    super(
      `A referral that is ${currentStatus} cannot be ${pastTense(command)}. ` +
        (allowed.length > 0
          ? `From ${currentStatus} it can be: ${allowed.map(pastTense).join(', ')}.`
          : `${currentStatus} is final.`),
      options,
    );
    this.name = 'IllegalTransitionError';
  }
}

// A command's past tense is the status it leads to (accept → accepted).
const pastTense = (command: string) =>
  (commandOutcomes as Record<string, string | undefined>)[command] ?? command;

/** Narrows a caught value to an Error without trusting `as`. */
export function asError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
