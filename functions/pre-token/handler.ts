import type { PreTokenGenerationV2TriggerEvent } from 'aws-lambda';
import { requireEnv } from '#shared/config.ts';
import { partnershipById } from '#partnerships/index.ts';
import { logger } from '#shared/observability.ts';
import {
  accessTokenOverrides,
  decideRole,
  preTokenRequestSchema,
} from '#shared/services/token-claims.ts';

const partnership = partnershipById(requireEnv('PARTNERSHIP'));

/**
 * Cognito's pre-token-generation trigger (V2_0): puts the user's one role scope and tenant claim
 * into the access token, from their group and `custom:tenant`, and strips every other role scope.
 */
export const handler = async (
  event: PreTokenGenerationV2TriggerEvent,
): Promise<PreTokenGenerationV2TriggerEvent> => {
  const decision = decideRole(preTokenRequestSchema.parse(event.request), partnership);
  // Staff accounts only; still, the line says what was decided, not who it was for.
  if (decision.granted) {
    logger.info('Access token role', { role: decision.role, tenant: decision.tenant });
  } else logger.warn('Access token without a role', { reason: decision.reason });
  event.response.claimsAndScopeOverrideDetails = {
    accessTokenGeneration: accessTokenOverrides(decision),
  };
  return event;
};
