import { EventBridgeSchema } from '@aws-lambda-powertools/parser/schemas/eventbridge';
import { referralEventDetailSchema } from '#events/referral-lifecycle.ts';
import type { ReferralStore } from '../adapters/referral-store.ts';
import type { WorkQueue } from '../adapters/work-queue.ts';
import type { ProviderId } from '../domain/partnership.ts';
import { toProviderView } from '../domain/referral.ts';
import { ConflictError, NotFoundError, asError } from '../errors.ts';
import type { Log } from '../observability.ts';

/** A provider queue message: the EventBridge envelope of a routed referral event. */
const routedMessageSchema = EventBridgeSchema.extend({ detail: referralEventDetailSchema });

export interface ProviderWorkDependencies {
  providerId: ProviderId;
  store: Pick<ReferralStore, 'get' | 'transition' | 'lease'>;
  queue: Pick<WorkQueue, 'receive' | 'delete'>;
  now: () => Date;
  log: Log;
  /** How long a pulled referral stays hidden from the next pull. */
  leaseSeconds: number;
}

export interface PulledReferral {
  referral: ReturnType<typeof toProviderView>;
  lease: { expiresAt: string };
}

// Messages skipped in one pull (unreadable, or duplicates of handled referrals) before giving up.
const maxMessagesPerPull = 10;

/**
 * Gives a provider the next referral from its own queue, leased to it. Duplicate deliveries of
 * referrals it has already taken past `routed` are removed; unreadable messages are left to
 * the queue's redrive policy, which parks them in the dead-letter queue.
 */
export async function pullNextReferral(
  deps: ProviderWorkDependencies,
): Promise<PulledReferral | undefined> {
  const { providerId, store, queue, now, log, leaseSeconds } = deps;
  for (let skipped = 0; skipped < maxMessagesPerPull; skipped++) {
    const message = await queue.receive(leaseSeconds);
    if (!message) return undefined;

    const parsed = routedMessageSchema.safeParse(safeJson(message.body));
    if (!parsed.success) {
      log.warn('Unreadable message left for the dead-letter queue', {
        providerId,
        messageId: message.messageId,
      });
      continue;
    }
    const { referralId } = parsed.data.detail;
    const referral = await store.get(referralId);
    if (!referral) {
      log.error('Routed referral not found', {
        providerId,
        referralId,
        messageId: message.messageId,
      });
      continue;
    }

    const at = now();
    const lease = {
      providerId,
      receiptHandle: message.receiptHandle,
      expiresAt: new Date(at.getTime() + leaseSeconds * 1000).toISOString(),
    };
    // The message in this provider's queue is EventBridge's routing; the routing decision may
    // not be recorded yet, so an unassigned referral can be leased.
    const leased = await store.lease(referral, providerId, lease);
    if (leased) return { referral: toProviderView(leased), lease: { expiresAt: lease.expiresAt } };

    const current = (await store.get(referralId)) ?? referral;
    if (current.providerId === providerId) {
      // Already taken further by this provider: this message is a duplicate delivery.
      await queue.delete(message.receiptHandle);
      log.info('Duplicate delivery removed', { providerId, referralId });
    } else {
      log.error('Referral in a queue it was not routed to', {
        providerId,
        referralId,
        routedTo: current.providerId,
      });
    }
  }
  return undefined;
}

/**
 * Records that a provider accepts a referral routed to it, and removes it from the queue.
 * Accepting twice has one effect. Another provider's referral is "not found", whether it exists or not.
 */
export async function acceptReferral(
  referralId: string,
  deps: Omit<ProviderWorkDependencies, 'leaseSeconds'>,
): Promise<ReturnType<typeof toProviderView>> {
  const { providerId, store, queue, now, log } = deps;
  const referral = await store.get(referralId);
  // Once routing is recorded it decides; before that, holding the lease shows the referral
  // reached this provider's queue.
  const holds =
    referral?.providerId !== undefined
      ? referral.providerId === providerId
      : referral?.lease?.providerId === providerId;
  if (!referral || !holds) {
    throw new NotFoundError(`No referral ${referralId} is routed to ${providerId}.`);
  }
  if (referral.status === 'accepted') return toProviderView(referral);
  if (referral.status === 'received') {
    throw new ConflictError(`Referral ${referralId} is still being routed; try again in a moment.`);
  }
  if (referral.status !== 'routed') {
    throw new ConflictError(
      `Referral ${referralId} is ${referral.status}; only a routed referral can be accepted.`,
    );
  }
  const accepted = await store.transition(referral, {
    to: 'accepted',
    at: now(),
    actor: { kind: 'provider', id: providerId },
    lease: undefined,
  });
  if (!accepted) {
    const current = await store.get(referralId);
    if (current?.status === 'accepted') return toProviderView(current);
    throw new ConflictError(
      `Referral ${referralId} changed while it was being accepted; try again.`,
    );
  }
  if (referral.lease) {
    try {
      await queue.delete(referral.lease.receiptHandle);
    } catch (error) {
      // The lease ran out and the message will come back; the next pull removes it as a duplicate.
      log.warn('Could not remove accepted referral from queue', {
        providerId,
        referralId,
        errorName: asError(error).name,
      });
    }
  }
  return toProviderView(accepted);
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
