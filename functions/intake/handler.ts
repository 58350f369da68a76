import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { ReferralStore } from '#shared/adapters/referral-store.ts';
import { requireEnv } from '#shared/config.ts';
import { readJsonBody } from '#shared/http/body.ts';
import { json, problemDetails } from '#shared/http/problem.ts';
import { logger } from '#shared/observability.ts';
import { receiveReferral } from '#shared/services/intake.ts';
import { partnershipById } from '#shared/domain/partnership.ts';
import { now } from '#shared/clock.ts';

const store = new ReferralStore({ tableName: requireEnv('TABLE_NAME') });
const partnership = partnershipById(requireEnv('PARTNERSHIP'));

/** POST /v1/referrals: check, store once, answer 202 with the reference. */
export const handler = middy<APIGatewayProxyEventV2>()
  .use(problemDetails(logger))
  .handler(async (event) => {
    const body = readJsonBody(event);
    const receipt = await receiveReferral(body, {
      partnership,
      store,
      now,
      newId: randomUUID,
    });
    logger.info('Referral received', { referralId: receipt.referralId });
    return json(202, receipt);
  });
