import { setTimeout as sleep } from 'node:timers/promises';
import { GetQueueUrlCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterEach, describe, expect, it } from 'vitest';
import { FunctionProcess, FunctionProcessCrashedError } from '#local/function-process.ts';

// A client whose requests never leave the process: a middleware at the end of the stack answers.
const clients: SQSClient[] = [];
function answeringClient(): { client: SQSClient; requests: string[] } {
  const client = new SQSClient({
    region: 'eu-west-2',
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  });
  const requests: string[] = [];
  client.middlewareStack.add(
    () => async (args) => {
      requests.push(JSON.stringify(args.input));
      await sleep(5);
      return { output: { $metadata: {}, QueueUrl: 'answered' }, response: {} };
    },
    { step: 'initialize', priority: 'low', name: 'answer' },
  );
  clients.push(client);
  return { client, requests };
}
const call = (client: SQSClient, name: string) =>
  client.send(new GetQueueUrlCommand({ QueueName: name }));

afterEach(() => {
  for (const client of clients.splice(0)) client.destroy();
});

describe('FunctionProcess', () => {
  it('kills an invocation in flight at its next call to AWS, and its caller sees it fail', async () => {
    // Prepare
    const functions = new FunctionProcess();
    const { client, requests } = answeringClient();
    functions.guard(client);
    let reachedSecondCall = false;
    const invocation = functions.invoke(async () => {
      await call(client, 'first');
      await sleep(20);
      reachedSecondCall = true;
      await call(client, 'second');
      return 'done';
    });

    // Act
    await sleep(10);
    functions.crash();

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(FunctionProcessCrashedError);
    expect(reachedSecondCall).toBe(true);
    expect(requests).toEqual([JSON.stringify({ QueueName: 'first' })]);
    expect(functions.crashes).toEqual({ crashes: 1, invocationsKilled: 1 });
  });

  it('loses the answer of a call in the air: the request was made, the invocation still dies', async () => {
    // Prepare
    const functions = new FunctionProcess();
    const { client, requests } = answeringClient();
    functions.guard(client);

    // Act: the crash comes while the request is answered
    const invocation = functions.invoke(() => call(client, 'in the air'));
    while (requests.length === 0) await sleep(1);
    functions.crash();

    // Assess
    await expect(invocation).rejects.toBeInstanceOf(FunctionProcessCrashedError);
    expect(requests).toHaveLength(1);
  });

  it('runs invocations started after the crash, and calls made outside any invocation, as usual', async () => {
    // Prepare
    const functions = new FunctionProcess();
    const { client } = answeringClient();
    functions.guard(client);
    functions.crash();

    // Act
    const after = await functions.invoke(() => call(client, 'after'));
    const outside = await call(client, 'outside');

    // Assess
    expect(after.QueueUrl).toBe('answered');
    expect(outside.QueueUrl).toBe('answered');
    expect(functions.crashes).toEqual({ crashes: 1, invocationsKilled: 0 });
  });

  it('passes on the error of an invocation that failed by itself', async () => {
    // Prepare
    const functions = new FunctionProcess();

    // Act
    const failing = functions.invoke(() => Promise.reject(new RangeError('its own')));

    // Assess
    await expect(failing).rejects.toThrow(RangeError);
    expect(functions.crashes.invocationsKilled).toBe(0);
  });
});
