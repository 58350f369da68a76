import { localAudience, localIssuer } from './signing-key.ts';
import type { LocalPhysical } from './intrinsics.ts';
import { resourcesOfType, type Template } from './template.ts';

/**
 * There is no local Cognito: the runtime is its own issuer. A user pool of the template resolves
 * to the local issuer and its app clients to the local audience, so the functions' AUTH_ISSUER,
 * AUTH_AUDIENCE (and AUTH_JWKS_URL, which the inline local JWKS overrides) name what
 * `npm run token` signs.
 */
export function nameUserPools(template: Template, physical: Map<string, LocalPhysical>): void {
  for (const [logicalId] of resourcesOfType(template, 'AWS::Cognito::UserPool')) {
    physical.set(logicalId, {
      ref: logicalId,
      attributes: { ProviderURL: localIssuer, ProviderName: localIssuer, UserPoolId: logicalId },
    });
  }
  for (const [logicalId] of resourcesOfType(template, 'AWS::Cognito::UserPoolClient')) {
    physical.set(logicalId, { ref: localAudience, attributes: { ClientId: localAudience } });
  }
}
