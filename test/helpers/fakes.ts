import type { AuditLog } from '#shared/table/audit-log.ts';
import type { PersonalDataCipher } from '#shared/adapters/personal-data-cipher.ts';
import type {
  RecordedOverdue,
  RecordedTransition,
  TransitionRequest,
} from '#shared/domain/transition.ts';
import type { ReferralPage, ReferralQueries } from '#shared/table/referral-queries.ts';
import type { Referrals } from '#shared/table/referrals.ts';
import type { EventBus, OutgoingEvent } from '#shared/adapters/event-bus.ts';
import type { AggregateCell, MetricsStore, StagePosition } from '#shared/table/metrics-store.ts';
import type { ProjectedFact } from '#shared/domain/hub-metrics.ts';
import type { LeasedMessage, WorkQueue } from '#shared/adapters/work-queue.ts';
import type { ReadRecord } from '#shared/domain/audit.ts';
import { nextDeadline, type Referral, type RevealedReferral } from '#shared/domain/referral.ts';
import { AuditUnavailableError, ConflictError, ValidationError } from '#shared/errors.ts';
import type { Log } from '#shared/observability.ts';

/*
 * Small in-memory fakes of the ports services ask for (their `Pick<>`s of the adapters), so a
 * service is tested directly: what it decides, with no DynamoDB command in sight. Each fake keeps
 * the rules of the real thing that a service relies on (a transition only from the state it read,
 * a lease refused while another message's lease runs) and records what it was asked to do.
 */

/** A transition the store persisted: the change as the service asked for it. */
export interface PersistedTransition extends TransitionRequest {
  referralId: string;
  from: Referral['status'];
}

/** Leaves out the keys whose value is undefined, as a DynamoDB REMOVE does. */
function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

/** Where a page starts: the fakes' cursors are offsets; anything else is refused as the store does. */
function offsetOf(cursor: string | undefined): number {
  const start = cursor === undefined ? 0 : Number(cursor);
  if (!Number.isInteger(start) || start < 0) {
    throw new ValidationError('The cursor is not one this list gave.', [
      { pointer: '/cursor', detail: 'must be the cursor of a previous page' },
    ]);
  }
  return start;
}

/**
 * A page of an index in key order, after the key the cursor names, as DynamoDB's
 * `ExclusiveStartKey` does: items that leave the index meanwhile never make a page skip others.
 */
function pageAfter<T extends { key: string }>(
  entries: T[],
  cursor: string | undefined,
  limit: number,
): { items: T[]; cursor?: string } {
  const after = entries
    .sort((a, b) => a.key.localeCompare(b.key))
    .filter((entry) => cursor === undefined || entry.key > cursor);
  const items = after.slice(0, limit);
  return after.length > limit ? { items, cursor: items.at(-1)!.key } : { items };
}

const leasable = new Set<Referral['status']>(['received', 'routed', 'rerouted']);

/**
 * The referral store's provider-facing port in memory: referrals as stored (personal data
 * sealed), optimistic concurrency on status and `updatedAt`, and the lease's conditions.
 */
export class InMemoryReferralStore
  implements
    Pick<
      Referrals,
      | 'create'
      | 'get'
      | 'transition'
      | 'lease'
      | 'flagOverdue'
      | 'refreshDeadlineIndex'
      | 'erasePersonalData'
    >,
    Pick<
      ReferralQueries,
      'listByProvider' | 'listByOrganisation' | 'receivedBetween' | 'dueBy' | 'expiredBy'
    >
{
  readonly #referrals = new Map<string, Referral>();
  /**
   * The sparse deadline index: each listed referral's next deadline and the referral as it was
   * when indexed (an index answers what it projected, which may be behind the item).
   */
  readonly #dueIndex = new Map<string, { due: string; referral: Referral }>();
  /** The missed deadlines flagged, in order. */
  readonly flags: { referralId: string; kind: string; at: string }[] = [];
  /** The referrals put back in (or taken out of) the deadline index, in order. */
  readonly refreshed: string[] = [];
  /** The referrals whose personal data was erased, in order. */
  readonly erased: string[] = [];
  readonly #cipher: Pick<PersonalDataCipher, 'seal'>;
  /** Another writer getting in before the next transitions are checked, and how many times. */
  #intruder: { change: (current: Referral) => Referral; times: number } | undefined;
  /** Every transition persisted, in order. */
  readonly transitions: PersistedTransition[] = [];
  /** How many transitions were refused because the referral had changed since it was read. */
  racesLost = 0;

  constructor({ cipher }: { cipher: Pick<PersonalDataCipher, 'seal'> }) {
    this.#cipher = cipher;
  }

  /** Holds these referrals as given (sealed already: see {@link sealedReferral}). */
  holds(...referrals: Referral[]): this {
    for (const referral of referrals) this.#write(structuredClone(referral));
    return this;
  }

  /** Changes the item behind the deadline index's back, as a concurrent writer would. */
  changeBehindTheIndex(referral: Referral): void {
    this.#referrals.set(referral.referralId, structuredClone(referral));
  }

  /** Lists a referral in the deadline index as due at `due`, whatever the item says. */
  indexAsDue(referral: Referral, due: string): void {
    this.#dueIndex.set(referral.referralId, { due, referral: structuredClone(referral) });
  }

  /** Whether the deadline index lists the referral now, and at which deadline. */
  dueAt(referralId: string): string | undefined {
    return this.#dueIndex.get(referralId)?.due;
  }

  /** Writes the item, and its deadline index entry as the real store does with every write. */
  #write(referral: Referral): void {
    this.#referrals.set(referral.referralId, referral);
    this.#index(referral);
  }

  #index(referral: Referral): void {
    const due = nextDeadline(referral);
    if (due) this.#dueIndex.set(referral.referralId, { due, referral: structuredClone(referral) });
    else this.#dueIndex.delete(referral.referralId);
  }

  /** The referral as stored now, or undefined. */
  stored(referralId: string): Referral | undefined {
    const referral = this.#referrals.get(referralId);
    return referral && structuredClone(referral);
  }

  /**
   * Lets another writer change the referral between the service's read and its write, before
   * each of the next `times` transitions.
   */
  changeBeforeNextTransition(change: (current: Referral) => Referral, times = 1): void {
    this.#intruder = { change, times };
  }

  /** Stores a new referral, its personal data sealed; refuses one that exists. */
  async create(referral: Referral): Promise<void> {
    if (this.#referrals.has(referral.referralId)) {
      throw new ConflictError(`Referral ${referral.referralId} already exists.`);
    }
    this.holds(await sealedReferral(referral, this.#cipher));
  }

  async get(referralId: string): Promise<Referral | undefined> {
    return this.stored(referralId);
  }

  async transition({ before, changes, record }: RecordedTransition): Promise<Referral | undefined> {
    const change: TransitionRequest = {
      to: record.to,
      at: new Date(record.at),
      actor: record.actor,
      ...(record.why ? { why: record.why } : {}),
      changes,
    };
    const intruder = this.#intruder;
    const existing = this.#referrals.get(before.referralId);
    if (intruder && existing) {
      if (--intruder.times <= 0) this.#intruder = undefined;
      this.holds(intruder.change(structuredClone(existing)));
    }
    const current = this.#referrals.get(before.referralId);
    if (
      !current ||
      current.status !== before.status ||
      current.updatedAt !== before.updatedAt ||
      current.erasedAt !== undefined
    ) {
      this.racesLost++;
      return undefined;
    }
    const fields = change.changes ?? {};
    const written = await this.#sealedChanges(before.referralId, fields);
    const at = change.at.toISOString();
    this.#write(withoutUndefined({ ...current, ...written, status: change.to, updatedAt: at }));
    this.transitions.push({ referralId: before.referralId, from: before.status, ...change });
    return { ...before, ...written, ...fields, status: change.to, updatedAt: at };
  }

  async lease(
    ...[referral, providerId, lease, at]: Parameters<Referrals['lease']>
  ): Promise<Referral | undefined> {
    const current = this.#referrals.get(referral.referralId);
    const held = current?.lease;
    const free =
      held === undefined ||
      Date.parse(held.expiresAt) <= at.getTime() ||
      held.messageId === undefined ||
      held.messageId === lease.messageId;
    if (
      !current ||
      !leasable.has(current.status) ||
      (current.providerId !== undefined && current.providerId !== providerId) ||
      !free
    ) {
      return undefined;
    }
    this.#referrals.set(referral.referralId, { ...current, lease: structuredClone(lease) });
    return { ...referral, lease };
  }

  async listByProvider(
    providerId: string,
    {
      status,
      limit = 50,
      cursor,
    }: { status?: Referral['status']; limit?: number; cursor?: string },
  ): Promise<ReferralPage> {
    return this.#page(
      (r) => r.providerId === providerId && (!status || r.status === status),
      limit,
      cursor,
    );
  }

  async listByOrganisation(
    organisationId: string,
    { limit = 50, cursor }: { limit?: number; cursor?: string },
  ): Promise<ReferralPage> {
    return this.#page((r) => r.referrerOrganisationId === organisationId, limit, cursor);
  }

  async receivedBetween(
    spoke: string,
    from: Date,
    to: Date,
    { limit = 100, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<ReferralPage> {
    const [since, until] = [from.toISOString(), to.toISOString()];
    return this.#page(
      (r) => r.spoke === spoke && r.receivedAt >= since && r.receivedAt <= until,
      limit,
      cursor,
      'oldest first',
    );
  }

  /** The referrals that match, newest first, a page at a time; the cursor is an offset. */
  #page(
    matches: (referral: Referral) => boolean,
    limit: number,
    cursor: string | undefined,
    order: 'newest first' | 'oldest first' = 'newest first',
  ): ReferralPage {
    const start = offsetOf(cursor);
    const all = [...this.#referrals.values()]
      .filter(matches)
      .sort((a, b) => b.receivedAt.localeCompare(a.receivedAt));
    if (order === 'oldest first') all.reverse();
    return {
      referrals: all.slice(start, start + limit).map((referral) => structuredClone(referral)),
      ...(start + limit < all.length ? { cursor: String(start + limit) } : {}),
    };
  }

  async dueBy(
    now: Date,
    { limit = 100, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<ReferralPage> {
    const due = [...this.#dueIndex.values()]
      .filter((entry) => entry.due <= now.toISOString())
      .map((entry) => ({ key: `${entry.due}#${entry.referral.referralId}`, entry }));
    const page = pageAfter(due, cursor, limit);
    return {
      referrals: page.items.map(({ entry }) => structuredClone(entry.referral)),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  }

  async flagOverdue({ before: referral, kind, record }: RecordedOverdue): Promise<boolean> {
    const current = this.#referrals.get(referral.referralId);
    if (!current || current.overdue?.[kind]) return false;
    const overdue = { ...referral.overdue, [kind]: record.at };
    this.#referrals.set(referral.referralId, { ...current, overdue });
    this.#index({ ...referral, overdue });
    this.flags.push({ referralId: referral.referralId, kind, at: record.at });
    return true;
  }

  async refreshDeadlineIndex(referral: Referral): Promise<void> {
    this.#index(referral);
    this.refreshed.push(referral.referralId);
  }

  async expiredBy(
    now: Date,
    { limit = 100, cursor }: { limit?: number; cursor?: string } = {},
  ): Promise<{ referralIds: string[]; cursor?: string }> {
    const seconds = Math.floor(now.getTime() / 1000);
    const expired = [...this.#referrals.values()]
      .filter((r) => r.expiresAt !== undefined && r.expiresAt <= seconds && !r.erasedAt)
      .map((r) => ({ key: `${String(r.expiresAt).padStart(12, '0')}#${r.referralId}`, r }));
    const page = pageAfter(expired, cursor, limit);
    return {
      referralIds: page.items.map(({ r }) => r.referralId),
      ...(page.cursor ? { cursor: page.cursor } : {}),
    };
  }

  async erasePersonalData(referralId: string, at: Date): Promise<boolean> {
    const current = this.#referrals.get(referralId);
    const seconds = Math.floor(at.getTime() / 1000);
    if (
      !current ||
      current.erasedAt ||
      current.expiresAt === undefined ||
      current.expiresAt > seconds
    ) {
      return false;
    }
    const {
      personal: _personal,
      personalSealed: _personalSealed,
      declineDetailsSealed: _declineDetailsSealed,
      subjectIndex: _subjectIndex,
      expiresAt: _expiresAt,
      ...anonymous
    } = current;
    this.#referrals.set(referralId, { ...anonymous, erasedAt: at.toISOString() });
    this.erased.push(referralId);
    return true;
  }

  /** A decline's free-text details sealed, never kept in the clear, as the real store writes. */
  async #sealedChanges(
    referralId: string,
    fields: NonNullable<TransitionRequest['changes']>,
  ): Promise<Record<string, unknown>> {
    if (!('decline' in fields)) return { ...fields };
    const { decline, ...rest } = fields;
    return {
      ...rest,
      decline: decline ? { reason: decline.reason } : undefined,
      declineDetailsSealed: decline?.details
        ? await this.#cipher.seal('decline-details', referralId, decline.details)
        : undefined,
    };
  }
}

/**
 * A referral as the store holds it: its personal data (and a decline's details) sealed with
 * this cipher, nothing of it in the clear.
 */
export async function sealedReferral(
  referral: RevealedReferral | Referral,
  cipher: Pick<PersonalDataCipher, 'seal'>,
): Promise<Referral> {
  const { personal, decline, ...rest } = referral;
  return {
    ...rest,
    ...(personal
      ? { personalSealed: await cipher.seal('personal', referral.referralId, personal) }
      : {}),
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
  };
}

/** One provider's work queue in memory: messages waiting, and what was deleted or extended. */
export class InMemoryWorkQueue implements Pick<WorkQueue, 'receive' | 'delete' | 'extend'> {
  readonly #waiting: LeasedMessage[] = [];
  /** The lease each receive asked for, in seconds, one entry per receive. */
  readonly receives: number[] = [];
  /** Receipt handles deleted, in order. */
  readonly deleted: string[] = [];
  /** Leases extended, in order. */
  readonly extended: { receiptHandle: string; seconds: number }[] = [];
  /** When set, every delete fails with this error. */
  failDeletesWith: Error | undefined;

  /** Puts a message in the queue; its receipt handle is `receipt-<messageId>`. */
  send(body: string, messageId: string): LeasedMessage {
    const message = { messageId, body, receiptHandle: `receipt-${messageId}` };
    this.#waiting.push(message);
    return message;
  }

  async receive(leaseSeconds: number): Promise<LeasedMessage | undefined> {
    this.receives.push(leaseSeconds);
    return this.#waiting.shift();
  }

  async delete(receiptHandle: string): Promise<void> {
    if (this.failDeletesWith) throw this.failDeletesWith;
    this.deleted.push(receiptHandle);
  }

  async extend(receiptHandle: string, seconds: number): Promise<void> {
    this.extended.push({ receiptHandle, seconds });
  }
}

/** The audit log's write port in memory: each write's records, or a log that is down. */
export class InMemoryAuditLog implements Pick<AuditLog, 'record'> {
  /** The records of each write, one entry per write that had any. */
  readonly writes: ReadRecord[][] = [];
  /** How many writes are still to fail (as the real log does, with AuditUnavailableError). */
  failures = 0;

  /** Every record written, in order. */
  get records(): ReadRecord[] {
    return this.writes.flat();
  }

  /** Fails the next `times` writes; `Infinity` keeps it down. */
  down(times = Infinity): this {
    this.failures = times;
    return this;
  }

  async record(reads: readonly ReadRecord[]): Promise<void> {
    if (reads.length === 0) return;
    if (this.failures > 0) {
      this.failures--;
      throw new AuditUnavailableError({ cause: new Error('Service unavailable') });
    }
    this.writes.push([...reads]);
  }
}

/** The event bus's publish port in memory: each request's events, or a bus that refuses. */
export class InMemoryEventBus implements Pick<EventBus, 'publish'> {
  /** The events of each publish call, in order. */
  readonly requests: OutgoingEvent[][] = [];
  /** When set, every publish fails with this error. */
  failWith: Error | undefined;

  async publish(events: readonly OutgoingEvent[]): Promise<string[]> {
    if (this.failWith) throw this.failWith;
    this.requests.push([...events]);
    return events.map((_, index) => `event-${this.requests.length}-${index}`);
  }
}

/**
 * The hub aggregates' projection port in memory: each fact counted once per referral, and each
 * referral's stage moved only by an event later than the last one applied.
 */
export class InMemoryMetricsStore implements Pick<MetricsStore, 'count' | 'moveStage'> {
  /** The facts counted, once each, as `cell` and fact. */
  readonly counted: { referralId: string; cell: AggregateCell; fact: ProjectedFact }[] = [];
  /** Each referral's stage, as the last event applied left it. */
  readonly stages = new Map<string, StagePosition & { cell: AggregateCell }>();

  async count(referralId: string, cell: AggregateCell, fact: ProjectedFact): Promise<boolean> {
    const seen = this.counted.some((c) => c.referralId === referralId && c.fact.fact === fact.fact);
    if (seen) return false;
    this.counted.push({ referralId, cell, fact });
    return true;
  }

  async moveStage(referralId: string, cell: AggregateCell, to: StagePosition): Promise<boolean> {
    const from = this.stages.get(referralId);
    if (from && from.at >= to.at) return false;
    this.stages.set(referralId, { ...to, cell });
    return true;
  }
}

/** One line a service logged. */
export interface LogLine {
  level: 'info' | 'warn' | 'error';
  message: string;
  attributes: unknown[];
}

/** A log that keeps its lines, to check what a service said (and that no personal data was). */
export function recordingLog(): Log & { lines: LogLine[]; messages: () => string[] } {
  const lines: LogLine[] = [];
  const line =
    (level: LogLine['level']) =>
    (message: string, ...attributes: unknown[]) => {
      lines.push({ level, message, attributes });
    };
  return {
    lines,
    messages: () => lines.map((l) => l.message),
    info: line('info'),
    warn: line('warn'),
    error: line('error'),
  } as Log & { lines: LogLine[]; messages: () => string[] };
}
