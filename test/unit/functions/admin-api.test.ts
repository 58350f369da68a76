import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AuditTrail } from '#shared/domain/audit.ts';
import { NotFoundError, ValidationError } from '#shared/errors.ts';
import * as audit from '#shared/services/audit.ts';
import {
  apiEvent,
  captureOutput,
  lambdaContext,
  parseResult,
  partnershipId,
  tableName,
} from './builders.ts';
import { testSigningKey, type TokenClaims } from './tokens.ts';

// The handler's part is the HTTP mapping: only the partnership's administrators, the query
// checked, `auditTrail` called with it, and its answer or refusal as it leaves. The trail itself
// is tested in test/unit/services/audit.test.ts, its entries in test/unit/domain/audit.test.ts
// and its queries in test/unit/adapters/audit-log.test.ts.
vi.mock('#shared/services/audit.ts', () => ({ auditTrail: vi.fn() }));
const service = vi.mocked(audit);

const signingKey = testSigningKey();
signingKey.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/admin-api/handler.ts');

const context = lambdaContext('reachable-admin-api');
const routeKey = 'GET /v1/admin/audit';
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const admin: TokenClaims = { admin: partnershipId };
const trail = { referralId, entries: [], cursor: 'next-page' } as AuditTrail;

/** Calls the route as API Gateway would, with a token for `as` (none for `null`). */
async function callAudit(
  query: Record<string, string> | undefined,
  as: TokenClaims | null = admin,
) {
  const auth = as === null ? {} : await signingKey.bearer(as);
  return parseResult(
    await handler(
      apiEvent({
        routeKey,
        rawPath: '/v1/admin/audit',
        headers: auth,
        ...(query ? { queryStringParameters: query } : {}),
      }),
      context,
    ),
  );
}

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  vi.resetAllMocks();
  documents.reset();
  service.auditTrail.mockResolvedValue(trail);
  output = captureOutput();
});

afterEach(() => {
  output.restore();
});

afterAll(() => {
  signingKey.remove();
});

describe('GET /v1/admin/audit: who may ask', () => {
  it('answers 401 with a bearer challenge to a call without a token, reading nothing', async () => {
    // Act
    const response = await callAudit({ referralId }, null);

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 401, detail: 'Missing bearer token.' });
    expect(service.auditTrail).not.toHaveBeenCalled();
    expect(documents.calls()).toHaveLength(0);
  });

  it.each<[string, TokenClaims]>([
    ['a provider', { provider: 'turning-point-admit' }],
    ['a referrer organisation', { organisation: 'musgrove-park-hospital-ae' }],
    ['the hub', { hub: partnershipId }],
    ['a spoke coordinator', { spoke: 'somerset' }],
    ['the administrators of another partnership', { admin: 'northumbria' }],
  ])('answers 403 to %s, reading nothing', async (_who, as) => {
    // Act
    const response = await callAudit({ referralId }, as);

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.contentType).toBe('application/problem+json');
    expect(service.auditTrail).not.toHaveBeenCalled();
  });
});

describe('GET /v1/admin/audit: the query', () => {
  it.each([
    ['no query at all', undefined, ['/referralId']],
    ['no referralId', { limit: '10' }, ['/referralId']],
    ['a referralId that is not a UUID', { referralId: 'REFERRAL#x' }, ['/referralId']],
    ['a page size over 100', { referralId, limit: '101' }, ['/limit']],
    ['a parameter it does not take', { referralId, name: 'Jordan' }, ['/name']],
  ])('answers 400 naming the fields for %s, reading nothing', async (_case, query, pointers) => {
    // Act
    const response = await callAudit(query);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    const errors = (response.body as { errors: { pointer: string }[] }).errors;
    expect(errors.map((error) => error.pointer)).toEqual(pointers);
    expect(service.auditTrail).not.toHaveBeenCalled();
  });
});

describe('GET /v1/admin/audit: the trail', () => {
  it('asks for the page of the referral named and answers the trail as it is', async () => {
    // Act
    const response = await callAudit({ referralId, limit: '2', cursor: 'this-page' });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.contentType).toBe('application/json');
    expect(response.body).toEqual(trail);
    expect(service.auditTrail).toHaveBeenCalledWith(
      referralId,
      { limit: 2, cursor: 'this-page' },
      { log: expect.any(Object) as unknown },
    );
  });

  it.each([
    {
      error: new ValidationError('The cursor is not one of ours.', [
        { pointer: '/cursor', detail: 'must be the cursor of a previous page' },
      ]),
      status: 400,
      problem: { errors: [{ pointer: '/cursor' }] },
    },
    {
      error: new NotFoundError(`No referral ${referralId} is held, and no audit record names it.`),
      status: 404,
      problem: { title: 'Not found' },
    },
  ])(
    "answers the service's $error.name as $status problem+json",
    async ({ error, status, problem }) => {
      // Prepare
      service.auditTrail.mockRejectedValue(error);

      // Act
      const response = await callAudit({ referralId });

      // Assess
      expect(response.statusCode).toBe(status);
      expect(response.contentType).toBe('application/problem+json');
      expect(response.body).toMatchObject({ status, ...problem });
    },
  );
});
