import { readFile, realpath } from 'node:fs/promises';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { chartJsDist, chartJsFiles } from '#web/hub/bundle.ts';
import { govukAssetFiles, govukDist, projectFolder } from '#web/kit/bundle.ts';

// The pages ship beside the handler in the bundle (`./web`, and GOV.UK Frontend's compiled files
// at `./node_modules/…`, copied at build time); from source they are two folders up.
const webRoot = projectFolder('web');
// Installed packages' built files, each served as the package has it, by name only.
const packageAssets: Record<string, { root: string; files: readonly string[] }> = {
  govuk: { root: projectFolder(govukDist), files: govukAssetFiles },
  'chart.js': { root: projectFolder(chartJsDist), files: chartJsFiles },
};

// Only these folders of `web/` are served, each at its own path (`/docs/{file+}` onto `web/docs/`).
// A page's folder answers its `index.html` at its bare path; `assets` holds what pages share.
// The server-rendered pages (`/refer`, `/provider`, `/hub`) are their own functions'.
const pages = ['docs'];
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
): Promise<APIGatewayProxyStructuredResultV2> => webFile(event.rawPath, webRoot);

/** The answer to a request path, from the served folders of the `web/` folder at `root`. */
export async function webFile(
  rawPath: string,
  root: string,
): Promise<APIGatewayProxyStructuredResultV2> {
  const requested = requestedFile(rawPath, root);
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
}

/**
 * The file a request path names in a served folder, with that folder, or undefined if it names
 * none: `/provider` is `web/provider/index.html`, `/assets/hub/charts.js` is
 * `web/assets/hub/charts.js`.
 */
function requestedFile(
  rawPath: string,
  webRoot: string,
): { file: string; folder: string } | undefined {
  if (rawPath.includes('\0')) return undefined;
  const [, packageName = '', fileName = ''] = /^\/assets\/([^/]+)\/([^/]+)$/.exec(rawPath) ?? [];
  const packaged = packageAssets[packageName];
  if (packaged) {
    return packaged.files.includes(fileName)
      ? { file: path.join(packaged.root, fileName), folder: packaged.root }
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
