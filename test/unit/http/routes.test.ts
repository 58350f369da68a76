import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { routeHandler, type Route, type RoutesOf } from '#shared/http/router.ts';
import { httpRouteList, type ApiRouteKey, type RouteKeyOf } from '#shared/http/routes.ts';

const answer: Route = async () => ({ statusCode: 200, body: 'ok' });
const silentLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

function eventFor(routeKey: string): APIGatewayProxyEventV2 {
  return { routeKey, headers: {}, requestContext: { requestId: 'r-1' } } as APIGatewayProxyEventV2;
}

describe('the routes table', () => {
  it("types each function's dispatch table by exactly the keys the table gives it", () => {
    // Prepare, Act: the assertions are the compiler's (tsc checks the tests).
    const complete: RoutesOf<'admin-api'> = { 'GET /v1/admin/audit': answer };
    // @ts-expect-error a route the table gives the function but its table does not handle
    const missing: RoutesOf<'hub-api'> = { 'GET /v1/hub/metrics': answer };
    const extra: RoutesOf<'admin-api'> = {
      'GET /v1/admin/audit': answer,
      // @ts-expect-error a route handled that the table does not serve from this function
      'GET /v1/admin/other': answer,
    };

    // Assess
    expectTypeOf<RouteKeyOf<'hub-api'>>().toEqualTypeOf<
      'GET /v1/hub/metrics' | 'GET /v1/spokes/{spokeId}/metrics' | 'GET /v1/hub/returns/{period}'
    >();
    expectTypeOf<'GET /provider'>().not.toExtend<ApiRouteKey>();
    expect(Object.keys({ ...complete, ...missing, ...extra })).toContain('GET /v1/admin/audit');
  });

  it('splits every key into the method and the path API Gateway is given', () => {
    // Act
    const routes = httpRouteList();

    // Assess
    expect(new Set(routes.map((route) => route.key)).size).toBe(routes.length);
    for (const route of routes) {
      expect(`${route.method} ${route.path}`).toBe(route.key);
      expect(route.path, route.key).toMatch(/^\/[\w\-./{}+]*$/);
    }
    expect(
      routes.find((route) => route.key === 'PUT /v1/providers/{providerId}/capacity'),
    ).toMatchObject({ method: 'PUT', function: 'provider-api', role: 'provider', kind: 'api' });
  });
});

describe('a handler of several routes', () => {
  it('answers a route key it does not dispatch with a 404 problem, and dispatches the others', async () => {
    // Prepare
    const handler = routeHandler({ 'GET /v1/admin/audit': answer }, silentLog);
    const context = {} as Context;

    // Act
    const unknown = await handler(eventFor('GET /v1/admin/other'), context);
    const known = await handler(eventFor('GET /v1/admin/audit'), context);

    // Assess
    expect(unknown).toMatchObject({ statusCode: 404 });
    expect(known).toMatchObject({ statusCode: 200, body: 'ok' });
  });
});
