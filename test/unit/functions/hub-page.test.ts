import { DynamoDBDocumentClient, GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { csrfToken } from '#web/kit/csrf.ts';
import { apiEvent, captureOutput, partnershipId, tableName } from './builders.ts';
import { testSigningKey } from './tokens.ts';

// The handler reads its environment and builds its clients at import: both come first.
const csrfKey = 'test-forms-csrf-key-of-at-least-32-characters';
const keys = testSigningKey();
keys.stubEnvironment();
vi.stubEnv('TABLE_NAME', tableName);
vi.stubEnv('PARTNERSHIP', partnershipId);
vi.stubEnv('FORMS_CSRF_KEY', csrfKey);
const documents = mockClient(DynamoDBDocumentClient);
const { handler } = await import('#functions/hub-page/handler.ts');

type Answer = APIGatewayProxyStructuredResultV2 & { headers: Record<string, string> };

let output: ReturnType<typeof captureOutput>;
let session: string;

beforeEach(async () => {
  documents.reset();
  // No aggregates and no reconciliation yet: every figure is zero.
  documents.on(QueryCommand).resolves({ Items: [] });
  documents.on(GetCommand).resolves({});
  output = captureOutput();
  session = (await keys.bearer({ hub: partnershipId })).authorization.replace('Bearer ', '');
});

afterEach(() => {
  output.restore();
});

afterAll(() => {
  keys.remove();
});

/** A browser's request to the hub page, signed in unless told otherwise. */
async function request(
  method: 'GET' | 'POST',
  rawPath: string,
  {
    body,
    query,
    signedIn = true,
    headers = {},
  }: {
    body?: URLSearchParams;
    query?: Record<string, string>;
    signedIn?: boolean;
    headers?: Record<string, string>;
  } = {},
): Promise<Answer> {
  return (await handler(
    apiEvent({
      routeKey: `${method} ${rawPath}`,
      rawPath,
      ...(body ? { body: body.toString() } : {}),
      ...(query ? { queryStringParameters: query } : {}),
      headers: {
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
        ...(signedIn ? { cookie: `reachable_hub_session=${session}` } : {}),
        ...headers,
      },
    }),
  )) as Answer;
}

const policyOf = (answer: Answer) => answer.headers['content-security-policy'] ?? '';

describe('the hub page function', () => {
  it('asks for a token without a session, and lets no script run on that page', async () => {
    // Act
    const page = await request('GET', '/hub', { signedIn: false });
    const csv = await request('GET', '/hub/return', {
      signedIn: false,
      query: { quarter: '2026-Q1' },
    });

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Sign in to the hub dashboard');
    expect(policyOf(page)).not.toContain('script-src');
    expect(page.headers['cache-control']).toBe('no-store');
    expect(csv.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(documents.commandCalls(QueryCommand)).toHaveLength(0);
  });

  it("signs in the hub's token only, setting a cookie for /hub; another role's is refused with nothing set", async () => {
    // Prepare
    const provider = (await keys.bearer({ provider: 'turning-point-admit' })).authorization;

    // Act
    const hub = await request('POST', '/hub/sign-in', {
      signedIn: false,
      body: new URLSearchParams({ token: ` ${session} ` }),
    });
    const refused = await request('POST', '/hub/sign-in', {
      signedIn: false,
      body: new URLSearchParams({ token: provider.replace('Bearer ', '') }),
    });
    const elsewhere = await request('POST', '/hub/sign-in', {
      signedIn: false,
      body: new URLSearchParams({ token: session }),
      headers: { origin: 'https://evil.example' },
    });

    // Assess
    expect(hub.statusCode).toBe(303);
    expect(hub.headers.location).toBe('/hub');
    expect(hub.cookies?.[0]).toMatch(
      new RegExp(
        `^reachable_hub_session=${session}; HttpOnly; Secure; SameSite=Strict; Path=/hub$`,
      ),
    );
    expect(refused.statusCode).toBe(400);
    expect(refused.cookies).toBeUndefined();
    expect(refused.body).toContain('this one is not the hub’s');
    expect(elsewhere.statusCode).toBe(403);
    expect(elsewhere.cookies).toBeUndefined();
    expect(output.text()).not.toContain(session);
  });

  it('signs out only with the session’s CSRF token', async () => {
    // Act
    const forged = await request('POST', '/hub/sign-out', { body: new URLSearchParams({}) });
    const signedOut = await request('POST', '/hub/sign-out', {
      body: new URLSearchParams({ _csrf: csrfToken(csrfKey, session) }),
    });

    // Assess
    expect(forged.statusCode).toBe(403);
    expect(forged.cookies).toBeUndefined();
    expect(signedOut.statusCode).toBe(303);
    expect(signedOut.cookies?.[0]).toMatch(/^reachable_hub_session=; .*Max-Age=0$/);
  });

  it('shows the figures with its one script allowed and none inline, and answers the form with the view’s URL', async () => {
    // Act
    const page = await request('GET', '/hub', { query: { from: '2026-04', to: '2026-06' } });
    const form = await request('GET', '/hub', {
      query: {
        'from-month': '4',
        'from-year': '2026',
        'to-month': '6',
        'to-year': '2026',
        spoke: 'bristol',
      },
    });
    const wrong = await request('GET', '/hub', {
      query: { 'from-month': '6', 'from-year': '2026', 'to-month': '4', 'to-year': '2026' },
    });
    const scripts = [...String(page.body).matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Showing figures for April 2026 to June 2026, all spokes.');
    expect(page.body).toContain(
      '<title>Figures for April 2026 to June 2026, all spokes – Hub dashboard – Reachable</title>',
    );
    expect(policyOf(page)).toContain("script-src 'self'");
    expect(policyOf(page)).toContain("default-src 'none'");
    expect(scripts.map(([, attributes]) => attributes?.trim())).toEqual([
      'defer src="/assets/chart.js/chart.umd.min.js"',
      'defer src="/assets/hub/charts.js"',
    ]);
    expect(scripts.map(([, , inside]) => inside?.trim())).toEqual(['', '']);
    expect(String(page.body)).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
    expect(page.body).toContain('<link rel="stylesheet" href="/assets/hub/hub.css">');
    // Three months read once each, for every grouping the page shows.
    expect(documents.commandCalls(QueryCommand).length).toBeLessThanOrEqual(6);
    expect(form.statusCode).toBe(303);
    expect(form.headers.location).toBe('/hub?from=2026-04&to=2026-06&spoke=bristol');
    expect(wrong.statusCode).toBe(400);
    expect(wrong.body).toContain('The To month must be the same as or after the From month');
    expect(wrong.body).toContain('<title>Error: Figures – Hub dashboard – Reachable</title>');
  });

  it('downloads a quarter’s return as CSV, named as the API names it; an unknown quarter is not found', async () => {
    // Act
    const csv = await request('GET', '/hub/return', { query: { quarter: '2026-Q1' } });
    const unknown = await request('GET', '/hub/return', { query: { quarter: '2026-Q5' } });

    // Assess
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toBe(
      `attachment; filename="reachable-${partnershipId}-2026-Q1.csv"`,
    );
    expect(csv.headers['x-content-type-options']).toBe('nosniff');
    expect(String(csv.body).split('\r\n')[0]).toBe(
      'Period,Spoke,Pathway,Referrals,Engaged,Engagement rate,Interventions delivered',
    );
    expect(unknown.statusCode).toBe(404);
  });
});
