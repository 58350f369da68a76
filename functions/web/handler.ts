import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { govukAssetFiles, govukDist, projectFolder } from '#web/kit/bundle.ts';

// The pages ship beside the handler in the bundle (`./web`, and GOV.UK Frontend's compiled files
// at `./node_modules/…`, copied at build time); from source they are two folders up.
const webRoot = projectFolder('web');
const govukRoot = projectFolder(govukDist);

// Only these folders of `web/` are served, each at its own path (`/hub/{file+}` onto `web/hub/`).
// A page's folder answers its `index.html` at its bare path; `assets` holds what pages share.
// The server-rendered pages (`/refer`) are their own functions'.
const pages = ['provider', 'hub', 'docs'];
const servedFolders = [...pages, 'assets'];

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

/** The pages and their assets: static files under the served folders of `web/`, nothing else. */
export const handler = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const requested = requestedFile(event.rawPath);
  const type = requested === undefined ? undefined : contentTypes[path.extname(requested.file)];
  if (requested === undefined || type === undefined) return notFound();
  const { file, folder } = requested;
  try {
    // A link inside a served folder must not lead outside it either.
    if (!isInside(await realpath(file), await realpath(folder))) return notFound();
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

/**
 * The file a request path names in a served folder, with that folder, or undefined if it names
 * none: `/hub` is `web/hub/index.html`, `/hub/app.js` is `web/hub/app.js`.
 */
function requestedFile(rawPath: string): { file: string; folder: string } | undefined {
  if (rawPath.includes('\0')) return undefined;
  const govuk = /^\/assets\/govuk\/([^/]+)$/.exec(rawPath)?.[1];
  if (govuk !== undefined) {
    return (govukAssetFiles as readonly string[]).includes(govuk)
      ? { file: path.join(govukRoot, govuk), folder: govukRoot }
      : undefined;
  }
  const [empty, name = '', ...segments] = rawPath.split('/');
  if (empty !== '' || !servedFolders.includes(name)) return undefined;
  const folder = path.join(webRoot, name);
  if (segments.length === 0) {
    return pages.includes(name) ? { file: path.join(folder, 'index.html'), folder } : undefined;
  }
  // No dot segments, no hidden files, no empty segments (`//`).
  if (segments.some((segment) => segment === '' || segment.startsWith('.'))) return undefined;
  const file = path.resolve(folder, ...segments);
  return isInside(file, folder) ? { file, folder } : undefined;
}

function isInside(file: string, folder: string): boolean {
  return file.startsWith(folder + path.sep);
}

function notFound(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
}
