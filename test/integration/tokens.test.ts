import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken, type LocalTokenFor } from '#local/signing-key.ts';
import { roles, type Role } from '#shared/http/auth.ts';
import { badToken, badTokenReasons, type BadToken } from '#test/helpers/bad-tokens.ts';
import { fillPath, tokenRoutes, type TokenRoute } from '#test/helpers/token-routes.ts';

/*
 * Against the embedded runtime rather than each handler with mocks: the routes are the
 * synthesized template's (the same list API Gateway's authorizer is configured from), each
 * request goes to the function the template routes it to with the environment the template
 * gives it, so a route added to the stack is tested here without anyone listing it.
 */

const partnership = 'avon-and-somerset';
/** Whom each role's token acts for, and the same ids in the paths: a 403 is about the role. */
const tenants: Record<Role, string> = {
  organisation: 'musgrove-park-hospital-ae',
  provider: 'turning-point-admit',
  spoke: 'bristol',
  hub: partnership,
  admin: partnership,
};
const pathValues = {
  organisationId: tenants.organisation,
  providerId: tenants.provider,
  spokeId: tenants.spoke,
  period: '2026-Q1',
};
const allRoles = Object.keys(roles) as Role[];
const tokenFor = (role: Role) => ({ [role]: tenants[role] }) as LocalTokenFor;

const routes = tokenRoutes();
const kinds = Object.keys(badTokenReasons) as BadToken[];

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
});

afterAll(async () => {
  await runtime?.stop();
});

interface Answer {
  status: number;
  contentType: string;
  challenge: string | null;
  body: { title?: string; detail?: string; status?: number };
}

/** One call of a route with a bearer token (or none); a body of `{}` for what takes one. */
async function call(route: TokenRoute, token: string | undefined): Promise<Answer> {
  const response = await fetch(`${runtime.url}${fillPath(route.path, pathValues)}`, {
    method: route.method,
    headers: {
      'content-type': 'application/json',
      ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
    },
    ...(route.method === 'GET' ? {} : { body: '{}' }),
  });
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  return {
    status: response.status,
    contentType,
    challenge: response.headers.get('www-authenticate'),
    body: /json/.test(contentType) && text ? (JSON.parse(text) as Answer['body']) : {},
  };
}

describe('the token routes of the template', () => {
  it(`are every API route but the open ones: ${routes.length} routes, of every role`, () => {
    // Act
    const rolesServed = new Set(routes.map((route) => route.role));

    // Assess
    expect(routes.length).toBeGreaterThanOrEqual(19);
    for (const role of ['organisation', 'provider', 'spoke', 'hub'] as const) {
      expect(rolesServed.has(role), role).toBe(true);
    }
  });
});

describe(`a bad bearer token, on each of the ${routes.length} token routes`, () => {
  it.each(kinds)('with %s is refused with 401 and the reason, on every route', async (kind) => {
    // Prepare
    const tokens = await Promise.all(
      routes.map((route) => badToken(kind, route.role, tenants[route.role])),
    );

    // Act
    const answers = await Promise.all(routes.map((route, i) => call(route, tokens[i])));

    // Assess
    const seen = routes.map((route, i) => ({
      route: route.routeKey,
      status: answers[i]!.status,
      contentType: answers[i]!.contentType,
      challenge: answers[i]!.challenge,
      detail: answers[i]!.body.detail,
    }));
    expect(seen).toEqual(
      routes.map((route) => ({
        route: route.routeKey,
        status: 401,
        contentType: 'application/problem+json',
        challenge: 'Bearer realm="reachable"',
        detail: badTokenReasons[kind],
      })),
    );
  });
});

describe(`every role's token on every other role's routes (${routes.length} routes × ${allRoles.length - 1} other roles = ${routes.length * (allRoles.length - 1)} calls)`, () => {
  it.each(routes.map((route) => [route.routeKey, route.role, route] as const))(
    '%s (%s): 403 to every other role, and its own role passes the token check',
    async (_key, role, route) => {
      // Prepare
      const others = allRoles.filter((other) => other !== role);
      const tokens = await Promise.all(allRoles.map((r) => signLocalToken(tokenFor(r))));

      // Act
      const answers = await Promise.all(allRoles.map((_r, i) => call(route, tokens[i])));

      // Assess
      const byRole = Object.fromEntries(allRoles.map((r, i) => [r, answers[i]!]));
      expect(others.map((other) => [other, byRole[other]!.status])).toEqual(
        others.map((other) => [other, 403]),
      );
      for (const other of others) {
        expect(byRole[other]!.contentType).toBe('application/problem+json');
        expect(byRole[other]!.body).toMatchObject({
          title: 'Not allowed',
          detail: `Only ${roles[role].title} can use this route.`,
        });
      }
      // Its own role's token is taken: whatever the answer, it is not about the token.
      expect([401, 403]).not.toContain(byRole[role]!.status);
    },
  );
});
