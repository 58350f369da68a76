import { z } from 'zod';
import { auditRetentionBounds, defaultAuditRetentionDays } from '../domain/audit.ts';
import { idSchema } from '#events/vocabulary.ts';
import { partnershipById } from '#partnerships/index.ts';
import { intEnv, requireEnv, requireJsonEnv } from '../config.ts';
import { now } from '../clock.ts';
import { NotFoundError } from '../errors.ts';
import { logger } from '../observability.ts';
import type { ProviderPrincipal } from '../http/auth.ts';
import type { ProviderWorkDependencies } from '../services/provider-work.ts';
import type { Partnership } from '../partnership/schema.ts';
import { AuditLog } from '../table/audit-log.ts';
import { ReferralQueries } from '../table/referral-queries.ts';
import { Referrals } from '../table/referrals.ts';
import { personalDataCipherFromEnv } from './personal-data-cipher.ts';
import { WorkQueue } from './work-queue.ts';

/** The table as a provider's work uses it: its referrals, and its list of them. */
export type ProviderStore = Pick<Referrals, 'get' | 'transition' | 'lease'> &
  Pick<ReferralQueries, 'listByProvider'>;

/** What a provider's work needs, for one signed-in provider and one request. */
export type ProviderWork = ProviderWorkDependencies & {
  store: ProviderStore;
  partnership: Partnership;
};

/** The clients a provider's work is done with, made once per function from its environment. */
export interface ProviderWorkSource {
  partnership: Partnership;
  store: ProviderStore;
  /** The dependencies of `shared/services/provider-work.ts` for this provider and request. */
  workFor(principal: ProviderPrincipal, correlationId: string): ProviderWork;
}

/**
 * The provider work of a function that shows providers their referrals (the provider API, the
 * provider page): the table (`TABLE_NAME`), the partnership (`PARTNERSHIP`), each provider's
 * queue (`PROVIDER_QUEUE_URLS`), the personal data key (opened for the provider, sealed for a
 * decline's details), the lease (`LEASE_SECONDS`) and how long read records are kept
 * (`AUDIT_RETENTION_DAYS`). Every read of personal data is recorded as the signed-in person's,
 * for casework, under the request's id.
 */
export function providerWorkFromEnv(): ProviderWorkSource {
  const cipher = personalDataCipherFromEnv();
  const tableName = requireEnv('TABLE_NAME');
  const referrals = new Referrals({ tableName, cipher });
  const queries = new ReferralQueries({ tableName });
  const store: ProviderStore = {
    get: referrals.get.bind(referrals),
    transition: referrals.transition.bind(referrals),
    lease: referrals.lease.bind(referrals),
    listByProvider: queries.listByProvider.bind(queries),
  };
  const auditLog = new AuditLog({ tableName });
  const partnership = partnershipById(requireEnv('PARTNERSHIP'));
  const queueUrls = z.record(idSchema, z.url()).parse(requireJsonEnv('PROVIDER_QUEUE_URLS'));
  const queues = new Map(
    Object.entries(queueUrls).map(([id, queueUrl]) => [id, new WorkQueue({ queueUrl })]),
  );
  // SQS allows visibility timeouts of 0 to 12 hours.
  const leaseSeconds = intEnv('LEASE_SECONDS', 15 * 60, { min: 1, max: 12 * 60 * 60 });
  const retentionDays = intEnv(
    'AUDIT_RETENTION_DAYS',
    defaultAuditRetentionDays,
    auditRetentionBounds,
  );
  return {
    partnership,
    store,
    workFor({ providerId, subject }, correlationId) {
      const queue = queues.get(providerId);
      if (!queue) throw new NotFoundError(`No work queue for provider ${providerId}.`);
      return {
        providerId,
        store,
        queue,
        partnership,
        cipher,
        now,
        log: logger,
        leaseSeconds,
        audit: {
          log: auditLog,
          actor: { role: 'provider' as const, id: providerId, subject },
          purpose: 'provider-casework' as const,
          correlationId,
          retentionDays,
        },
      };
    },
  };
}
