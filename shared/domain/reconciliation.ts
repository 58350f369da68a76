import type { Referral } from './referral.ts';

/**
 * What the reconciliation check finds wrong with a referral:
 * - `not-routed`: stored, but still not routed some minutes later (the outbox or a rule failed);
 * - `not-pulled`: routed to a provider, never pulled from its queue, past its acceptance deadline.
 */
export type DiscrepancyKind = 'not-routed' | 'not-pulled';

/** One referral the check found, by id and routing attributes only: no personal data. */
export interface Discrepancy {
  kind: DiscrepancyKind;
  referralId: string;
  spoke: string;
  pathway: string;
  providerId?: string;
  /** Since when it should have moved on: receipt, or the acceptance deadline. */
  since: string;
}

export interface ReconciliationRules {
  /** Minutes after receipt by which a referral must have been routed. */
  notRoutedAfterMinutes: number;
}

/** The discrepancy a referral is, as of `at`, if any. */
export function discrepancyOf(
  referral: Referral,
  at: Date,
  { notRoutedAfterMinutes }: ReconciliationRules,
): Discrepancy | undefined {
  const { referralId, spoke, pathway } = referral;
  if (referral.status === 'received') {
    const due = Date.parse(referral.receivedAt) + notRoutedAfterMinutes * 60_000;
    return due <= at.getTime()
      ? { kind: 'not-routed', referralId, spoke, pathway, since: referral.receivedAt }
      : undefined;
  }
  const acceptBy = referral.deadlines?.acceptBy;
  // A lease means the provider pulled it; triage and escalation are not pulled from a provider.
  if (
    referral.status === 'routed' &&
    referral.providerId !== undefined &&
    referral.lease === undefined &&
    acceptBy !== undefined &&
    Date.parse(acceptBy) <= at.getTime()
  ) {
    return {
      kind: 'not-pulled',
      referralId,
      spoke,
      pathway,
      providerId: referral.providerId,
      since: acceptBy,
    };
  }
  return undefined;
}

/**
 * What the hub sees of a check: counts per kind, spoke and provider, never a referral id (the
 * hub sees aggregates only; operators get the ids in the alarm event).
 */
export interface ReconciliationReport {
  checkedAt: string;
  notRoutedAfterMinutes: number;
  lookbackDays: number;
  counts: Record<DiscrepancyKind, number>;
  bySpoke: Record<string, Record<DiscrepancyKind, number>>;
  byProvider: Record<string, number>;
}

/** Counts the discrepancies found in one check. */
export function reportOf(
  discrepancies: readonly Discrepancy[],
  checked: { at: Date; notRoutedAfterMinutes: number; lookbackDays: number },
): ReconciliationReport {
  const zero = (): Record<DiscrepancyKind, number> => ({ 'not-routed': 0, 'not-pulled': 0 });
  const report: ReconciliationReport = {
    checkedAt: checked.at.toISOString(),
    notRoutedAfterMinutes: checked.notRoutedAfterMinutes,
    lookbackDays: checked.lookbackDays,
    counts: zero(),
    bySpoke: {},
    byProvider: {},
  };
  for (const { kind, spoke, providerId } of discrepancies) {
    report.counts[kind]++;
    (report.bySpoke[spoke] ??= zero())[kind]++;
    if (providerId !== undefined) {
      report.byProvider[providerId] = (report.byProvider[providerId] ?? 0) + 1;
    }
  }
  return report;
}
