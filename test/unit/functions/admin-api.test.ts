import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { auditTrailSchema } from '#shared/domain/audit.ts';
import {
  apiEvent,
  captureOutput,
  lambdaContext,
  parseResult,
  partnershipId,
  tableName,
} from './builders.ts';
import { testSigningKey, type TokenClaims } from './tokens.ts';

const signingKey = testSigningKey();
signingKey.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/admin-api/handler.ts');

const context = lambdaContext('reachable-admin-api');
const routeKey = 'GET /v1/admin/audit';
const referralId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
const now = new Date('2026-11-21T09:00:00.000Z');
const admin: TokenClaims = { admin: partnershipId };

/** Calls the route as API Gateway would, with a token for `as` (none for `null`). */
async function audit(query: Record<string, string> | undefined, as: TokenClaims | null = admin) {
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

/** The table holds the referral's item, its transitions and its read records. */
function tableHolds({
  referral = true,
  transitions = [] as Record<string, unknown>[],
  reads = [] as Record<string, unknown>[],
}) {
  documents.on(GetCommand).resolves(
    referral
      ? {
          Item: {
            referralId,
            receivedAt: '2026-11-20T22:45:00.000Z',
            referrerOrganisationId: 'musgrove-park-hospital-ae',
          },
        }
      : {},
  );
  documents
    .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `REFERRAL#${referralId}` } }, false)
    .resolves({ Items: transitions });
  documents
    .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `AUDIT#${referralId}` } }, false)
    .resolves({ Items: reads });
}

const routed = {
  SK: 'TRANSITION#2026-11-20T22:45:02.000Z#routed',
  referralId,
  at: '2026-11-20T22:45:02.000Z',
  from: 'received',
  to: 'routed',
  actor: { kind: 'system', id: 'route:somerset-turning-point-admit' },
  why: 'routed to turning-point-admit',
};
const accepted = {
  SK: 'TRANSITION#2026-11-20T23:00:00.000Z#accepted',
  referralId,
  at: '2026-11-20T23:00:00.000Z',
  from: 'routed',
  to: 'accepted',
  actor: { kind: 'provider', id: 'turning-point-admit', subject: 'jo.bloggs' },
};
const readRecord = (at: string, action: string, detail?: string) => ({
  PK: `AUDIT#${referralId}`,
  SK: `${at}#${action}`,
  entity: 'audit-read',
  referralId,
  at,
  action,
  actor: { role: 'provider', id: 'turning-point-admit', subject: 'jo.bloggs' },
  purpose: 'provider-casework',
  correlationId: `request-${action}`,
  ...(detail ? { detail } : {}),
  expiresAt: 1_990_000_000,
});

let output: ReturnType<typeof captureOutput>;

beforeEach(() => {
  documents.reset();
  documents.on(GetCommand).resolves({});
  documents.on(QueryCommand).resolves({ Items: [] });
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

describe('GET /v1/admin/audit: who may ask', () => {
  it('answers 401 with a bearer challenge to a call without a token, reading nothing', async () => {
    // Act
    const response = await audit({ referralId }, null);

    // Assess
    expect(response.statusCode).toBe(401);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 401, detail: 'Missing bearer token.' });
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 401 to an expired admin token', async () => {
    // Prepare
    const token = await signingKey.bearer(admin, { expiresIn: '1m' });
    vi.setSystemTime(new Date(now.getTime() + 10 * 60 * 1000));

    // Act
    const response = parseResult(
      await handler(
        apiEvent({
          routeKey,
          rawPath: '/v1/admin/audit',
          headers: token,
          queryStringParameters: { referralId },
        }),
        context,
      ),
    );

    // Assess
    expect(response.statusCode).toBe(401);
    expect(documents.calls()).toHaveLength(0);
  });

  it.each<[string, TokenClaims]>([
    ['a provider', { provider: 'turning-point-admit' }],
    ['a referrer organisation', { organisation: 'musgrove-park-hospital-ae' }],
    ['the hub', { hub: partnershipId }],
    ['a spoke coordinator', { spoke: 'somerset' }],
    ['the administrators of another partnership', { admin: 'northumbria' }],
  ])('answers 403 to %s, reading nothing', async (_who, as) => {
    // Prepare
    tableHolds({ transitions: [routed] });

    // Act
    const response = await audit({ referralId }, as);

    // Assess
    expect(response.statusCode).toBe(403);
    expect(response.contentType).toBe('application/problem+json');
    expect(documents.calls()).toHaveLength(0);
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
    const response = await audit(query);

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.contentType).toBe('application/problem+json');
    const errors = (response.body as { errors: { pointer: string }[] }).errors;
    expect(errors.map((error) => error.pointer)).toEqual(pointers);
    expect(documents.calls()).toHaveLength(0);
  });

  it('answers 400 naming the cursor when it is not one of ours', async () => {
    // Act
    const response = await audit({ referralId, cursor: 'eyJQSyI6IlJFRkVSUkFMI3gifQ' });

    // Assess
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatchObject({ errors: [{ pointer: '/cursor' }] });
  });

  it('answers 404 for a referral not held that no audit record names', async () => {
    // Prepare
    tableHolds({ referral: false });

    // Act
    const response = await audit({ referralId });

    // Assess
    expect(response.statusCode).toBe(404);
    expect(response.contentType).toBe('application/problem+json');
    expect(response.body).toMatchObject({ status: 404, title: 'Not found' });
  });
});

describe('GET /v1/admin/audit: the trail', () => {
  it('answers the arrival, changes and reads merged in time order, in one shape', async () => {
    // Prepare
    tableHolds({
      transitions: [routed, accepted],
      reads: [
        readRecord('2026-11-20T22:50:00.000Z', 'referral.pulled'),
        readRecord('2026-11-20T23:00:00.000Z', 'referral.command-answered', 'accept'),
      ],
    });

    // Act
    const response = await audit({ referralId });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.contentType).toBe('application/json');
    const trail = auditTrailSchema.parse(response.body);
    expect(
      trail.entries.map((e) => [e.at, e.kind, e.action, e.actor.role, e.actor.id, e.purpose]),
    ).toEqual([
      [
        '2026-11-20T22:45:00.000Z',
        'change',
        'referral.received',
        'organisation',
        'musgrove-park-hospital-ae',
        'referral-management',
      ],
      [
        '2026-11-20T22:45:02.000Z',
        'change',
        'referral.routed',
        'system',
        'route:somerset-turning-point-admit',
        'routing',
      ],
      [
        '2026-11-20T22:50:00.000Z',
        'read',
        'referral.pulled',
        'provider',
        'turning-point-admit',
        'provider-casework',
      ],
      [
        '2026-11-20T23:00:00.000Z',
        'change',
        'referral.accepted',
        'provider',
        'turning-point-admit',
        'provider-casework',
      ],
      [
        '2026-11-20T23:00:00.000Z',
        'read',
        'referral.command-answered',
        'provider',
        'turning-point-admit',
        'provider-casework',
      ],
    ]);
    expect(trail.entries[2]).toMatchObject({
      actor: { subject: 'jo.bloggs' },
      correlationId: 'request-referral.pulled',
    });
    expect(trail.entries[4]).toMatchObject({ detail: 'accept' });
    expect(trail.cursor).toBeUndefined();
    // Read back on the table itself, never an index, and the referral's item by id only.
    expect(documents.commandCalls(QueryCommand).map((c) => c.args[0].input.IndexName)).toEqual([
      undefined,
      undefined,
    ]);
  });

  it('answers a long trail a page at a time, the cursor leading to the rest', async () => {
    // Prepare
    tableHolds({ transitions: [routed, accepted] });

    // Act
    const first = await audit({ referralId, limit: '2' });
    const cursor = (first.body as { cursor?: string }).cursor;
    documents.reset();
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `REFERRAL#${referralId}` } }, false)
      .resolves({ Items: [accepted] });
    documents
      .on(QueryCommand, { ExpressionAttributeValues: { ':pk': `AUDIT#${referralId}` } }, false)
      .resolves({ Items: [] });
    const second = await audit({ referralId, limit: '2', cursor: cursor ?? '' });

    // Assess
    expect(first.statusCode).toBe(200);
    expect((first.body as { entries: { action: string }[] }).entries.map((e) => e.action)).toEqual([
      'referral.received',
      'referral.routed',
    ]);
    expect(cursor).toEqual(expect.any(String));
    expect(second.statusCode).toBe(200);
    expect((second.body as { entries: { action: string }[] }).entries.map((e) => e.action)).toEqual(
      ['referral.accepted'],
    );
    const [changesQuery] = documents
      .commandCalls(QueryCommand)
      .map((c) => c.args[0].input)
      .filter((input) => input.ExpressionAttributeValues?.[':pk'] === `REFERRAL#${referralId}`);
    expect(changesQuery?.ExclusiveStartKey).toEqual({
      PK: `REFERRAL#${referralId}`,
      SK: routed.SK,
    });
    // The arrival is on the first page only.
    expect(documents.commandCalls(GetCommand)).toHaveLength(0);
  });

  it('answers the trail of a referral whose own item has expired', async () => {
    // Prepare
    tableHolds({
      referral: false,
      reads: [readRecord('2026-11-20T22:50:00.000Z', 'referral.pulled')],
    });

    // Act
    const response = await audit({ referralId });

    // Assess
    expect(response.statusCode).toBe(200);
    expect(response.body).toMatchObject({
      referralId,
      entries: [{ action: 'referral.pulled', kind: 'read' }],
    });
  });

  it('answers no personal data and no table bookkeeping in any entry', async () => {
    // Prepare
    tableHolds({
      transitions: [routed],
      reads: [readRecord('2026-11-20T22:50:00.000Z', 'referral.read')],
    });

    // Act
    const response = await audit({ referralId });

    // Assess
    const text = response.rawBody ?? '';
    for (const leaked of ['PK', 'SK', 'entity', 'expiresAt', 'personal', 'event']) {
      expect(text).not.toContain(`"${leaked}"`);
    }
  });
});
