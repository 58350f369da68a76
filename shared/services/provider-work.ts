import { referralEventSchema } from '#events/referral-events.ts';
import type { PersonalDataCipher } from '../adapters/personal-data-cipher.ts';
import type { WorkQueue } from '../adapters/work-queue.ts';
import type { ProviderId } from '../domain/partnership.ts';
import {
  auditReason,
  type LifecycleCommand,
  type ProviderCommandType,
} from '../domain/lifecycle.ts';
import {
  isErased,
  isHeldBy,
  planTransition,
  toProviderView,
  type Referral,
} from '../domain/referral.ts';
import { ConflictError, NotFoundError, ValidationError, asError } from '../errors.ts';
import type { Partnership } from '../partnership/schema.ts';
import { namesOf, type DisplayNames } from '../domain/names.ts';
import type { Log } from '../observability.ts';
import type { ReferralQueries } from '../table/referral-queries.ts';
import type { Referrals } from '../table/referrals.ts';
import { recordTransition } from '../domain/transition.ts';
import { auditReads, type ReadAudit } from './audit.ts';
import { erasedError, revealReferral } from './personal-data.ts';
import type { ReferralStatus } from '#events/vocabulary.ts';

/** A provider queue message: a referral event, checked by its detail-type's schema. */
const routedMessageSchema = referralEventSchema;

export interface ProviderWorkDependencies {
  providerId: ProviderId;
  store: Pick<Referrals, 'get' | 'transition' | 'lease'>;
  queue: Pick<WorkQueue, 'receive' | 'delete' | 'extend'>;
  now: () => Date;
  log: Log;
  /** How long a pulled referral stays hidden from the next pull. */
  leaseSeconds: number;
  /** Who is reading, and where each read of personal data is recorded before it is answered. */
  audit: ReadAudit;
  /** Opens the personal data the provider is shown; the provider API is who holds the key. */
  cipher: Pick<PersonalDataCipher, 'open'>;
  /** Whose names the answers carry (spokes, pathways, providers, organisations). */
  partnership: Partnership;
}

/** A referral as its provider sees it. */
export type ProviderView = ReturnType<typeof toProviderView>;

/** One referral as its provider sees it, with the names of what it refers to. */
export interface ProviderAnswer {
  referral: ProviderView;
  names: DisplayNames;
}

export interface PulledReferral extends ProviderAnswer {
  lease: { expiresAt: string };
}

/**
 * The names a page shows for these referrals: their spokes, pathways and referring
 * organisations, this provider, and the providers each could be rerouted to.
 */
function namesFor(
  referrals: readonly Referral[],
  { partnership, providerId }: { partnership: Partnership; providerId: string },
): DisplayNames {
  const spokes = new Set(referrals.map((referral) => referral.spoke));
  return namesOf(partnership, {
    spokes,
    pathways: referrals.map((referral) => referral.pathway),
    organisations: referrals.map((referral) => referral.referrerOrganisationId),
    providers: [
      providerId,
      ...partnership.providers
        .filter((provider) => provider.spokes.some((spoke) => spokes.has(spoke)))
        .map((provider) => provider.id),
    ],
  });
}

/** A referral still holding personal data: what a read of it must record. */
type Held = Referral & { expiresAt: number };
const isHeld = (referral: Referral): referral is Held =>
  !isErased(referral) && referral.expiresAt !== undefined;

/** What a provider is shown of one referral: its personal data opened, or what is left of it. */
async function openView(
  referral: Referral,
  cipher: Pick<PersonalDataCipher, 'open'>,
): Promise<ProviderView> {
  return isErased(referral)
    ? toProviderView(referral)
    : toProviderView(await revealReferral(referral, cipher));
}

type Viewing = Pick<ProviderWorkDependencies, 'audit' | 'cipher' | 'now'>;

/**
 * The provider's views of referrals held by it, the reads recorded first (all in one write, or
 * none: fail closed), then each referral's personal data opened with its own data key, side by
 * side. A referral whose personal data was erased shows what is left, and no read to record.
 */
async function viewsOf(
  referrals: readonly Referral[],
  what: Parameters<typeof auditReads>[1],
  { audit, cipher, now }: Viewing,
): Promise<ProviderView[]> {
  const held = referrals.filter(isHeld);
  if (held.length > 0) await auditReads(held, what, audit, now());
  return Promise.all(referrals.map((referral) => openView(referral, cipher)));
}

/** The provider's view of one referral held by it, its read recorded first. */
async function viewOf(
  referral: Referral,
  what: Parameters<typeof auditReads>[1],
  { audit, cipher, now }: Viewing,
): Promise<ProviderView> {
  if (isHeld(referral)) await auditReads([referral], what, audit, now());
  return openView(referral, cipher);
}

// Messages skipped in one pull (unreadable, or duplicates of handled referrals) before giving up.
const maxMessagesPerPull = 10;

/**
 * Gives a provider the next referral from its own queue, leased to it, and records the read.
 * Duplicate deliveries of referrals it has already taken past `routed` are removed; unreadable
 * messages are left to the queue's redrive policy, which parks them in the dead-letter queue.
 * When the read cannot be recorded nothing is shown (not even the id); the referral stays leased
 * until the lease runs out and then comes back to the queue to be pulled again.
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
      messageId: message.messageId,
    };
    // A referral is stored routed, so it is this provider's from the moment the message is
    // visible. One whose personal data is erased has nothing left to work on: never leased.
    const leased = isErased(referral)
      ? undefined
      : await store.lease(referral, providerId, lease, at);
    if (leased) {
      const view = await viewOf(leased, { action: 'referral.pulled' }, deps);
      return {
        referral: view,
        names: namesFor([leased], deps),
        lease: { expiresAt: lease.expiresAt },
      };
    }

    const current = (await store.get(referralId)) ?? referral;
    if (isLeasedElsewhere(current, providerId, message.messageId, at)) {
      // A second delivery of a referral this provider holds on another message (the outbox
      // published its event again): handing it out again would give one referral twice. The
      // held message stays in the queue, so the referral comes back if the lease runs out.
      await queue.delete(message.receiptHandle);
      log.info('Duplicate delivery removed', { providerId, referralId });
    } else if (
      current.providerId === providerId ||
      current.previousProviders?.includes(providerId) ||
      isErased(current)
    ) {
      // Taken further by this provider, rerouted away from it, or erased: nothing left to do.
      await queue.delete(message.receiptHandle);
      log.info('Stale or duplicate delivery removed', { providerId, referralId });
    } else {
      // The rule that delivered and the decision recorded at intake disagree: alarmed.
      log.error(routingDisagreement, {
        providerId,
        referralId,
        routedTo: current.providerId,
      });
    }
  }
  return undefined;
}

/**
 * The log message of a referral delivered to a provider's queue it was not routed to: the rule
 * that delivered it and the decision recorded at intake disagree. A metric filter alarms on it.
 */
export const routingDisagreement = 'Routing disagreement: referral in a queue it was not routed to';

/**
 * One referral routed to the provider, its read recorded first, then its personal data opened.
 * Another provider's (or no) referral is "not found", whether it exists or not; one whose
 * personal data was erased at the end of its retention is Gone (410), so its provider knows it
 * was not lost.
 */
export async function readProviderReferral(
  referralId: string,
  deps: Pick<
    ProviderWorkDependencies,
    'providerId' | 'store' | 'now' | 'audit' | 'cipher' | 'partnership'
  >,
): Promise<ProviderAnswer> {
  const { providerId, store } = deps;
  const referral = await store.get(referralId);
  if (!referral || !isHeldBy(referral, providerId)) {
    throw new NotFoundError(`No referral ${referralId} is routed to ${providerId}.`);
  }
  if (isErased(referral)) throw erasedError(referralId, referral.erasedAt);
  const view = await viewOf(referral, { action: 'referral.read' }, deps);
  return { referral: view, names: namesFor([referral], deps) };
}

/**
 * Runs a provider's lifecycle command on a referral routed to it: accept, decline, a contact
 * attempt, engaged, close, reroute. Duplicate calls have one effect; a command the status does
 * not allow is a 409 naming what is; another provider's referral is "not found", whether it
 * exists or not. Ending the provider's part (accept, decline, reroute) takes the message off
 * its queue. The referral it answers with is a read, recorded (after the change, which has its
 * own record) before it is answered.
 */
export async function runProviderCommand(
  referralId: string,
  command: ProviderCommand,
  deps: Omit<ProviderWorkDependencies, 'leaseSeconds'>,
): Promise<ProviderAnswer> {
  const { providerId, store, queue, now, log, partnership, audit } = deps;
  const answer = async (referral: Referral): Promise<ProviderAnswer> => ({
    referral: await viewOf(
      referral,
      { action: 'referral.command-answered', detail: command.type },
      deps,
    ),
    names: namesFor([referral], deps),
  });
  for (let attempt = 0; attempt < 3; attempt++) {
    const referral = await store.get(referralId);
    // A reroute this provider made, sent again (its answer was lost): the first answer, not a
    // 404 because the referral is now the other provider's.
    if (referral && isRerouteMadeBy(referral, providerId, command)) {
      return answer(referral);
    }
    if (!referral || !isHeldBy(referral, providerId)) {
      throw new NotFoundError(`No referral ${referralId} is routed to ${providerId}.`);
    }
    if (isErased(referral)) throw erasedError(referralId, referral.erasedAt);
    if (command.type === 'reroute') checkReroute(referral, command.toProviderId, partnership);
    const at = now();
    // A decline sent again is a repeat only word for word: its sealed details are opened to compare.
    const comparable =
      command.type === 'decline' && referral.declineDetailsSealed
        ? await revealReferral(referral, deps.cipher)
        : referral;
    const planned = planTransition(comparable, command, at.toISOString());
    if (planned.kind === 'repeat') return answer(referral);
    const changed = await store.transition(
      recordTransition(referral, {
        to: planned.to,
        at,
        actor: { kind: 'provider', id: providerId, ...subjectOf(audit) },
        ...withWhy(auditReason(command)),
        changes: planned.changes,
      }),
    );
    if (!changed) continue; // changed under us: read again and decide again
    if (referral.lease && 'lease' in planned.changes) {
      await removeFromQueue(queue, referral.lease.receiptHandle, { providerId, referralId, log });
    }
    log.info('Provider command done', {
      referralId,
      providerId,
      command: command.type,
      status: changed.status,
    });
    return answer(changed);
  }
  throw new ConflictError(`Referral ${referralId} kept changing; try again.`);
}

/**
 * The provider's own referrals, optionally in one status, a page at a time (100 at most): one
 * read recorded per referral on the page, all in one write, before the page is shown.
 */
export async function listProviderReferrals(
  deps: Pick<
    ProviderWorkDependencies,
    'providerId' | 'now' | 'audit' | 'cipher' | 'partnership'
  > & {
    store: Pick<ReferralQueries, 'listByProvider'>;
  },
  options: { status?: ReferralStatus; limit?: number; cursor?: string },
) {
  const page = await deps.store.listByProvider(deps.providerId, options);
  return {
    referrals: await viewsOf(page.referrals, { action: 'referral.listed' }, deps),
    ...(page.cursor ? { cursor: page.cursor } : {}),
    names: namesFor(page.referrals, deps),
  };
}

/** Keeps the provider's lease on a referral it pulled for another lease period. */
export async function extendLease(
  referralId: string,
  deps: ProviderWorkDependencies,
): Promise<{ expiresAt: string }> {
  const { providerId, store, queue, now, leaseSeconds } = deps;
  const referral = await store.get(referralId);
  if (!referral || !isHeldBy(referral, providerId)) {
    throw new NotFoundError(`No referral ${referralId} is routed to ${providerId}.`);
  }
  if (isErased(referral)) throw erasedError(referralId, referral.erasedAt);
  const held = referral.lease;
  if (!held || held.providerId !== providerId || Date.parse(held.expiresAt) <= now().getTime()) {
    throw new ConflictError(
      `You hold no lease on referral ${referralId}; pull it again to take one.`,
    );
  }
  const lease = {
    ...held,
    expiresAt: new Date(now().getTime() + leaseSeconds * 1000).toISOString(),
  };
  await queue.extend(held.receiptHandle, leaseSeconds);
  const leased = await store.lease(referral, providerId, lease, now());
  if (!leased) throw new ConflictError(`Referral ${referralId} has moved on; the lease has ended.`);
  return { expiresAt: lease.expiresAt };
}

/** What a provider may ask of a referral: the provider commands of the lifecycle. */
export type ProviderCommand = Extract<LifecycleCommand, { type: ProviderCommandType }>;

/**
 * A referral can only go to another provider of its own spoke (one that may run a different
 * pathway: that is often why it is rerouted).
 */
function checkReroute(referral: Referral, toProviderId: string, partnership: Partnership): void {
  const target = partnership.providers.find((p) => p.id === toProviderId);
  const fits =
    target !== undefined &&
    target.id !== referral.providerId &&
    target.spokes.includes(referral.spoke);
  if (!fits) {
    const candidates = partnership.providers
      .filter((p) => p.id !== referral.providerId && p.spokes.includes(referral.spoke))
      .map((p) => p.id);
    throw new ValidationError('This referral cannot be rerouted there.', [
      {
        pointer: '/toProviderId',
        detail:
          candidates.length > 0
            ? `must be another provider of ${referral.spoke}: ${candidates.join(', ')}`
            : `${referral.spoke} has no other provider; the spoke's triage decides`,
      },
    ]);
  }
}

async function removeFromQueue(
  queue: Pick<WorkQueue, 'delete'>,
  receiptHandle: string,
  { providerId, referralId, log }: { providerId: string; referralId: string; log: Log },
): Promise<void> {
  try {
    await queue.delete(receiptHandle);
  } catch (error) {
    // The lease ran out and the message will come back; the next pull removes it as stale.
    log.warn('Could not remove the referral from the queue', {
      providerId,
      referralId,
      errorName: asError(error).name,
    });
  }
}

const withWhy = (why: string | undefined) => (why ? { why } : {});
/** The person behind a provider's change, for the transition's audit record. */
const subjectOf = ({ actor }: ReadAudit) => (actor.subject ? { subject: actor.subject } : {});

/** The referral is just as this provider's reroute to the same target left it. */
function isRerouteMadeBy(
  referral: Referral,
  providerId: string,
  command: ProviderCommand,
): boolean {
  return (
    command.type === 'reroute' &&
    referral.status === 'rerouted' &&
    referral.providerId === command.toProviderId &&
    referral.previousProviders?.at(-1) === providerId
  );
}

/** The provider holds a running lease on this referral, taken on another message than this one. */
function isLeasedElsewhere(
  referral: Referral,
  providerId: string,
  messageId: string,
  at: Date,
): boolean {
  const { lease } = referral;
  return (
    lease !== undefined &&
    lease.providerId === providerId &&
    lease.messageId !== undefined &&
    lease.messageId !== messageId &&
    Date.parse(lease.expiresAt) > at.getTime()
  );
}

function safeJson(body: string): unknown {
  try {
    return JSON.parse(body) as unknown;
  } catch {
    return undefined;
  }
}
