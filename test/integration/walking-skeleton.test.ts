import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { indexes, referralKey, spokePartition } from '#shared/table/layout.ts';

const provider = 'turning-point-admit';
let runtime: Runtime;
let documents: DynamoDBDocumentClient;
const tokens = new Map<string, string>();

/** Provider calls carry that provider's bearer token, signed with the runtime's own key. */
async function asProvider(providerId: string, init: RequestInit = {}): Promise<RequestInit> {
  const token = tokens.get(providerId) ?? (await signLocalToken({ provider: providerId }));
  tokens.set(providerId, token);
  return { ...init, headers: { ...init.headers, authorization: `Bearer ${token}` } };
}

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
  documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
});

afterAll(async () => {
  documents?.destroy();
  await runtime?.stop();
});

const post = (body: string, contentType = 'application/json') =>
  postReferral(runtime, body, { headers: { 'content-type': contentType } });

/** Pulls until a referral arrives: routing is asynchronous (stream, bus, queue), as on AWS. */
async function pullNext(providerId: string): Promise<Response> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const response = await fetch(
      `${runtime.url}/v1/providers/${providerId}/referrals/next`,
      await asProvider(providerId),
    );
    if (response.status !== 204) return response;
    await sleep(100);
  }
  throw new Error(`Nothing arrived in ${providerId}'s queue`);
}

async function storedReferral(referralId: string) {
  const { Item } = await documents.send(
    new GetCommand({
      TableName: runtime.tableNames[0],
      Key: referralKey(referralId),
    }),
  );
  return Item;
}

/** Waits until the routing decision is recorded (its own queue and function, so it can lag). */
async function routedReferral(referralId: string) {
  for (let attempt = 0; attempt < 100; attempt++) {
    const item = await storedReferral(referralId);
    if (item?.routing) return item;
    await sleep(100);
  }
  throw new Error(`Routing of ${referralId} was never recorded`);
}

async function tableItemCount(): Promise<number> {
  let count = 0;
  for (const spoke of ['somerset', 'bristol']) {
    const { Count } = await documents.send(
      new QueryCommand({
        TableName: runtime.tableNames[0],
        IndexName: indexes.bySpoke.indexName,
        KeyConditionExpression: `${indexes.bySpoke.partitionKey} = :pk`,
        ExpressionAttributeValues: { ':pk': spokePartition(spoke) },
      }),
    );
    count += Count ?? 0;
  }
  return count;
}

describe('one referral, intake to provider, on the embedded runtime', () => {
  it('is stored, routed by the template rule to Turning Point, pulled with a lease and accepted', async () => {
    // Prepare
    const example = exampleReferral('admit-friday-night.json');

    // Act
    const intake = await post(JSON.stringify(example));
    const receipt = (await intake.json()) as { referralId: string; status: string };
    const pulled = await pullNext(provider);
    const routed = await routedReferral(receipt.referralId);
    const pulledBody = (await pulled.json()) as {
      referral: { referralId: string; subject: { givenName: string }; status: string };
      lease: { expiresAt: string };
    };
    const accepted = await fetch(
      `${runtime.url}/v1/providers/${provider}/referrals/${receipt.referralId}/accept`,
      await asProvider(provider, { method: 'POST' }),
    );

    // Assess
    expect(intake.status).toBe(202);
    expect(receipt.status).toBe('routed');
    expect(pulled.status).toBe(200);
    expect(pulledBody.referral.referralId).toBe(receipt.referralId);
    expect(pulledBody.referral.status).toBe('routed');
    expect(routed.routing).toMatchObject({
      routeId: `somerset-${provider}`,
      destination: { kind: 'provider', providerId: provider },
    });
    expect(pulledBody.referral.subject.givenName).toBe('Jordan');
    expect(Date.parse(pulledBody.lease.expiresAt)).toBeGreaterThan(Date.now());
    expect(accepted.status).toBe(200);
    const stored = await storedReferral(receipt.referralId);
    expect(stored).toMatchObject({ status: 'accepted', providerId: provider });
    expect(stored?.lease).toBeUndefined();
  });

  it('leaves nothing in the queue once accepted, and a second accept has the same single effect', async () => {
    // Prepare
    const intake = await post(JSON.stringify(exampleReferral('admit-friday-night.json')));
    const { referralId } = (await intake.json()) as { referralId: string };
    await pullNext(provider);
    await routedReferral(referralId);
    const acceptUrl = `${runtime.url}/v1/providers/${provider}/referrals/${referralId}/accept`;

    // Act
    const first = await fetch(acceptUrl, await asProvider(provider, { method: 'POST' }));
    const second = await fetch(acceptUrl, await asProvider(provider, { method: 'POST' }));
    const next = await fetch(
      `${runtime.url}/v1/providers/${provider}/referrals/next`,
      await asProvider(provider),
    );

    // Assess
    expect(first.status).toBe(200);
    expect(second.status).toBe(200);
    expect(next.status).toBe(204);
    const sqs = new SQSClient({});
    const queueUrl = [...runtime.queueUrls].find(([id]) =>
      id.startsWith('RoutingProviderturningpointadmitQueue'),
    )![1];
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    sqs.destroy();
    expect(Attributes).toMatchObject({
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
    });
  });

  it('answers 404 to another provider accepting a referral that is not theirs, and changes nothing', async () => {
    // Prepare
    const intake = await post(JSON.stringify(exampleReferral('admit-friday-night.json')));
    const { referralId } = (await intake.json()) as { referralId: string };
    await pullNext(provider);
    await routedReferral(referralId);

    // Act
    const response = await fetch(
      `${runtime.url}/v1/providers/st-giles-sos/referrals/${referralId}/accept`,
      await asProvider('st-giles-sos', { method: 'POST' }),
    );

    // Assess
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect((await storedReferral(referralId))?.status).toBe('routed');
  });

  it('refuses bad input with problem+json and stores nothing', async () => {
    // Prepare
    const before = await tableItemCount();
    const valid = exampleReferral('admit-friday-night.json');
    const oversized = JSON.stringify({ ...valid, summary: 'x'.repeat(70 * 1024) });

    // Act
    const invalidJson = await post('{"pathway": "admit",');
    const invalidFields = await post(
      JSON.stringify({ ...valid, spoke: 'gotham', unexpected: true }),
    );
    const tooLarge = await post(oversized);
    const wrongType = await post(JSON.stringify(valid), 'text/plain');

    // Assess
    expect(invalidJson.status).toBe(400);
    expect(invalidFields.status).toBe(400);
    expect(tooLarge.status).toBe(413);
    expect(wrongType.status).toBe(415);
    for (const response of [invalidJson, invalidFields, tooLarge, wrongType]) {
      expect(response.headers.get('content-type')).toBe('application/problem+json');
    }
    const problem = (await invalidFields.json()) as { errors: { pointer: string }[] };
    expect(problem.errors.map((e) => e.pointer).sort()).toEqual(['/spoke', '/unexpected']);
    await sleep(300);
    expect(await tableItemCount()).toBe(before);
  });
});
