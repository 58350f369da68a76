/**
 * The OpenAPI 3.1 description of Reachable's HTTP API, generated from the same zod schemas the
 * handlers check requests with, so the document cannot drift from what is enforced. Responses
 * are described in words where their shapes are not zod schemas.
 */
import { z } from 'zod';
import {
  createDocument,
  type ZodOpenApiOperationObject,
  type ZodOpenApiPathsObject,
} from 'zod-openapi';
import { auditQuery, auditTrailSchema } from '../domain/audit.ts';
import {
  metricsQuery,
  returnPeriod,
  returnQuery,
  spokeMetricsQuery,
} from '../domain/hub-requests.ts';
import { intakeSchemaFor } from '../domain/intake.ts';
import { capacityBody, listQuery, providerCommandBodies } from '../domain/lifecycle-requests.ts';
import { providerCommandTypes } from '../domain/lifecycle.ts';
import { pathwayKinds, referralStatuses } from '#events/vocabulary.ts';
import { type Partnership } from '../domain/partnership.ts';
import { roles, type Role } from './auth.ts';
import { httpRouteList, type ApiRouteKey } from './routes.ts';
import { idSchema } from '#events/vocabulary.ts';

const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z.array(z.object({ pointer: z.string(), detail: z.string() })).optional(),
  })
  .meta({ id: 'Problem', description: 'RFC 9457 problem details' });

const problems = (...statuses: number[]) =>
  Object.fromEntries(
    statuses.map((status) => [
      String(status),
      {
        description: problemMeaning[status] ?? 'Refused',
        content: { 'application/problem+json': { schema: problem } },
      },
    ]),
  );

const problemMeaning: Record<number, string> = {
  400: 'The request breaks the contract: every field at fault is named in `errors`',
  401: 'No valid credentials (bearer token, or webhook signature)',
  403: 'Signed in, but not allowed this: another role’s route, or another’s data',
  404: 'Not found, or not yours',
  409: 'Not allowed from the referral’s current status: says which commands are',
  410: 'Its personal data was erased at the end of its retention period',
  413: 'Body over 64 KB, refused before it is read',
  415: 'Body not sent as application/json',
  422: 'The webhook id was used before for a different body',
  503: 'The read could not be recorded in the audit trail, so nothing is shown: try again',
};

const receipt = z
  .object({
    referralId: z.uuid(),
    status: z.string(),
    responseExpected: z.string(),
    callPoliceNow: z
      .string()
      .optional()
      .meta({ description: 'Present when a weapon was used or threatened: show it first' }),
  })
  .meta({ id: 'Receipt' });

const names = (kinds: readonly string[]) =>
  z
    .object(Object.fromEntries(kinds.map((kind) => [kind, z.record(z.string(), z.string())])))
    .meta({ description: 'Display names by id, from the partnership’s config' });
const providerNames = names(['spokes', 'pathways', 'providers', 'organisations']).meta({
  id: 'ProviderNames',
  description:
    'The names of the spokes, pathways and referring organisations of the referrals answered, ' +
    'of this provider and of the providers of their spokes (where each could be rerouted)',
});
const hubNames = names(['spokes', 'pathways', 'providers'])
  .extend({ partnership: z.string() })
  .meta({
    id: 'HubNames',
    description:
      'The names of the partnership, every spoke, pathway and provider (and `triage`: no provider)',
  });
const providerReferral = z
  .looseObject({
    referralId: z.uuid(),
    status: z.enum(referralStatuses),
    allowed: z.array(z.enum(providerCommandTypes)).meta({
      description: 'The commands the provider may give it now; any other answers 409',
    }),
    spoke: idSchema,
    pathway: z.enum(pathwayKinds),
  })
  .meta({ id: 'ProviderReferral' });
/** A provider's answer with one referral, and whatever else the operation adds. */
const withReferral = (description: string, extra: z.ZodRawShape = {}) => ({
  description,
  content: {
    'application/json': {
      schema: z.object({ referral: providerReferral, names: providerNames, ...extra }),
    },
  },
});

/** A hub answer: figures described in words, with the names of what they are grouped by. */
const withHubNames = (description: string) => ({
  description,
  content: { 'application/json': { schema: z.looseObject({ names: hubNames }) } },
});

const anObject = (description: string) => ({
  description,
  content: { 'application/json': { schema: z.looseObject({}) } },
});

/** The bearer token an operation takes: one role's, named by its scope. */
const bearer = (role: Role) => [{ bearer: [roles[role].scope] }];
const providerPath = z.object({ providerId: idSchema });
const referralPath = z.object({ providerId: idSchema, referralId: z.uuid() });
const organisationPath = z.object({ organisationId: idSchema });

function providerCommand(summary: string, body?: z.ZodType): ZodOpenApiOperationObject {
  return {
    tags: ['providers'],
    summary,
    requestParams: { path: referralPath },
    ...(body ? { requestBody: { content: { 'application/json': { schema: body } } } } : {}),
    responses: {
      '200': withReferral('The referral as it now is'),
      ...problems(400, 401, 403, 404, 409, 410, 503),
    },
  };
}

/**
 * The document's paths: one operation per `api` route of the table, in its order, each taking
 * the bearer token of the route's role (an open route takes none).
 */
function pathsOf(
  operations: Record<ApiRouteKey, ZodOpenApiOperationObject>,
): ZodOpenApiPathsObject {
  const paths: ZodOpenApiPathsObject = {};
  for (const route of httpRouteList()) {
    if (route.kind !== 'api') continue;
    const operation = operations[route.key as ApiRouteKey];
    paths[route.path] = {
      ...paths[route.path],
      [route.method.toLowerCase()]: {
        ...operation,
        ...(route.role ? { security: bearer(route.role) } : {}),
      },
    };
  }
  return paths;
}

/** The whole API's description for one partnership (its pathways, spokes and organisations). */
export function openApiDocument(partnership: Partnership) {
  const submission = intakeSchemaFor(partnership);
  const intakeBody = {
    content: { 'application/json': { schema: submission.meta({ id: 'ReferralSubmission' }) } },
  };
  return createDocument({
    openapi: '3.1.0',
    info: {
      title: `Reachable: ${partnership.name}`,
      version: '1',
      description:
        'Referral intake, provider work queues, referrer status, the hub’s aggregates and ' +
        'the administrators’ audit trail. ' +
        'Every refusal is RFC 9457 `application/problem+json`.',
    },
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          bearerFormat: 'JWT',
          description:
            'An access token (`token_use: access`, or typed `at+jwt`) of the partnership’s ' +
            'identity provider, carrying exactly one role scope and its tenant claim: ' +
            (Object.keys(roles) as Role[])
              .map(
                (role) =>
                  `\`${roles[role].scope}\` (${roles[role].title}, \`${roles[role].claim}\`)`,
              )
              .join(', ') +
            '. Each operation names the one scope it takes; a token of another role gets 403.',
        },
      },
    },
    paths: pathsOf({
      'POST /v1/referrals': {
        tags: ['intake'],
        summary: 'Submit a referral, as the organisation it is from',
        description:
          'Takes a referrer organisation’s token; `referrer.organisationId` must be that ' +
          'organisation, or the answer is 403 naming the field and nothing is stored.',
        requestParams: {
          header: z.object({
            'idempotency-key': z.string().min(1).max(255).optional().meta({
              description:
                'Your key for this referral, the same when retrying: a retry gets the first answer',
            }),
          }),
        },
        requestBody: intakeBody,
        responses: {
          '202': {
            description:
              'Stored; it will be routed (with the same Idempotency-Key, the first answer)',
            content: { 'application/json': { schema: receipt } },
          },
          ...problems(400, 401, 403, 413, 415, 422),
        },
      },
      'POST /v1/webhooks/{organisationId}/referrals': {
        tags: ['intake'],
        summary: 'Submit a referral as a signed webhook (Standard Webhooks)',
        requestParams: {
          path: organisationPath,
          header: z.object({
            'webhook-id': z.string().meta({ description: 'Same id when retrying' }),
            'webhook-timestamp': z.string().meta({ description: 'Unix seconds, within 5 min' }),
            'webhook-signature': z
              .string()
              .meta({ description: '`v1,<base64 HMAC-SHA256 of id.timestamp.body>`' }),
          }),
        },
        requestBody: intakeBody,
        responses: {
          '202': {
            description: 'Stored (or, for a retry, the first answer again)',
            content: { 'application/json': { schema: receipt } },
          },
          ...problems(400, 401, 413, 415, 422),
        },
      },
      'GET /v1/providers/{providerId}/referrals': {
        tags: ['providers'],
        summary: 'List referrals routed to the provider',
        requestParams: { path: providerPath, query: listQuery },
        responses: {
          '200': anObject('`{ referrals, cursor? }`'),
          ...problems(400, 401, 403, 404, 503),
        },
      },
      'GET /v1/providers/{providerId}/referrals/next': {
        tags: ['providers'],
        summary: 'Pull the next referral from the queue, held for you (the lease)',
        requestParams: { path: providerPath },
        responses: {
          '200': withReferral('The referral, held for you until `lease.expiresAt`', {
            lease: z.object({ expiresAt: z.iso.datetime() }),
          }),
          '204': { description: 'The queue is empty' },
          ...problems(401, 403, 404, 503),
        },
      },
      'GET /v1/providers/{providerId}/referrals/{referralId}': {
        tags: ['providers'],
        summary: 'One referral routed to the provider',
        requestParams: { path: referralPath },
        responses: { '200': withReferral('The referral'), ...problems(401, 403, 404, 410, 503) },
      },
      'POST /v1/providers/{providerId}/referrals/{referralId}/lease': {
        tags: ['providers'],
        summary: 'Hold the referral longer',
        requestParams: { path: referralPath },
        responses: { '200': anObject('`{ lease }`'), ...problems(401, 403, 404, 409, 410) },
      },
      'POST /v1/providers/{providerId}/referrals/{referralId}/accept': providerCommand('Accept'),
      'POST /v1/providers/{providerId}/referrals/{referralId}/decline': providerCommand(
        'Decline, with a reason',
        providerCommandBodies.decline,
      ),
      'POST /v1/providers/{providerId}/referrals/{referralId}/contact-attempts': providerCommand(
        'Record a contact attempt',
        providerCommandBodies['attempt-contact'],
      ),
      'POST /v1/providers/{providerId}/referrals/{referralId}/engaged': providerCommand(
        'The young person is engaged',
      ),
      'POST /v1/providers/{providerId}/referrals/{referralId}/close': providerCommand(
        'Close, with an outcome',
        providerCommandBodies.close,
      ),
      'POST /v1/providers/{providerId}/referrals/{referralId}/reroute': providerCommand(
        'Send to another provider of the spoke',
        providerCommandBodies.reroute,
      ),
      'GET /v1/providers/{providerId}/capacity': {
        tags: ['providers'],
        summary: 'The provider’s capacity',
        requestParams: { path: providerPath },
        responses: {
          '200': anObject('`{ providerId, status, … }`'),
          ...problems(401, 403, 404),
        },
      },
      'PUT /v1/providers/{providerId}/capacity': {
        tags: ['providers'],
        summary: 'State the provider’s capacity',
        requestParams: { path: providerPath },
        requestBody: { content: { 'application/json': { schema: capacityBody } } },
        responses: {
          '200': anObject('The capacity as stated'),
          ...problems(400, 401, 403, 404),
        },
      },
      'GET /v1/organisations/{organisationId}/referrals': {
        tags: ['referrers'],
        summary: 'Referrals the organisation sent: status and dates only',
        requestParams: { path: organisationPath, query: listQuery },
        responses: {
          '200': anObject('`{ referrals, cursor? }`'),
          ...problems(400, 401, 403, 404),
        },
      },
      'GET /v1/organisations/{organisationId}/referrals/{referralId}': {
        tags: ['referrers'],
        summary: 'One referral the organisation sent',
        requestParams: { path: organisationPath.extend({ referralId: z.uuid() }) },
        responses: { '200': anObject('Status and dates'), ...problems(401, 403, 404) },
      },
      'POST /v1/organisations/{organisationId}/referrals/{referralId}/withdraw': {
        tags: ['referrers'],
        summary: 'Withdraw a referral',
        requestParams: { path: organisationPath.extend({ referralId: z.uuid() }) },
        responses: { '200': anObject('Status and dates'), ...problems(401, 403, 404, 409) },
      },
      'GET /v1/hub/metrics': {
        tags: ['hub'],
        summary: 'Counts and rates from the aggregates, filtered and grouped',
        requestParams: { query: metricsQuery },
        responses: {
          '200': withHubNames(
            '`{ period, groupBy, rows, reconciliation, names }`: `reconciliation` is the latest check for stuck referrals (counts only), or null',
          ),
          ...problems(400, 401, 403),
        },
      },
      'GET /v1/spokes/{spokeId}/metrics': {
        tags: ['spokes'],
        summary: 'The hub’s counts and rates for one spoke: its coordinators’ view',
        requestParams: {
          path: z.object({ spokeId: idSchema }),
          query: spokeMetricsQuery,
        },
        responses: {
          '200': withHubNames('`{ spoke, period, groupBy, rows, names }`'),
          ...problems(400, 401, 403),
        },
      },
      'GET /v1/hub/returns/{period}': {
        tags: ['hub'],
        summary: 'The quarterly return (financial-year quarters), as JSON or CSV',
        requestParams: { path: z.object({ period: returnPeriod }), query: returnQuery },
        responses: {
          '200': {
            description:
              'Rows per spoke and pathway, subtotals and totals that add up; as JSON with `names`',
            content: {
              'application/json': { schema: z.looseObject({ names: hubNames }) },
              'text/csv': { schema: z.string() },
            },
          },
          ...problems(400, 401, 403),
        },
      },
      'GET /v1/admin/audit': {
        tags: ['admin'],
        summary:
          'A referral’s audit trail: every read of its personal data and every change, oldest first',
        description:
          'Who (role, tenant and token subject), when, what and why (a purpose code), in one ' +
          'shape for reads and changes; ids, roles and codes only. Kept after the referral ' +
          'itself has expired. Administrators of the partnership only.',
        requestParams: { query: auditQuery },
        responses: {
          '200': {
            description: 'A page of the trail; `cursor` when there is more',
            content: { 'application/json': { schema: auditTrailSchema } },
          },
          ...problems(400, 401, 403, 404),
        },
      },
      'GET /openapi.json': {
        tags: ['docs'],
        summary: 'This document',
        responses: { '200': anObject('OpenAPI 3.1') },
      },
    }),
  });
}
