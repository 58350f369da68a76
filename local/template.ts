import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { App } from 'aws-cdk-lib';
import { buildApp } from '#infra/app.ts';

export const projectRoot = path.resolve(import.meta.dirname, '..');

/** A CloudFormation template, as synthesized. */
export interface Template {
  Resources: Record<string, TemplateResource>;
}

export interface TemplateResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

const sourceFolders = ['infra', 'events', 'shared', 'functions'];
const sourceFiles = ['cdk.json', 'package.json'];

/**
 * The template the local runtime runs, synthesized from the same CDK app that deploys, for the
 * `local` stage. Synthesizes again whenever any source is newer than the last template.
 */
export function loadLocalTemplate(outdir = path.join(projectRoot, '.local', 'cdk.out')): {
  template: Template;
  stackName: string;
  partnershipId: string;
  synthesized: boolean;
} {
  const context = localContext();
  const partnershipId = String(context['reachable:partnership']);
  const stackName = `Reachable-${partnershipId}-local`;
  const templatePath = path.join(outdir, `${stackName}.template.json`);
  const synthesized =
    !existsSync(templatePath) || newestSourceTime() > statSync(templatePath).mtimeMs;
  if (synthesized) {
    // Function code is run from source locally, so asset bundling is skipped.
    const app = new App({
      outdir,
      context: { ...context, 'aws:cdk:bundling-stacks': [] },
    });
    buildApp(app);
    app.synth();
  }
  return {
    template: JSON.parse(readFileSync(templatePath, 'utf8')) as Template,
    stackName,
    partnershipId,
    synthesized,
  };
}

function localContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return { ...cdkJson.context, 'reachable:stage': 'local' };
}

function newestSourceTime(): number {
  let newest = 0;
  const visit = (target: string) => {
    const stat = statSync(target);
    if (stat.isDirectory()) {
      for (const entry of readdirSync(target)) visit(path.join(target, entry));
    } else if (stat.mtimeMs > newest) {
      newest = stat.mtimeMs;
    }
  };
  for (const name of [...sourceFolders, ...sourceFiles]) {
    const target = path.join(projectRoot, name);
    if (existsSync(target)) visit(target);
  }
  return newest;
}

/** The resources of one type, by logical id. */
export function resourcesOfType(template: Template, type: string): [string, TemplateResource][] {
  return Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);
}
