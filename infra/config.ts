import { z } from 'zod';
import { auditRetentionBounds } from '#shared/domain/audit.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case identifier like "avon-and-somerset"');

/** What a deployment is for, validated at synth so a typo fails before anything deploys. */
export const deploymentConfigSchema = z.strictObject({
  partnership: slug,
  stage: slug,
  /**
   * Who signs the bearer tokens of providers and referrer organisations: the partnership's
   * identity provider. The local runtime replaces it with its own signing key.
   */
  auth: z.strictObject({
    jwksUrl: z.url(),
    issuer: z.string().min(1),
    audience: z.string().min(1),
  }),
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
 * @example parseDeploymentConfig({ partnership: 'avon-and-somerset', stage: 'dev' })
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
