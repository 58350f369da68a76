import { z } from 'zod';
import { isCalendarDate } from './age.ts';
import { text } from './intake.ts';

/**
 * Who a subject access request is about, and the one spelling of it that the blind index is
 * computed from. No key and no hashing here: the index itself is `shared/adapters/subject-index.ts`.
 */

/** What identifies a young person in a subject access request: names and date of birth. */
export interface SubjectKey {
  givenName: string;
  familyName: string;
  /** YYYY-MM-DD. */
  dateOfBirth: string;
}

/**
 * One spelling of a name, so that small differences between records do not hide a young
 * person from their own access request: compatibility forms folded, accents dropped, lower
 * case, and only letters and digits kept ("O'Brien-Smith" and "obrien smith" agree). Two
 * different people can share a spelling: whoever answers the request checks each match.
 * @example normalisedName(' Zoë  O’Brien ') // 'zoeobrien'
 */
export function normalisedName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]/gu, '');
}

/**
 * The text the blind index is a keyed hash of: a version, the family name, the given name and
 * the date of birth, separated by a character no part can hold.
 */
export function subjectIndexInput(subject: SubjectKey): string {
  return [
    'v1',
    normalisedName(subject.familyName),
    normalisedName(subject.givenName),
    subject.dateOfBirth.trim(),
  ].join('\u0000');
}

/** A subject access request as asked: names and date of birth, each checked. */
export const subjectAccessRequestSchema = z.strictObject({
  givenName: text(100),
  familyName: text(100),
  dateOfBirth: z.string().refine(isCalendarDate, 'must be a real date in the form YYYY-MM-DD'),
});
