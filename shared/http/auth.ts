import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { idSchema, type ProviderId } from '../domain/partnership.ts';
import { NotFoundError } from '../errors.ts';

/** The caller of a provider route, once authenticated. */
export interface ProviderPrincipal {
  providerId: ProviderId;
}

/**
 * THE AUTH SEAM for provider routes. Today it accepts the provider named in the path, so the
 * walking skeleton can be driven end to end; provider-scoped bearer tokens (JWT, verified
 * against a JWKS) replace this body, and every provider route already goes through here.
 */
export function authenticateProvider(event: APIGatewayProxyEventV2): ProviderPrincipal {
  const parsed = idSchema.safeParse(event.pathParameters?.providerId);
  if (!parsed.success) throw new NotFoundError('No such provider.');
  return { providerId: parsed.data };
}
