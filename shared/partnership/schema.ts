import { z } from 'zod';
import { capacityStatuses, pathwayKinds, referrerTypes } from '#events/vocabulary.ts';

const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case identifier like "north-somerset"');

const spokeSchema = z.strictObject({
  id: slug,
  name: z.string().min(1),
  /** What the spoke's work covers, in its own words (e.g. excludes domestic abuse). */
  scope: z.string().min(1),
});

const clockTime = z
  .string()
  .regex(/^(?:([01]\d|2[0-3]):[0-5]\d|24:00)$/, 'must be a time like "18:00" (or "24:00")');

function isTimeZone(name: string): boolean {
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: name });
    return true;
  } catch {
    return false;
  }
}
export const weekdays = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

const staffedWindowSchema = z.strictObject({
  days: z.array(z.enum(weekdays)).min(1),
  from: clockTime,
  /** "24:00" means midnight at the end of the day. */
  to: clockTime,
  timeZone: z.string().refine(isTimeZone, 'must be an IANA time zone like "Europe/London"'),
});
export type StaffedWindow = z.infer<typeof staffedWindowSchema>;

/** Deadlines a pathway's providers work to when a pathway does not set its own. */
export const defaultPathwayDeadlines = {
  acceptWithinWorkingDays: 1,
  firstContactWithinWorkingDays: 2,
} as const;

/**
 * Working-day deadlines for a pathway's providers, both counted from when the referral was
 * received (see shared/domain/working-days.ts for how working days are counted). Referrals
 * expecting a same-shift response are due at the end of the staffed window instead.
 */
const pathwayDeadlinesSchema = z.strictObject({
  /** Working days to accept or decline the referral; 1 when absent. */
  acceptWithinWorkingDays: z.int().positive().optional(),
  /** Working days to make the first contact attempt; 2 when absent. */
  firstContactWithinWorkingDays: z.int().positive().optional(),
});
export type PathwayDeadlines = z.infer<typeof pathwayDeadlinesSchema>;

const pathwaySchema = z.strictObject({
  id: z.enum(pathwayKinds),
  name: z.string().min(1),
  /** Spokes where the pathway is switched on; elsewhere its referrals go to triage. */
  spokes: z.array(slug).min(1),
  referrerTypes: z.array(z.enum(referrerTypes)).min(1),
  eligibleAge: z.strictObject({ min: z.int().min(0), max: z.int().max(25) }),
  /** Days personal data is kept after receipt. */
  retentionDays: z.int().positive(),
  /**
   * When the pathway's workers are on hand (e.g. Admit: A&E, Friday and Saturday 18:00-24:00).
   * Inside a window the response expected is same-shift contact; outside, next-day aftercare.
   */
  staffedWindows: z.array(staffedWindowSchema).optional(),
  /** Accept within 1 working day and first contact within 2 unless set here. */
  deadlines: pathwayDeadlinesSchema.optional(),
  /** Where the documents say so (file:line in seeds/). */
  source: z.string().min(1),
});

const providerSchema = z.strictObject({
  id: slug,
  name: z.string().min(1),
  spokes: z.array(slug).min(1),
  pathways: z.array(z.enum(pathwayKinds)).min(1),
  capacity: z.enum(capacityStatuses),
  commissionedUntil: z.iso.date().optional(),
});

const organisationSchema = z.strictObject({
  id: slug,
  name: z.string().min(1),
  type: z.enum(referrerTypes),
  spoke: slug,
});

const partnershipShape = z.strictObject({
  id: slug,
  name: z.string().min(1),
  spokes: z.array(spokeSchema).min(1),
  pathways: z.array(pathwaySchema).min(1),
  providers: z.array(providerSchema),
  referrerOrganisations: z.array(organisationSchema),
  /**
   * ISO dates ("2026-12-28") that are not working days: deadlines skip them. When absent, England
   * and Wales bank holidays apply (shared/partnership/bank-holidays.ts).
   */
  bankHolidays: z.array(z.iso.date('must be a real date like "2026-12-28"')).optional(),
});

export type Partnership = z.infer<typeof partnershipShape>;
export type Spoke = Partnership['spokes'][number];
export type Pathway = Partnership['pathways'][number];
export type Provider = Partnership['providers'][number];
export type ReferrerOrganisation = Partnership['referrerOrganisations'][number];

/** Raised for a partnership config that does not hold together; names every bad entry. */
export class InvalidPartnershipError extends Error {
  constructor(
    readonly partnership: string,
    readonly problems: string[],
  ) {
    super(`Partnership config "${partnership}" is invalid:\n  - ${problems.join('\n  - ')}`);
    this.name = 'InvalidPartnershipError';
  }
}

/**
 * Validates a partnership config, shape and cross-references alike, and returns it typed.
 * Every problem is named by its entry, e.g. `providers[2] (st-giles-sos).spokes: unknown spoke "bristl"`.
 * @example definePartnership({ id: 'northumbria', name: 'Northumbria VRU', spokes: [...], ... })
 */
export function definePartnership(raw: unknown): Partnership {
  const parsed = partnershipShape.safeParse(raw);
  const id = typeof raw === 'object' && raw !== null && 'id' in raw ? String(raw.id) : '(unnamed)';
  if (!parsed.success) {
    throw new InvalidPartnershipError(
      id,
      parsed.error.issues.map((issue) => `${describePath(raw, issue.path)}: ${issue.message}`),
    );
  }
  const problems = crossReferenceProblems(parsed.data);
  if (problems.length > 0) throw new InvalidPartnershipError(id, problems);
  return parsed.data;
}

function crossReferenceProblems(partnership: Partnership): string[] {
  const problems: string[] = [];
  const spokeIds = new Set(partnership.spokes.map((spoke) => spoke.id));
  const pathwayIds = new Set(partnership.pathways.map((pathway) => pathway.id));
  const unknownSpokes = (where: string, spokes: readonly string[]) => {
    for (const spoke of spokes)
      if (!spokeIds.has(spoke)) problems.push(`${where}: unknown spoke "${spoke}"`);
  };
  const duplicates = (what: string, ids: readonly string[]) => {
    const seen = new Set<string>();
    for (const id of ids) {
      if (seen.has(id)) problems.push(`${what}: "${id}" appears more than once`);
      seen.add(id);
    }
  };
  duplicates(
    'spokes',
    partnership.spokes.map((s) => s.id),
  );
  duplicates(
    'pathways',
    partnership.pathways.map((p) => p.id),
  );
  duplicates(
    'providers',
    partnership.providers.map((p) => p.id),
  );
  duplicates(
    'referrerOrganisations',
    partnership.referrerOrganisations.map((o) => o.id),
  );
  duplicates('bankHolidays', partnership.bankHolidays ?? []);

  partnership.pathways.forEach((pathway, i) => {
    unknownSpokes(`pathways[${i}] (${pathway.id}).spokes`, pathway.spokes);
    if (pathway.eligibleAge.min > pathway.eligibleAge.max) {
      problems.push(`pathways[${i}] (${pathway.id}).eligibleAge: min is above max`);
    }
    pathway.staffedWindows?.forEach((window, j) => {
      // "HH:MM" strings order as times do.
      if (window.from >= window.to) {
        problems.push(`pathways[${i}] (${pathway.id}).staffedWindows[${j}]: ends before it starts`);
      }
    });
    if (pathway.deadlines) {
      const accept =
        pathway.deadlines.acceptWithinWorkingDays ??
        defaultPathwayDeadlines.acceptWithinWorkingDays;
      const firstContact =
        pathway.deadlines.firstContactWithinWorkingDays ??
        defaultPathwayDeadlines.firstContactWithinWorkingDays;
      if (firstContact < accept) {
        problems.push(
          `pathways[${i}] (${pathway.id}).deadlines: first contact (${workingDays(firstContact)}) ` +
            `is due before acceptance (${workingDays(accept)})`,
        );
      }
    }
  });
  partnership.providers.forEach((provider, i) => {
    const where = `providers[${i}] (${provider.id})`;
    unknownSpokes(`${where}.spokes`, provider.spokes);
    for (const pathway of provider.pathways) {
      if (!pathwayIds.has(pathway))
        problems.push(`${where}.pathways: pathway "${pathway}" is not configured`);
    }
  });
  partnership.referrerOrganisations.forEach((organisation, i) => {
    unknownSpokes(`referrerOrganisations[${i}] (${organisation.id}).spoke`, [organisation.spoke]);
  });
  return problems;
}

function workingDays(count: number): string {
  return `${count} working day${count === 1 ? '' : 's'}`;
}

/** `providers[2] (st-giles-sos).spokes[0]` from a zod path, naming entries by their id. */
function describePath(raw: unknown, path: readonly PropertyKey[]): string {
  let current: unknown = raw;
  let text = '';
  for (const part of path) {
    text += typeof part === 'number' ? `[${part}]` : `${text ? '.' : ''}${String(part)}`;
    current =
      current !== null && typeof current === 'object'
        ? (current as Record<PropertyKey, unknown>)[part]
        : undefined;
    if (
      typeof part === 'number' &&
      current !== null &&
      typeof current === 'object' &&
      'id' in current
    ) {
      text += ` (${String(current.id)})`;
    }
  }
  return text || '(root)';
}
