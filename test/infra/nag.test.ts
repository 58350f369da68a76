import { rmSync } from 'node:fs';
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { stackName } from '#infra/config.ts';
import { nagAcknowledgements } from '#infra/nag-acknowledgements.ts';
import { ReachableStack } from '#infra/reachable-stack.ts';
import { oidcTestConfig, testConfig } from './synth.ts';

describe('cdk-nag (AwsSolutions)', () => {
  it.each([
    ['its own Cognito user pool', testConfig],
    ['an OIDC issuer', oidcTestConfig],
  ])(
    'finds nothing in the template with %s that is not acknowledged with a reason',
    (_auth, config) => {
      // Prepare
      const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
      new ReachableStack(app, stackName(config), { config });
      Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

      // Act
      let findings = '';
      let directory: string | undefined;
      try {
        directory = app.synth().directory;
      } catch (error) {
        findings = String(error);
      } finally {
        if (directory) rmSync(directory, { recursive: true, force: true });
      }

      // Assess
      expect(findings).toBe('');
    },
  );

  it.each(Object.entries(nagAcknowledgements))(
    'acknowledges %s with a reason written as sentences',
    (_id, reason) => {
      // Prepare
      const words = reason.split(/\s+/);

      // Act
      const sentence = /^[A-Z].*[.)]\.?$/.test(reason);

      // Assess
      expect(words.length).toBeGreaterThanOrEqual(15);
      expect(sentence).toBe(true);
    },
  );

  it('acknowledges only the findings AWS or the design leaves no better answer to', () => {
    // Prepare
    const ids = Object.keys(nagAcknowledgements);

    // Act
    const iam5 = ids.filter((id) => id.startsWith('AwsSolutions-IAM5'));

    // Assess
    // The table's indexes are granted by name: no IAM5 on `index/*` is acknowledged.
    expect(iam5).toEqual(['AwsSolutions-IAM5[Resource::*]']);
    expect(ids.filter((id) => id.includes('APIG1'))).toEqual([]);
  });
});
