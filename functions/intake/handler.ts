import { randomUUID } from 'node:crypto';
import { personalDataCipherFromEnv } from '#shared/adapters/personal-data-cipher.ts';
import { subjectIndexerFromEnv } from '#shared/adapters/subject-index.ts';
import { webhookSecretsFromEnv } from '#shared/adapters/webhook-secrets.ts';
import { now } from '#shared/clock.ts';
import { requireEnv } from '#shared/config.ts';
import { partnershipById } from '#partnerships/index.ts';
import { authenticatorFromEnv, requireRole } from '#shared/http/auth.ts';
import { parseJsonBody, readRawBody } from '#shared/http/body.ts';
import { json } from '#shared/http/problem.ts';
import { idempotencyKeyFrom } from '#shared/http/request.ts';
import { routeHandler, type RoutesOf } from '#shared/http/router.ts';
import { verifyWebhook } from '#shared/http/webhook-signature.ts';
import { logger } from '#shared/observability.ts';
import { receiveOrganisationReferral, receiveWebhookReferral } from '#shared/services/intake.ts';
import { DeliveryRecords } from '#shared/table/deliveries.ts';
import { Referrals } from '#shared/table/referrals.ts';

// Personal data is sealed before it is stored; this function can seal, never open.
const tableName = requireEnv('TABLE_NAME');
const referrals = new Referrals({
  tableName,
  cipher: personalDataCipherFromEnv(),
  subjectIndex: subjectIndexerFromEnv(),
});
const deliveries = new DeliveryRecords({ tableName });
// A referral is written with its delivery's record; a retry's earlier answer is read back.
const store = {
  create: referrals.create.bind(referrals),
  delivery: deliveries.delivery.bind(deliveries),
};
const partnership = partnershipById(requireEnv('PARTNERSHIP'));
const webhookSecrets = webhookSecretsFromEnv();
const authenticator = authenticatorFromEnv();
const dependencies = { partnership, store, now, newId: randomUUID };

const routes: RoutesOf<'intake'> = {
  /**
   * A referral from a referrer organisation's client, with its bearer token: check, store once,
   * answer 202 with the reference. The token is checked before the body is read. With an
   * `Idempotency-Key`, a retry gets the first answer and makes no second referral.
   */
  'POST /v1/referrals': async (event) => {
    const principal = await authenticator.authenticate(event.headers);
    requireRole(principal, 'organisation');
    const rawBody = readRawBody(event);
    const body = parseJsonBody(event, rawBody);
    const idempotencyKey = idempotencyKeyFrom(event);
    const receipt = await receiveOrganisationReferral(
      principal.organisationId,
      body,
      dependencies,
      idempotencyKey ? { idempotencyKey, rawBody } : undefined,
    );
    const { requestId } = event.requestContext;
    logger.info('Referral received', { referralId: receipt.referralId, requestId });
    return json(202, receipt);
  },
  /**
   * A referral from a school's or hospital's system, as a Standard Webhooks delivery. The
   * signature is checked on the raw body before anything is parsed: an unsigned caller learns
   * nothing about the contract, and a failed check stores nothing.
   */
  'POST /v1/webhooks/{organisationId}/referrals': async (event) => {
    const organisationId = event.pathParameters?.organisationId ?? '';
    const rawBody = readRawBody(event);
    const { webhookId } = verifyWebhook(
      rawBody,
      event.headers,
      await webhookSecrets(organisationId),
    );
    const body = parseJsonBody(event, rawBody);
    const receipt = await receiveWebhookReferral(
      { organisationId, webhookId, rawBody, body },
      dependencies,
    );
    logger.info('Referral received by webhook', {
      referralId: receipt.referralId,
      requestId: event.requestContext.requestId,
      organisationId,
    });
    return json(202, receipt);
  },
};

export const handler = routeHandler(routes, logger);
