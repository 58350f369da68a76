import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { stackName, type DeploymentConfig } from '#infra/config.ts';
import { handlerMetadataKey } from '#infra/constructs/reachable-function.ts';
import { ReachableStack, type ReachableStackProps } from '#infra/reachable-stack.ts';

/** The deployment the infra tests synthesize. */
export const testConfig: DeploymentConfig = {
  partnership: 'avon-and-somerset',
  stage: 'test',
  auth: {
    jwksUrl: 'https://auth.example.org/.well-known/jwks.json',
    issuer: 'https://auth.example.org/',
    audience: 'reachable',
  },
};

/** One resource of a synthesized CloudFormation template. */
export interface Resource {
  Type: string;
  Properties: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
}

/** A synthesized stack, its template for CDK assertions, and its resources as plain JSON. */
export interface Synthesized {
  stack: ReachableStack;
  template: Template;
  resources: Record<string, Resource>;
  /** The cloud assembly's directory, holding `validation-report.json` when validation ran. */
  assemblyDirectory: string;
}

export interface SynthesizeOptions extends Partial<ReachableStackProps> {
  /**
   * Run CDK's built-in CloudFormation template validation, its findings as synth errors. It
   * takes a few seconds of CPU, so only the file that asserts on it turns it on.
   * @default false
   */
  validate?: boolean;
}

/**
 * Synthesizes the stack with asset bundling skipped (as the local runtime does): esbuild never
 * runs, so a whole template takes a few seconds. Call it once per test file.
 */
export function synthesize({ validate = false, ...props }: SynthesizeOptions = {}): Synthesized {
  const app = new App({
    builtinCloudFormationValidation: validate,
    context: {
      'aws:cdk:bundling-stacks': [],
      '@aws-cdk/core:validateAgainstDefaultRules': validate,
    },
  });
  const stack = new ReachableStack(app, stackName(testConfig), { config: testConfig, ...props });
  const assembly = app.synth();
  const json = assembly.getStackArtifact(stack.artifactId).template as {
    Resources: Record<string, Resource>;
  };
  return {
    stack,
    template: Template.fromJSON(json),
    resources: json.Resources,
    assemblyDirectory: assembly.directory,
  };
}

/** The logical id of a construct's CloudFormation resource (the construct or its default child). */
export function logicalIdOf(construct: IConstruct): string {
  const element = (construct.node.defaultChild ?? construct) as CfnElement;
  return Stack.of(construct).getLogicalId(element);
}

/** The resources of one type, as [logical id, resource] pairs. */
export function resourcesOfType(
  resources: Record<string, Resource>,
  type: string,
): [string, Resource][] {
  return Object.entries(resources).filter(([, resource]) => resource.Type === type);
}

/** Reachable's own functions, by the handler file their metadata names. */
export function functionsByHandler(resources: Record<string, Resource>): Map<string, string> {
  const functions = new Map<string, string>();
  for (const [id, resource] of resourcesOfType(resources, 'AWS::Lambda::Function')) {
    const handler = resource.Metadata?.[handlerMetadataKey];
    if (typeof handler === 'string') functions.set(handler, id);
  }
  return functions;
}

/** The logical id of the function running `functions/<name>/handler.ts`. */
export function functionId(resources: Record<string, Resource>, name: string): string {
  const id = functionsByHandler(resources).get(`functions/${name}/handler.ts`);
  if (!id) throw new Error(`No function runs functions/${name}/handler.ts`);
  return id;
}

/** An IAM policy statement as CloudFormation has it. */
export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource?: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

/** Every statement of the IAM policies attached to a function's execution role. */
export function roleStatements(resources: Record<string, Resource>, fnId: string): Statement[] {
  const role = resources[fnId]!.Properties.Role as { 'Fn::GetAtt': [string, string] };
  const roleId = role['Fn::GetAtt'][0];
  return resourcesOfType(resources, 'AWS::IAM::Policy')
    .filter(([, policy]) =>
      (policy.Properties.Roles as unknown[]).some(
        (ref) => JSON.stringify(ref) === JSON.stringify({ Ref: roleId }),
      ),
    )
    .flatMap(
      ([, policy]) => (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement,
    );
}

/** A statement's actions, always as a list. */
export const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** A statement's resources, always as a list. */
export const resourcesOf = (statement: Statement): unknown[] =>
  Array.isArray(statement.Resource) ? statement.Resource : [statement.Resource];

/** `{ 'Fn::GetAtt': [id, attribute] }`, as the template references another resource. */
export const getAtt = (id: string, attribute = 'Arn') => ({ 'Fn::GetAtt': [id, attribute] });

/** The logical id a `{ Fn::GetAtt: [id, 'Arn'] }` or `{ Ref: id }` points at, if it is one. */
export function referencedId(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const getAtt = (value as { 'Fn::GetAtt'?: unknown })['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  const ref = (value as { Ref?: unknown }).Ref;
  return typeof ref === 'string' ? ref : undefined;
}

export interface RuleTarget {
  Id: string;
  Arn: unknown;
  DeadLetterConfig?: { Arn?: unknown };
  RetryPolicy?: { MaximumRetryAttempts?: number; MaximumEventAgeInSeconds?: number };
}
export const targetsOf = (rule: Resource) => (rule.Properties.Targets ?? []) as RuleTarget[];

/** Where failures are parked: redrive targets, failure destinations and rule DLQs. */
export function parkingQueueIds(resources: Record<string, Resource>): Set<string> {
  const queues = resourcesOfType(resources, 'AWS::SQS::Queue');
  const mappings = resourcesOfType(resources, 'AWS::Lambda::EventSourceMapping');
  const rules = resourcesOfType(resources, 'AWS::Events::Rule');
  const ids = new Set<string>();
  const add = (value: unknown) => {
    const id = referencedId(value);
    if (id) ids.add(id);
  };
  for (const [, queue] of queues) {
    add((queue.Properties.RedrivePolicy as { deadLetterTargetArn?: unknown })?.deadLetterTargetArn);
  }
  for (const [, mapping] of mappings) {
    const destination = mapping.Properties.DestinationConfig as
      { OnFailure?: { Destination?: unknown } } | undefined;
    add(destination?.OnFailure?.Destination);
  }
  for (const [, rule] of rules) {
    for (const target of targetsOf(rule)) add(target.DeadLetterConfig?.Arn);
  }
  return ids;
}
