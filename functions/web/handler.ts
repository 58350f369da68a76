import { existsSync } from 'node:fs';
import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

// The pages ship beside the handler in the bundle (`./web`); from source they are `../../web`.
const webRoot = [
  path.join(import.meta.dirname, 'web'),
  path.resolve(import.meta.dirname, '..', '..', 'web'),
].find((candidate) => existsSync(candidate)) as string;

// Only the provider page's folder is served: `/provider/{file+}` maps onto `web/provider/`.
const servedRoot = path.join(webRoot, 'provider');

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

// The page holds a bearer token: nothing but its own files may run, load or frame it.
const securityHeaders = {
  'content-security-policy': [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "connect-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** The provider page and its assets: static files under `web/provider/`, never anything else. */
export const handler = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const file = requestedFile(event.rawPath);
  const type = file === undefined ? undefined : contentTypes[path.extname(file)];
  if (file === undefined || type === undefined) return notFound();
  try {
    // A link inside `web/` must not lead outside it either.
    if (!isInside(await realpath(file), await realpath(servedRoot))) return notFound();
    const body = await readFile(file);
    return {
      statusCode: 200,
      headers: { 'content-type': type, 'cache-control': 'no-cache', ...securityHeaders },
      body: body.toString('base64'),
      isBase64Encoded: true,
    };
  } catch {
    return notFound();
  }
};

/** The file a request path names under `web/provider/`, or undefined if it names none. */
function requestedFile(rawPath: string): string | undefined {
  const requested = rawPath === '/provider' ? '/provider/index.html' : rawPath;
  if (!requested.startsWith('/provider/') || requested.includes('\0')) return undefined;
  const segments = requested.slice('/provider/'.length).split('/');
  // No dot segments, no hidden files, no empty segments (`//`).
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return undefined;
  const file = path.resolve(servedRoot, ...segments);
  return isInside(file, servedRoot) ? file : undefined;
}

function isInside(file: string, folder: string): boolean {
  return file.startsWith(folder + path.sep);
}

function notFound(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
}
