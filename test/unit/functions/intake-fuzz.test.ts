import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { defaultReferrer, organisationOf } from '#test/helpers/referrals.ts';
import {
  apiEvent,
  captureOutput,
  fridayEvening,
  lambdaContext,
  parseResult,
  partnershipId,
  stubPersonalDataKeys,
  tableName,
} from './builders.ts';
import { testSigningKey } from './tokens.ts';

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

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Path = (string | number)[];

/** Every path into a JSON value, the root included. */
function pathsOf(value: Json, at: Path = []): Path[] {
  if (Array.isArray(value)) return [at, ...value.flatMap((item, i) => pathsOf(item, [...at, i]))];
  if (value !== null && typeof value === 'object') {
    return [at, ...Object.entries(value).flatMap(([key, item]) => pathsOf(item, [...at, key]))];
  }
  return [at];
}

/** A copy of `root` with the value at `path` changed by `change` (undefined deletes it). */
function changedAt(root: Json, path: Path, change: (value: Json) => Json | undefined): Json {
  const copy = structuredClone(root);
  if (path.length === 0) return change(copy) ?? null;
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path.at(-1) as string | number;
  const next = change(parent[last] as Json);
  if (next === undefined) {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else Reflect.deleteProperty(parent, last);
  } else parent[last] = next;
  return copy;
}

const examples = exampleFileNames().map((name) => exampleReferral(name) as Json);
const controlCharacter = fc
  .integer({ min: 0, max: 0x1f })
  .chain((code) => fc.constantFrom(String.fromCharCode(code), '\u007f'));

/** One way a referrer's system gets a referral wrong, as the body text and its content type. */
const mutatedRequest = fc
  .record({ example: fc.constantFrom(...examples), pick: fc.nat(), seed: fc.nat() })
  .chain(({ example, pick }) => {
    // Sent by the organisation the example is from, whatever the mutation did to the body.
    const organisation = organisationOf(example) ?? defaultReferrer;
    const paths = pathsOf(example);
    const path = paths[pick % paths.length] ?? [];
    const asJson = (value: Json) => ({
      body: JSON.stringify(value),
      contentType: 'application/json',
      organisation,
    });
    return fc.oneof(
      // a field removed
      fc.constant(asJson(changedAt(example, path, () => undefined))),
      // a field of any other type or value
      fc.jsonValue().map((other) => asJson(changedAt(example, path, () => other as Json))),
      // an unknown field, at any depth
      fc
        .tuple(fc.string({ minLength: 1, maxLength: 12 }), fc.jsonValue())
        .map(([key, value]) =>
          asJson(
            changedAt(example, path, (at) =>
              at !== null && typeof at === 'object' && !Array.isArray(at)
                ? { ...at, [key]: value as Json }
                : at,
            ),
          ),
        ),
      // a control character inside a text
      fc
        .tuple(controlCharacter, fc.nat())
        .map(([character, position]) =>
          asJson(
            changedAt(example, path, (at) =>
              typeof at === 'string'
                ? at.slice(0, position % (at.length + 1)) +
                  character +
                  at.slice(position % (at.length + 1))
                : character,
            ),
          ),
        ),
      // an absurd length, up to past the body limit
      fc
        .integer({ min: 200, max: 70_000 })
        .map((length) => asJson(changedAt(example, path, () => 'x'.repeat(length)))),
      // a value buried deep in arrays
      fc
        .integer({ min: 10, max: 200 })
        .map((depth) =>
          asJson(
            changedAt(
              example,
              path,
              (at) =>
                JSON.parse('['.repeat(depth) + JSON.stringify(at) + ']'.repeat(depth)) as Json,
            ),
          ),
        ),
      // JSON cut short, or with stray text spliced in
      fc.tuple(fc.nat(), fc.string({ maxLength: 8 })).map(([cut, stray]) => {
        const text = JSON.stringify(example);
        const at = cut % text.length;
        return { body: text.slice(0, at) + stray, contentType: 'application/json', organisation };
      }),
      // the right body sent as something else
      fc
        .constantFrom('text/plain', 'application/xml', 'application/x-www-form-urlencoded', '')
        .map((contentType) => ({ body: JSON.stringify(example), contentType, organisation })),
    );
  });

let output: ReturnType<typeof captureOutput>;
/** Each example organisation's Authorization header, signed once at the test clock's time. */
const bearers = new Map<string, Record<string, string>>();

beforeAll(async () => {
  vi.useFakeTimers({ toFake: ['Date'] });
  vi.setSystemTime(fridayEvening);
  output = captureOutput();
  for (const example of examples) {
    const organisation = organisationOf(example) ?? defaultReferrer;
    bearers.set(organisation, await signingKey.bearer({ organisation }));
  }
});

afterAll(() => {
  output.restore();
  vi.useRealTimers();
  signingKey.remove();
});

describe('POST /v1/referrals fuzzed', () => {
  it('answers 10,000 mutated referrals with 202 or a 4xx problem, storing nothing for a 4xx', async () => {
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(mutatedRequest, async ({ body, contentType, organisation }) => {
        // Prepare
        documents.reset();
        documents.on(PutCommand).resolves({});

        // Act
        const response = parseResult(
          await handler(
            apiEvent({
              routeKey: 'POST /v1/referrals',
              rawPath: '/v1/referrals',
              body,
              headers: {
                ...bearers.get(organisation),
                ...(contentType ? { 'content-type': contentType } : {}),
              },
            }),
            context,
          ),
        );

        // Assess
        statuses.set(response.statusCode, (statuses.get(response.statusCode) ?? 0) + 1);
        const writes = documents.commandCalls(PutCommand).length;
        if (response.statusCode === 202) {
          expect(writes).toBe(1);
          return;
        }
        expect([400, 403, 413, 415]).toContain(response.statusCode);
        expect(writes).toBe(0);
        expect(response.contentType).toBe('application/problem+json');
        const problem = response.body as { status: number; errors?: { pointer: string }[] };
        expect(problem.status).toBe(response.statusCode);
        if (response.statusCode === 400) expect(problem.errors?.length).toBeGreaterThan(0);
        // Only a referral claiming to be from another organisation is forbidden.
        if (response.statusCode === 403) {
          expect(problem.errors?.map((error) => error.pointer)).toEqual([
            '/referrer/organisationId',
          ]);
        }
      }),
      { numRuns: 10_000 },
    );
    // The mutations reach every kind of refusal, and some stay valid.
    expect([...statuses.keys()].sort()).toEqual([202, 400, 403, 413, 415]);
  });
});
