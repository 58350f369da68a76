import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { FunctionProcessCrashedError } from './function-process.ts';

/** One HTTP API route of the template, bound to a local function. */
export interface LocalRoute {
  routeKey: string;
  invoke: (event: APIGatewayProxyEventV2) => Promise<unknown>;
}

// API Gateway's own payload limit: larger requests never reach a function.
const apiGatewayMaxBytes = 10 * 1024 * 1024;

interface CompiledRoute extends LocalRoute {
  method: string;
  regex: RegExp;
  parameterNames: string[];
}

/**
 * Serves the template's HTTP API routes as API Gateway (payload format 2.0) would: the same
 * route keys, path parameters and event shape, so handlers cannot tell the difference.
 */
export async function startHttpServer(
  routes: readonly LocalRoute[],
  port: number,
): Promise<{ url: string; server: Server }> {
  const compiled = routes.map(compileRoute);
  const server = createServer((request, response) => {
    void handle(compiled, request, response).catch((error: unknown) => {
      // A crash is expected where a test makes one: its name is enough.
      console.error(
        'Local HTTP server error',
        error instanceof FunctionProcessCrashedError ? error.message : error,
      );
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ message: 'Internal Server Error' }));
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: actual } = server.address() as AddressInfo;
  return { url: `http://localhost:${actual}`, server };
}

function compileRoute(route: LocalRoute): CompiledRoute {
  const [method = '', routePath = ''] = route.routeKey.split(' ');
  const parameterNames: string[] = [];
  const source = routePath
    .split('/')
    .map((segment) => {
      // `{name+}` is API Gateway's greedy parameter: the rest of the path, slashes and all.
      const parameter = /^\{(\w+)(\+?)\}$/.exec(segment);
      if (!parameter) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      parameterNames.push(parameter[1] ?? '');
      return parameter[2] ? '(.+)' : '([^/]+)';
    })
    .join('/');
  return { ...route, method, regex: new RegExp(`^${source}$`), parameterNames };
}

async function handle(
  routes: CompiledRoute[],
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const method = request.method ?? 'GET';
  let match: { route: CompiledRoute; values: string[] } | undefined;
  for (const route of routes) {
    const found = route.method === method ? route.regex.exec(url.pathname) : null;
    if (found) {
      match = { route, values: found.slice(1) };
      break;
    }
  }
  if (!match) {
    response.writeHead(404, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Not Found' }));
    return;
  }
  const body = await readBody(request);
  if (body === undefined) {
    response.writeHead(413, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ message: 'Request Entity Too Large' }));
    return;
  }
  const { route, values } = match;
  const event = toEvent(request, url, route, values, body);
  const result = toResult(await route.invoke(event));
  // As API Gateway does (payload 2.0): each of `cookies` is its own Set-Cookie header.
  const headers: Record<string, string | string[]> = {
    ...(result.headers as Record<string, string> | undefined),
  };
  if (result.cookies?.length) headers['set-cookie'] = result.cookies;
  response.writeHead(result.statusCode ?? 200, headers);
  response.end(
    result.body === undefined
      ? undefined
      : Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8'),
  );
}

async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.byteLength;
    if (size > apiGatewayMaxBytes) return undefined;
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function toEvent(
  request: IncomingMessage,
  url: URL,
  route: CompiledRoute,
  values: string[],
  body: Buffer,
): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const contentType = headers['content-type'] ?? '';
  // API Gateway passes text bodies as they are and base64-encodes everything else.
  const isText = /^(text\/|application\/(json|problem\+json|x-www-form-urlencoded|xml))/i.test(
    contentType,
  );
  const pathParameters = Object.fromEntries(
    route.parameterNames.map((name, index) => [name, decodeURIComponent(values[index] ?? '')]),
  );
  const now = new Date();
  return {
    version: '2.0',
    routeKey: route.routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(url.search ? { queryStringParameters: Object.fromEntries(url.searchParams) } : {}),
    ...(route.parameterNames.length ? { pathParameters } : {}),
    // API Gateway (payload 2.0) passes the request's cookies apart, as `cookies`.
    ...(headers.cookie ? { cookies: headers.cookie.split(/;\s*/).filter(Boolean) } : {}),
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: route.routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    ...(body.byteLength > 0
      ? { body: isText ? body.toString('utf8') : body.toString('base64') }
      : {}),
    isBase64Encoded: body.byteLength > 0 && !isText,
  };
}

/** API Gateway's reading of a function result: a structured result, or anything else as JSON. */
function toResult(result: unknown): APIGatewayProxyStructuredResultV2 {
  if (result && typeof result === 'object' && 'statusCode' in result) {
    return result as APIGatewayProxyStructuredResultV2;
  }
  return {
    statusCode: 200,
    headers: { 'content-type': 'application/json' },
    body: typeof result === 'string' ? result : JSON.stringify(result),
  };
}
