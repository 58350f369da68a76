import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Context } from 'aws-lambda';
import { projectRoot } from './template.ts';

type Handler = (event: unknown, context: Context) => Promise<unknown>;

/** A Lambda function of the template, run in this process from its source file. */
export interface LocalFunction {
  logicalId: string;
  handlerFile: string;
  timeoutSeconds: number;
  environment: Record<string, string>;
}

// Process-wide settings that are the runtime's own business, not the function's.
const processOnlyVariables = new Set(['NODE_OPTIONS']);

/**
 * Puts every function's environment into this process. All functions share one process
 * locally, so two functions that disagree on a variable's value is an error, named here.
 */
export function applyEnvironments(functions: readonly LocalFunction[]): void {
  const owners = new Map<string, { value: string; owner: string }>();
  for (const fn of functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      if (processOnlyVariables.has(name)) continue;
      const seen = owners.get(name);
      if (seen && seen.value !== value) {
        throw new Error(
          `Functions ${seen.owner} and ${fn.logicalId} set ${name} differently; the local runtime runs them in one process`,
        );
      }
      owners.set(name, { value, owner: fn.logicalId });
      process.env[name] = value;
    }
  }
}

/** Loads a function's handler module and returns an invoker that passes a Lambda-like context. */
export async function loadInvoker(
  fn: LocalFunction,
): Promise<(event: unknown) => Promise<unknown>> {
  const module = (await import(pathToFileURL(path.join(projectRoot, fn.handlerFile)).href)) as {
    handler?: Handler;
  };
  const handler = module.handler;
  if (typeof handler !== 'function') throw new Error(`${fn.handlerFile} does not export a handler`);
  return (event) => {
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = {
      callbackWaitsForEmptyEventLoop: false,
      functionName: fn.logicalId,
      functionVersion: '$LATEST',
      invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${fn.logicalId}`,
      memoryLimitInMB: '512',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${fn.logicalId}`,
      logStreamName: 'local',
      getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
      done: () => undefined,
      fail: () => undefined,
      succeed: () => undefined,
    } satisfies Context;
    return handler(event, context);
  };
}
