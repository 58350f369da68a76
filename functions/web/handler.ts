import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

// The pages ship beside the handler in the bundle (`./web`); from source they are `../../web`.
const webRoot = [
  path.join(import.meta.dirname, 'web'),
  path.resolve(import.meta.dirname, '..', '..', 'web'),
].find((candidate) => existsSync(candidate)) as string;

const contentTypes: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.woff2': 'font/woff2',
  '.png': 'image/png',
};

/** The provider page and its assets: static files, never anything outside `web/`. */
export const handler = async (
  event: APIGatewayProxyEventV2,
): Promise<APIGatewayProxyStructuredResultV2> => {
  const requested = event.rawPath === '/provider' ? '/provider/index.html' : event.rawPath;
  const file = path.resolve(webRoot, `.${path.posix.normalize(requested)}`);
  const type = contentTypes[path.extname(file)];
  if (!file.startsWith(webRoot + path.sep) || !type) return notFound();
  try {
    const body = await readFile(file);
    return {
      statusCode: 200,
      headers: { 'content-type': type, 'cache-control': 'no-cache' },
      body: body.toString('base64'),
      isBase64Encoded: true,
    };
  } catch {
    return notFound();
  }
};

function notFound(): APIGatewayProxyStructuredResultV2 {
  return { statusCode: 404, headers: { 'content-type': 'text/plain' }, body: 'Not found' };
}
