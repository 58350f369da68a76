import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { IllegalTransitionError, NotFoundError, UnauthorizedError } from '#shared/errors.ts';
import type { Principal, ProviderPrincipal } from '#shared/http/auth.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import type { ProviderView } from '#shared/services/provider-work.ts';
import { csrfToken } from '#web/kit/csrf.ts';
import { PageKit } from '#web/kit/page-kit.ts';
import { providerPage, type ProviderPageServices } from '#web/provider/page.ts';

const csrfKey = 'test-pages-csrf-key-of-at-least-32-characters';
const referralId = '6a99ef95-530b-44fb-a5fe-25a59f5c2f61';
const at = new Date('2026-11-21T10:00:00.000Z');
/** Tokens the fake authenticator knows, and whom each names. */
const principals: Record<string, Principal> = {
  'provider-token': { kind: 'provider', providerId: 'turning-point-admit', subject: 'worker-1' },
  'organisation-token': {
    kind: 'organisation',
    organisationId: 'musgrove-park-hospital-ae',
    subject: 'nurse-1',
  },
};

const view = (status = 'routed') =>
  ({
    referralId,
    status,
    spoke: 'somerset',
    pathway: 'admit',
    ageYears: 16,
    receivedAt: '2026-11-20T22:40:00.000Z',
    responseExpected: 'next-day-aftercare',
    milestones: {},
    contactAttempts: [],
    subject: { givenName: 'Jordan', familyName: 'Example' },
  }) as unknown as ProviderView;

const names = { spokes: {}, pathways: {}, providers: {}, organisations: {} };
type Work = { providerId: string; correlationId: string };
let services: { [K in keyof ProviderPageServices<Work>]: ReturnType<typeof vi.fn> };
let respond: (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

beforeEach(() => {
  services = {
    pullNextReferral: vi.fn(),
    listProviderReferrals: vi.fn(async () => ({ referrals: [view()], names })),
    readProviderReferral: vi.fn(async () => ({ referral: view(), names })),
    runProviderCommand: vi.fn(async () => ({ referral: view('accepted'), names })),
  };
  const kit = new PageKit<ProviderPrincipal>({
    service: { name: 'Provider work queue', href: '/provider' },
    page: 'provider',
    cookie: { name: 'reachable_provider_session', path: '/provider' },
    authenticator: {
      authenticate: async (headers) => {
        const found = principals[String(headers.authorization).replace('Bearer ', '')];
        if (!found) throw new UnauthorizedError('Not a token');
        return found;
      },
    },
    accept: (principal) =>
      principal.kind === 'provider'
        ? { providerId: principal.providerId, subject: principal.subject }
        : undefined,
    csrfKey: async () => csrfKey,
    signedInAs: ({ providerId }) => providerId,
    signOutAction: '/provider/sign-out',
  });
  respond = providerPage<Work>({
    kit,
    partnership: avonAndSomerset,
    workFor: ({ providerId }, correlationId) => ({ providerId, correlationId }),
    services: services as unknown as ProviderPageServices<Work>,
    now: () => at,
    log: { info: vi.fn(), warn: vi.fn(), error: vi.fn(), debug: vi.fn() } as never,
  });
});

/** A browser's request to the page, signed in with the provider's token unless told otherwise. */
function request(
  method: 'GET' | 'POST',
  rawPath: string,
  {
    form,
    token = 'provider-token',
    headers = {},
    query,
  }: {
    form?: Record<string, string>;
    token?: string | null;
    headers?: Record<string, string>;
    query?: Record<string, string>;
  } = {},
) {
  return respond({
    rawPath,
    routeKey: `${method} ${rawPath}`,
    headers: {
      host: 'pages.example.test',
      ...(form ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      ...headers,
    },
    ...(token ? { cookies: [`reachable_provider_session=${token}`] } : {}),
    ...(query ? { queryStringParameters: query } : {}),
    ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    requestContext: { http: { method }, requestId: 'request-1' },
    isBase64Encoded: false,
  } as unknown as APIGatewayProxyEventV2);
}

const csrf = () => csrfToken(csrfKey, 'provider-token');
const bodyOf = (answer: APIGatewayProxyStructuredResultV2) => String(answer.body);

describe('the provider page, request by request', () => {
  it('shows the sign-in page without a session, with the security headers and no script', async () => {
    // Act
    const answer = await request('GET', '/provider', { token: null });

    // Assess
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    expect(String(answer.headers?.['content-security-policy'])).toContain("default-src 'none'");
    expect(bodyOf(answer)).toContain('Sign in to your work queue');
    expect(bodyOf(answer)).not.toContain('<script');
    expect(services.listProviderReferrals).not.toHaveBeenCalled();
  });

  it("signs in only with a provider's valid token, setting the page's own session cookie", async () => {
    // Act
    const signedIn = await request('POST', '/provider/sign-in', {
      token: null,
      form: { token: ' provider-token ' },
    });
    const organisation = await request('POST', '/provider/sign-in', {
      token: null,
      form: { token: 'organisation-token' },
    });
    const empty = await request('POST', '/provider/sign-in', { token: null, form: { token: '' } });

    // Assess
    expect(signedIn.statusCode).toBe(303);
    expect(signedIn.headers?.location).toBe('/provider');
    expect(signedIn.cookies).toEqual([
      'reachable_provider_session=provider-token; HttpOnly; Secure; SameSite=Strict; Path=/provider',
    ]);
    expect(organisation.statusCode).toBe(400);
    expect(bodyOf(organisation)).toContain('Enter a valid access token of a provider');
    expect(bodyOf(organisation)).toContain('href="#token"');
    expect(organisation.cookies).toBeUndefined();
    expect(empty.statusCode).toBe(400);
    expect(bodyOf(empty)).toContain('Enter your access token');
  });

  it('lists the referrals of the provider the token names, by status, and refuses a status that is none', async () => {
    // Act
    const all = await request('GET', '/provider');
    const accepted = await request('GET', '/provider', { query: { status: 'accepted' } });
    const wrong = await request('GET', '/provider', { query: { status: 'lost' } });

    // Assess
    expect(all.statusCode).toBe(200);
    expect(bodyOf(all)).toContain(`href="/provider/referrals/${referralId}"`);
    expect(bodyOf(all)).toContain('Showing 1 referral.');
    expect(services.listProviderReferrals.mock.calls).toEqual([
      [{ providerId: 'turning-point-admit', correlationId: 'request-1' }, {}],
      [{ providerId: 'turning-point-admit', correlationId: 'request-1' }, { status: 'accepted' }],
    ]);
    expect(bodyOf(accepted)).toMatch(/<option value="accepted" selected/);
    expect(wrong.statusCode).toBe(400);
    expect(bodyOf(wrong)).toContain('href="#status-filter"');
  });

  it('pulls the next referral and redirects to it with its lease, or back to the queue saying it is empty', async () => {
    // Prepare
    services.pullNextReferral
      .mockResolvedValueOnce({ referral: view(), lease: { expiresAt: '2026-11-21T10:15:00.000Z' } })
      .mockResolvedValueOnce(undefined);

    // Act
    const pulled = await request('POST', '/provider/next', { form: { _csrf: csrf() } });
    const empty = await request('POST', '/provider/next', { form: { _csrf: csrf() } });

    // Assess
    expect(pulled.statusCode).toBe(303);
    expect(pulled.headers?.location).toBe(
      `/provider/referrals/${referralId}?lease=2026-11-21T10%3A15%3A00.000Z`,
    );
    expect(empty.statusCode).toBe(303);
    expect(empty.headers?.location).toBe('/provider?empty=2026-11-21T10%3A00%3A00.000Z');
  });

  it('runs a command with the CSRF token, and refuses one without it, with a wrong one or from another origin, calling nothing', async () => {
    // Act
    const refused = [
      await request('POST', `/provider/referrals/${referralId}/accept`, { form: {} }),
      await request('POST', `/provider/referrals/${referralId}/accept`, {
        form: { _csrf: 'wrong' },
      }),
      await request('POST', `/provider/referrals/${referralId}/accept`, {
        form: { _csrf: csrf() },
        headers: { origin: 'https://elsewhere.example' },
      }),
      await request('POST', `/provider/referrals/${referralId}/accept`, {
        form: { _csrf: csrf() },
        token: null,
      }),
    ];
    const callsWhenRefused = services.runProviderCommand.mock.calls.length;
    const accepted = await request('POST', `/provider/referrals/${referralId}/accept`, {
      form: { _csrf: csrf() },
      headers: { origin: 'https://pages.example.test' },
    });

    // Assess
    expect(refused.map((answer) => answer.statusCode)).toEqual([403, 403, 403, 403]);
    expect(callsWhenRefused).toBe(0);
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers?.location).toBe(`/provider/referrals/${referralId}?done=accept`);
    expect(services.runProviderCommand).toHaveBeenCalledWith(
      referralId,
      { type: 'accept' },
      { providerId: 'turning-point-admit', correlationId: 'request-1' },
    );
  });

  it('shows a decline without a reason again (400), naming the field, and sends nothing', async () => {
    // Act
    const answer = await request('POST', `/provider/referrals/${referralId}/decline`, {
      form: { _csrf: csrf() },
    });

    // Assess
    expect(answer.statusCode).toBe(400);
    expect(bodyOf(answer)).toContain('<title>Error: Referral');
    expect(bodyOf(answer)).toContain('href="#decline-reason"');
    expect(bodyOf(answer)).toContain('Select why you are declining this referral');
    expect(services.runProviderCommand).not.toHaveBeenCalled();
  });

  it('records a contact attempt as made now', async () => {
    // Act
    await request('POST', `/provider/referrals/${referralId}/contact-attempts`, {
      form: { _csrf: csrf(), method: 'phone', result: 'reached' },
    });

    // Assess
    expect(services.runProviderCommand).toHaveBeenCalledWith(
      referralId,
      {
        type: 'attempt-contact',
        method: 'phone',
        result: 'reached',
        attemptedAt: at.toISOString(),
      },
      expect.anything(),
    );
  });

  it('answers a command the status no longer allows with 409, the referral as it is now and what it allows', async () => {
    // Prepare
    services.runProviderCommand.mockRejectedValueOnce(
      new IllegalTransitionError('accept', 'declined', ['reroute', 'withdraw']),
    );
    services.readProviderReferral.mockResolvedValueOnce({ referral: view('declined'), names });

    // Act
    const answer = await request('POST', `/provider/referrals/${referralId}/accept`, {
      form: { _csrf: csrf() },
    });

    // Assess
    expect(answer.statusCode).toBe(409);
    expect(bodyOf(answer)).toContain('A referral that is declined cannot be accepted.');
    expect(bodyOf(answer)).toContain(
      'What can happen to it now: rerouting by the spoke, withdrawal by the referrer.',
    );
    expect(bodyOf(answer)).not.toContain('Accept referral');
  });

  it("answers another provider's referral 404, and shows the referral's page with the actions its status allows", async () => {
    // Prepare
    services.readProviderReferral.mockRejectedValueOnce(new NotFoundError('No referral.'));

    // Act
    const missing = await request('GET', `/provider/referrals/${referralId}`);
    const shown = await request('GET', `/provider/referrals/${referralId}`, {
      query: { done: 'accept', lease: '2026-11-21T10:15:00.000Z' },
    });

    // Assess
    expect(missing.statusCode).toBe(404);
    expect(bodyOf(missing)).not.toContain('Jordan');
    expect(shown.statusCode).toBe(200);
    expect(bodyOf(shown)).toContain('Referral accepted');
    expect(bodyOf(shown)).toContain('Held for you until 10:15am.');
    expect(bodyOf(shown)).toContain('action="/provider/referrals/' + referralId + '/accept"');
    expect(bodyOf(shown)).toContain('action="/provider/referrals/' + referralId + '/decline"');
    expect(bodyOf(shown)).not.toContain('/contact-attempts"');
  });

  it('goes back after signing in only to a referral page of its own', async () => {
    // Act
    const page = await request('GET', `/provider/referrals/${referralId}`, { token: null });
    const back = await request('POST', '/provider/sign-in', {
      token: null,
      form: { token: 'provider-token', returnTo: `/provider/referrals/${referralId}` },
    });
    const elsewhere = await request('POST', '/provider/sign-in', {
      token: null,
      form: { token: 'provider-token', returnTo: 'https://elsewhere.example/' },
    });

    // Assess
    expect(bodyOf(page)).toContain(`name="returnTo" value="/provider/referrals/${referralId}"`);
    expect(back.headers?.location).toBe(`/provider/referrals/${referralId}`);
    expect(elsewhere.headers?.location).toBe('/provider');
  });
});
