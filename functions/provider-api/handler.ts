import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { AuditLog } from '#shared/table/audit-log.ts';
import { personalDataCipherFromEnv } from '#shared/adapters/personal-data-cipher.ts';
import { CapacityRecords } from '#shared/table/capacity.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import { Referrals } from '#shared/table/referrals.ts';
import { WorkQueue } from '#shared/adapters/work-queue.ts';
import { intEnv, requireEnv, requireJsonEnv } from '#shared/config.ts';
import {
  capacityBody,
  listQuery,
  providerCommandBodies,
} from '#shared/domain/lifecycle-requests.ts';
import { auditRetentionBounds, defaultAuditRetentionDays } from '#shared/domain/audit.ts';
import { idSchema, partnershipById } from '#shared/domain/partnership.ts';
import { NotFoundError } from '#shared/errors.ts';
import { authenticateProviderRoute, authenticatorFromEnv } from '#shared/http/auth.ts';
import { json } from '#shared/http/problem.ts';
import { routeHandler, type Route } from '#shared/http/router.ts';
import { parseBody, parseRequest, referralIdFrom } from '#shared/http/request.ts';
import { logger } from '#shared/observability.ts';
import { now } from '#shared/clock.ts';
import {
  extendLease,
  listProviderReferrals,
  pullNextReferral,
  readProviderReferral,
  runProviderCommand,
  type ProviderCommand,
} from '#shared/services/provider-work.ts';

// The provider is shown the personal data (opened here) and may add a decline's details (sealed).
const cipher = personalDataCipherFromEnv();
const tableName = requireEnv('TABLE_NAME');
const referrals = new Referrals({ tableName, cipher });
const queries = new ReferralQueries({ tableName });
const capacities = new CapacityRecords({ tableName });
const store = {
  get: referrals.get.bind(referrals),
  transition: referrals.transition.bind(referrals),
  lease: referrals.lease.bind(referrals),
  listByProvider: queries.listByProvider.bind(queries),
};
const auditLog = new AuditLog({ tableName: requireEnv('TABLE_NAME') });
const partnership = partnershipById(requireEnv('PARTNERSHIP'));
const authenticator = authenticatorFromEnv();
const queueUrls = z.record(idSchema, z.url()).parse(requireJsonEnv('PROVIDER_QUEUE_URLS'));
const queues = new Map(
  Object.entries(queueUrls).map(([id, queueUrl]) => [id, new WorkQueue({ queueUrl })]),
);
// SQS allows visibility timeouts of 0 to 12 hours.
const leaseSeconds = intEnv('LEASE_SECONDS', 15 * 60, { min: 1, max: 12 * 60 * 60 });
const auditRetentionDays = intEnv(
  'AUDIT_RETENTION_DAYS',
  defaultAuditRetentionDays,
  auditRetentionBounds,
);

/**
 * The signed-in provider's dependencies; the token must be that of the provider in the path.
 * Every read of personal data is recorded as this person's, for casework, under this request.
 */
async function workFor(event: APIGatewayProxyEventV2) {
  const { providerId, subject } = await authenticateProviderRoute(authenticator, event);
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
      correlationId: event.requestContext.requestId,
      retentionDays: auditRetentionDays,
    },
  };
}

/** A route running one lifecycle command, its body checked against that command's schema. */
function command(toCommand: (event: APIGatewayProxyEventV2) => ProviderCommand): Route {
  return async (event) => {
    const work = await workFor(event);
    const referral = await runProviderCommand(referralIdFrom(event), toCommand(event), work);
    return json(200, { referral });
  };
}

const base = '/v1/providers/{providerId}';
const routes: Record<string, Route> = {
  [`GET ${base}/referrals`]: async (event) => {
    const work = await workFor(event);
    const query = parseRequest(listQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, await listProviderReferrals(work, query));
  },
  [`GET ${base}/referrals/next`]: async (event) => {
    const pulled = await pullNextReferral(await workFor(event));
    return pulled ? json(200, pulled) : { statusCode: 204 };
  },
  [`GET ${base}/referrals/{referralId}`]: async (event) => {
    const work = await workFor(event);
    return json(200, { referral: await readProviderReferral(referralIdFrom(event), work) });
  },
  [`POST ${base}/referrals/{referralId}/lease`]: async (event) => {
    const work = await workFor(event);
    const lease = await extendLease(referralIdFrom(event), work);
    return json(200, { lease });
  },
  [`POST ${base}/referrals/{referralId}/accept`]: command(() => ({ type: 'accept' })),
  [`POST ${base}/referrals/{referralId}/decline`]: command((event) => ({
    type: 'decline',
    ...parseBody(event, providerCommandBodies.decline),
  })),
  [`POST ${base}/referrals/{referralId}/contact-attempts`]: command((event) => ({
    type: 'attempt-contact',
    ...parseBody(event, providerCommandBodies['attempt-contact']),
  })),
  [`POST ${base}/referrals/{referralId}/engaged`]: command(() => ({ type: 'engage' })),
  [`POST ${base}/referrals/{referralId}/close`]: command((event) => ({
    type: 'close',
    ...parseBody(event, providerCommandBodies.close),
  })),
  [`POST ${base}/referrals/{referralId}/reroute`]: command((event) => ({
    type: 'reroute',
    ...parseBody(event, providerCommandBodies.reroute),
  })),
  [`GET ${base}/capacity`]: async (event) => {
    const { providerId } = await workFor(event);
    const configured = partnership.providers.find((p) => p.id === providerId);
    const stated = await capacities.getCapacity(providerId);
    return json(200, stated ?? { providerId, status: configured?.capacity ?? 'open' });
  },
  [`PUT ${base}/capacity`]: async (event) => {
    const { providerId } = await workFor(event);
    const body = parseBody(event, capacityBody);
    const capacity = { providerId, ...body, updatedAt: now().toISOString() };
    await capacities.putCapacity(capacity);
    logger.info('Capacity stated', { providerId, status: body.status });
    return json(200, capacity);
  },
};

/** Provider routes: the work queue, the lifecycle of referrals routed to you, and capacity. */
export const handler = routeHandler(routes, logger);
