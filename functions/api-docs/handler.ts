import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { requireEnv } from '#shared/config.ts';
import { partnershipById } from '#partnerships/index.ts';
import { openApiDocument } from '#shared/http/openapi.ts';

// The document depends only on the code and the partnership: build it once per cold start.
const body = JSON.stringify(openApiDocument(partnershipById(requireEnv('PARTNERSHIP'))));

/** GET /openapi.json: the API's OpenAPI 3.1 description, generated from its zod schemas. */
export const handler = async (): Promise<APIGatewayProxyStructuredResultV2> => ({
  statusCode: 200,
  headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' },
  body,
});
