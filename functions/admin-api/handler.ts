import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AuditLog } from '#shared/table/audit-log.ts';
import { requireEnv } from '#shared/config.ts';
import { auditQuery } from '#shared/domain/audit.ts';
import { authenticatorFromEnv, requireAdmin } from '#shared/http/auth.ts';
import { json } from '#shared/http/problem.ts';
import { parseRequest } from '#shared/http/request.ts';
import { routeHandler, type RoutesOf } from '#shared/http/router.ts';
import { logger } from '#shared/observability.ts';
import { auditTrail } from '#shared/services/audit.ts';

const log = new AuditLog({ tableName: requireEnv('TABLE_NAME') });
const partnershipId = requireEnv('PARTNERSHIP');
const authenticator = authenticatorFromEnv();

/** Only the partnership's administrators: 401 without a valid token, 403 for anyone else. */
async function asAdmin(event: APIGatewayProxyEventV2): Promise<void> {
  requireAdmin(await authenticator.authenticate(event.headers), partnershipId);
}

const routes: RoutesOf<'admin-api'> = {
  'GET /v1/admin/audit': async (event) => {
    await asAdmin(event);
    const { referralId, ...page } = parseRequest(
      auditQuery,
      event.queryStringParameters ?? {},
      'query',
    );
    return json(200, await auditTrail(referralId, page, { log }));
  },
};

/** The administrators' routes: a referral's audit trail (ids, roles and codes only). */
export const handler = routeHandler(routes, logger);
