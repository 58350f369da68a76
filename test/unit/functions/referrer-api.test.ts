import {
  DynamoDBDocumentClient,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
} from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Referral } from '#shared/domain/referral.ts';
import {
  apiEvent,
  captureOutput,
  lambdaContext,
  parseResult,
  personalValuesOf,
  referralFromExample,
  referralItem,
  routedReferral,
  tableName,
} from './builders.ts';
import { testSigningKey, type TokenClaims } from './tokens.ts';

const organisation = 'musgrove-park-hospital-ae';
const otherOrganisation = 'example-academy-bristol';
const provider = 'turning-point-admit';

const signingKey = testSigningKey();
signingKey.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/referrer-api/handler.ts');

const context = lambdaContext('reachable-referrer-api');
const referralId = '4b1e6f0a-2c3d-4e5f-8a9b-0c1d2e3f4a5b';
const now = new Date('2026-11-21T09:30:00.000Z');
const referralKey = { PK: `REFERRAL#${referralId}`, SK: 'REFERRAL' };

const routes = {
  list: 'GET /v1/organisations/{organisationId}/referrals',
  get: 'GET /v1/organisations/{organisationId}/referrals/{referralId}',
  withdraw: 'POST /v1/organisations/{organisationId}/referrals/{referralId}/withdraw',
} as const;

const received = () => referralFromExample('admit-friday-night.json', referralId);
const routed = (): Referral => ({
  ...routedReferral(received(), `somerset-${provider}`, { kind: 'provider', providerId: provider }),
  deadlines: { acceptBy: '2026-11-21T00:00:00.000Z', firstContactBy: '2026-11-21T00:00:00.000Z' },
  lease: { providerId: provider, receiptHandle: 'receipt-1', expiresAt: '2026-11-21T09:40:00Z' },
  milestones: { routedAt: '2026-11-20T22:45:02.000Z' },
});
/** Further along, with everything a provider records about the case. */
const declineDetails = 'Known to the family support worker already';
const engaged = (): Referral => ({
  ...routed(),
  status: 'engaged',
  updatedAt: '2026-11-21T09:00:00.000Z',
  lease: undefined,
  previousProviders: ['st-giles-sos'],
  decline: { reason: 'other', details: declineDetails },
  contactAttempts: [{ method: 'phone', result: 'reached', attemptedAt: '2026-11-21T08:00:00Z' }],
  overdue: { accept: '2026-11-21T00:05:00.000Z' },
  milestones: {
    routedAt: '2026-11-20T22:45:02.000Z',
    acceptedAt: '2026-11-21T07:30:00.000Z',
    firstContactAt: '2026-11-21T08:00:00Z',
    engagedAt: '2026-11-21T09:00:00.000Z',
  },
});

const storeHolds = (referral: Referral) =>
  documents.on(GetCommand, { Key: referralKey }).resolves({ Item: referralItem(referral) });

interface Call {
  organisationId?: string;
  referralId?: string;
  /** Whose token to send; `null` sends none. The organisation in the path unless told. */
  as?: TokenClaims | null;
  query?: Record<string, string>;
}

/** Calls a referrer route as API Gateway would. */
async function call(
  routeKey: string,
  { organisationId = organisation, referralId: id = referralId, as, query }: Call = {},
) {
  const template = routeKey.split(' ')[1] ?? '';
  const caller = as === undefined ? { organisation: organisationId } : as;
  const headers = caller === null ? {} : await signingKey.bearer(caller);
  return parseResult(
    await handler(
      apiEvent({
        routeKey,
        rawPath: template.replace('{organisationId}', organisationId).replace('{referralId}', id),
        pathParameters: {
          organisationId,
          ...(template.includes('{referralId}') ? { referralId: id } : {}),
        },
        headers,
        ...(query ? { queryStringParameters: query } : {}),
      }),
      context,
    ),
  );
}

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({});
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(TransactWriteCommand).resolves({});
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(now);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
  vi.useRealTimers();
});

afterAll(() => {
  signingKey.remove();
});

describe('who may ask', () => {
  it.each(Object.values(routes))(
    'answers 401 with a bearer challenge to a call without a token, reading nothing: %s',
    async (routeKey) => {
      // Prepare
      storeHolds(routed());

      // Act
      const response = await call(routeKey, { as: null });

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.contentType).toBe('application/problem+json');
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it.each(Object.values(routes))(
    'answers 403 to a provider, naming who the route is for, and reads nothing: %s',
    async (routeKey) => {
      // Act
      const response = await call(routeKey, { as: { provider } });

      // Assess
      expect(response.statusCode).toBe(403);
      expect(response.body).toMatchObject({
        detail: 'Only referrer organisations can use this route.',
      });
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it.each(
    Object.values(routes).map((routeKey) => ({
      routeKey,
      as: { organisation: otherOrganisation },
    })),
  )(
    'answers the same 404 to $as on $routeKey whether the referral exists or not',
    async ({ routeKey, as }) => {
      // Prepare
      storeHolds(routed());

      // Act
      const existing = await call(routeKey, { as });
      documents.reset();
      documents.on(GetCommand).resolves({});
      const missing = await call(routeKey, { as });

      // Assess
      expect(existing.statusCode).toBe(404);
      expect(existing.rawBody).toBe(missing.rawBody);
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it.each([routes.get, routes.withdraw])(
    'answers a referral another organisation sent exactly as one that does not exist: %s',
    async (routeKey) => {
      // Prepare
      storeHolds({ ...routed(), referrerOrganisationId: otherOrganisation });

      // Act
      const others = await call(routeKey);
      documents.on(GetCommand, { Key: referralKey }).resolves({});
      const missing = await call(routeKey);

      // Assess
      expect(others.statusCode).toBe(404);
      expect(others.rawBody).toBe(missing.rawBody);
      expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
    },
  );

  it.each([routes.get, routes.withdraw])(
    'answers 401 to a call without a token even when the referral id is malformed: %s',
    async (routeKey) => {
      // Prepare
      const badId = 'not-a-uuid';

      // Act
      const response = await call(routeKey, { as: null, referralId: badId });

      // Assess
      expect(response.statusCode).toBe(401);
    },
  );
});

describe('GET /v1/organisations/{organisationId}/referrals/{referralId}', () => {
  it('shows status and dates only: no personal data, no case notes', async () => {
    // Prepare
    storeHolds(engaged());

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(200);
    const { referral } = response.body as { referral: Record<string, unknown> };
    expect(referral).toEqual({
      referralId,
      pathway: 'admit',
      spoke: 'somerset',
      status: 'engaged',
      receivedAt: '2026-11-20T22:45:00.000Z',
      updatedAt: '2026-11-21T09:00:00.000Z',
      milestones: engaged().milestones,
    });
    for (const personal of [...personalValuesOf('admit-friday-night.json'), declineDetails]) {
      expect(response.rawBody).not.toContain(personal);
    }
    expect(documents.commandCalls(GetCommand)[0]!.args[0].input).toMatchObject({
      Key: referralKey,
      ConsistentRead: true,
    });
  });
});

describe('GET /v1/organisations/{organisationId}/referrals', () => {
  it('lists the organisation’s own referrals through its index, a page at a time, without personal data', async () => {
    // Prepare
    const lastKey = { PK: referralKey.PK, SK: 'REFERRAL', GSI3PK: `ORGANISATION#${organisation}` };
    documents
      .on(QueryCommand)
      .resolvesOnce({ Items: [referralItem(engaged())], LastEvaluatedKey: lastKey })
      .resolves({ Items: [referralItem(routed())] });

    // Act
    const first = await call(routes.list, { query: { limit: '1' } });
    const { cursor } = first.body as { cursor: string };
    const second = await call(routes.list, { query: { limit: '1', cursor } });

    // Assess
    expect(first.statusCode).toBe(200);
    const page = first.body as { referrals: Record<string, unknown>[] };
    expect(page.referrals).toEqual([
      expect.objectContaining({ referralId, status: 'engaged' }) as unknown,
    ]);
    expect(Object.keys(page.referrals[0]!).sort()).toEqual([
      'milestones',
      'pathway',
      'receivedAt',
      'referralId',
      'spoke',
      'status',
      'updatedAt',
    ]);
    for (const personal of [...personalValuesOf('admit-friday-night.json'), declineDetails]) {
      expect(first.rawBody).not.toContain(personal);
      expect(second.rawBody).not.toContain(personal);
    }
    const queries = documents.commandCalls(QueryCommand).map((c) => c.args[0].input);
    expect(queries[0]).toMatchObject({
      TableName: tableName,
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :pk',
      ExpressionAttributeValues: { ':pk': `ORGANISATION#${organisation}` },
      Limit: 1,
      ScanIndexForward: false,
    });
    expect(queries[1]!.ExclusiveStartKey).toEqual(lastKey);
    expect(second.body).toEqual({ referrals: [expect.objectContaining({ status: 'routed' })] });
  });

  it('answers 400 naming every query parameter at fault, status included (referrers list all)', async () => {
    // Prepare
    const query = { status: 'routed', limit: '500' };

    // Act
    const response = await call(routes.list, { query });

    // Assess
    expect(response.statusCode).toBe(400);
    const errors = (response.body as { errors: { pointer: string }[] }).errors;
    expect(errors.map((error) => error.pointer).sort()).toEqual(['/limit', '/status']);
    expect(documents.calls()).toHaveLength(0);
  });
});

describe('POST /v1/organisations/{organisationId}/referrals/{referralId}/withdraw', () => {
  it('withdraws the referral in one transaction, recording the organisation as who did it', async () => {
    // Prepare
    const before = routed();
    storeHolds(before);

    // Act
    const response = await call(routes.withdraw);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({
      referral: expect.objectContaining({
        status: 'withdrawn',
        updatedAt: now.toISOString(),
        milestones: { routedAt: '2026-11-20T22:45:02.000Z', withdrawnAt: now.toISOString() },
      }) as unknown,
    });
    const transactions = documents.commandCalls(TransactWriteCommand);
    expect(transactions).toHaveLength(1);
    const [update, put] = transactions[0]!.args[0].input.TransactItems ?? [];
    expect(update?.Update).toMatchObject({
      Key: referralKey,
      ExpressionAttributeValues: {
        ':status': 'withdrawn',
        ':expectedStatus': 'routed',
        ':expectedUpdatedAt': before.updatedAt,
      },
    });
    // No lease and no deadline left for a referral nobody is to work on.
    expect(update?.Update?.UpdateExpression).toMatch(/REMOVE .*#lease/);
    expect(update?.Update?.UpdateExpression).toMatch(/REMOVE .*#GSI4PK/);
    expect(put?.Put?.Item).toMatchObject({
      from: 'routed',
      to: 'withdrawn',
      actor: { kind: 'referrer', id: organisation },
      event: { status: 'withdrawn', referrerOrganisationId: organisation },
    });
    expect(JSON.stringify(put?.Put?.Item)).not.toContain('Jordan');
  });

  it('withdraws a referral whose routing is not recorded yet', async () => {
    // Prepare
    storeHolds(received());

    // Act
    const response = await call(routes.withdraw);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({ referral: { status: 'withdrawn' } });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers 200 again to a second withdrawal, with no second write', async () => {
    // Prepare
    const withdrawn: Referral = {
      ...routed(),
      status: 'withdrawn',
      updatedAt: '2026-11-21T09:00:00.000Z',
      milestones: { withdrawnAt: '2026-11-21T09:00:00.000Z' },
    };
    documents
      .on(GetCommand, { Key: referralKey })
      .resolvesOnce({ Item: referralItem(routed()) })
      .resolves({ Item: referralItem(withdrawn) });

    // Act
    const first = await call(routes.withdraw);
    const second = await call(routes.withdraw);

    // Assess
    expect(first.statusCode).toBe(200);
    expect(second.statusCode).toBe(200);
    expect(second.body).toMatchObject({
      referral: { status: 'withdrawn', milestones: { withdrawnAt: '2026-11-21T09:00:00.000Z' } },
    });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(1);
  });

  it('answers 409 problem+json to withdrawing a closed referral, saying nothing is allowed', async () => {
    // Prepare
    storeHolds({ ...engaged(), status: 'closed', closeOutcome: 'completed' });

    // Act
    const response = await call(routes.withdraw);

    // Assess
    expect(response.statusCode).toBe(409);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      type: 'https://reachable.dev/problems/illegal-transition',
      currentStatus: 'closed',
      allowed: [],
    });
    expect(documents.commandCalls(TransactWriteCommand)).toHaveLength(0);
  });
});
