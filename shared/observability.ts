import { Logger } from '@aws-lambda-powertools/logger';

/**
 * The one logger. Never pass it an event, a body or a referral: they carry personal data about
 * children. Log identifiers and outcomes only.
 */
export const logger = new Logger({ serviceName: 'reachable' });

/** The narrow logging surface core code receives. */
export type Log = Pick<Logger, 'info' | 'warn' | 'error'>;
