import { z } from 'zod';
import { intakeSchemaFor, type FieldProblem } from '../domain/intake.ts';
import type { Partnership } from '../partnership/schema.ts';
import type { PathwayKind } from '#events/vocabulary.ts';

/** The kinds of form control a schema field becomes. */
export type FieldKind =
  'text' | 'textarea' | 'yes-no' | 'radios' | 'checkboxes' | 'date' | 'date-time';

/** One question of a referral form, derived from one leaf of the pathway's intake schema. */
export interface FormField {
  /** Where the answer goes in the intake JSON, e.g. `['subject', 'givenName']`. */
  path: readonly string[];
  /** The form control's `name` (a date's three inputs add `-day`, `-month`, `-year`). */
  name: string;
  /** The control's `id`, what the error summary links to (see {@link fieldHref}). */
  id: string;
  kind: FieldKind;
  label: string;
  hint?: string;
  /** Text inputs only: the `type` and `autocomplete` that help the browser. */
  inputType?: 'text' | 'email' | 'tel';
  /** Radios and checkboxes. */
  options?: readonly { value: string; text: string }[];
}

/** A group of questions, one per object of the schema (`subject`, `details`, ...). */
export interface FormSection {
  key: string;
  title?: string;
  fields: FormField[];
}

/** A pathway's whole form, in the order it is asked. */
export interface PathwayForm {
  pathway: PathwayKind;
  sections: FormSection[];
  fields: FormField[];
}

/** What a posted form holds: one string per control, or several for checkboxes. */
export type FormValues = Record<string, string | string[]>;

/** Intake fields that are not asked: the pathway comes from the URL, the organisation from the session. */
export const fieldsNotAsked: readonly string[] = ['pathway', 'referrer.organisationId'];

// The order sections are asked in; a new top-level field of the schema is asked after these.
const sectionOrder = ['subject', 'details', 'summary', 'spoke', 'consent', 'referrer'];

/**
 * The form of one pathway, derived by walking the partnership's intake schema for it: every
 * field the API takes has a control, labelled by its `.meta()` title and hint. The spoke is asked
 * as a choice of the spokes that run the pathway. Throws on a field of a type it cannot ask.
 * @example pathwayForm(avonAndSomerset, 'admit').fields.map((field) => field.name)
 */
export function pathwayForm(partnership: Partnership, pathway: PathwayKind): PathwayForm {
  const variant = variantOf(partnership, pathway);
  const pathwayConfig = partnership.pathways.find((p) => p.id === pathway);
  const spokeOptions = partnership.spokes
    .filter((spoke) => pathwayConfig?.spokes.includes(spoke.id))
    .map((spoke) => ({ value: spoke.id, text: spoke.name }));
  const keys = Object.keys(variant.shape).sort((a, b) => rank(a) - rank(b));
  const sections: FormSection[] = [];
  for (const key of keys) {
    const schema = variant.shape[key] as z.ZodType;
    if (fieldsNotAsked.includes(key)) continue;
    if (schema instanceof z.ZodObject) {
      const fields = Object.entries(schema.shape as Record<string, z.ZodType>)
        .filter(([name]) => !fieldsNotAsked.includes(`${key}.${name}`))
        .map(([name, leaf]) => fieldOf([key, name], leaf));
      sections.push({ key, ...titled(schema), fields });
    } else if (key === 'spoke') {
      const { label, hint } = labelOf(schema, ['spoke']);
      sections.push({
        key,
        fields: [{ ...identity(['spoke']), kind: 'radios', label, ...hint, options: spokeOptions }],
      });
    } else {
      sections.push({ key, fields: [fieldOf([key], schema)] });
    }
  }
  return { pathway, sections, fields: sections.flatMap((section) => section.fields) };
}

/** The `#fragment` the error summary links to: a date's day input, else the control itself. */
export function fieldHref(field: FormField): string {
  return field.kind === 'date' ? `#${field.id}-day` : `#${field.id}`;
}

/**
 * The intake JSON a posted form stands for: the same body the API takes, so the same checks
 * apply. Blank answers are left out (the schema then reports them missing); anything else is
 * passed on as typed, for the schema to judge.
 */
export function submissionFrom(
  form: PathwayForm,
  values: FormValues,
  organisationId: string,
): Record<string, unknown> {
  const submission: Record<string, unknown> = { pathway: form.pathway };
  setAt(submission, ['referrer', 'organisationId'], organisationId);
  for (const field of form.fields) {
    // Every object is there, so a blank answer is reported at its own field, not its section.
    setAt(submission, field.path, answerOf(field, values));
  }
  return submission;
}

/** The form values that stand for an intake JSON body: {@link submissionFrom} in reverse. */
export function valuesFrom(form: PathwayForm, submission: unknown): FormValues {
  const values: FormValues = {};
  for (const field of form.fields) {
    const value = field.path.reduce<unknown>(
      (at, key) =>
        at && typeof at === 'object' ? (at as Record<string, unknown>)[key] : undefined,
      submission,
    );
    if (value === undefined) continue;
    if (field.kind === 'yes-no') values[field.name] = value === true ? 'yes' : 'no';
    else if (field.kind === 'checkboxes') values[field.name] = (value as unknown[]).map(String);
    else if (field.kind === 'date') {
      const [year = '', month = '', day = ''] = String(value).split('-');
      values[`${field.name}-day`] = String(Number(day));
      values[`${field.name}-month`] = String(Number(month));
      values[`${field.name}-year`] = year;
    } else if (field.kind === 'date-time') values[field.name] = londonLocal(String(value));
    else values[field.name] = String(value);
  }
  return values;
}

/** One error of a form: its message, and the field it belongs to if any. */
export interface FormError {
  text: string;
  href?: string;
  field?: FormField;
}

/**
 * The intake's field problems as form errors, in the order of the form, one per field (the
 * first), each linking to its control. Problems of fields not asked come last, unlinked.
 */
export function formErrors(
  form: PathwayForm,
  problems: readonly FieldProblem[],
  values: FormValues,
): FormError[] {
  const byField = new Map<FormField, string>();
  const unplaced: FormError[] = [];
  for (const problem of problems) {
    const segments = problem.pointer
      .split('/')
      .slice(1)
      .map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
    const field = form.fields.find((f) => f.path.every((key, i) => segments[i] === key));
    if (!field) unplaced.push({ text: `${problem.pointer || 'The referral'}: ${problem.detail}` });
    else if (!byField.has(field)) byField.set(field, messageFor(field, problem.detail, values));
  }
  return [
    ...form.fields.flatMap((field) => {
      const text = byField.get(field);
      return text === undefined ? [] : [{ text, href: fieldHref(field), field }];
    }),
    ...unplaced,
  ];
}

function variantOf(partnership: Partnership, pathway: PathwayKind): z.ZodObject {
  const union = intakeSchemaFor(partnership) as unknown;
  if (!(union instanceof z.ZodDiscriminatedUnion))
    throw new Error('The intake schema is not a union');
  const variant = (union.def.options as z.ZodType[]).find(
    (option) =>
      option instanceof z.ZodObject &&
      option.shape.pathway instanceof z.ZodLiteral &&
      option.shape.pathway.value === pathway,
  );
  if (!(variant instanceof z.ZodObject)) {
    throw new Error(`The partnership ${partnership.id} does not run the pathway ${pathway}`);
  }
  return variant;
}

function rank(key: string): number {
  const index = sectionOrder.indexOf(key);
  return index === -1 ? sectionOrder.length : index;
}

function titled(schema: z.ZodType): { title?: string } {
  const title = schema.meta()?.title;
  return title === undefined ? {} : { title };
}

function identity(path: readonly string[]): Pick<FormField, 'path' | 'name' | 'id'> {
  return { path, name: path.join('.'), id: path.join('-') };
}

function labelOf(
  schema: z.ZodType,
  path: readonly string[],
): { label: string; hint: { hint?: string } } {
  const meta = schema.meta();
  if (meta?.title === undefined) throw new Error(`The intake field ${path.join('.')} has no title`);
  return {
    label: meta.title,
    hint: meta.description === undefined ? {} : { hint: meta.description },
  };
}

/** The small mapping from a schema leaf to a form control. */
function fieldOf(path: readonly string[], schema: z.ZodType): FormField {
  const { label, hint } = labelOf(schema, path);
  const base = { ...identity(path), label, ...hint };
  if (schema instanceof z.ZodBoolean) return { ...base, kind: 'yes-no' };
  if (schema instanceof z.ZodEnum) return { ...base, kind: 'radios', options: optionsOf(schema) };
  if (schema instanceof z.ZodArray && schema.element instanceof z.ZodEnum) {
    return { ...base, kind: 'checkboxes', options: optionsOf(schema.element) };
  }
  if (schema.def.type === 'string') {
    const meta = schema.meta() ?? {};
    // Formats (email, date-time) are their own classes in zod 4, all of type 'string'.
    const format = (schema as unknown as { format?: string | null }).format;
    if (format === 'datetime') return { ...base, kind: 'date-time' };
    if (meta.format === 'date') return { ...base, kind: 'date' };
    if (meta.multiline === true) return { ...base, kind: 'textarea' };
    const inputType = format === 'email' ? 'email' : path.at(-1) === 'phone' ? 'tel' : 'text';
    return { ...base, kind: 'text', inputType };
  }
  throw new Error(`No form control for the intake field ${path.join('.')} (${schema.def.type})`);
}

function optionsOf(schema: z.ZodEnum): { value: string; text: string }[] {
  return schema.options.map((value) => {
    const words = String(value).replaceAll('-', ' ');
    return { value: String(value), text: words.charAt(0).toUpperCase() + words.slice(1) };
  });
}

function answerOf(field: FormField, values: FormValues): unknown {
  const one = (name: string) => {
    const value = values[name];
    return (Array.isArray(value) ? value[0] : value)?.trim() ?? '';
  };
  switch (field.kind) {
    case 'checkboxes': {
      const value = values[field.name];
      const list = (Array.isArray(value) ? value : value === undefined ? [] : [value]).filter(
        (item) => item !== '',
      );
      return list.length === 0 ? undefined : list;
    }
    case 'yes-no': {
      const value = one(field.name);
      return value === 'yes' ? true : value === 'no' ? false : value === '' ? undefined : value;
    }
    case 'date': {
      const parts = ['year', 'month', 'day'].map((part) => one(`${field.name}-${part}`));
      if (parts.every((part) => part === '')) return undefined;
      const [year = '', month = '', day = ''] = parts;
      return /^\d{4}$/.test(year) && /^\d{1,2}$/.test(month) && /^\d{1,2}$/.test(day)
        ? `${year}-${month.padStart(2, '0')}-${day.padStart(2, '0')}`
        : parts.join('-');
    }
    case 'date-time': {
      const value = one(field.name);
      return value === '' ? undefined : (utcFromLondon(value) ?? value);
    }
    default: {
      const value = one(field.name);
      return value === '' ? undefined : value;
    }
  }
}

function isBlank(field: FormField, values: FormValues): boolean {
  const names =
    field.kind === 'date'
      ? ['day', 'month', 'year'].map((p) => `${field.name}-${p}`)
      : [field.name];
  return names.every((name) => {
    const value = values[name];
    return (
      value === undefined || (Array.isArray(value) ? value : [value]).every((v) => v.trim() === '')
    );
  });
}

/** A GOV.UK-style message: what to do when blank, else the schema's rule after the label. */
function messageFor(field: FormField, detail: string, values: FormValues): string {
  const question = field.label.endsWith('?');
  const subject = question ? `an answer to “${field.label}”` : lowerFirst(field.label);
  if (isBlank(field, values)) {
    if (field.kind === 'checkboxes') return `Select at least one answer to “${field.label}”`;
    if (field.kind === 'radios' || field.kind === 'yes-no') return `Select ${subject}`;
    return `Enter ${subject}`;
  }
  const rule =
    field.kind === 'date' && detail.includes('YYYY-MM-DD')
      ? 'must be a real date'
      : field.kind === 'date-time' && detail.includes('ISO 8601')
        ? 'must be a real date and time'
        : detail;
  if (!rule.startsWith('must')) return `${field.label}: ${rule}`;
  return question ? `Your answer to “${field.label}” ${rule}` : `${field.label} ${rule}`;
}

function lowerFirst(text: string): string {
  return text.charAt(0).toLowerCase() + text.slice(1);
}

function setAt(target: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let at = target;
  for (const key of path.slice(0, -1)) {
    at[key] ??= {};
    at = at[key] as Record<string, unknown>;
  }
  const last = path.at(-1);
  if (last !== undefined && value !== undefined) at[last] = value;
}

// Referrers type times as the clock on their wall: UK time, whatever the season.
const londonParts = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'Europe/London',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/** An instant as a `datetime-local` value in UK time, e.g. `2026-11-20T22:40`. */
function londonLocal(iso: string): string {
  const parts = Object.fromEntries(
    londonParts.formatToParts(new Date(iso)).map((part) => [part.type, part.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** A `datetime-local` value read as UK time, as an ISO instant in UTC; undefined if not one. */
function utcFromLondon(local: string): string | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number) as [
    number,
    number,
    number,
    number,
    number,
  ];
  const asUtc = Date.UTC(year, month - 1, day, hour, minute);
  // London is UTC or UTC+1: take the reading whose London time is what was typed.
  for (const offsetHours of [0, 1]) {
    const instant = new Date(asUtc - offsetHours * 3_600_000);
    if (londonLocal(instant.toISOString()) === local) {
      return `${instant.toISOString().slice(0, 16)}:00Z`;
    }
  }
  return undefined;
}
