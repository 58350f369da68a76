import { marshall } from '@aws-sdk/util-dynamodb';
import type {
  APIGatewayProxyEventV2,
  APIGatewayProxyStructuredResultV2,
  AttributeValue,
  Context,
  DynamoDBRecord,
  SQSRecord,
} from 'aws-lambda';
import { vi } from 'vitest';
import type { Destination } from '#events/referral-lifecycle.ts';
import {
  EnvelopeCipher,
  localKeyBytes,
  localKeyring,
} from '#shared/adapters/personal-data-cipher.ts';
import { subjectIndexer } from '#shared/adapters/subject-index.ts';
import { checkSubmission } from '#shared/domain/intake.ts';
import { partnershipById } from '#partnerships/index.ts';
import {
  createReferral,
  nextDeadline,
  type Referral,
  type RevealedReferral,
} from '#shared/domain/referral.ts';
import { routingAttributesOf } from '#shared/domain/routing-attributes.ts';
import { exampleReferral } from '#test/helpers/examples.ts';

/** The partnership every handler test deploys for. */
export const partnershipId = 'avon-and-somerset';
export const tableName = 'reachable-referrals-test';

/** Friday 20 November 2026, 22:45 GMT: inside Admit's staffed window (Fri/Sat 18:00-24:00). */
export const fridayEvening = new Date('2026-11-20T22:45:00.000Z');

/** A Lambda context with enough of the real thing for middy and Powertools. */
export function lambdaContext(functionName: string): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:eu-west-2:123456789012:function:${functionName}`,
    memoryLimitInMB: '512',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e812345678',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: '2026/11/20/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 10_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

export interface HttpRequest {
  /** API Gateway's route key, e.g. `POST /v1/referrals`. */
  routeKey: string;
  rawPath: string;
  body?: string;
  headers?: Record<string, string>;
  pathParameters?: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  isBase64Encoded?: boolean;
}

/** An API Gateway HTTP API (payload 2.0) event, as Lambda receives it. */
export function apiEvent({
  routeKey,
  rawPath,
  body,
  headers = {},
  pathParameters,
  queryStringParameters,
  isBase64Encoded = false,
}: HttpRequest): APIGatewayProxyEventV2 {
  const method = routeKey.split(' ')[0] ?? 'GET';
  return {
    version: '2.0',
    routeKey,
    rawPath,
    rawQueryString: '',
    headers: { host: 'api.example.test', ...headers },
    requestContext: {
      accountId: '123456789012',
      apiId: 'api-id',
      domainName: 'api.example.test',
      domainPrefix: 'api',
      http: {
        method,
        path: rawPath,
        protocol: 'HTTP/1.1',
        sourceIp: '192.0.2.1',
        userAgent: 'vitest',
      },
      requestId: 'request-1',
      routeKey,
      stage: '$default',
      time: '20/Nov/2026:22:45:00 +0000',
      timeEpoch: fridayEvening.getTime(),
    },
    isBase64Encoded,
    ...(body === undefined ? {} : { body }),
    ...(pathParameters ? { pathParameters } : {}),
    ...(queryStringParameters ? { queryStringParameters } : {}),
  };
}

/** The structured result a handler answered, with its body parsed as JSON (if any). */
export function parseResult(result: unknown): {
  statusCode: number;
  contentType: string | undefined;
  rawBody: string | undefined;
  body: unknown;
} {
  const structured = result as APIGatewayProxyStructuredResultV2;
  const headers = (structured.headers ?? {}) as Record<string, unknown>;
  const rawBody = structured.body;
  return {
    statusCode: structured.statusCode ?? 0,
    contentType: headers['content-type'] as string | undefined,
    rawBody,
    body: rawBody ? (JSON.parse(rawBody) as unknown) : undefined,
  };
}

/** The keys of personal data in the handler tests: what `.local/auth/` holds locally. */
export const testPersonalDataKey = Buffer.alloc(32, 7).toString('base64url');
export const testSubjectIndexKey = 'test-subject-index-key-of-at-least-32-characters';

/** Gives the handlers under test the keys to seal, open and index personal data. */
export function stubPersonalDataKeys(): void {
  vi.stubEnv('PERSONAL_DATA_LOCAL_KEY', testPersonalDataKey);
  vi.stubEnv('SUBJECT_INDEX_LOCAL_KEY', testSubjectIndexKey);
}

/** The cipher the handlers under test seal and open with. */
export const testCipher = () =>
  new EnvelopeCipher({
    keyring: localKeyring(localKeyBytes(testPersonalDataKey, 'testPersonalDataKey')),
    partnership: partnershipId,
  });

/** The blind index the handlers under test compute. */
export const testSubjectIndex = subjectIndexer(async () => testSubjectIndexKey);

/** The referral the intake stores for an example body, received at `receivedAt`. */
export function referralFromExample(
  fileName: string,
  referralId: string,
  receivedAt: Date = fridayEvening,
): RevealedReferral & { expiresAt: number } {
  const partnership = partnershipById(partnershipId);
  const check = checkSubmission(exampleReferral(fileName), receivedAt, partnership);
  if (!check.ok) throw new Error(`${fileName} is not valid: ${JSON.stringify(check.problems)}`);
  const routing = routingAttributesOf(check.submission, check.ageYears, receivedAt, partnership);
  return createReferral({
    referralId,
    submission: check.submission,
    routing,
    retentionDays: 3 * 365,
    receivedAt,
  });
}

/** A referral as routing leaves it: routed, with its decision (and provider, for a provider). */
export function routedReferral<R extends Referral>(
  referral: R,
  routeId: string,
  destination: Destination,
  at = new Date(Date.parse(referral.receivedAt) + 2_000),
): R {
  return {
    ...referral,
    status: 'routed',
    updatedAt: at.toISOString(),
    routing: { routeId, destination, reasons: ['test route'], decidedAt: at.toISOString() },
    ...(destination.kind === 'provider' ? { providerId: destination.providerId } : {}),
  };
}

/**
 * The table item of a referral, keys and indexes included, with whatever the referral holds
 * (personal data in the clear too, if it has any: the worst case for what must not leak).
 * `sealedReferralItem` is the item as the store writes personal data.
 */
export function referralItem(referral: Referral): Record<string, unknown> {
  return {
    PK: `REFERRAL#${referral.referralId}`,
    SK: 'REFERRAL',
    entity: 'referral',
    GSI2PK: `SPOKE#${referral.spoke}`,
    GSI2SK: `${referral.receivedAt}#${referral.referralId}`,
    GSI3PK: `ORGANISATION#${referral.referrerOrganisationId}`,
    GSI3SK: `${referral.receivedAt}#${referral.referralId}`,
    ...(nextDeadline(referral)
      ? { GSI4PK: 'DUE', GSI4SK: `${nextDeadline(referral)}#${referral.referralId}` }
      : {}),
    ...(referral.providerId
      ? {
          GSI1PK: `PROVIDER#${referral.providerId}`,
          GSI1SK: `${referral.status}#${referral.receivedAt}#${referral.referralId}`,
        }
      : {}),
    ...referral,
  };
}

/**
 * The table item of a referral as the store writes it: its personal data and a decline's
 * details sealed with the test key, its blind index and retention index.
 */
export async function sealedReferralItem(referral: Referral): Promise<Record<string, unknown>> {
  const { personal, decline, ...rest } = referral;
  if (!personal) throw new Error('sealedReferralItem needs the personal data to seal');
  const cipher = testCipher();
  const subjectIndex = await testSubjectIndex(personal.subject);
  return {
    ...referralItem(rest),
    personalSealed: await cipher.seal('personal', referral.referralId, personal),
    ...(decline ? { decline: { reason: decline.reason } } : {}),
    ...(decline?.details
      ? {
          declineDetailsSealed: await cipher.seal(
            'decline-details',
            referral.referralId,
            decline.details,
          ),
        }
      : {}),
    subjectIndex,
    GSI5PK: `SUBJECT#${subjectIndex}`,
    GSI5SK: `${referral.receivedAt}#${referral.referralId}`,
    ...(referral.expiresAt === undefined
      ? {}
      : {
          GSI6PK: 'RETAINED',
          GSI6SK: `${new Date(referral.expiresAt * 1000).toISOString()}#${referral.referralId}`,
        }),
  };
}

/** The personal data of an example that must never leave the referral item. */
export function personalValuesOf(fileName: string): string[] {
  const example = exampleReferral(fileName) as {
    subject: { givenName: string; familyName: string; dateOfBirth: string; postcode: string };
    referrer: { name: string; email: string; phone: string };
    summary: string;
  };
  return [
    example.subject.givenName,
    example.subject.dateOfBirth,
    example.subject.postcode,
    example.referrer.name,
    example.referrer.email,
    example.referrer.phone,
    example.summary,
  ];
}

/** A DynamoDB stream record carrying a new image, as the table's stream delivers it. */
export function streamRecord({
  eventName,
  item,
  sequenceNumber,
}: {
  eventName: 'INSERT' | 'MODIFY' | 'REMOVE';
  item: Record<string, unknown>;
  sequenceNumber: string;
}): DynamoDBRecord {
  const image = marshall(item, { removeUndefinedValues: true }) as Record<string, AttributeValue>;
  return {
    eventID: `event-${sequenceNumber}`,
    eventName,
    eventVersion: '1.1',
    eventSource: 'aws:dynamodb',
    awsRegion: 'eu-west-2',
    eventSourceARN:
      'arn:aws:dynamodb:eu-west-2:123456789012:table/reachable-referrals-test/stream/2026-11-20T00:00:00.000',
    dynamodb: {
      ApproximateCreationDateTime: fridayEvening.getTime() / 1000,
      Keys: marshall({ PK: item.PK, SK: item.SK }) as Record<string, AttributeValue>,
      ...(eventName === 'REMOVE' ? { OldImage: image } : { NewImage: image }),
      SequenceNumber: sequenceNumber,
      SizeBytes: 1024,
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

/** An SQS record as the event source mapping delivers it. */
export function sqsRecord(messageId: string, body: string): SQSRecord {
  return {
    messageId,
    receiptHandle: `receipt-${messageId}`,
    body,
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: String(fridayEvening.getTime()),
      SenderId: 'AIDAEXAMPLE',
      ApproximateFirstReceiveTimestamp: String(fridayEvening.getTime()),
    },
    messageAttributes: {},
    md5OfBody: 'd41d8cd98f00b204e9800998ecf8427e',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:eu-west-2:123456789012:reachable-routing-decisions',
    awsRegion: 'eu-west-2',
  };
}

/**
 * Captures everything written to stdout and stderr (where the Powertools logger writes) until
 * `restore()`; nothing captured reaches the terminal.
 */
export function captureOutput(): { text: () => string; restore: () => void } {
  const chunks: string[] = [];
  const capture = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation(capture);
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation(capture);
  return {
    text: () => chunks.join(''),
    restore: () => {
      stdout.mockRestore();
      stderr.mockRestore();
    },
  };
}
