import { randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { eventSource } from '#events/catalogue.ts';
import { referralEventDetailSchema } from '#events/referral-lifecycle.ts';
import type { Runtime } from '#local/runtime.ts';
import { aggregateKey } from '#shared/table/layout.ts';

/**
 * A `referral.routed` event of a made-up Somerset Admit referral received in `month`, as the bus
 * delivers it to the hub's projection queue. Tests count in months of their own, long ago, so
 * the counts they read are theirs alone.
 */
export function routedEventMessage(referralId: string, month: string): string {
  const receivedAt = `${month}-10T10:00:00.000Z`;
  const detail = referralEventDetailSchema.parse({
    referralId,
    spoke: 'somerset',
    pathway: 'admit',
    ageYears: 16,
    referrerType: 'hospital',
    referrerOrganisationId: 'musgrove-park-hospital-ae',
    flags: {
      immediateEscalation: false,
      aggravatingFactors: false,
      eligibleAge: true,
      inStaffedWindow: false,
    },
    status: 'routed',
    occurredAt: receivedAt,
    receivedAt,
    providerId: 'turning-point-admit',
    destination: { kind: 'provider', providerId: 'turning-point-admit' },
  });
  return JSON.stringify({
    version: '0',
    id: randomUUID(),
    'detail-type': 'referral.routed',
    source: eventSource('avon-and-somerset'),
    account: '000000000000',
    time: receivedAt,
    region: 'eu-west-2',
    resources: [],
    detail,
  });
}

/** The hub's referred count for Somerset's Admit referrals at Turning Point in one month. */
export async function referredIn(runtime: Runtime, month: string): Promise<number> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const { Item } = await documents.send(
      new GetCommand({
        TableName: runtime.tableNames[0],
        Key: aggregateKey({ month, spoke: 'somerset', pathway: 'admit' }, 'turning-point-admit'),
        ConsistentRead: true,
      }),
    );
    return Number((Item?.counts as { referred?: number } | undefined)?.referred ?? 0);
  } finally {
    documents.destroy();
  }
}
