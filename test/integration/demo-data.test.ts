import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countBy } from '#local/demo-plan.ts';
import { runDemoData, type HubRow } from '#local/demo-data.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { projectionQueueDrained } from '#test/helpers/runtime.ts';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
});

afterAll(async () => {
  await runtime?.stop();
});

type Caller = Parameters<typeof signLocalToken>[0] | undefined;

async function call(as: Caller, method: string, path: string, body?: unknown) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (as) headers.authorization = `Bearer ${await signLocalToken(as)}`;
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: (text ? JSON.parse(text) : {}) as Record<string, unknown>,
  };
}

const hub = { hub: 'avon-and-somerset' };

describe('the local clock (PUT /_local/clock)', () => {
  it('moves the clock the handlers read, puts it back on null, and refuses what is not a time', async () => {
    // Prepare
    const organisation = 'musgrove-park-hospital-ae';

    // Act
    const set = await call(undefined, 'PUT', '/_local/clock', { at: '2026-03-02T09:00:00Z' });
    const submitted = await postReferral(runtime, exampleReferral('admit-friday-night.json'));
    const { referralId } = (await submitted.json()) as { referralId: string };
    const reset = await call(undefined, 'PUT', '/_local/clock', { at: null });
    const notATime = await call(undefined, 'PUT', '/_local/clock', { at: 'next Tuesday' });
    const noAt = await call(undefined, 'PUT', '/_local/clock', {});
    const read = await call(undefined, 'GET', '/_local/clock');
    const seen = await call(
      { organisation },
      'GET',
      `/v1/organisations/${organisation}/referrals/${referralId}`,
    );

    // Assess
    expect(set.status).toBe(200);
    expect(set.body).toMatchObject({ real: false });
    expect(set.body.now).toMatch(/^2026-03-02T09:/);
    expect(submitted.status).toBe(202);
    expect(seen.body.referral).toMatchObject({
      receivedAt: expect.stringMatching(/^2026-03-02T09:/),
    });
    expect(reset.body).toMatchObject({ real: true, offsetMs: 0 });
    for (const refused of [notATime, noAt]) {
      expect(refused.status).toBe(400);
      expect(refused.contentType).toBe('application/problem+json');
      expect(refused.body.errors).toEqual([
        { pointer: '/at', detail: expect.stringContaining('ISO 8601') },
      ]);
    }
    expect(read.body).toMatchObject({ real: true, offsetMs: 0 });
  });
});

describe('npm run demo-data', () => {
  it('fills several months through the real APIs, counted by the hub as planned, and puts the clock back', async () => {
    // Act
    const result = await runDemoData({
      url: runtime.url,
      seed: 3,
      scale: 0.1,
      months: 3,
      log: () => undefined,
    });
    await projectionQueueDrained(runtime);
    const period = `from=${result.plan.months[0]}&to=${result.plan.months.at(-1)}`;
    const byMonth = await call(hub, 'GET', `/v1/hub/metrics?${period}&groupBy=month`);
    const bySpokeAndPathway = await call(
      hub,
      'GET',
      `/v1/hub/metrics?${period}&groupBy=spoke,pathway`,
    );
    const clock = await call(undefined, 'GET', '/_local/clock');

    // Assess
    const monthRows = byMonth.body.rows as HubRow[];
    const rows = bySpokeAndPathway.body.rows as HubRow[];
    const key = (spoke = '', pathway = '') => `${spoke} ${pathway}`;
    const referred = Object.fromEntries(
      rows.map((row) => [key(row.group.spoke, row.group.pathway), row.referred]),
    );
    expect(result.caughtUp).toBe(true);
    expect(monthRows.filter((row) => row.referred > 0).length).toBeGreaterThanOrEqual(2);
    expect(referred).toEqual(countBy(result.plan.referrals, (r) => key(r.spoke, r.pathway)));
    expect(rows.reduce((sum, row) => sum + row.engaged, 0)).toBe(
      result.plan.referrals.filter((r) => r.engaged).length,
    );
    expect(clock.body).toMatchObject({ real: true, offsetMs: 0 });
  }, 300_000); // a limit, not a timing: the run is a few hundred calls on a shared machine
});
