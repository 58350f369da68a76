import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callPoliceNowMessage } from '#shared/services/intake.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { defaultReferrer, organisationOf } from '#test/helpers/referrals.ts';
import {
  apiEvent,
  captureOutput,
  fridayEvening,
  lambdaContext,
  parseResult,
  partnershipId,
  personalValuesOf,
  stubPersonalDataKeys,
  tableName,
} from './builders.ts';
import { testSigningKey, type TokenClaims } from './tokens.ts';

// The handler reads its environment and builds its clients at import: both come first.
const signingKey = testSigningKey();
signingKey.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
stubPersonalDataKeys();
vi.stubEnv('WEBHOOK_SECRETS_JSON', '{}');
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/intake/handler.ts');

const context = lambdaContext('reachable-intake');
const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Receipt {
  referralId: string;
  status: string;
  responseExpected: string;
  callPoliceNow?: string;
}

interface ProblemBody {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  errors?: { pointer: string; detail: string }[];
}

/**
 * Posts a referral as the organisation it names (a token signed now, as the test clock says),
 * or as `as` says; `as: null` sends no token.
 */
const submit = async (
  body: string,
  headers: Record<string, string> = {},
  as: TokenClaims | null = { organisation: organisationOf(body) ?? defaultReferrer },
) =>
  parseResult(
    await handler(
      apiEvent({
        routeKey: 'POST /v1/referrals',
        rawPath: '/v1/referrals',
        body,
        headers: {
          'content-type': 'application/json',
          ...(as ? await signingKey.bearer(as) : {}),
          ...headers,
        },
      }),
      context,
    ),
  );

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  documents.on(PutCommand).resolves({});
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(fridayEvening);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

afterAll(() => {
  signingKey.remove();
});

describe('POST /v1/referrals with a valid referral', () => {
  it('answers 202 with the reference only after one conditional write of the referral, routed', async () => {
    // Prepare
    const body = JSON.stringify(exampleReferral('admit-friday-night.json'));

    // Act
    const response = await submit(body);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.contentType).toBe('application/json');
    const receipt = response.body as Receipt;
    expect(receipt.referralId).toMatch(uuid);
    expect(receipt).toEqual({
      referralId: receipt.referralId,
      status: 'routed',
      responseExpected: 'same-shift',
    });
    expect(documents.calls()).toHaveLength(1);
    const puts = documents.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    const input = puts[0]!.args[0].input;
    expect(input.TableName).toBe(tableName);
    expect(input.ConditionExpression).toBe('attribute_not_exists(PK)');
    expect(input.Item).toMatchObject({
      PK: `REFERRAL#${receipt.referralId}`,
      SK: 'REFERRAL',
      entity: 'referral',
      GSI2PK: 'SPOKE#somerset',
      GSI2SK: `${fridayEvening.toISOString()}#${receipt.referralId}`,
      referralId: receipt.referralId,
      status: 'routed',
      spoke: 'somerset',
      pathway: 'admit',
      receivedAt: fridayEvening.toISOString(),
      // Routed in the same write, by the rule EventBridge delivers with: in the provider's list.
      providerId: 'turning-point-admit',
      routing: {
        routeId: 'somerset-turning-point-admit',
        destination: { kind: 'provider', providerId: 'turning-point-admit' },
        decidedAt: fridayEvening.toISOString(),
      },
      GSI1PK: 'PROVIDER#turning-point-admit',
    });
  });

  it('gives each referral its own reference', async () => {
    // Prepare
    const body = JSON.stringify(exampleReferral('admit-friday-night.json'));

    // Act
    const first = await submit(body);
    const second = await submit(body);

    // Assess
    const firstId = (first.body as Receipt).referralId;
    const secondId = (second.body as Receipt).referralId;
    expect(firstId).not.toBe(secondId);
    const keys = documents.commandCalls(PutCommand).map((call) => call.args[0].input.Item?.PK);
    expect(keys).toEqual([`REFERRAL#${firstId}`, `REFERRAL#${secondId}`]);
  });

  it('tells the referrer to call 999 first when a weapon was threatened', async () => {
    // Prepare
    const body = JSON.stringify(exampleReferral('weapons-threatened-bristol.json'));

    // Act
    const response = await submit(body);

    // Assess
    expect(response.statusCode).toBe(202);
    const receipt = response.body as Receipt;
    expect(receipt.callPoliceNow).toBe(callPoliceNowMessage);
    expect(receipt.callPoliceNow).toContain('999');
    expect(receipt.status).toBe('routed');
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
    expect(documents.commandCalls(PutCommand)[0]!.args[0].input.Item).toMatchObject({
      flags: { immediateEscalation: true },
    });
  });

  it('does not tell the referrer to call 999 when no weapon was used or threatened', async () => {
    // Prepare
    const body = JSON.stringify(exampleReferral('weapons-possession-bristol.json'));

    // Act
    const response = await submit(body);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.body).not.toHaveProperty('callPoliceNow');
  });
});

describe('POST /v1/referrals and who sends it', () => {
  it('answers 401 problem+json without a referrer organisation token, before reading the body', async () => {
    // Prepare
    const valid = JSON.stringify(exampleReferral('admit-friday-night.json'));
    const oversized = JSON.stringify({ summary: 'x'.repeat(64 * 1024) });

    // Act
    const unsigned = await submit(valid, {}, null);
    const unsignedOversized = await submit(oversized, {}, null);

    // Assess
    expect([unsigned.statusCode, unsignedOversized.statusCode]).toEqual([401, 401]);
    expect(unsigned.contentType).toBe('application/problem+json');
    expect(unsigned.body).toMatchObject({ status: 401, detail: 'Missing bearer token.' });
    expect(documents.calls()).toHaveLength(0);
  });

  it.each<[string, TokenClaims]>([
    ['a provider', { provider: 'turning-point-admit' }],
    ['a spoke coordinator', { spoke: 'somerset' }],
    ['the hub', { hub: partnershipId }],
    ['an administrator', { admin: partnershipId }],
  ])(
    'answers 403 to %s, who is not a referrer organisation, and stores nothing',
    async (_who, as) => {
      // Prepare
      const valid = JSON.stringify(exampleReferral('admit-friday-night.json'));

      // Act
      const response = await submit(valid, {}, as);

      // Assess
      expect(response.statusCode).toBe(403);
      expect(response.body).toMatchObject({
        status: 403,
        detail: 'Only referrer organisations can use this route.',
      });
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it("answers 403 naming referrer.organisationId to a referral of another organisation's, and stores nothing", async () => {
    // Prepare
    const hospitals = JSON.stringify(exampleReferral('admit-friday-night.json'));

    // Act
    const response = await submit(hospitals, {}, { organisation: 'example-academy-bristol' });

    // Assess
    expect(organisationOf(hospitals)).toBe('musgrove-park-hospital-ae');
    expect(response.statusCode).toBe(403);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'https://reachable.dev/problems/forbidden',
      title: 'Not allowed',
      status: 403,
      detail: 'You can only send referrals from your own organisation.',
      instance: '/v1/referrals',
      errors: [
        {
          pointer: '/referrer/organisationId',
          detail: 'must be "example-academy-bristol", the organisation you are signed in for',
        },
      ],
    });
    expect(documents.calls()).toHaveLength(0);
  });
});

describe('POST /v1/referrals with bad input', () => {
  it('answers 400 problem+json naming every field at fault, and stores nothing', async () => {
    // Prepare
    const valid = exampleReferral('admit-friday-night.json') as {
      subject: Record<string, unknown>;
      referrer: Record<string, unknown>;
    };
    const body = JSON.stringify({
      ...valid,
      spoke: 'gotham',
      unexpected: true,
      subject: { ...valid.subject, postcode: 'NOT A POSTCODE' },
      referrer: { ...valid.referrer, email: 'not-an-email' },
    });

    // Act
    const response = await submit(body);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    const problem = response.body as ProblemBody;
    expect(problem).toMatchObject({
      type: 'https://reachable.dev/problems/invalid-request',
      status: 400,
      instance: '/v1/referrals',
    });
    expect(problem.errors?.map((error) => error.pointer).sort()).toEqual([
      '/referrer/email',
      '/spoke',
      '/subject/postcode',
      '/unexpected',
    ]);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 400 problem+json for a body that is not JSON, and stores nothing', async () => {
    // Prepare
    const body = '{"pathway": "admit",';

    // Act
    const response = await submit(body);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    expect((response.body as ProblemBody).errors).toEqual([
      { pointer: '', detail: 'must be valid JSON' },
    ]);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 413 to a body over 64 KB before reading it, and stores nothing', async () => {
    // Prepare
    const valid = exampleReferral('admit-friday-night.json');
    const body = JSON.stringify({ ...valid, summary: 'x'.repeat(64 * 1024) });

    // Act
    const response = await submit(body);

    // Assess
    expect(response.statusCode).toBe(413);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'https://reachable.dev/problems/payload-too-large',
      status: 413,
    });
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 413 to a base64-encoded body over 64 KB once decoded, and stores nothing', async () => {
    // Prepare
    const oversized = Buffer.alloc(64 * 1024 + 1, 'x').toString('base64');

    // Act
    const response = parseResult(
      await handler(
        apiEvent({
          routeKey: 'POST /v1/referrals',
          rawPath: '/v1/referrals',
          body: oversized,
          isBase64Encoded: true,
          headers: {
            'content-type': 'application/json',
            ...(await signingKey.bearer({ organisation: defaultReferrer })),
          },
        }),
        context,
      ),
    );

    // Assess
    expect(response.statusCode).toBe(413);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 415 to a body that is not sent as application/json, and stores nothing', async () => {
    // Prepare
    const body = JSON.stringify(exampleReferral('admit-friday-night.json'));

    // Act
    const response = await submit(body, { 'content-type': 'text/plain' });

    // Assess
    expect(response.statusCode).toBe(415);
    expect(response.contentType).toBe('application/problem+json');
    expect(documents.calls()).toHaveLength(0);
  });
});

describe('POST /v1/referrals when the table fails', () => {
  it('answers 500 problem+json without leaking what went wrong inside', async () => {
    // Prepare
    const internal = Object.assign(
      new Error(
        `Throughput exceeds the current capacity of arn:aws:dynamodb:eu-west-2:123456789012:table/${tableName}`,
      ),
      { name: 'ProvisionedThroughputExceededException' },
    );
    documents.on(PutCommand).rejects(internal);

    // Act
    const response = await submit(JSON.stringify(exampleReferral('admit-friday-night.json')));

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toEqual({
      type: 'about:blank',
      title: 'Internal Server Error',
      status: 500,
      detail: expect.any(String) as string,
      instance: '/v1/referrals',
    });
    for (const secret of [tableName, 'arn:aws', 'ProvisionedThroughput', 'capacity']) {
      expect(response.rawBody).not.toContain(secret);
    }
    expect(output.text()).toContain('ProvisionedThroughputExceededException');
  });

  it('answers 409 problem+json when a referral with the same id is already stored', async () => {
    // Prepare
    documents.on(PutCommand).rejects(
      new ConditionalCheckFailedException({
        message: 'The conditional request failed',
        $metadata: {},
      }),
    );

    // Act
    const response = await submit(JSON.stringify(exampleReferral('admit-friday-night.json')));

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 409, title: 'Conflict' });
  });
});

describe('intake logging', () => {
  it('logs the reference of an accepted referral and none of its personal data', async () => {
    // Prepare
    const fileName = 'admit-friday-night.json';
    const body = JSON.stringify(exampleReferral(fileName));

    // Act
    const response = await submit(body);

    // Assess
    const logged = output.text();
    const { referralId } = response.body as Receipt;
    expect(logged).toContain('Referral received');
    expect(logged).toContain(referralId);
    for (const personal of personalValuesOf(fileName)) {
      expect(logged).not.toContain(personal);
    }
  });

  it('logs none of the personal data of a referral refused or failed', async () => {
    // Prepare
    const fileName = 'weapons-threatened-bristol.json';
    const valid = exampleReferral(fileName);
    const invalid = JSON.stringify({ ...valid, spoke: 'gotham' });
    documents.on(PutCommand).rejects(new Error('Table unavailable'));

    // Act
    const refused = await submit(invalid);
    const failed = await submit(JSON.stringify(valid));

    // Assess
    expect(refused.statusCode).toBe(400);
    expect(failed.statusCode).toBe(500);
    const logged = output.text();
    expect(logged).toContain('Unhandled error');
    for (const personal of personalValuesOf(fileName)) {
      expect(logged).not.toContain(personal);
    }
  });
});
