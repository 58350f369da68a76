import { z } from 'zod';
import { ageInYears, isCalendarDate } from './age.ts';
import { eligibleAge, spokeIdSchema } from './partnership.ts';

// Control characters (other than tab and line breaks) have no place in a referral and can
// break logs, CSV exports and screen readers downstream.
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const controlCharacters = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;

/** A trimmed, non-empty string of at most `max` characters with no control characters. */
export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => !controlCharacters.test(value), 'must not contain control characters');

const ukPostcode = /^[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}$/;
const slug = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'must be a lower-case identifier like "example-academy"')
  .max(80, 'must be at most 80 characters');

const referrer = z.strictObject({
  organisationId: slug,
  name: text(120),
  role: text(120),
  email: z.email('must be an email address').max(254),
  phone: z
    .string()
    .regex(/^\+?[\d ()-]{6,20}$/, 'must be a phone number of 6 to 20 digits, spaces or ()-'),
});

const subject = z.strictObject({
  givenName: text(100),
  familyName: text(100),
  dateOfBirth: z.string().refine(isCalendarDate, 'must be a real date in the form YYYY-MM-DD'),
  postcode: z
    .string()
    .trim()
    .toUpperCase()
    .regex(ukPostcode, 'must be a UK postcode such as "TA1 5DA"'),
});

const consent = z.strictObject({
  subjectAgreed: z.boolean(),
  parentOrCarerInformed: z.boolean(),
});

const instant = z.iso.datetime({ offset: true, message: 'must be an ISO 8601 date-time' });

/** Admit: A&E attendance with an alcohol-, drug- or violence-related injury (Musgrove Park). */
const admitDetails = z.strictObject({
  attendedAt: instant,
  injury: z
    .array(z.enum(['alcohol', 'drugs', 'violence']))
    .min(1, 'must name at least one of alcohol, drugs, violence')
    .max(3),
  stillInDepartment: z.boolean(),
});

const common = {
  spoke: spokeIdSchema,
  referrer,
  subject,
  consent,
  summary: text(2000),
};

const admitReferral = z.strictObject({
  pathway: z.literal('admit'),
  ...common,
  details: admitDetails,
});

/**
 * The intake contract: one strict schema per pathway, chosen by `pathway`.
 * Unknown keys are refused at every depth so nothing unexpected is ever stored.
 */
export const referralSubmissionSchema = z.discriminatedUnion('pathway', [admitReferral], {
  error: (issue) =>
    issue.code === 'invalid_union' ? 'must be a pathway this intake accepts: admit' : undefined,
});
export type ReferralSubmission = z.infer<typeof referralSubmissionSchema>;

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
export function checkSubmission(body: unknown, receivedAt: Date): SubmissionCheck {
  const parsed = referralSubmissionSchema.safeParse(body);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.flatMap((issue) =>
        // Point at each unknown field itself, so a form can mark it and an API client can drop it.
        issue.code === 'unrecognized_keys'
          ? issue.keys.map((key) => ({
              pointer: toPointer([...issue.path, key]),
              detail: 'is not a field of this referral',
            }))
          : [{ pointer: toPointer(issue.path), detail: issue.message }],
      ),
    };
  }
  const submission = parsed.data;
  const ageYears = ageInYears(submission.subject.dateOfBirth, receivedAt);
  if (ageYears < eligibleAge.min || ageYears > eligibleAge.max) {
    return {
      ok: false,
      problems: [
        {
          pointer: '/subject/dateOfBirth',
          detail: `must be the date of birth of a young person aged ${eligibleAge.min} to ${eligibleAge.max}`,
        },
      ],
    };
  }
  return { ok: true, submission, ageYears };
}

function toPointer(path: readonly PropertyKey[]): string {
  return path
    .map((part) => `/${String(part).replaceAll('~', '~0').replaceAll('/', '~1')}`)
    .join('');
}
