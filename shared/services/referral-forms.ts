import type { Referrals } from '../table/referrals.ts';
import type { Referral } from '../domain/referral.ts';
import { ValidationError } from '../errors.ts';
import {
  formErrors,
  pathwayForm,
  submissionFrom,
  type FormError,
  type FormValues,
  type PathwayForm,
} from '../forms/fields.ts';
import type { Pathway, Partnership, ReferrerOrganisation } from '../partnership/schema.ts';
import { receiveReferral, type IntakeDependencies, type IntakeReceipt } from './intake.ts';
import type { PathwayKind } from '#events/vocabulary.ts';

/** The referrer organisation registered with the partnership, or undefined for any other id. */
export function registeredOrganisation(
  partnership: Partnership,
  organisationId: string,
): ReferrerOrganisation | undefined {
  return partnership.referrerOrganisations.find((o) => o.id === organisationId);
}

/** The pathways an organisation may refer to: those taking referrals from its type. */
export function pathwaysFor(
  partnership: Partnership,
  organisation: ReferrerOrganisation,
): Pathway[] {
  return partnership.pathways.filter((pathway) =>
    pathway.referrerTypes.includes(organisation.type),
  );
}

/** The form of a pathway the organisation may use, or undefined for any other id. */
export function formFor(
  partnership: Partnership,
  organisation: ReferrerOrganisation,
  pathwayId: string,
): { pathway: Pathway; form: PathwayForm } | undefined {
  const pathway = pathwaysFor(partnership, organisation).find((p) => p.id === pathwayId);
  return pathway
    ? { pathway, form: pathwayForm(partnership, pathway.id as PathwayKind) }
    : undefined;
}

export type FormOutcome = { ok: true; receipt: IntakeReceipt } | { ok: false; errors: FormError[] };

/**
 * Takes a posted referral form through the same intake as the API (`receiveReferral`), so the
 * rules are the same; the organisation is the signed-in one, never a field of the form.
 */
export async function submitForm(
  form: PathwayForm,
  values: FormValues,
  organisationId: string,
  dependencies: IntakeDependencies,
): Promise<FormOutcome> {
  try {
    const receipt = await receiveReferral(
      submissionFrom(form, values, organisationId),
      dependencies,
    );
    return { ok: true, receipt };
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    return { ok: false, errors: formErrors(form, error.problems, values) };
  }
}

/** A referral the organisation sent, or undefined if there is none or it is another's. */
export async function sentReferral(
  store: Pick<Referrals, 'get'>,
  organisationId: string,
  referralId: string,
): Promise<Referral | undefined> {
  const referral = await store.get(referralId);
  return referral?.referrerOrganisationId === organisationId ? referral : undefined;
}
