import type { Referral } from '#shared/domain/referral.ts';
import type { FormError, FormField, FormValues, PathwayForm } from '#shared/forms/fields.ts';
import type { Partnership } from '#shared/partnership/schema.ts';

/** What the form template needs: each field with its answer kept and its error, and the summary. */
export function pageOfForm(form: PathwayForm, values: FormValues, errors: readonly FormError[]) {
  const errorOf = new Map(
    errors.flatMap((error) => (error.field ? [[error.field, error.text]] : [])),
  );
  return {
    errors: errors.map(({ text, href }) => (href ? { text, href } : { text })),
    sections: form.sections.map((section) => ({
      ...section,
      fields: section.fields.map((field) => fieldView(field, values, errorOf.get(field))),
    })),
  };
}

function fieldView(field: FormField, values: FormValues, error: string | undefined) {
  const list = (name: string) => {
    const value = values[name];
    return Array.isArray(value) ? value : value === undefined ? [] : [value];
  };
  const one = (name: string) => list(name)[0] ?? '';
  const base = { ...field, ...(error ? { error } : {}) };
  switch (field.kind) {
    case 'yes-no':
      return {
        ...base,
        items: [
          { value: 'yes', text: 'Yes', checked: one(field.name) === 'yes' },
          { value: 'no', text: 'No', checked: one(field.name) === 'no' },
        ],
      };
    case 'radios':
    case 'checkboxes': {
      const chosen = list(field.name);
      return {
        ...base,
        items: (field.options ?? []).map((option) => ({
          ...option,
          checked: chosen.includes(option.value),
        })),
      };
    }
    case 'date':
      return {
        ...base,
        items: (['day', 'month', 'year'] as const).map((part) => ({
          name: part,
          value: one(`${field.name}-${part}`),
          classes: `govuk-input--width-${part === 'year' ? 4 : 2}${error ? ' govuk-input--error' : ''}`,
        })),
      };
    default:
      return { ...base, value: one(field.name) };
  }
}

const ukTime = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  weekday: 'long',
  day: 'numeric',
  month: 'long',
  hour: 'numeric',
  minute: '2-digit',
  hourCycle: 'h12',
});

/** What happens next, in plain words, from the stored referral. */
export function nextStepsFor(referral: Referral, partnership: Partnership): string[] {
  const spoke = partnership.spokes.find((s) => s.id === referral.spoke)?.name ?? referral.spoke;
  const steps = [
    referral.responseExpected === 'same-shift'
      ? 'The service’s workers are on shift now: they aim to see the young person during this shift.'
      : referral.responseExpected === 'next-day-aftercare'
        ? 'The service’s workers are not on shift now: they will follow up with the young person as aftercare.'
        : `The referral goes to the service that runs this route in ${spoke}, or to the ${spoke} team to decide.`,
  ];
  if (referral.deadlines) {
    steps.push(
      `The service will accept or decline it by ${ukTime.format(new Date(referral.deadlines.acceptBy))}, ` +
        `and try to contact the young person by ${ukTime.format(new Date(referral.deadlines.firstContactBy))} (UK time).`,
    );
  }
  return steps;
}
