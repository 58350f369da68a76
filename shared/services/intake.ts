import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeliveryInProgressError,
  DuplicateDeliveryError,
  type DeliveryChannel,
  type DeliveryRecord,
  type DeliveryRecords,
} from '../table/deliveries.ts';
import type { Referrals } from '../table/referrals.ts';
import { checkSubmission } from '../domain/intake.ts';
import { createReferral, type Referral } from '../domain/referral.ts';
import { routingAttributesOf, type ResponseExpected } from '../domain/routing-attributes.ts';
import { deadlinesFor } from '../domain/deadlines.ts';
import { ForbiddenError, IdempotencyKeyReusedError, ValidationError } from '../errors.ts';
import { bankHolidaysFor } from '../partnership/bank-holidays.ts';
import { routeReferral } from '../routing/decide.ts';
import type { Partnership } from '../partnership/schema.ts';
import type { ReferralStatus } from '#events/vocabulary.ts';

export interface IntakeDependencies {
  partnership: Partnership;
  store: Pick<Referrals, 'create'>;
  now: () => Date;
  newId: () => string;
}

export interface IntakeReceipt {
  referralId: string;
  status: ReferralStatus;
  responseExpected: ResponseExpected;
  /** Plain words that must come first when a weapon was used or its use threatened. */
  callPoliceNow?: string;
}

/** What the referrer must read first when a weapon was used or threatened (000:477). */
export const callPoliceNowMessage =
  'Call the police now on 999. A weapon was used or its use was threatened: this needs the police immediately. ' +
  'This referral has been recorded and the spoke will also decide on support.';

/**
 * Checks a referral, routes it and stores it durably, routed, in one write. Only returns once
 * the write has succeeded, so a 2xx to the referrer always means the referral is in the table
 * (and so will be delivered to where it was routed).
 */
export async function receiveReferral(
  body: unknown,
  dependencies: IntakeDependencies,
): Promise<IntakeReceipt> {
  const { referral, receipt } = checkedReferral(body, dependencies);
  await dependencies.store.create(referral);
  return receipt;
}

/** A signed webhook delivery from a referrer organisation's system, its signature checked. */
export interface WebhookDelivery {
  organisationId: string;
  webhookId: string;
  /** The body exactly as signed: its hash tells a retry from a different delivery. */
  rawBody: string;
  body: unknown;
}

/** How long a delivery's answer is kept for retries: senders retry for up to a few days. */
export const deliveryRetentionDays = 7;

type OnceDependencies = IntakeDependencies & {
  store: Pick<Referrals, 'create'> & Pick<DeliveryRecords, 'delivery'>;
};

/**
 * Takes a webhook delivery once. A retry (same `webhook-id`, same body) gets the first answer and
 * makes no second referral, even when both arrive at once; the same id with another body is
 * refused. The referral must be from the organisation the delivery is signed for.
 */
export async function receiveWebhookReferral(
  delivery: WebhookDelivery,
  dependencies: OnceDependencies,
): Promise<IntakeReceipt> {
  const { organisationId } = delivery;
  const signedFor = (delivery.body as { referrer?: { organisationId?: unknown } } | null)?.referrer
    ?.organisationId;
  return receiveOnce(
    { ...delivery, channel: 'webhook' },
    dependencies,
    // Checked after a retry has had its first answer, as before any referral is made.
    () => {
      if (signedFor !== undefined && signedFor !== organisationId) {
        throw new ValidationError('The referral is not from the organisation that signed it.', [
          {
            pointer: '/referrer/organisationId',
            detail: `must be "${organisationId}", the organisation the webhook is signed for`,
          },
        ]);
      }
    },
  );
}

/** A `POST /v1/referrals` sent with an `Idempotency-Key`. */
export interface IdempotentRequest {
  idempotencyKey: string;
  /** The body exactly as sent: its hash tells a retry from a different request. */
  rawBody: string;
}

/**
 * A referral sent with a referrer organisation's bearer token: it must be that organisation's
 * own (`referrer.organisationId`), or it is refused with 403 and nothing is stored. With an
 * `Idempotency-Key`, a retry with the same key and body gets the first answer and makes no second
 * referral, even when the copies arrive at once; the same key with another body is refused
 * (422). Keys are the organisation's own: two organisations may use the same key.
 */
export async function receiveOrganisationReferral(
  organisationId: string,
  body: unknown,
  dependencies: OnceDependencies,
  idempotent?: IdempotentRequest,
): Promise<IntakeReceipt> {
  const claimed = (body as { referrer?: { organisationId?: unknown } } | null)?.referrer
    ?.organisationId;
  if (claimed !== undefined && claimed !== organisationId) {
    throw new ForbiddenError('You can only send referrals from your own organisation.', [
      {
        pointer: '/referrer/organisationId',
        detail: `must be "${organisationId}", the organisation you are signed in for`,
      },
    ]);
  }
  if (!idempotent) return receiveReferral(body, dependencies);
  return receiveOnce(
    {
      organisationId,
      webhookId: idempotent.idempotencyKey,
      rawBody: idempotent.rawBody,
      body,
      channel: 'api',
    },
    dependencies,
  );
}

/**
 * One delivery, once: its earlier answer if its key was taken (or a 422 when that was for another
 * body); else the referral and the delivery's record in one transaction. Two copies at once make
 * one referral: the loser's write fails on the record, which comes back with the refusal.
 */
async function receiveOnce(
  delivery: WebhookDelivery & { channel: DeliveryChannel },
  dependencies: OnceDependencies,
  checkBeforeTaking: () => void = () => undefined,
): Promise<IntakeReceipt> {
  const { organisationId, webhookId, channel } = delivery;
  const bodySha256 = createHash('sha256').update(delivery.rawBody).digest('base64url');
  for (let attempt = 1; ; attempt++) {
    const answered = await dependencies.store.delivery(organisationId, webhookId, channel);
    if (answered) return earlierAnswer(answered, bodySha256);

    checkBeforeTaking();
    const { referral, receipt } = checkedReferral(delivery.body, dependencies);
    const expiresAt =
      Math.floor(dependencies.now().getTime() / 1000) + deliveryRetentionDays * 24 * 60 * 60;
    try {
      await dependencies.store.create(referral, {
        organisationId,
        webhookId,
        bodySha256,
        receipt: { ...receipt },
        expiresAt,
        ...(channel === 'api' ? { channel } : {}),
      });
      return receipt;
    } catch (error) {
      // Two copies written at the very same moment: the other one's record is about to be
      // there; read again (a few times) rather than answer 409.
      if (error instanceof DeliveryInProgressError && attempt < conflictAttempts) {
        await sleep(25 * attempt);
        continue;
      }
      if (!(error instanceof DuplicateDeliveryError)) throw error;
      // The same key, sent again at the same moment: the first one made the referral. Its
      // record came back with the refusal (or is read), and is compared, never assumed to match.
      const first =
        error.existing ?? (await dependencies.store.delivery(organisationId, webhookId, channel));
      if (!first) throw error;
      return earlierAnswer(first, bodySha256);
    }
  }
}

// Reads of a delivery's record after a write conflict, before answering 409 (try again).
const conflictAttempts = 3;

function earlierAnswer(answered: DeliveryRecord, bodySha256: string): IntakeReceipt {
  if (answered.bodySha256 !== bodySha256) {
    const api = answered.channel === 'api';
    throw new IdempotencyKeyReusedError(
      api
        ? `Idempotency key ${answered.webhookId} was used with a different body. ` +
            'Send a new request with a new Idempotency-Key.'
        : `Webhook delivery ${answered.webhookId} was taken with a different body. ` +
            'Send a new delivery with a new webhook-id.',
      api ? 'Idempotency-Key' : 'webhook-id',
    );
  }
  return answered.receipt as unknown as IntakeReceipt;
}

/** The referral a valid submission makes, and the answer to give; throws on an invalid one. */
function checkedReferral(
  body: unknown,
  { partnership, now, newId }: Omit<IntakeDependencies, 'store'>,
): { referral: Referral; receipt: IntakeReceipt } {
  const receivedAt = now();
  const check = checkSubmission(body, receivedAt, partnership);
  if (!check.ok) {
    throw new ValidationError('The referral has fields that need correcting.', check.problems);
  }
  const routing = routingAttributesOf(check.submission, check.ageYears, receivedAt, partnership);
  const pathway = partnership.pathways.find((p) => p.id === check.submission.pathway);
  const received = createReferral({
    referralId: newId(),
    submission: check.submission,
    routing,
    retentionDays: pathway?.retentionDays ?? 3 * 365,
    receivedAt,
    ...(pathway
      ? {
          deadlines: deadlinesFor({
            receivedAt,
            pathway,
            responseExpected: routing.responseExpected,
            bankHolidays: bankHolidaysFor(partnership),
          }),
        }
      : {}),
  });
  // Routed now, by the rules EventBridge delivers with, and stored so in the same write.
  const referral = routeReferral(received, partnership);
  return {
    referral,
    receipt: {
      referralId: referral.referralId,
      status: referral.status,
      responseExpected: referral.responseExpected,
      ...(referral.flags.immediateEscalation ? { callPoliceNow: callPoliceNowMessage } : {}),
    },
  };
}
