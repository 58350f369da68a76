import { z } from 'zod';

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
