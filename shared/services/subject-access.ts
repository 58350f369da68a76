import { maxReadsPerWrite, type AuditLog } from '../table/audit-log.ts';
import type { PersonalDataCipher } from '../adapters/personal-data-cipher.ts';
import type { ReferralHistory, ReferralQueries } from '../table/referral-queries.ts';
import type { SubjectIndexer } from '../adapters/subject-index.ts';
import { fieldProblems } from '../domain/intake.ts';
import { subjectAccessRequestSchema, type SubjectKey } from '../domain/subject.ts';
import { ValidationError } from '../errors.ts';
import type { AuditEntry } from '../domain/audit.ts';
import type { Referral } from '../domain/referral.ts';
import { auditReads, type ReadAudit } from './audit.ts';
import { revealReferral } from './personal-data.ts';

export interface SubjectAccessDependencies {
  store: Pick<ReferralQueries, 'referralIdsBySubject' | 'history'>;
  /** Opens the personal data: whoever answers a request must hold the decrypt grant. */
  cipher: Pick<PersonalDataCipher, 'open'>;
  subjectIndex: SubjectIndexer;
  /** Records the export as a read of each referral, first, and reads back every read recorded. */
  audit: ReadAudit & { log: Pick<AuditLog, 'record' | 'reads'> };
  now: () => Date;
}

/** One referral about the young person, as held. */
export interface ExportedReferral {
  referralId: string;
  /** Every attribute of the referral, its personal data (and a decline's details) opened. */
  referral: Record<string, unknown>;
  /** Every status change, as recorded: who, when, from, to, why, and the event it published. */
  transitions: ReferralHistory['transitions'];
  /** The hub projection's markers under the referral (facts counted, waiting-list stage). */
  hubProjection: Record<string, unknown>[];
  /** Every recorded read of its personal data (who, role, when, why), this export's included. */
  reads: AuditEntry[];
}

/** Everything held about one young person, as JSON. */
export interface SubjectAccessExport {
  request: SubjectKey;
  generatedAt: string;
  referrals: ExportedReferral[];
  /** Where else these referrals appear, and in what form. */
  notes: string[];
}

const notes = [
  'Each referral is found by a blind index: a keyed hash of the normalised family name, given name and date of birth. Names are compared letters and digits only, without accents or case, so check each referral is about the person asking.',
  'Lifecycle events, work-queue messages and logs carry the referral ids above with codes and dates, never names, dates of birth, addresses, contact details or free text.',
  "The hub's aggregates are counts per month, spoke, pathway and provider, and hold nothing about any one young person.",
  'A referral whose retention period has ended has had its personal data erased and is no longer found by name.',
];

/**
 * A subject access export: every referral about the young person named, found through the
 * blind index (never a scan), each with all its attributes and its personal data opened, its
 * transitions (the audit trail) and routing, and the hub's markers kept under it. Referrals
 * about anyone else are never read. The request is checked first (400 naming each field).
 * @example await subjectAccessExport({ givenName: 'Jordan', familyName: 'Example', dateOfBirth: '2009-05-14' }, deps)
 */
export async function subjectAccessExport(
  request: unknown,
  { store, cipher, subjectIndex, audit, now }: SubjectAccessDependencies,
): Promise<SubjectAccessExport> {
  const parsed = subjectAccessRequestSchema.safeParse(request);
  if (!parsed.success) {
    throw new ValidationError(
      'The subject access request has fields that need correcting.',
      fieldProblems(parsed.error, 'a subject access request'),
    );
  }
  const subject = parsed.data;
  const referralIds = await store.referralIdsBySubject(await subjectIndex(subject));
  const held: (ReferralHistory & { referralId: string; referral: Referral })[] = [];
  for (const referralId of referralIds) {
    const { referral, ...rest } = await store.history(referralId);
    // Erased between the index read and now: nothing personal is left to give.
    if (referral && !referral.erasedAt) held.push({ ...rest, referralId, referral });
  }
  // The export is a read of each referral's personal data: recorded before anything is opened,
  // or nothing is given (fail closed), as for every other read.
  const at = now();
  for (let start = 0; start < held.length; start += maxReadsPerWrite) {
    const batch = held.slice(start, start + maxReadsPerWrite).map(({ referral }) => ({
      referralId: referral.referralId,
      // A held referral always has its expiry; the record then outlives it as every read does.
      expiresAt: referral.expiresAt ?? Math.floor(at.getTime() / 1000),
    }));
    await auditReads(batch, { action: 'subject-access.exported' }, audit, at);
  }
  const referrals: ExportedReferral[] = [];
  for (const { referralId, referral, transitions, other } of held) {
    const {
      personalSealed: _p,
      declineDetailsSealed: _d,
      ...opened
    } = await revealReferral(referral, cipher);
    const reads = await allReads(referralId, audit.log);
    referrals.push({ referralId, referral: opened, transitions, hubProjection: other, reads });
  }
  return { request: subject, generatedAt: now().toISOString(), referrals, notes };
}

async function allReads(referralId: string, log: Pick<AuditLog, 'reads'>): Promise<AuditEntry[]> {
  const reads: AuditEntry[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await log.reads(referralId, { limit: 100, ...(after ? { after } : {}) });
    reads.push(...page.items.map(({ entry }) => entry));
    after = page.items.at(-1)?.key;
    if (!page.more || after === undefined) return reads;
  }
}
