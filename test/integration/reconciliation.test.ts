import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { eventually, storedReferral } from '#test/helpers/runtime.ts';
import { ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';

let runtime: Runtime;

beforeAll(async () => {
  // A fast schedule, so a reconciliation check runs within a test.
  runtime = await startRuntime({ port: 0, scheduleEveryMs: 500 });
});

afterAll(async () => {
  await fetch(`${runtime.url}/_local/clock`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ at: null }),
  });
  await runtime?.stop();
});

async function submit(example: string): Promise<string> {
  const body = exampleReferral(example) as { referrer: { organisationId: string } };
  const token = await signLocalToken({ organisation: body.referrer.organisationId });
  const response = await fetch(`${runtime.url}/v1/referrals`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(202);
  return String(((await response.json()) as { referralId: string }).referralId);
}

/** Alarm events waiting in the operators' alerts queue, read without taking them. */
async function alerts(): Promise<string[]> {
  const queueUrl = [...runtime.queueUrls].find(([id]) => id.startsWith('OperationsAlertsQueue'));
  if (!queueUrl) throw new Error('No operations alerts queue');
  const sqs = new SQSClient({});
  try {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl[1],
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 0,
      }),
    );
    return Messages.map((message) => message.Body ?? '');
  } finally {
    sqs.destroy();
  }
}

describe('reconciliation on the embedded runtime', () => {
  it('finds a referral routed to a provider and never pulled past its deadline, tells the hub the count and operators the id', async () => {
    // Prepare: St Giles never pulls; three days on, its acceptance deadline is long gone.
    const referralId = await submit('sos-exploitation-north-somerset.json');
    await eventually('routing', async () => {
      const item = await storedReferral(runtime, referralId);
      return item?.status === 'routed' ? item : undefined;
    });
    const inThreeDays = new Date(Date.now() + 3 * 24 * 3_600_000).toISOString();
    await fetch(`${runtime.url}/_local/clock`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ at: inThreeDays }),
    });
    const hub = `Bearer ${await signLocalToken({ hub: 'avon-and-somerset' }, { expiresIn: '10d' })}`;

    // Act
    const reconciliation = await eventually('a check after the deadline', async () => {
      const response = await fetch(`${runtime.url}/v1/hub/metrics`, {
        headers: { authorization: hub },
      });
      const body = (await response.json()) as {
        reconciliation: { checkedAt: string; byProvider: Record<string, number> } | null;
      };
      const found = body.reconciliation;
      return found && (found.byProvider['st-giles-sos'] ?? 0) > 0 ? found : undefined;
    });
    const alarm = await eventually('the alarm event', async () =>
      (await alerts()).find((body) => body.includes(referralId)),
    );

    // Assess
    expect(reconciliation).toMatchObject({
      counts: { 'not-routed': 0, 'not-pulled': 1 },
      bySpoke: { 'north-somerset': { 'not-routed': 0, 'not-pulled': 1 } },
      byProvider: { 'st-giles-sos': 1 },
    });
    expect(Date.parse(reconciliation.checkedAt)).toBeGreaterThan(Date.now() + 2 * 24 * 3_600_000);
    expect(JSON.stringify(reconciliation)).not.toContain(referralId);
    const event = JSON.parse(alarm) as { 'detail-type': string; detail: unknown };
    expect(event['detail-type']).toBe('reconciliation.discrepancies-found');
    expect(event.detail).toMatchObject({
      discrepancies: [
        { kind: 'not-pulled', referralId, providerId: 'st-giles-sos', spoke: 'north-somerset' },
      ],
    });
  });
});
