import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { z } from 'zod';
import { MetricsStore } from '#shared/adapters/metrics-store.ts';
import { requireEnv } from '#shared/config.ts';
import { idSchema } from '#shared/domain/partnership.ts';
import { authenticatorFromEnv, requireHub } from '#shared/http/auth.ts';
import { json } from '#shared/http/problem.ts';
import { parseRequest } from '#shared/http/request.ts';
import { routeHandler, type Route } from '#shared/http/router.ts';
import { logger } from '#shared/observability.ts';
import { toCsv, type Quarter } from '#shared/domain/quarterly-return.ts';
import { hubMetrics, hubReturn } from '#shared/services/hub.ts';
import { now } from '#shared/clock.ts';

const store = new MetricsStore({ tableName: requireEnv('TABLE_NAME') });
const partnershipId = requireEnv('PARTNERSHIP');
const authenticator = authenticatorFromEnv();

const month = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month like "2026-04"');
const groupings = ['spoke', 'pathway', 'provider', 'month', 'quarter'] as const;
const metricsQuery = z.strictObject({
  from: month.optional(),
  to: month.optional(),
  spoke: idSchema.optional(),
  pathway: idSchema.optional(),
  provider: idSchema.optional(),
  groupBy: z
    .string()
    .optional()
    .transform((value) => (value ? value.split(',') : []))
    .pipe(z.array(z.enum(groupings)).max(groupings.length)),
});

/** Only the partnership's hub: providers and referrers get 403. */
async function asHub(event: APIGatewayProxyEventV2): Promise<void> {
  requireHub(await authenticator.authenticate(event.headers), partnershipId);
}

const returnPeriod = z
  .string()
  .regex(/^(\d{4})-Q([1-4])$/, 'must be a quarter like "2026-Q2"')
  .transform((period) => ({
    year: Number(period.slice(0, 4)),
    quarter: Number(period.slice(6)) as Quarter,
  }));
const returnQuery = z.strictObject({ format: z.enum(['json', 'csv']).optional() });

const routes: Record<string, Route> = {
  'GET /v1/hub/metrics': async (event) => {
    await asHub(event);
    const query = parseRequest(metricsQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, await hubMetrics(query, { store, now }));
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
    const computed = await hubReturn(year, quarter, { store });
    if (!wantsCsv) return json(200, computed);
    return {
      statusCode: 200,
      headers: {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="reachable-${partnershipId}-${computed.period}.csv"`,
      },
      body: toCsv(computed),
    };
  },
};

/** The hub's view: counts and rates from aggregates only, never a referral or a name. */
export const handler = routeHandler(routes, logger);
