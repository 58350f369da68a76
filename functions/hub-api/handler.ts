import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { MetricsStore } from '#shared/table/metrics-store.ts';
import { requireEnv } from '#shared/config.ts';
import { partnershipById } from '#partnerships/index.ts';
import { authenticatorFromEnv, requireHub, requireSpokeCoordinator } from '#shared/http/auth.ts';
import { json } from '#shared/http/problem.ts';
import { parseRequest } from '#shared/http/request.ts';
import { routeHandler, type RoutesOf } from '#shared/http/router.ts';
import { logger } from '#shared/observability.ts';
import {
  metricsQuery,
  returnPeriod,
  returnQuery,
  spokeMetricsQuery,
} from '#shared/domain/hub-requests.ts';
import { returnFileName, toCsv } from '#shared/domain/quarterly-return.ts';
import { hubMetrics, hubReturn } from '#shared/services/hub.ts';
import { now } from '#shared/clock.ts';

const store = new MetricsStore({ tableName: requireEnv('TABLE_NAME') });
const partnershipId = requireEnv('PARTNERSHIP');
const partnership = partnershipById(partnershipId);
const authenticator = authenticatorFromEnv();

/** Only the partnership's hub: providers and referrers get 403. */
async function asHub(event: APIGatewayProxyEventV2): Promise<void> {
  requireHub(await authenticator.authenticate(event.headers), partnershipId);
}

/** Only the coordinators of the spoke in the path: anyone else gets 403. */
async function asSpokeCoordinator(event: APIGatewayProxyEventV2): Promise<string> {
  const spokeId = event.pathParameters?.spokeId ?? '';
  requireSpokeCoordinator(await authenticator.authenticate(event.headers), spokeId);
  return spokeId;
}

const routes: RoutesOf<'hub-api'> = {
  'GET /v1/hub/metrics': async (event) => {
    await asHub(event);
    const query = parseRequest(metricsQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, await hubMetrics(query, { store, now, partnership }));
  },
  /** The same figures as the hub's, for one spoke only: its coordinators' view. */
  'GET /v1/spokes/{spokeId}/metrics': async (event) => {
    const spoke = await asSpokeCoordinator(event);
    const query = parseRequest(spokeMetricsQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, {
      spoke,
      ...(await hubMetrics({ ...query, spoke }, { store, now, partnership })),
    });
  },
  'GET /v1/hub/returns/{period}': async (event) => {
    await asHub(event);
    const { year, quarter } = parseRequest(
      z.strictObject({ period: returnPeriod }),
      { period: event.pathParameters?.period },
      'path',
    ).period;
    const { format } = parseRequest(returnQuery, event.queryStringParameters ?? {}, 'query');
    const wantsCsv = format === 'csv' || (!format && /text\/csv/.test(event.headers.accept ?? ''));
    const computed = await hubReturn(year, quarter, { store, partnership });
    if (!wantsCsv) return json(200, computed);
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${returnFileName(partnershipId, year, quarter)}"`,
      },
      body: toCsv(computed),
    };
  },
};

/** The hub's view: counts and rates from aggregates only, never a referral or a name. */
export const handler = routeHandler(routes, logger);
