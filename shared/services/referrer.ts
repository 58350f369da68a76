import type { ReferralQueries } from '../table/referral-queries.ts';
import type { Referrals } from '../table/referrals.ts';
import { recordTransition } from '../domain/transition.ts';
import { planTransition, toReferrerView, type Referral } from '../domain/referral.ts';
import { ConflictError, NotFoundError } from '../errors.ts';

export interface ReferrerDependencies {
  organisationId: string;
  /** The person calling (their token's `sub`), for the audit record of a withdrawal. */
  subject?: string;
  store: Pick<Referrals, 'get' | 'transition'> & Pick<ReferralQueries, 'listByOrganisation'>;
  now: () => Date;
}

/** A referral this organisation sent; anyone else's is "not found", whether it exists or not. */
async function ownReferral(referralId: string, deps: ReferrerDependencies): Promise<Referral> {
  const referral = await deps.store.get(referralId);
  if (referral?.referrerOrganisationId !== deps.organisationId) {
    throw new NotFoundError(`No referral ${referralId} was sent by ${deps.organisationId}.`);
  }
  return referral;
}

/** The status and dates of one referral the organisation sent. */
export async function referralStatusFor(referralId: string, deps: ReferrerDependencies) {
  return toReferrerView(await ownReferral(referralId, deps));
}

/** The organisation's referrals, newest first, a page at a time. */
export async function referralsSentBy(
  deps: ReferrerDependencies,
  options: { limit?: number; cursor?: string },
) {
  const page = await deps.store.listByOrganisation(deps.organisationId, options);
  return {
    referrals: page.referrals.map(toReferrerView),
    ...(page.cursor ? { cursor: page.cursor } : {}),
  };
}

/** The referrer takes a referral back (sent in error, or no longer needed); once is enough. */
export async function withdrawReferral(referralId: string, deps: ReferrerDependencies) {
  for (let attempt = 0; attempt < 3; attempt++) {
    const referral = await ownReferral(referralId, deps);
    const at = deps.now();
    const planned = planTransition(referral, { type: 'withdraw' }, at.toISOString());
    if (planned.kind === 'repeat') return toReferrerView(referral);
    const changed = await deps.store.transition(
      recordTransition(referral, {
        to: planned.to,
        at,
        actor: {
          kind: 'referrer',
          id: deps.organisationId,
          ...(deps.subject ? { subject: deps.subject } : {}),
        },
        changes: planned.changes,
      }),
    );
    if (changed) return toReferrerView(changed);
  }
  throw new ConflictError(`Referral ${referralId} kept changing; try again.`);
}
