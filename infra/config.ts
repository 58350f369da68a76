import { z } from 'zod';
import { auditRetentionBounds } from '#shared/domain/audit.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case identifier like "avon-and-somerset"');

/** An https URL; http only for localhost, where a developer's browser comes back to. */
const callbackUrl = z
  .url()
  .refine(
    (url) => url.startsWith('https://') || /^http:\/\/localhost(:\d+)?\//.test(url),
    'must be an https URL (http only for localhost)',
  );

const httpsUrl = z.url().refine((url) => url.startsWith('https://'), 'must be an https URL');

/**
 * The stack creates the identity provider: a Cognito user pool (no self sign-up, TOTP MFA
 * required, Plus feature plan with threat protection enforced) whose pre-token trigger puts the
 * user's role scope and tenant claim into the access token.
 */
export const cognitoAuthSchema = z.strictObject({
  kind: z.literal('cognito'),
  /**
   * Where the managed login may send a signed-in user back to.
   * @default the deployed API's own provider and hub pages
   */
  callbackUrls: z.array(callbackUrl).min(1).optional(),
});

/**
 * Any OpenID Connect issuer the partnership already runs. API Gateway's authorizer finds the
 * keys through the issuer's discovery document; the functions read `jwksUrl` themselves.
 */
export const oidcAuthSchema = z.strictObject({
  kind: z.literal('oidc'),
  issuer: httpsUrl,
  jwksUrl: httpsUrl,
  /** The client ids (or `aud` values) whose tokens the API accepts. */
  audience: z.array(z.string().min(1)).min(1),
});

/** Who signs the bearer tokens: a Cognito user pool the stack creates, or an OIDC issuer. */
export const authConfigSchema = z.discriminatedUnion('kind', [cognitoAuthSchema, oidcAuthSchema]);
export type AuthConfig = z.infer<typeof authConfigSchema>;

/** What a deployment is for, validated at synth so a typo fails before anything deploys. */
export const deploymentConfigSchema = z.strictObject({
  partnership: slug,
  stage: slug,
  /**
   * Who signs the bearer tokens of referrer organisations, providers, spoke coordinators, hub
   * analysts and administrators. The local runtime replaces it with its own signing key.
   */
  auth: authConfigSchema,
  /**
   * Days audit records are kept after the referral they are about has expired (CDK context
   * values given with `-c` are strings, so a number written as one is taken).
   * @default defaultAuditRetentionDays, six years
   */
  auditRetentionDays: z.coerce
    .number()
    .int()
    .min(auditRetentionBounds.min)
    .max(auditRetentionBounds.max)
    .optional(),
});
export type DeploymentConfig = z.infer<typeof deploymentConfigSchema>;

/**
 * Reads the deployment config from CDK context, naming each bad key.
 * @example parseDeploymentConfig({ partnership: 'avon-and-somerset', stage: 'dev', auth: { kind: 'cognito' } })
 */
export function parseDeploymentConfig(raw: unknown): DeploymentConfig {
  const parsed = deploymentConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const reasons = parsed.error.issues.map(
      (issue) => `reachable:${issue.path.join('.') || '(root)'} ${issue.message}`,
    );
    throw new Error(`Invalid deployment config: ${reasons.join('; ')}`);
  }
  return parsed.data;
}

/** The stack's name for a deployment; the local runtime finds its template by it. */
export const stackName = ({ partnership, stage }: DeploymentConfig) =>
  `Reachable-${partnership}-${stage}`;
