import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IllegalTransitionError, NotFoundError } from '#shared/errors.ts';
import * as referrer from '#shared/services/referrer.ts';
import { apiEvent, captureOutput, lambdaContext, parseResult, tableName } from './builders.ts';
import { testSigningKey, type TokenClaims } from './tokens.ts';

// The handler's part is the HTTP mapping: who may ask, what is parsed, which referrer service
// function is called with what, and how its answer leaves. What the service decides is tested
// in test/unit/services/referrer.test.ts.
vi.mock('#shared/services/referrer.ts', () => ({
  referralStatusFor: vi.fn(),
  referralsSentBy: vi.fn(),
  withdrawReferral: vi.fn(),
}));
const service = vi.mocked(referrer);

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

const routes = {
  list: 'GET /v1/organisations/{organisationId}/referrals',
  get: 'GET /v1/organisations/{organisationId}/referrals/{referralId}',
  withdraw: 'POST /v1/organisations/{organisationId}/referrals/{referralId}/withdraw',
} as const;
const referralRoutes = [routes.get, routes.withdraw];

/** What the service answers: the referrer's view (its shape is the service's business). */
const view = { referralId, status: 'withdrawn' } as unknown as Awaited<
  ReturnType<typeof referrer.withdrawReferral>
>;

/** The dependencies the handler gives the service for the organisation signed in. */
const deps = expect.objectContaining({
  organisationId: organisation,
  subject: `local-organisation-${organisation}`,
}) as unknown;

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

/** How many times any service function was called. */
const serviceCalls = () =>
  service.referralStatusFor.mock.calls.length +
  service.referralsSentBy.mock.calls.length +
  service.withdrawReferral.mock.calls.length;

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  vi.resetAllMocks();
  documents.reset();
  service.referralStatusFor.mockResolvedValue(view);
  service.referralsSentBy.mockResolvedValue({ referrals: [view] });
  service.withdrawReferral.mockResolvedValue(view);
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
      // Act
      const response = await call(routeKey, { as: null });

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.contentType).toBe('application/problem+json');
      expect(serviceCalls()).toBe(0);
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
      expect(serviceCalls()).toBe(0);
    },
  );

  it.each(Object.values(routes))(
    "answers 404 to another organisation's token, reading nothing: %s",
    async (routeKey) => {
      // Act
      const response = await call(routeKey, { as: { organisation: otherOrganisation } });

      // Assess
      expect(response.statusCode).toBe(404);
      expect(response.contentType).toBe('application/problem+json');
      expect(serviceCalls()).toBe(0);
    },
  );

  it.each(referralRoutes)(
    'answers 401 to a call without a token even when the referral id is malformed: %s',
    async (routeKey) => {
      // Act
      const response = await call(routeKey, { as: null, referralId: 'not-a-uuid' });

      // Assess
      expect(response.statusCode).toBe(401);
    },
  );

  it.each(referralRoutes)(
    'answers 400 naming the path parameter when the referral id is not a UUID: %s',
    async (routeKey) => {
      // Act
      const response = await call(routeKey, { referralId: 'not-a-uuid' });

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ pointer: '/referralId' }] });
      expect(serviceCalls()).toBe(0);
    },
  );
});

describe('GET /v1/organisations/{organisationId}/referrals/{referralId}', () => {
  it('answers 200 with the status the service shows', async () => {
    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ referral: view });
    expect(service.referralStatusFor).toHaveBeenCalledWith(referralId, deps);
  });

  it("answers the service's NotFoundError as 404 problem+json", async () => {
    // Prepare
    const missing = `No referral ${referralId} was sent by ${organisation}.`;
    service.referralStatusFor.mockRejectedValue(new NotFoundError(missing));

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 404, detail: missing });
  });
});

describe('GET /v1/organisations/{organisationId}/referrals', () => {
  it('passes the page asked for to the service and answers its page', async () => {
    // Prepare
    service.referralsSentBy.mockResolvedValue({ referrals: [view], cursor: 'next-page' });

    // Act
    const response = await call(routes.list, { query: { limit: '1', cursor: 'this-page' } });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ referrals: [view], cursor: 'next-page' });
    expect(service.referralsSentBy).toHaveBeenCalledWith(deps, { limit: 1, cursor: 'this-page' });
  });

  it('answers 400 naming every query parameter at fault, status included (referrers list all)', async () => {
    // Act
    const response = await call(routes.list, { query: { status: 'routed', limit: '500' } });

    // Assess
    expect(response.statusCode).toBe(400);
    const errors = (response.body as { errors: { pointer: string }[] }).errors;
    expect(errors.map((error) => error.pointer).sort()).toEqual(['/limit', '/status']);
    expect(serviceCalls()).toBe(0);
  });
});

describe('POST /v1/organisations/{organisationId}/referrals/{referralId}/withdraw', () => {
  it('answers 200 with the withdrawn referral, and logs the withdrawal by ids only', async () => {
    // Act
    const response = await call(routes.withdraw);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ referral: view });
    expect(service.withdrawReferral).toHaveBeenCalledWith(referralId, deps);
    expect(output.text()).toContain('Referral withdrawn');
    expect(output.text()).toContain(organisation);
  });

  it('answers a refused withdrawal as 409 problem+json, saying what is allowed', async () => {
    // Prepare
    service.withdrawReferral.mockRejectedValue(
      new IllegalTransitionError('withdraw', 'closed', []),
    );

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
    expect(output.text()).not.toContain('Referral withdrawn');
  });
});
