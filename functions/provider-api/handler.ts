import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { providerWorkFromEnv } from '#shared/adapters/provider-work-from-env.ts';
import { CapacityRecords } from '#shared/table/capacity.ts';
import { requireEnv } from '#shared/config.ts';
import {
  capacityBody,
  listQuery,
  providerCommandBodies,
} from '#shared/domain/lifecycle-requests.ts';
import { authenticateProviderRoute, authenticatorFromEnv } from '#shared/http/auth.ts';
import { json } from '#shared/http/problem.ts';
import { routeHandler, type Route, type RoutesOf } from '#shared/http/router.ts';
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
const { partnership, workFor: work } = providerWorkFromEnv();
const capacities = new CapacityRecords({ tableName: requireEnv('TABLE_NAME') });
const authenticator = authenticatorFromEnv();

/** The signed-in provider's dependencies; the token must be that of the provider in the path. */
async function workFor(event: APIGatewayProxyEventV2) {
  const principal = await authenticateProviderRoute(authenticator, event);
  return work(principal, event.requestContext.requestId);
}

/** A route running one lifecycle command, its body checked against that command's schema. */
function command(toCommand: (event: APIGatewayProxyEventV2) => ProviderCommand): Route {
  return async (event) => {
    const work = await workFor(event);
    return json(200, await runProviderCommand(referralIdFrom(event), toCommand(event), work));
  };
}

const routes: RoutesOf<'provider-api'> = {
  'GET /v1/providers/{providerId}/referrals': async (event) => {
    const work = await workFor(event);
    const query = parseRequest(listQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, await listProviderReferrals(work, query));
  },
  'GET /v1/providers/{providerId}/referrals/next': async (event) => {
    const pulled = await pullNextReferral(await workFor(event));
    return pulled ? json(200, pulled) : { statusCode: 204 };
  },
  'GET /v1/providers/{providerId}/referrals/{referralId}': async (event) => {
    const work = await workFor(event);
    return json(200, await readProviderReferral(referralIdFrom(event), work));
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/lease': async (event) => {
    const work = await workFor(event);
    const lease = await extendLease(referralIdFrom(event), work);
    return json(200, { lease });
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/accept': command(() => ({
    type: 'accept',
  })),
  'POST /v1/providers/{providerId}/referrals/{referralId}/decline': command((event) => ({
    type: 'decline',
    ...parseBody(event, providerCommandBodies.decline),
  })),
  'POST /v1/providers/{providerId}/referrals/{referralId}/contact-attempts': command((event) => ({
    type: 'attempt-contact',
    ...parseBody(event, providerCommandBodies['attempt-contact']),
  })),
  'POST /v1/providers/{providerId}/referrals/{referralId}/engaged': command(() => ({
    type: 'engage',
  })),
  'POST /v1/providers/{providerId}/referrals/{referralId}/close': command((event) => ({
    type: 'close',
    ...parseBody(event, providerCommandBodies.close),
  })),
  'POST /v1/providers/{providerId}/referrals/{referralId}/reroute': command((event) => ({
    type: 'reroute',
    ...parseBody(event, providerCommandBodies.reroute),
  })),
  'GET /v1/providers/{providerId}/capacity': async (event) => {
    const { providerId } = await workFor(event);
    const configured = partnership.providers.find((p) => p.id === providerId);
    const stated = await capacities.getCapacity(providerId);
    return json(200, stated ?? { providerId, status: configured?.capacity ?? 'open' });
  },
  'PUT /v1/providers/{providerId}/capacity': async (event) => {
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
