import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { requireEnv } from '#shared/config.ts';
import { listQuery } from '#shared/domain/lifecycle-requests.ts';
import { NotFoundError } from '#shared/errors.ts';
import { authenticatorFromEnv, requireOrganisation } from '#shared/http/auth.ts';
import { json } from '#shared/http/problem.ts';
import { routeHandler, type RoutesOf } from '#shared/http/router.ts';
import { parseRequest, referralIdFrom } from '#shared/http/request.ts';
import { logger } from '#shared/observability.ts';
import { referralStatusFor, referralsSentBy, withdrawReferral } from '#shared/services/referrer.ts';
import { now } from '#shared/clock.ts';
import { idSchema } from '#events/vocabulary.ts';
import { ReferralQueries } from '#shared/table/referral-queries.ts';
import { Referrals } from '#shared/table/referrals.ts';

const tableName = requireEnv('TABLE_NAME');
const referrals = new Referrals({ tableName });
const queries = new ReferralQueries({ tableName });
const store = {
  get: referrals.get.bind(referrals),
  transition: referrals.transition.bind(referrals),
  listByOrganisation: queries.listByOrganisation.bind(queries),
};
const authenticator = authenticatorFromEnv();

/** The signed-in organisation; the token must be that of the organisation in the path. */
async function referrerFor(event: APIGatewayProxyEventV2) {
  const principal = await authenticator.authenticate(event.headers);
  const parsed = idSchema.safeParse(event.pathParameters?.organisationId);
  if (!parsed.success) throw new NotFoundError('No such organisation.');
  requireOrganisation(principal, parsed.data);
  return { organisationId: parsed.data, subject: principal.subject, store, now };
}

const routes: RoutesOf<'referrer-api'> = {
  'GET /v1/organisations/{organisationId}/referrals': async (event) => {
    const deps = await referrerFor(event);
    const { limit, cursor } = parseRequest(
      listQuery.omit({ status: true }),
      event.queryStringParameters ?? {},
      'query',
    );
    return json(200, await referralsSentBy(deps, { limit, cursor }));
  },
  // The token is checked before anything in the path: a caller without one learns nothing.
  'GET /v1/organisations/{organisationId}/referrals/{referralId}': async (event) => {
    const deps = await referrerFor(event);
    return json(200, { referral: await referralStatusFor(referralIdFrom(event), deps) });
  },
  'POST /v1/organisations/{organisationId}/referrals/{referralId}/withdraw': async (event) => {
    const deps = await referrerFor(event);
    const referralId = referralIdFrom(event);
    const referral = await withdrawReferral(referralId, deps);
    logger.info('Referral withdrawn', { referralId, organisationId: deps.organisationId });
    return json(200, { referral });
  },
};

/** Referrer feedback: the status and dates of the referrals an organisation sent, and withdrawal. */
export const handler = routeHandler(routes, logger);
