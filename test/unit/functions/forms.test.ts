import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { csrfToken } from '#web/kit/csrf.ts';
import { pathwayForm, valuesFrom } from '#shared/forms/fields.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import {
  apiEvent,
  captureOutput,
  partnershipId,
  personalValuesOf,
  stubPersonalDataKeys,
  tableName,
} from './builders.ts';
import { testSigningKey } from './tokens.ts';

// The handler reads its environment and builds its clients at import: both come first.
const csrfKey = 'test-forms-csrf-key-of-at-least-32-characters';
const keys = testSigningKey();
keys.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
stubPersonalDataKeys();
vi.stubEnv('FORMS_CSRF_KEY', csrfKey);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/forms/handler.ts');

const example = 'admit-friday-night.json';
const organisation = 'musgrove-park-hospital-ae';

let output: ReturnType<typeof captureOutput>;
let session: string;

beforeEach(async () => {
  documents.reset();
  documents.on(PutCommand).resolves({});
  output = captureOutput();
  session = (await keys.bearer({ organisation })).authorization.replace('Bearer ', '');
});

afterEach(() => {
  output.restore();
});

afterAll(() => {
  keys.remove();
});

/** A browser's request to the forms, signed in unless told otherwise. */
async function request(
  method: 'GET' | 'POST',
  rawPath: string,
  {
    body,
    signedIn = true,
    headers = {},
  }: { body?: URLSearchParams; signedIn?: boolean; headers?: Record<string, string> } = {},
): Promise<APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> }> {
  return (await handler(
    apiEvent({
      routeKey: `${method} ${rawPath}`,
      rawPath,
      ...(body ? { body: body.toString() } : {}),
      headers: {
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(signedIn ? { cookie: `reachable_refer_session=${session}` } : {}),
        ...headers,
      },
    }),
  )) as APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };
}

/** The Admit example's answers as the form posts them, with the session's CSRF token. */
function exampleForm(csrf = csrfToken(csrfKey, session)): URLSearchParams {
  const values = valuesFrom(pathwayForm(avonAndSomerset, 'admit'), exampleReferral(example));
  const body = new URLSearchParams({ _csrf: csrf });
  for (const [name, value] of Object.entries(values)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
  }
  return body;
}

describe('the referral forms function', () => {
  it('stores a valid form once and redirects to the confirmation by id alone, logging no personal data', async () => {
    // Act
    const result = await request('POST', '/refer/admit', { body: exampleForm() });

    // Assess
    expect(result.statusCode).toBe(303);
    expect(result.headers.location).toMatch(/^\/refer\/received\/[0-9a-f-]{36}$/);
    expect(documents.commandCalls(PutCommand)).toHaveLength(1);
    const logs = output.text();
    expect(logs).toContain('Referral received from a form');
    for (const value of personalValuesOf(example)) expect(logs).not.toContain(value);
  });

  it('answers a form with problems with the form again (400), answers kept, nothing stored or logged', async () => {
    // Prepare
    const body = exampleForm();
    body.set('referrer.email', 'not-an-email');
    body.delete('subject.familyName');

    // Act
    const result = await request('POST', '/refer/admit', { body });

    // Assess
    expect(result.statusCode).toBe(400);
    expect(result.body).toContain('href="#subject-familyName"');
    expect(result.body).toContain('href="#referrer-email"');
    expect(result.body).toContain('value="not-an-email"');
    expect(result.body).toContain('value="Jordan"');
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
    expect(output.text()).not.toContain('Jordan');
  });

  it.each([
    ['a wrong CSRF token', { body: exampleForm('forged') }],
    [
      'no CSRF token',
      { body: new URLSearchParams([...exampleForm()].filter(([n]) => n !== '_csrf')) },
    ],
    ['no session', { body: exampleForm(), signedIn: false }],
    ['another origin', { body: exampleForm(), headers: { origin: 'https://evil.example' } }],
    ['an opaque origin', { body: exampleForm(), headers: { origin: 'null' } }],
  ])('refuses a POST with %s (403) and stores nothing', async (_, options) => {
    // Act
    const result = await request('POST', '/refer/admit', options);

    // Assess
    expect(result.statusCode).toBe(403);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('refuses a POST that is not a URL-encoded form (403)', async () => {
    // Act
    const result = await request('POST', '/refer/admit', {
      body: exampleForm(),
      headers: { 'content-type': 'application/json' },
    });

    // Assess
    expect(result.statusCode).toBe(403);
    expect(documents.commandCalls(PutCommand)).toHaveLength(0);
  });

  it('shows the sign-in page without a session, and 404s a pathway the organisation may not use', async () => {
    // Act
    const signIn = await request('GET', '/refer/admit', { signedIn: false });
    const notTheirs = await request('GET', '/refer/weapons-in-schools');
    const unknown = await request('GET', '/refer/no-such-pathway');

    // Assess
    expect(signIn.statusCode).toBe(200);
    expect(signIn.body).toContain('Sign in to refer a young person');
    expect(notTheirs.statusCode).toBe(404);
    expect(unknown.statusCode).toBe(404);
  });

  it('serves every page with no script allowed, never cached', async () => {
    // Act
    const pages = [
      await request('GET', '/refer'),
      await request('GET', '/refer/admit'),
      await request('GET', '/refer', { signedIn: false }),
    ];

    // Assess
    for (const page of pages) {
      expect(page.headers['content-security-policy']).toBe(
        "default-src 'none'; style-src 'self'; img-src 'self'; font-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
      );
      expect(page.headers['cache-control']).toBe('no-store');
      expect(page.body).not.toContain('<script');
    }
  });

  it('signs in with an organisation’s token into a strict session cookie, and refuses a provider’s', async () => {
    // Prepare
    const provider = (await keys.bearer({ provider: 'turning-point-admit' })).authorization;

    // Act
    const signedIn = await request('POST', '/refer/sign-in', {
      body: new URLSearchParams({ token: session }),
      signedIn: false,
    });
    const refused = await request('POST', '/refer/sign-in', {
      body: new URLSearchParams({ token: provider.replace('Bearer ', '') }),
      signedIn: false,
    });

    // Assess
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.cookies).toEqual([
      `reachable_refer_session=${session}; HttpOnly; Secure; SameSite=Strict; Path=/refer`,
    ]);
    expect(refused.statusCode).toBe(400);
    expect(refused.cookies).toBeUndefined();
    expect(refused.body).toContain('href="#token"');
  });
});
