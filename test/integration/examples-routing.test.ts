import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { exampleFileNames, exampleReferral, examplesDir } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import {
  destinationQueueUrl,
  eventually,
  referralIdsInQueue,
  storedReferral,
} from '#test/helpers/runtime.ts';

interface Expectation {
  destination: string;
  escalated: boolean;
}

const expectations = JSON.parse(
  readFileSync(path.join(examplesDir, 'expectations.json'), 'utf8'),
) as Record<string, Expectation>;

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
});

afterAll(async () => {
  await runtime?.stop();
});

/** A recorded destination in the form expectations.json uses. */
function destinationName(destination: Record<string, string>): string {
  if (destination.kind === 'provider') return `provider:${destination.providerId}`;
  if (destination.kind === 'triage') return `triage:${destination.spoke}`;
  return String(destination.kind);
}

describe('every contract example, through the embedded runtime', () => {
  it('has an expectation for each example file, so a new example cannot go unchecked', () => {
    // Prepare
    const files = exampleFileNames().sort();

    // Act
    const expected = Object.keys(expectations).sort();

    // Assess
    expect(expected).toEqual(files);
  });

  it.each(exampleFileNames())(
    '%s is accepted and ends up where expectations.json says',
    async (file) => {
      // Prepare
      const expectation = expectations[file];
      if (!expectation) throw new Error(`No expectation for ${file}`);
      const body = exampleReferral(file);

      // Act
      const response = await postReferral(runtime, body);
      const receipt = (await response.json()) as { referralId: string; callPoliceNow?: string };
      const routed = await eventually(`the routing of ${file}`, async () => {
        const item = await storedReferral(runtime, receipt.referralId);
        return item?.routing ? item : undefined;
      });
      const inDestination = await eventually(`${file} in ${expectation.destination}`, async () => {
        const ids = await referralIdsInQueue(destinationQueueUrl(runtime, expectation.destination));
        return ids.has(receipt.referralId) ? true : undefined;
      });
      const escalationIds = expectation.escalated
        ? await eventually(`${file} in the escalation queue`, async () => {
            const ids = await referralIdsInQueue(destinationQueueUrl(runtime, 'escalation'));
            return ids.has(receipt.referralId) ? ids : undefined;
          })
        : await referralIdsInQueue(destinationQueueUrl(runtime, 'escalation'));

      // Assess
      expect(response.status).toBe(202);
      const routing = routed.routing as { destination: Record<string, string>; reasons: string[] };
      expect(destinationName(routing.destination)).toBe(expectation.destination);
      expect(routing.reasons.length).toBeGreaterThan(0);
      expect(inDestination).toBe(true);
      expect(escalationIds.has(receipt.referralId)).toBe(expectation.escalated);
      if (expectation.escalated)
        expect(receipt.callPoliceNow).toMatch(/call the police now on 999/i);
      else expect(receipt.callPoliceNow).toBeUndefined();
    },
  );
});
