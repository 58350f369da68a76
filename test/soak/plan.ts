import { readFileSync } from 'node:fs';
import path from 'node:path';
import { seededRandom } from '#local/demo-calendar.ts';
import { exampleFileNames, exampleReferral, examplesDir } from '#test/helpers/examples.ts';

/** Where an example must end up, as `expectations.json` says. */
export interface Expectation {
  /** `provider:<id>` or `triage:<spoke>`. */
  destination: string;
  escalated: boolean;
}

/** What is wrong with a submission the intake must refuse (4xx), and store nothing of. */
export type Defect = 'invalid-body' | 'bad-signature' | 'other-organisation';

/** One referral as its sender sends it: through one channel, two or three times. */
export interface Submission {
  index: number;
  example: string;
  expectation: Expectation;
  organisationId: string;
  body: string;
  channel: 'webhook' | 'api';
  /** The `webhook-id`, or the API's `Idempotency-Key`: the same on every copy. */
  deliveryId: string;
  copies: number;
  /** All copies at once, or each after the one before has its answer. */
  concurrent: boolean;
  defect?: Defect;
}

// A seeded source of randomness, so a run with the same seed makes the same plan.
export { seededRandom };

const defects: readonly Defect[] = ['invalid-body', 'bad-signature', 'other-organisation'];

/**
 * The soak's submissions, shuffled: `referrals` valid ones (every example in turn, 80% as signed
 * webhooks and 20% through the API), each sent twice and 5% three times, half of them with the
 * copies at once; and 2% more with a defect, each also sent twice.
 */
export function planSubmissions(referrals: number, random: () => number): Submission[] {
  const expectations = JSON.parse(
    readFileSync(path.join(examplesDir, 'expectations.json'), 'utf8'),
  ) as Record<string, Expectation>;
  const examples = exampleFileNames().sort();
  const refused = Math.max(defects.length, Math.round(referrals * 0.02));
  const submissions: Submission[] = [];
  for (let index = 0; index < referrals + refused; index++) {
    const example = examples[index % examples.length] ?? '';
    const expectation = expectations[example];
    if (!expectation) throw new Error(`No expectation for ${example}`);
    const body = exampleReferral(example);
    const organisationId = (body.referrer as { organisationId: string }).organisationId;
    const defect = index < referrals ? undefined : defects[index % defects.length];
    const channel = defect === 'bad-signature' || random() < 0.8 ? 'webhook' : 'api';
    submissions.push({
      index,
      example,
      expectation,
      organisationId,
      body: JSON.stringify(defect === 'invalid-body' ? { ...body, pathway: 'no-such' } : body),
      channel,
      deliveryId: `soak_${index}_${Math.floor(random() * 1e9)}`,
      copies: defect === undefined && random() < 0.05 ? 3 : 2,
      concurrent: random() < 0.5,
      ...(defect ? { defect } : {}),
    });
  }
  // Fisher-Yates, so refused submissions and copies mix with the rest.
  for (let i = submissions.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [submissions[i], submissions[j]] = [submissions[j] as Submission, submissions[i] as Submission];
  }
  return submissions;
}
