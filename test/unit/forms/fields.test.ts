import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { intakeSchemaFor } from '#shared/domain/intake.ts';
import {
  fieldsNotAsked,
  formErrors,
  pathwayForm,
  submissionFrom,
  valuesFrom,
  type FormValues,
} from '#shared/forms/fields.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { parseFormBody } from '#web/kit/page-kit.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';

/** Every leaf of a pathway's intake schema, as dotted paths, found independently of the forms. */
function schemaLeaves(pathway: string): string[] {
  const union = intakeSchemaFor(avonAndSomerset) as unknown as z.ZodDiscriminatedUnion;
  const variant = (union.def.options as z.ZodObject[]).find(
    (option) => (option.shape.pathway as z.ZodLiteral).value === pathway,
  )!;
  const walk = (schema: z.ZodObject, prefix: string): string[] =>
    Object.entries(schema.shape).flatMap(([key, value]) =>
      value instanceof z.ZodObject ? walk(value, `${prefix}${key}.`) : [`${prefix}${key}`],
    );
  return walk(variant, '');
}

/** A form body as a browser would send it: URL-encoded, repeated names for checkboxes. */
function encoded(values: FormValues): string {
  const body = new URLSearchParams();
  for (const [name, value] of Object.entries(values)) {
    for (const one of Array.isArray(value) ? value : [value]) body.append(name, one);
  }
  return body.toString();
}

describe('the referral forms, generated from the intake schemas', () => {
  it.each(avonAndSomerset.pathways.map((pathway) => pathway.id))(
    'asks every field of the %s schema but the pathway and the organisation, each labelled',
    (pathway) => {
      // Prepare
      const leaves = schemaLeaves(pathway);

      // Act
      const form = pathwayForm(avonAndSomerset, pathway);

      // Assess
      const asked = form.fields.map((field) => field.path.join('.'));
      expect([...asked, ...fieldsNotAsked].sort()).toEqual([...leaves].sort());
      for (const field of form.fields) expect(field.label).not.toBe('');
    },
  );

  it('maps each kind of schema field to its control', () => {
    // Act
    const kinds = Object.fromEntries(
      pathwayForm(avonAndSomerset, 'admit').fields.map((field) => [field.name, field.kind]),
    );
    const careLeaver = pathwayForm(avonAndSomerset, 'care-leaver-mentoring').fields;
    const weapons = pathwayForm(avonAndSomerset, 'weapons-in-schools').fields;

    // Assess
    expect(kinds).toEqual({
      'subject.givenName': 'text',
      'subject.familyName': 'text',
      'subject.dateOfBirth': 'date',
      'subject.postcode': 'text',
      'details.attendedAt': 'date-time',
      'details.injury': 'checkboxes',
      'details.stillInDepartment': 'yes-no',
      summary: 'textarea',
      spoke: 'radios',
      'consent.subjectAgreed': 'yes-no',
      'consent.parentOrCarerInformed': 'yes-no',
      'referrer.name': 'text',
      'referrer.role': 'text',
      'referrer.email': 'text',
      'referrer.phone': 'text',
    });
    expect(careLeaver.find((f) => f.name === 'details.leftCareOn')?.kind).toBe('date');
    expect(weapons.find((f) => f.name === 'details.weapon')?.options?.map((o) => o.value)).toEqual([
      'knife',
      'bladed-article',
      'firearm',
      'imitation-firearm',
      'other',
    ]);
    expect(weapons.find((f) => f.name === 'spoke')?.options).toEqual([
      { value: 'bristol', text: 'Bristol' },
    ]);
  });

  it.each(exampleFileNames())(
    'turns a form posted with the answers of %s back into exactly that JSON',
    (file) => {
      // Prepare
      const example = exampleReferral(file) as {
        pathway: 'admit';
        referrer: { organisationId: string };
      };
      const form = pathwayForm(avonAndSomerset, example.pathway);
      const body = encoded(valuesFrom(form, example));

      // Act
      const submission = submissionFrom(form, parseFormBody(body), example.referrer.organisationId);

      // Assess
      expect(submission).toEqual(example);
    },
  );

  it('reads UK summer time as UTC+1 and leaves out blank answers, keeping their sections', () => {
    // Prepare
    const form = pathwayForm(avonAndSomerset, 'admit');

    // Act
    const submission = submissionFrom(
      form,
      { 'details.attendedAt': '2026-07-04T19:05', 'subject.givenName': '  ', 'details.injury': [] },
      'musgrove-park-hospital-ae',
    );

    // Assess
    expect(submission).toEqual({
      pathway: 'admit',
      referrer: { organisationId: 'musgrove-park-hospital-ae' },
      subject: {},
      consent: {},
      details: { attendedAt: '2026-07-04T18:05:00Z' },
    });
  });

  it('links each problem to its control, in the order of the form, one message per field', () => {
    // Prepare
    const form = pathwayForm(avonAndSomerset, 'admit');
    const values = {
      'subject.dateOfBirth-day': '31',
      'subject.dateOfBirth-month': '2',
      'subject.dateOfBirth-year': '2010',
      'referrer.email': 'nope',
    };

    // Act
    const errors = formErrors(
      form,
      [
        { pointer: '/referrer/email', detail: 'must be an email address' },
        { pointer: '/subject/dateOfBirth', detail: 'must be a real date in the form YYYY-MM-DD' },
        { pointer: '/details/injury', detail: 'Invalid input' },
        { pointer: '/details/injury/0', detail: 'Invalid option' },
        { pointer: '/consent/subjectAgreed', detail: 'Invalid input' },
        { pointer: '/extra', detail: 'is not a field of this referral' },
      ],
      values,
    );

    // Assess
    expect(errors.map(({ text, href }) => ({ text, href }))).toEqual([
      { text: 'Date of birth must be a real date', href: '#subject-dateOfBirth-day' },
      {
        text: 'Select at least one answer to “What was the injury related to?”',
        href: '#details-injury',
      },
      {
        text: 'Select an answer to “Has the young person agreed to this referral?”',
        href: '#consent-subjectAgreed',
      },
      { text: 'Your email address must be an email address', href: '#referrer-email' },
      { text: '/extra: is not a field of this referral', href: undefined },
    ]);
  });
});
