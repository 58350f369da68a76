import middy from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { ReferralStore } from '#shared/adapters/referral-store.ts';
import { WorkQueue } from '#shared/adapters/work-queue.ts';
import { intEnv, requireEnv, requireJsonEnv } from '#shared/config.ts';
import { idSchema, type ProviderId } from '#shared/domain/partnership.ts';
import { authenticateProvider } from '#shared/http/auth.ts';
import { json, problemDetails } from '#shared/http/problem.ts';
import { NotFoundError, ValidationError } from '#shared/errors.ts';
import { logger } from '#shared/observability.ts';
import { acceptReferral, pullNextReferral } from '#shared/services/provider-work.ts';

const store = new ReferralStore({ tableName: requireEnv('TABLE_NAME') });
const queueUrls = z.record(idSchema, z.url()).parse(requireJsonEnv('PROVIDER_QUEUE_URLS'));
const queues = new Map(
  Object.entries(queueUrls).map(([id, queueUrl]) => [id, new WorkQueue({ queueUrl })]),
);
// SQS allows visibility timeouts of 0 to 12 hours; a lease needs at least a minute.
const leaseSeconds = intEnv('LEASE_SECONDS', 15 * 60, { min: 60, max: 12 * 60 * 60 });

function workFor(providerId: ProviderId) {
  const queue = queues.get(providerId);
  if (!queue) throw new NotFoundError(`No work queue for provider ${providerId}.`);
  return { providerId, store, queue, now: () => new Date(), log: logger, leaseSeconds };
}

type Route = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

const routes: Record<string, Route> = {
  'GET /v1/providers/{providerId}/referrals/next': async (event) => {
    const { providerId } = authenticateProvider(event);
    const pulled = await pullNextReferral(workFor(providerId));
    return pulled ? json(200, pulled) : { statusCode: 204 };
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/accept': async (event) => {
    const { providerId } = authenticateProvider(event);
    const referralId = referralIdFrom(event);
    const referral = await acceptReferral(referralId, workFor(providerId));
    return json(200, { referral });
  },
};

/** Provider routes: pull the next referral with a lease, accept a referral routed to you. */
export const handler = middy<APIGatewayProxyEventV2>()
  .use(problemDetails(logger))
  .handler(async (event) => {
    const route = routes[event.routeKey];
    if (!route) throw new NotFoundError(`No route ${event.routeKey}.`);
    return route(event);
  });

function referralIdFrom(event: APIGatewayProxyEventV2): string {
  const parsed = z.uuid().safeParse(event.pathParameters?.referralId);
  if (!parsed.success) {
    throw new ValidationError('The referral id in the path is not valid.', [
      { pointer: '/referralId', detail: 'must be a referral id (a UUID)' },
    ]);
  }
  return parsed.data;
}
