import type { AuditLog } from '../table/audit-log.ts';
import {
  decodeTrailCursor,
  encodeTrailCursor,
  mergeTrail,
  readRecords,
  type AuditTrail,
  type ReadAction,
  type ReadContext,
} from '../domain/audit.ts';
import { NotFoundError } from '../errors.ts';

/** What a service needs to record the reads it answers: the log, who is reading, and why. */
export interface ReadAudit extends ReadContext {
  log: Pick<AuditLog, 'record'>;
  /** Days audit records are kept after the referral's own expiry. */
  retentionDays: number;
}

/**
 * Records that these referrals' personal data is being shown, before it is: one record per
 * referral, all or none. Throws `AuditUnavailableError` when the records cannot be written,
 * and the caller must then show nothing (fail closed).
 */
export async function auditReads(
  referrals: readonly { referralId: string; expiresAt: number }[],
  what: { action: ReadAction; detail?: string },
  audit: ReadAudit,
  at: Date,
): Promise<void> {
  await audit.log.record(
    readRecords(referrals, what, audit, { at, retentionDays: audit.retentionDays }),
  );
}

/** Trail pages are this long unless asked otherwise. */
const defaultPageSize = 50;

/**
 * A referral's audit trail for an administrator, oldest first, a page at a time: its arrival
 * (while the referral is held), every change of state and every read of its personal data, in
 * one shape. A referral nobody has heard of (no item, no record) is a 404; one whose personal
 * data has expired still has its trail.
 */
export async function auditTrail(
  referralId: string,
  { limit = defaultPageSize, cursor }: { limit?: number; cursor?: string },
  deps: { log: Pick<AuditLog, 'arrival' | 'changes' | 'reads'> },
): Promise<AuditTrail> {
  const after = cursor ? decodeTrailCursor(cursor) : undefined;
  const [arrival, changes, reads] = await Promise.all([
    // The arrival comes first of all, so only the first pages can hold it.
    after && after.arrival === undefined ? [] : deps.log.arrival(referralId),
    deps.log.changes(referralId, { limit, ...(after?.changes ? { after: after.changes } : {}) }),
    deps.log.reads(referralId, { limit, ...(after?.reads ? { after: after.reads } : {}) }),
  ]);
  if (!after && arrival.length === 0 && changes.items.length === 0 && reads.items.length === 0) {
    throw new NotFoundError(`No referral ${referralId} is held, and no audit record names it.`);
  }
  const page = mergeTrail({
    arrival: arrival.slice(after?.arrival ?? 0),
    changes: changes.items,
    reads: reads.items,
    limit,
    ...(after ? { after } : {}),
  });
  const more = page.leftOver || changes.more || reads.more;
  return {
    referralId,
    entries: page.entries,
    ...(more ? { cursor: encodeTrailCursor(page.position) } : {}),
  };
}
