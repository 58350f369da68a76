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
import { hubMetrics } from '#shared/services/hub.ts';

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

const routes: Record<string, Route> = {
  'GET /v1/hub/metrics': async (event) => {
    await asHub(event);
    const query = parseRequest(metricsQuery, event.queryStringParameters ?? {}, 'query');
    return json(200, await hubMetrics(query, { store, now: () => new Date() }));
  },
};

/** The hub's view: counts and rates from aggregates only, never a referral or a name. */
export const handler = routeHandler(routes, logger);
