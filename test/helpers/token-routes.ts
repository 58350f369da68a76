import { randomUUID } from 'node:crypto';
import { loadLocalTemplate, resourcesOfType, type Template } from '#local/template.ts';
import { roles, type Role } from '#shared/http/auth.ts';

/** A route of the HTTP API that takes a bearer token, and the one role whose token it takes. */
export interface TokenRoute {
  routeKey: string;
  method: string;
  path: string;
  role: Role;
}

/**
 * Every route the stack puts the JWT authorizer on, with the role its one scope names: read from
 * the synthesized template the local runtime runs, so a route added to the stack is here too.
 */
export function tokenRoutes(template: Template = loadLocalTemplate().template): TokenRoute[] {
  return resourcesOfType(template, 'AWS::ApiGatewayV2::Route')
    .map(([, route]) => route.Properties ?? {})
    .filter((route) => route.AuthorizationType === 'JWT')
    .map((route) => {
      const routeKey = String(route.RouteKey);
      const scopes = (route.AuthorizationScopes ?? []) as string[];
      const role = (Object.keys(roles) as Role[]).find((r) => scopes[0] === roles[r].scope);
      if (scopes.length !== 1 || !role) {
        throw new Error(`${routeKey} must take exactly one role's scope, not ${String(scopes)}`);
      }
      const [method = '', path = ''] = routeKey.split(' ');
      return { routeKey, method, path, role };
    })
    .sort((a, b) => a.routeKey.localeCompare(b.routeKey));
}

/**
 * A concrete path for a route: each `{name}` from `values`, any other parameter a fresh UUID
 * (ids of things that do not exist).
 */
export function fillPath(path: string, values: Record<string, string>): string {
  return path.replace(/\{(\w+)\+?\}/g, (_match, name: string) =>
    encodeURIComponent(values[name] ?? randomUUID()),
  );
}
