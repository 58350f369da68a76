/**
 * Every route of the HTTP API, once: the stack turns each into an API Gateway route (with the
 * JWT authorizer and the role's scope when it names a role), the local runtime serves what the
 * template holds, the OpenAPI document describes each `api` route, and each handler's dispatch
 * table is typed by the keys of its function. Add a route here and `tsc` names what is missing.
 */
import type { Role } from './auth.ts';

export type HttpMethodName = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** API Gateway's route key: the method, a space and the path (`{name}` and `{name+}` parameters). */
export type RouteKeyText = `${HttpMethodName} /${string}`;

export interface HttpRouteSpec {
  /** The function that handles it: the folder of its handler under `functions/`. */
  function: string;
  /** `api` routes are in the OpenAPI document; `page` routes (pages, their assets) are not. */
  kind: 'api' | 'page';
  /**
   * The role whose bearer token the route takes: the authorizer checks the token and that it
   * carries this role's scope before the function (which checks again) is invoked.
   * @default none: an open route (a page, the API description, a signed webhook)
   */
  role?: Role;
}

export const httpRoutes = {
  // Intake: an organisation's token, or a webhook signed with its secret (checked by the function).
  'POST /v1/referrals': { function: 'intake', kind: 'api', role: 'organisation' },
  'POST /v1/webhooks/{organisationId}/referrals': { function: 'intake', kind: 'api' },
  // The provider API: its work queue, the lifecycle of its referrals, its capacity.
  'GET /v1/providers/{providerId}/referrals': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'GET /v1/providers/{providerId}/referrals/next': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'GET /v1/providers/{providerId}/referrals/{referralId}': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/lease': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/accept': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/decline': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/contact-attempts': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/engaged': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/close': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'POST /v1/providers/{providerId}/referrals/{referralId}/reroute': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'GET /v1/providers/{providerId}/capacity': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  'PUT /v1/providers/{providerId}/capacity': {
    function: 'provider-api',
    kind: 'api',
    role: 'provider',
  },
  // The referrer organisation: status and dates of what it sent, and withdrawal.
  'GET /v1/organisations/{organisationId}/referrals': {
    function: 'referrer-api',
    kind: 'api',
    role: 'organisation',
  },
  'GET /v1/organisations/{organisationId}/referrals/{referralId}': {
    function: 'referrer-api',
    kind: 'api',
    role: 'organisation',
  },
  'POST /v1/organisations/{organisationId}/referrals/{referralId}/withdraw': {
    function: 'referrer-api',
    kind: 'api',
    role: 'organisation',
  },
  // The hub's and the spokes' figures, from aggregates only.
  'GET /v1/hub/metrics': { function: 'hub-api', kind: 'api', role: 'hub' },
  'GET /v1/spokes/{spokeId}/metrics': { function: 'hub-api', kind: 'api', role: 'spoke' },
  'GET /v1/hub/returns/{period}': { function: 'hub-api', kind: 'api', role: 'hub' },
  // The administrators' audit trail.
  'GET /v1/admin/audit': { function: 'admin-api', kind: 'api', role: 'admin' },
  // The API's own description.
  'GET /openapi.json': { function: 'api-docs', kind: 'api' },
  // The pages and their assets: they hold no data; what they show comes from the token routes.
  // The provider page and the hub dashboard: a session cookie, checked by the page's function.
  'GET /provider': { function: 'provider-page', kind: 'page' },
  'POST /provider/sign-in': { function: 'provider-page', kind: 'page' },
  'POST /provider/sign-out': { function: 'provider-page', kind: 'page' },
  'POST /provider/next': { function: 'provider-page', kind: 'page' },
  'GET /provider/referrals/{referralId}': { function: 'provider-page', kind: 'page' },
  'POST /provider/referrals/{referralId}/{command}': { function: 'provider-page', kind: 'page' },
  'GET /hub': { function: 'hub-page', kind: 'page' },
  'POST /hub/sign-in': { function: 'hub-page', kind: 'page' },
  'POST /hub/sign-out': { function: 'hub-page', kind: 'page' },
  'GET /hub/return': { function: 'hub-page', kind: 'page' },
  // The API reference and the pages' shared assets: static files.
  'GET /docs': { function: 'web', kind: 'page' },
  'GET /docs/{file+}': { function: 'web', kind: 'page' },
  'GET /assets/{file+}': { function: 'web', kind: 'page' },
  // The referral forms: a session cookie, checked by the forms function.
  'GET /refer': { function: 'forms', kind: 'page' },
  'POST /refer/sign-in': { function: 'forms', kind: 'page' },
  'POST /refer/sign-out': { function: 'forms', kind: 'page' },
  'GET /refer/{pathway}': { function: 'forms', kind: 'page' },
  'POST /refer/{pathway}': { function: 'forms', kind: 'page' },
  'GET /refer/received/{referralId}': { function: 'forms', kind: 'page' },
} as const satisfies Record<RouteKeyText, HttpRouteSpec>;

type Routes = typeof httpRoutes;
export type RouteKey = keyof Routes;
/** The functions behind the HTTP API: the stack must give each one. */
export type HttpFunctionName = Routes[RouteKey]['function'];
/** The route keys one function serves: its dispatch table is typed by them. */
export type RouteKeyOf<F extends HttpFunctionName> = {
  [K in RouteKey]: Routes[K]['function'] extends F ? K : never;
}[RouteKey];
/** The routes the OpenAPI document describes. */
export type ApiRouteKey = {
  [K in RouteKey]: Routes[K]['kind'] extends 'api' ? K : never;
}[RouteKey];

/** One route of the table with its key split into method and path. */
export interface HttpRoute extends HttpRouteSpec {
  key: RouteKey;
  method: HttpMethodName;
  path: string;
  function: HttpFunctionName;
}

/** The table as a list, in its order, each key split into method and path. */
export function httpRouteList(): HttpRoute[] {
  return (Object.entries(httpRoutes) as [RouteKey, Routes[RouteKey]][]).map(([key, spec]) => {
    const space = key.indexOf(' ');
    return {
      ...spec,
      key,
      method: key.slice(0, space) as HttpMethodName,
      path: key.slice(space + 1),
    };
  });
}
