import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PersonalDataUnreadableError } from '#shared/adapters/personal-data-cipher.ts';
import { defaultAuditRetentionDays } from '#shared/domain/audit.ts';
import {
  AuditUnavailableError,
  ConflictError,
  GoneError,
  IllegalTransitionError,
  NotFoundError,
  ValidationError,
} from '#shared/errors.ts';
import * as providerWork from '#shared/services/provider-work.ts';
import {
  apiEvent,
  captureOutput,
  lambdaContext,
  parseResult,
  partnershipId,
  stubPersonalDataKeys,
  tableName,
} from './builders.ts';
import { testSigningKey } from './tokens.ts';

// The handler's part is the HTTP mapping: who may call, what is parsed, which service function
// is called with what, and how its answer or error leaves. What the service decides is tested
// in test/unit/services/provider-work.test.ts; the table's commands in test/unit/adapters/.
vi.mock('#shared/services/provider-work.ts', () => ({
  pullNextReferral: vi.fn(),
  readProviderReferral: vi.fn(),
  runProviderCommand: vi.fn(),
  listProviderReferrals: vi.fn(),
  extendLease: vi.fn(),
}));
const work = vi.mocked(providerWork);

const provider = 'turning-point-admit';
const otherProvider = 'st-giles-sos';
const queueUrls = {
  [provider]: 'https://sqs.eu-west-2.amazonaws.com/123456789012/reachable-turning-point-admit',
  [otherProvider]: 'https://sqs.eu-west-2.amazonaws.com/123456789012/reachable-st-giles-sos',
};

const signingKey = testSigningKey();
signingKey.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
stubPersonalDataKeys();
vi.stubEnv('PROVIDER_QUEUE_URLS', JSON.stringify(queueUrls));
vi.stubEnv('LEASE_SECONDS', undefined);
const documents = mockClient(DynamoDBDocumentClient);
const queues = mockClient(SQSClient);
const { handler } = await import('#functions/provider-api/handler.ts');

const context = lambdaContext('reachable-provider-api');
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const now = new Date('2026-11-20T23:00:00.000Z');

const routes = {
  list: 'GET /v1/providers/{providerId}/referrals',
  next: 'GET /v1/providers/{providerId}/referrals/next',
  get: 'GET /v1/providers/{providerId}/referrals/{referralId}',
  lease: 'POST /v1/providers/{providerId}/referrals/{referralId}/lease',
  accept: 'POST /v1/providers/{providerId}/referrals/{referralId}/accept',
  decline: 'POST /v1/providers/{providerId}/referrals/{referralId}/decline',
  contact: 'POST /v1/providers/{providerId}/referrals/{referralId}/contact-attempts',
  engaged: 'POST /v1/providers/{providerId}/referrals/{referralId}/engaged',
  close: 'POST /v1/providers/{providerId}/referrals/{referralId}/close',
  reroute: 'POST /v1/providers/{providerId}/referrals/{referralId}/reroute',
  getCapacity: 'GET /v1/providers/{providerId}/capacity',
  putCapacity: 'PUT /v1/providers/{providerId}/capacity',
} as const;
const referralRoutes = Object.values(routes).filter((key) => key.includes('{referralId}'));

const attempt = {
  method: 'phone',
  result: 'no-answer',
  attemptedAt: '2026-11-20T22:55:00.000Z',
} as const;

/** A body each route accepts, so a refusal can only come from who is asking. */
const validBodies: Partial<Record<string, unknown>> = {
  [routes.decline]: { reason: 'no-capacity' },
  [routes.contact]: attempt,
  [routes.close]: { outcome: 'completed' },
  [routes.reroute]: { toProviderId: otherProvider },
  [routes.putCapacity]: { status: 'open' },
};

/** What a service answers: a view of the referral (its shape is the service's business). */
const view = { referralId, status: 'accepted' } as unknown as providerWork.ProviderView;
const names = { spokes: {}, pathways: {}, providers: {}, organisations: {} };
const answer = { referral: view, names };

interface Call {
  providerId?: string;
  referralId?: string;
  /** Whose provider token to send; `null` sends none. The provider in the path unless told. */
  as?: string | null;
  headers?: Record<string, string>;
  body?: unknown;
  query?: Record<string, string>;
}

/** Calls a provider route as API Gateway would, with a bearer token signed for `as`. */
async function call(
  routeKey: string,
  { providerId = provider, referralId: id = referralId, as, headers, body, query }: Call = {},
) {
  const template = routeKey.split(' ')[1] ?? '';
  const caller = as === undefined ? providerId : as;
  const auth = caller === null ? {} : await signingKey.bearer({ provider: caller });
  return parseResult(
    await handler(
      apiEvent({
        routeKey,
        rawPath: template.replace('{providerId}', providerId).replace('{referralId}', id),
        pathParameters: {
          providerId,
          ...(template.includes('{referralId}') ? { referralId: id } : {}),
        },
        headers: {
          ...auth,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...headers,
        },
        ...(body === undefined
          ? {}
          : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
        ...(query ? { queryStringParameters: query } : {}),
      }),
      context,
    ),
  );
}

/** The dependencies the handler gives a service for the provider signed in, for this request. */
const depsOf = (providerId = provider) =>
  expect.objectContaining({
    providerId,
    leaseSeconds: 15 * 60,
    partnership: expect.objectContaining({ id: partnershipId }) as unknown,
    audit: expect.objectContaining({
      // The subject of a local provider token: the person reads and changes are recorded for.
      actor: { role: 'provider', id: providerId, subject: `local-provider-${providerId}` },
      purpose: 'provider-casework',
      correlationId: 'request-1',
      retentionDays: defaultAuditRetentionDays,
    }) as unknown,
  }) as unknown;

/** Whether any service function was called. */
const serviceCalls = () =>
  Object.values(work).reduce(
    (calls, fn) => calls + (vi.isMockFunction(fn) ? fn.mock.calls.length : 0),
    0,
  );

/** The JSON pointers a 400 problem names, sorted. */
const pointersOf = (body: unknown) =>
  ((body as { errors?: { pointer: string }[] }).errors ?? []).map((error) => error.pointer).sort();

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  vi.resetAllMocks();
  documents.reset();
  queues.reset();
  documents.on(GetCommand).resolves({});
  documents.on(PutCommand).resolves({});
  queues.on(ReceiveMessageCommand).resolves({});
  work.pullNextReferral.mockResolvedValue(undefined);
  work.readProviderReferral.mockResolvedValue(answer);
  work.runProviderCommand.mockResolvedValue(answer);
  work.listProviderReferrals.mockResolvedValue({ referrals: [view], names });
  work.extendLease.mockResolvedValue({ expiresAt: '2026-11-20T23:15:00.000Z' });
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

describe('who may call a provider route', () => {
  it.each(Object.values(routes))(
    'answers 401 with a bearer challenge to a call without a token, touching nothing: %s',
    async (routeKey) => {
      // Act
      const response = await call(routeKey, { as: null, body: validBodies[routeKey] });

      // Assess
      expect(response.statusCode).toBe(401);
      expect(response.contentType).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 401, detail: 'Missing bearer token.' });
      expect(serviceCalls()).toBe(0);
      expect(documents.calls()).toHaveLength(0);
      expect(queues.calls()).toHaveLength(0);
    },
  );

  it.each(Object.values(routes))(
    "answers 404 to another provider's token, calling no service: %s",
    async (routeKey) => {
      // Act
      const response = await call(routeKey, { as: otherProvider, body: validBodies[routeKey] });

      // Assess
      expect(response.statusCode).toBe(404);
      expect(response.contentType).toBe('application/problem+json');
      expect(serviceCalls()).toBe(0);
      expect(documents.calls()).toHaveLength(0);
    },
  );

  it.each(referralRoutes)(
    'answers 401 to a call without a token even when the referral id is malformed: %s',
    async (routeKey) => {
      // Act
      const response = await call(routeKey, {
        as: null,
        referralId: 'not-a-uuid',
        body: validBodies[routeKey],
      });

      // Assess
      expect(response.statusCode).toBe(401);
    },
  );

  it('answers 403 to a referrer organisation’s token on a provider route', async () => {
    // Prepare
    const organisationToken = await signingKey.bearer({
      organisation: 'musgrove-park-hospital-ae',
    });

    // Act
    const response = await call(routes.accept, { as: null, headers: organisationToken });

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.body).toMatchObject({ detail: 'Only providers can use this route.' });
    expect(serviceCalls()).toBe(0);
  });

  it.each([
    { providerId: 'nobody-we-know', as: 'nobody-we-know' },
    { providerId: 'Not A Provider', as: provider },
  ])(
    'answers 404 problem+json to an unknown provider ($providerId) without touching any queue',
    async ({ providerId, as }) => {
      // Act
      const response = await call(routes.next, { providerId, as });

      // Assess
      expect(response.statusCode).toBe(404);
      expect(response.contentType).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status: 404, title: 'Not found' });
      expect(serviceCalls()).toBe(0);
      expect(queues.calls()).toHaveLength(0);
    },
  );

  it.each(referralRoutes)(
    'answers 400 naming the path parameter when the referral id is not a UUID: %s',
    async (routeKey) => {
      // Act
      const response = await call(routeKey, {
        referralId: 'not-a-uuid',
        body: validBodies[routeKey],
      });

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.body).toMatchObject({ errors: [{ pointer: '/referralId' }] });
      expect(serviceCalls()).toBe(0);
    },
  );
});

describe('GET /v1/providers/{providerId}/referrals/next', () => {
  it("answers 204 with no body when the service finds nothing, having given it the provider's own queue", async () => {
    // Prepare: the service pulls from the queue it is given.
    work.pullNextReferral.mockImplementation(async (deps) => {
      await deps.queue.receive(deps.leaseSeconds);
      return undefined;
    });

    // Act
    const response = await call(routes.next);

    // Assess
    expect(response.statusCode).toBe(204);
    expect(response.rawBody).toBeUndefined();
    expect(work.pullNextReferral).toHaveBeenCalledWith(depsOf());
    expect(queues.commandCalls(ReceiveMessageCommand).map((c) => c.args[0].input.QueueUrl)).toEqual(
      [queueUrls[provider]],
    );
  });

  it('answers 200 with the referral and its lease', async () => {
    // Prepare
    const pulled = { referral: view, names, lease: { expiresAt: '2026-11-20T23:15:00.000Z' } };
    work.pullNextReferral.mockResolvedValue(pulled);

    // Act
    const response = await call(routes.next);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.contentType).toBe('application/json');
    expect(response.body).toEqual(pulled);
  });
});

describe('GET /v1/providers/{providerId}/referrals/{referralId}', () => {
  it('answers 200 with the referral the service shows', async () => {
    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(answer);
    expect(work.readProviderReferral).toHaveBeenCalledWith(referralId, depsOf());
  });
});

describe('the lifecycle commands', () => {
  it.each([
    { route: routes.accept, body: undefined, command: { type: 'accept' } },
    {
      route: routes.decline,
      body: { reason: 'other', details: 'Already known to early help' },
      command: { type: 'decline', reason: 'other', details: 'Already known to early help' },
    },
    { route: routes.contact, body: attempt, command: { type: 'attempt-contact', ...attempt } },
    { route: routes.engaged, body: undefined, command: { type: 'engage' } },
    {
      route: routes.close,
      body: { outcome: 'completed' },
      command: { type: 'close', outcome: 'completed' },
    },
    {
      route: routes.reroute,
      body: { toProviderId: otherProvider },
      command: { type: 'reroute', toProviderId: otherProvider },
    },
  ])(
    '$route runs $command.type with the body, and answers 200 with the referral',
    async ({ route, body, command }) => {
      // Act
      const response = await call(route, { body });

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toEqual(answer);
      expect(work.runProviderCommand).toHaveBeenCalledExactlyOnceWith(
        referralId,
        command,
        depsOf(),
      );
    },
  );

  it.each([
    { route: routes.decline, case: 'no reason', body: {}, pointers: ['/reason'] },
    {
      route: routes.decline,
      case: 'an unknown reason',
      body: { reason: 'too-busy' },
      pointers: ['/reason'],
    },
    {
      route: routes.decline,
      case: '"other" without saying why',
      body: { reason: 'other' },
      pointers: ['/details'],
    },
    {
      route: routes.decline,
      case: 'details over 1000 characters',
      body: { reason: 'other', details: 'x'.repeat(1001) },
      pointers: ['/details'],
    },
    {
      route: routes.decline,
      case: 'an unknown field',
      body: { reason: 'no-capacity', waitWeeks: 6 },
      pointers: ['/waitWeeks'],
    },
    {
      route: routes.decline,
      case: 'a body that is not an object',
      body: '["no-capacity"]',
      pointers: [''],
    },
    {
      route: routes.contact,
      case: 'nothing',
      body: {},
      pointers: ['/attemptedAt', '/method', '/result'],
    },
    {
      route: routes.contact,
      case: 'an unknown method and a date that is not ISO 8601',
      body: { ...attempt, method: 'email', attemptedAt: 'last Tuesday' },
      pointers: ['/attemptedAt', '/method'],
    },
    {
      route: routes.contact,
      case: 'an unknown result',
      body: { ...attempt, result: 'busy' },
      pointers: ['/result'],
    },
    {
      route: routes.contact,
      case: 'an unknown field',
      body: { ...attempt, notes: 'Mum picked up' },
      pointers: ['/notes'],
    },
    { route: routes.close, case: 'no outcome', body: {}, pointers: ['/outcome'] },
    {
      route: routes.close,
      case: 'an unknown outcome',
      body: { outcome: 'finished' },
      pointers: ['/outcome'],
    },
    {
      route: routes.close,
      case: 'an unknown field',
      body: { outcome: 'completed', summary: 'Doing well at college' },
      pointers: ['/summary'],
    },
    { route: routes.reroute, case: 'no target', body: {}, pointers: ['/toProviderId'] },
    {
      route: routes.reroute,
      case: 'a target that is not an id',
      body: { toProviderId: 'St Giles' },
      pointers: ['/toProviderId'],
    },
    {
      route: routes.reroute,
      case: 'an unknown field',
      body: { toProviderId: otherProvider, reason: 'needs mentoring' },
      pointers: ['/reason'],
    },
  ])(
    '$route answers 400 naming the fields for $case, running nothing',
    async ({ route, body, pointers }) => {
      // Act
      const response = await call(route, { body });

      // Assess
      expect(response.statusCode).toBe(400);
      expect(response.contentType).toBe('application/problem+json');
      expect(pointersOf(response.body)).toEqual(pointers);
      expect(serviceCalls()).toBe(0);
    },
  );

  it('answers 415 to a command not sent as JSON', async () => {
    // Act
    const response = await call(routes.decline, {
      body: 'reason=no-capacity',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });

    // Assess
    expect(response.statusCode).toBe(415);
    expect(serviceCalls()).toBe(0);
  });
});

describe('POST /v1/providers/{providerId}/referrals/{referralId}/lease', () => {
  it('answers 200 with the lease the service extended', async () => {
    // Act
    const response = await call(routes.lease);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ lease: { expiresAt: '2026-11-20T23:15:00.000Z' } });
    expect(work.extendLease).toHaveBeenCalledWith(referralId, depsOf());
  });
});

describe('GET /v1/providers/{providerId}/referrals', () => {
  it('passes the parsed query to the service and answers its page', async () => {
    // Prepare
    work.listProviderReferrals.mockResolvedValue({ referrals: [view], names, cursor: 'next-page' });

    // Act
    const response = await call(routes.list, {
      query: { status: 'accepted', limit: '1', cursor: 'this-page' },
    });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual({ referrals: [view], names, cursor: 'next-page' });
    expect(work.listProviderReferrals).toHaveBeenCalledWith(depsOf(), {
      status: 'accepted',
      limit: 1,
      cursor: 'this-page',
    });
  });

  it('answers 400 naming every query parameter at fault', async () => {
    // Act
    const response = await call(routes.list, {
      query: { status: 'lost', limit: '0', colour: 'red' },
    });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(['/colour', '/limit', '/status']);
    expect(serviceCalls()).toBe(0);
  });
});

describe("a service's refusal, as the provider is answered", () => {
  it.each([
    {
      error: new NotFoundError(`No referral ${referralId} is routed to ${provider}.`),
      status: 404,
      problem: {
        title: 'Not found',
        detail: `No referral ${referralId} is routed to ${provider}.`,
      },
    },
    {
      error: new IllegalTransitionError('engage', 'routed', ['accept', 'decline', 'reroute']),
      status: 409,
      problem: {
        type: 'https://reachable.dev/problems/illegal-transition',
        currentStatus: 'routed',
        allowed: ['accept', 'decline', 'reroute'],
      },
    },
    {
      error: new ConflictError(`Referral ${referralId} kept changing; try again.`),
      status: 409,
      problem: { detail: `Referral ${referralId} kept changing; try again.` },
    },
    {
      error: new ValidationError('This referral cannot be rerouted there.', [
        { pointer: '/toProviderId', detail: 'must be another provider of somerset: st-giles-sos' },
      ]),
      status: 400,
      problem: {
        errors: [
          {
            pointer: '/toProviderId',
            detail: 'must be another provider of somerset: st-giles-sos',
          },
        ],
      },
    },
    {
      error: new GoneError('The personal data of referral was erased on 2029-11-21.'),
      status: 410,
      problem: {
        type: 'https://reachable.dev/problems/gone',
        detail: expect.stringContaining('erased on 2029-11-21') as string,
      },
    },
    {
      error: new AuditUnavailableError(),
      status: 503,
      problem: { title: 'Access could not be recorded' },
    },
  ])('answers $error.name as $status problem+json', async ({ error, status, problem }) => {
    // Prepare
    work.runProviderCommand.mockRejectedValue(error);

    // Act
    const response = await call(routes.accept);

    // Assess
    expect(response.statusCode).toBe(status);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status, ...problem });
  });

  it('logs why the read could not be recorded when it answers 503', async () => {
    // Prepare
    work.readProviderReferral.mockRejectedValue(new AuditUnavailableError());

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(503);
    expect(output.text()).toContain('AuditUnavailableError');
  });

  it('answers a sealed value that cannot be opened as a bare 500, saying nothing of it', async () => {
    // Prepare
    work.readProviderReferral.mockRejectedValue(
      new PersonalDataUnreadableError(`Referral ${referralId} holds a seal made elsewhere.`),
    );

    // Act
    const response = await call(routes.get);

    // Assess
    expect(response.statusCode).toBe(500);
    expect(response.rawBody).not.toContain('seal made elsewhere');
  });
});

describe('GET and PUT /v1/providers/{providerId}/capacity', () => {
  it.each([
    { providerId: provider, status: 'open' },
    { providerId: otherProvider, status: 'waitlist' },
  ])(
    'answers the capacity the partnership config gives $providerId until it says otherwise',
    async ({ providerId, status }) => {
      // Act
      const response = await call(routes.getCapacity, { providerId });

      // Assess
      expect(response.statusCode).toBe(200);
      expect(response.body).toEqual({ providerId, status });
    },
  );

  it('answers what the provider last said', async () => {
    // Prepare
    const stated = {
      providerId: provider,
      status: 'waitlist',
      expectedWaitDays: 10,
      updatedAt: '2026-11-19T09:00:00.000Z',
    };
    documents.on(GetCommand).resolves({ Item: stated });

    // Act
    const response = await call(routes.getCapacity);

    // Assess
    expect(response.body).toEqual(stated);
  });

  it('records a stated waitlist for the provider in the path, stamped now', async () => {
    // Prepare
    const body = { status: 'waitlist', expectedWaitDays: 14 };

    // Act
    const response = await call(routes.putCapacity, { body });

    // Assess
    const capacity = { providerId: provider, ...body, updatedAt: now.toISOString() };
    expect(response.statusCode).toBe(200);
    expect(response.body).toEqual(capacity);
    const puts = documents.commandCalls(PutCommand);
    expect(puts).toHaveLength(1);
    expect(puts[0]!.args[0].input.Item).toMatchObject(capacity);
  });

  it.each([
    { case: 'no status', body: {}, pointers: ['/status'] },
    { case: 'an unknown status', body: { status: 'full' }, pointers: ['/status'] },
    {
      case: 'a wait without a waitlist',
      body: { status: 'open', expectedWaitDays: 3 },
      pointers: ['/expectedWaitDays'],
    },
    {
      case: 'a negative wait',
      body: { status: 'waitlist', expectedWaitDays: -1 },
      pointers: ['/expectedWaitDays'],
    },
    {
      case: 'a wait that is not whole days',
      body: { status: 'waitlist', expectedWaitDays: 2.5 },
      pointers: ['/expectedWaitDays'],
    },
    {
      case: 'another provider named in the body',
      body: { status: 'closed', providerId: otherProvider },
      pointers: ['/providerId'],
    },
  ])('answers 400 to $case, and stores nothing', async ({ body, pointers }) => {
    // Act
    const response = await call(routes.putCapacity, { body });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(pointersOf(response.body)).toEqual(pointers);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });
});
