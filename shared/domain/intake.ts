import { z } from 'zod';
import { ageInYears, isCalendarDate } from './age.ts';
import type { Partnership } from '../partnership/schema.ts';
import type { PathwayKind } from '#events/vocabulary.ts';

// Control characters (other than tab and line breaks) and text-direction overrides have no
// place in a referral and can break or disguise logs, CSV exports and screen readers downstream.
const controlCharacters =
  // eslint-disable-next-line no-control-regex -- matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F-\u009F\u2028\u2029\u202A-\u202E\u2066-\u2069]/;

/** A trimmed, non-empty string of at most `max` characters with no control characters. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine(
      (value) => !controlCharacters.test(value),
      'must not contain control or text-direction characters',
    );

/** The platform serves children and young people under 26 (DOMAIN.md: under-25s). */
const youngestAge = 0;
const oldestAge = 25;

const ukPostcode = /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/;
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case identifier like "example-academy"')
  .max(80, 'must be at most 80 characters');

// `.meta()` titles and descriptions are the forms' labels and hints (shared/forms/fields.ts) and
// the JSON Schema's; they never change what is valid.
const referrer = z.strictObject({
  organisationId: slug,
  name: text(120).meta({ title: 'Your full name' }),
  role: text(120).meta({
    title: 'Your role',
    description: 'For example, designated safeguarding lead or emergency department nurse',
  }),
  email: z
    .email('must be an email address')
    .max(254)
    .meta({ title: 'Your email address', description: 'The provider may contact you here' }),
  phone: z
    .string()
    .regex(/^\+?[\d ()-]+$/, 'must be a phone number: digits, spaces or ()-')
    .refine((value) => {
      const digits = value.replace(/\D/g, '').length;
      return digits >= 6 && digits <= 20;
    }, 'must have 6 to 20 digits')
    .meta({ title: 'Your phone number', description: 'A number the provider can reach you on' }),
});

const subject = z
  .strictObject({
    givenName: text(100).meta({ title: 'First name' }),
    familyName: text(100).meta({ title: 'Last name' }),
    dateOfBirth: z
      .string()
      .refine(isCalendarDate, 'must be a real date in the form YYYY-MM-DD')
      .meta({ title: 'Date of birth', description: 'For example, 27 3 2010', format: 'date' }),
    postcode: z
      .string()
      .trim()
      .toUpperCase()
      .regex(ukPostcode, 'must be a UK postcode such as "TA1 5DA"')
      .meta({ title: 'Home postcode', description: 'For example, TA1 5DA' }),
  })
  .meta({ title: 'The young person' });

const consent = z
  .strictObject({
    subjectAgreed: z.boolean().meta({ title: 'Has the young person agreed to this referral?' }),
    parentOrCarerInformed: z
      .boolean()
      .meta({ title: 'Has a parent or carer been told about this referral?' }),
  })
  .meta({ title: 'Consent' });

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });
const calendarDate = z
  .string()
  .refine(isCalendarDate, 'must be a real date in the form YYYY-MM-DD')
  .meta({ format: 'date' });

/** What each pathway asks about the incident, by pathway kind (field names from the examples). */
export const pathwayDetails = {
  /** A weapon found on a school site (000:475-477). */
  'weapons-in-schools': z.strictObject({
    foundAt: instant.meta({ title: 'When was the weapon found?', description: 'UK time' }),
    weapon: z
      .enum(['knife', 'bladed-article', 'firearm', 'imitation-firearm', 'other'])
      .meta({ title: 'What was the weapon?' }),
    used: z.boolean().meta({ title: 'Was the weapon used?' }),
    threatened: z.boolean().meta({ title: 'Was its use threatened?' }),
    aggravatingFactors: z.boolean().meta({
      title: 'Are there aggravating factors?',
      description: 'For example, the weapon was brought in to harm someone, or a previous incident',
    }),
  }),
  /** A&E attendance with a violence-related injury (000:1017). */
  'ae-teachable-moment': z.strictObject({
    attendedAt: instant.meta({ title: 'When did they attend A&E?', description: 'UK time' }),
    injury: z
      .array(z.enum(['assault', 'stab-wound', 'other-violence']))
      .min(1)
      .max(3)
      .meta({ title: 'What caused the injury?', description: 'Select all that apply' }),
    stillInDepartment: z.boolean().meta({ title: 'Are they still in the department?' }),
  }),
  /** Admit: A&E attendance with an alcohol-, drug- or violence-related injury (000:1019-1033). */
  admit: z.strictObject({
    attendedAt: instant.meta({ title: 'When did they attend A&E?', description: 'UK time' }),
    injury: z
      .array(z.enum(['alcohol', 'drugs', 'violence']))
      .min(1, 'must name at least one of alcohol, drugs, violence')
      .max(3)
      .meta({ title: 'What was the injury related to?', description: 'Select all that apply' }),
    stillInDepartment: z.boolean().meta({ title: 'Are they still in the department?' }),
  }),
  /** Exploitation: county lines, criminal or sexual exploitation (000:944-948). */
  'sos-mentoring': z.strictObject({
    concerns: z
      .array(
        z.enum([
          'county-lines',
          'criminal-exploitation',
          'sexual-exploitation',
          'gang-association',
          'missing-episodes',
        ]),
      )
      .min(1)
      .max(5)
      .meta({ title: 'What are the concerns?', description: 'Select all that apply' }),
    disengagedFromServices: z
      .boolean()
      .meta({ title: 'Have they disengaged from other services?' }),
  }),
  /** Care leavers (000:1089-1099). */
  'care-leaver-mentoring': z.strictObject({
    leftCareOn: calendarDate.meta({ title: 'When did they leave care?' }),
    livingIndependently: z.boolean().meta({ title: 'Are they living independently?' }),
  }),
  /** Met in hotspot outreach by detached youth workers (000:1053-1070). */
  'drug-alcohol-young-people': z.strictObject({
    metAt: text(100).meta({
      title: 'Where did you meet them?',
      description: 'The outreach location, not a home address',
    }),
    substances: z
      .array(z.enum(['alcohol', 'cannabis', 'cocaine', 'ketamine', 'nitrous-oxide', 'other']))
      .min(1)
      .max(6)
      .meta({ title: 'Which substances?', description: 'Select all that apply' }),
  }),
  /** Decided at the spoke's multi-agency operational meeting (000:1080). */
  'targeted-intervention': z.strictObject({
    meetingDate: calendarDate.meta({ title: 'Date of the operational meeting' }),
    riskLevel: z.enum(['medium', 'high']).meta({ title: 'Risk level' }),
  }),
} satisfies Record<PathwayKind, z.ZodType>;

function submissionVariant<K extends PathwayKind>(
  pathway: K,
  spoke: z.ZodType<string>,
  organisationId: z.ZodType<string>,
) {
  return z.strictObject({
    pathway: z.literal(pathway),
    spoke: spoke.meta({ title: 'Which area is the young person in?' }),
    referrer: referrer.extend({ organisationId }).meta({ title: 'About you' }),
    subject,
    consent,
    summary: text(2000).meta({
      title: 'Summary',
      description: 'What happened and what support might help. Up to 2,000 characters',
      multiline: true,
    }),
    // `.meta()` returns the same schema type; the cast keeps it indexed by the pathway.
    details: pathwayDetails[pathway].meta({ title: 'What happened' }) as (typeof pathwayDetails)[K],
  });
}

/** A referral as submitted, for any pathway. */
export type ReferralSubmission = {
  [Kind in PathwayKind]: z.infer<ReturnType<typeof submissionVariant<Kind>>>;
}[PathwayKind];

/**
 * The intake contract of one partnership: one strict schema per pathway it runs, chosen by
 * `pathway`, with its spokes and registered referrer organisations. Unknown keys are refused at
 * every depth so nothing unexpected is ever stored.
 */
export function intakeSchemaFor(partnership: Partnership): z.ZodType<ReferralSubmission> {
  const cached = schemaCache.get(partnership);
  if (cached) return cached;
  const spokeIds = partnership.spokes.map((spoke) => spoke.id);
  const pathwayIds = partnership.pathways.map((pathway) => pathway.id);
  const spoke = z.string().refine((value) => spokeIds.includes(value), {
    message: `must be one of the spokes: ${spokeIds.join(', ')}`,
  });
  const organisationIds = new Set(partnership.referrerOrganisations.map((o) => o.id));
  const organisationId = slug.refine((value) => organisationIds.has(value), {
    message: 'must be a referrer organisation registered with the partnership',
  });
  const variants = pathwayIds.map((kind) => submissionVariant(kind, spoke, organisationId));
  const schema = z.discriminatedUnion(
    'pathway',
    variants as unknown as [ReturnType<typeof submissionVariant<PathwayKind>>],
    {
      error: (issue) =>
        issue.code === 'invalid_union'
          ? `must be one of the pathways: ${pathwayIds.join(', ')}`
          : undefined,
    },
  ) as unknown as z.ZodType<ReferralSubmission>;
  schemaCache.set(partnership, schema);
  return schema;
}

// Building a partnership's schema is work; do it once per cold start.
const schemaCache = new WeakMap<Partnership, z.ZodType<ReferralSubmission>>();

/** A problem with one field of a submission, addressed by JSON Pointer (RFC 6901). */
export interface FieldProblem {
  pointer: string;
  detail: string;
}

export type SubmissionCheck =
  | { ok: true; submission: ReferralSubmission; ageYears: number }
  | { ok: false; problems: FieldProblem[] };

/**
 * Validates a parsed JSON body against the intake contract and the rules that need a clock.
 * Returns every problem at once so the referrer can fix them in one go.
 */
export function checkSubmission(
  body: unknown,
  receivedAt: Date,
  partnership: Partnership,
): SubmissionCheck {
  const parsed = intakeSchemaFor(partnership).safeParse(body);
  if (!parsed.success) {
    const dateOfBirth = (body as { subject?: { dateOfBirth?: unknown } } | null)?.subject
      ?.dateOfBirth;
    // An impossible age is reported with the other problems, not after they are fixed.
    const age =
      typeof dateOfBirth === 'string' && isCalendarDate(dateOfBirth)
        ? ageProblem(ageInYears(dateOfBirth, receivedAt))
        : undefined;
    return {
      ok: false,
      problems: [...fieldProblems(parsed.error), ...(age ? [age] : [])],
    };
  }
  const submission = parsed.data;
  const ageYears = ageInYears(submission.subject.dateOfBirth, receivedAt);
  const age = ageProblem(ageYears);
  if (age) return { ok: false, problems: [age] };
  return { ok: true, submission, ageYears };
}

/** Pathway age ranges route to triage; this only catches dates of birth that cannot be right. */
function ageProblem(ageYears: number): FieldProblem | undefined {
  if (ageYears >= youngestAge && ageYears <= oldestAge) return undefined;
  return {
    pointer: '/subject/dateOfBirth',
    detail: `must be the date of birth of a child or young person aged ${youngestAge} to ${oldestAge}`,
  };
}

/** Zod's issues as field problems, each unknown field pointed at itself. */
export function fieldProblems(error: z.ZodError, of = 'this referral'): FieldProblem[] {
  return error.issues.flatMap((issue) =>
    // Point at each unknown field itself, so a form can mark it and an API client can drop it.
    issue.code === 'unrecognized_keys'
      ? issue.keys.map((key) => ({
          pointer: toPointer([...issue.path, key]),
          detail: `is not a field of ${of}`,
        }))
      : [{ pointer: toPointer(issue.path), detail: issue.message }],
  );
}

function toPointer(path: readonly PropertyKey[]): string {
  return path
    .map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}
