import { pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { parseDeploymentConfig, stackName } from './config.ts';
import { ReachableStack } from './reachable-stack.ts';

/** Builds the CDK app for the deployment named in context. */
export function buildApp(app = new App()): { app: App; stack: ReachableStack } {
  const config = parseDeploymentConfig({
    partnership: app.node.tryGetContext('reachable:partnership'),
    stage: app.node.tryGetContext('reachable:stage'),
    auth: app.node.tryGetContext('reachable:auth'),
    auditRetentionDays: app.node.tryGetContext('reachable:auditRetentionDays'),
  });
  const stack = new ReachableStack(app, stackName(config), {
    config,
    description: `Reachable referral platform for ${config.partnership} (${config.stage})`,
  });
  return { app, stack };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  buildApp().app.synth();
}
