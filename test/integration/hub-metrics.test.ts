import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventSource } from '#events/catalogue.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { Referrals } from '#shared/table/referrals.ts';
import { monthOf, quarterOf } from '#shared/domain/hub-metrics.ts';
import { toEventDetail } from '#shared/domain/referral.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { exampleFileNames, exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { eventually, projectionQueueDrained, storedReferral } from '#test/helpers/runtime.ts';

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
  const isJson = /json/.test(response.headers.get('content-type') ?? '');
  return {
    status: response.status,
    text,
    body: isJson && text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

const hub = { hub: 'avon-and-somerset' };
const provider = 'turning-point-admit';

async function submit(example: string): Promise<string> {
  const response = await postReferral(runtime, exampleReferral(example));
  return String(((await response.json()) as { referralId: unknown }).referralId);
}

async function routed(referralId: string) {
  return eventually(`routing of ${referralId}`, async () => {
    const item = await storedReferral(runtime, referralId);
    return item?.routing ? item : undefined;
  });
}

interface Row {
  group: Record<string, string>;
  referred: number;
  accepted: number;
  declined: number;
  contacted: number;
  engaged: number;
  escalated: number;
  triaged: number;
}

/** The hub's rows grouped by spoke and pathway, once they satisfy `predicate`. */
async function metricsOnce(predicate: (rows: Row[]) => boolean): Promise<Row[]> {
  return eventually('the hub metrics', async () => {
    const { body } = await call(hub, 'GET', '/v1/hub/metrics?groupBy=spoke,pathway');
    const rows = (body.rows ?? []) as Row[];
    return predicate(rows) ? rows : undefined;
  });
}

const rowFor = (rows: Row[], spoke: string, pathway: string) =>
  rows.find((row) => row.group.spoke === spoke && row.group.pathway === pathway);

/** Every string a referral example holds about people: none may reach the hub. */
function personalStrings(value: unknown): string[] {
  if (typeof value === 'string') return value.length >= 4 ? [value] : [];
  if (Array.isArray(value)) return value.flatMap(personalStrings);
  if (value && typeof value === 'object') return Object.values(value).flatMap(personalStrings);
  return [];
}

describe("the hub's metrics, projected from the lifecycle events", () => {
  it('counts referred, accepted, contacted and engaged per spoke and pathway, and escalations', async () => {
    // Prepare
    const engagedId = await submit('admit-friday-night.json');
    const declinedId = await submit('admit-friday-night.json');
    await submit('weapons-threatened-bristol.json');
    await Promise.all([routed(engagedId), routed(declinedId)]);
    const path = (id: string) => `/v1/providers/${provider}/referrals/${id}`;
    await call({ provider }, 'POST', `${path(engagedId)}/accept`);
    await call({ provider }, 'POST', `${path(engagedId)}/contact-attempts`, {
      method: 'phone',
      result: 'reached',
      attemptedAt: new Date().toISOString(),
    });
    await call({ provider }, 'POST', `${path(engagedId)}/engaged`);
    await call({ provider }, 'POST', `${path(declinedId)}/decline`, { reason: 'no-capacity' });

    // Act
    await metricsOnce((all) => {
      const admit = rowFor(all, 'somerset', 'admit');
      const weapons = rowFor(all, 'bristol', 'weapons-in-schools');
      return admit?.engaged === 1 && admit.declined === 1 && weapons?.escalated === 1;
    });
    // Each fact of an event is its own write: read again once nothing is left to project.
    await projectionQueueDrained(runtime);
    const rows = await metricsOnce(() => true);

    // Assess
    expect(rowFor(rows, 'somerset', 'admit')).toMatchObject({
      referred: 2,
      accepted: 1,
      declined: 1,
      contacted: 1,
      engaged: 1,
      engagementRate: 0.5,
      acceptanceRate: 0.5,
      declineReasons: { 'no-capacity': 1 },
      current: {
        awaitingDecision: 0,
        awaitingFirstContact: 0,
        awaitingEngagement: 0,
        engaged: 1,
        declinedAwaitingReroute: 1,
      },
    });
    expect(rowFor(rows, 'bristol', 'weapons-in-schools')).toMatchObject({
      referred: 1,
      triaged: 1,
      escalated: 1,
      current: { awaitingDecision: 1 },
    });
  });

  it('never counts a repeated or out-of-order event twice, nor moves a referral back', async () => {
    // Prepare
    const referralId = await submit('project28-bath.json');
    await routed(referralId);
    await call(
      { provider: 'project-28' },
      'POST',
      `/v1/providers/project-28/referrals/${referralId}/accept`,
    );
    await metricsOnce(
      (all) => (rowFor(all, 'bath-ne-somerset', 'drug-alcohol-young-people')?.accepted ?? 0) >= 1,
    );
    await projectionQueueDrained(runtime);
    const before = await metricsOnce(() => true);
    const referral = await new Referrals({ tableName: runtime.tableNames[0] ?? '' }).get(
      referralId,
    );
    if (!referral) throw new Error('the referral is gone');
    const detail = toEventDetail(referral);
    // The routing as it was before the acceptance: an older event, late.
    const olderRouted = { ...detail, status: 'routed', occurredAt: detail.receivedAt };
    const eventBridge = new EventBridgeClient({ endpoint: runtime.endpoints.eventbridge });
    const busName =
      runtime.eventBridge.busNames.find((name) => name.startsWith('reachable-')) ?? '';

    // Act: the accepted event again, and the routed event arriving after it.
    await eventBridge.send(
      new PutEventsCommand({
        Entries: [
          ['referral.accepted', detail],
          ['referral.accepted', detail],
          ['referral.routed', detail],
          ['referral.routed', olderRouted],
        ].map(([detailType, eventDetail]) => ({
          EventBusName: busName,
          Source: eventSource('avon-and-somerset'),
          DetailType: String(detailType),
          Detail: JSON.stringify(eventDetail),
        })),
      }),
    );
    eventBridge.destroy();
    await projectionQueueDrained(runtime);
    const after = await metricsOnce(() => true);

    // Assess
    const row = (rows: Row[]) => rowFor(rows, 'bath-ne-somerset', 'drug-alcohol-young-people');
    expect(row(before)).toMatchObject({ accepted: 1, current: { awaitingFirstContact: 1 } });
    expect(row(after)).toEqual(row(before));
  });

  it("shows a spoke's coordinators the hub's figures for their own spoke only", async () => {
    // Prepare
    const somersetId = await submit('admit-friday-night.json');
    const bristolId = await submit('weapons-possession-bristol.json');
    await Promise.all([routed(somersetId), routed(bristolId)]);
    await projectionQueueDrained(runtime);
    const query = 'groupBy=spoke,pathway&from=2020-01&to=2022-12';
    const period = `groupBy=spoke,pathway`;
    const hubRows = await metricsOnce((all) => all.some((row) => row.group.spoke === 'bristol'));

    // Act
    const somerset = await call(
      { spoke: 'somerset' },
      'GET',
      `/v1/spokes/somerset/metrics?${period}`,
    );
    const old = await call({ spoke: 'somerset' }, 'GET', `/v1/spokes/somerset/metrics?${query}`);
    const otherSpoke = await call({ spoke: 'bristol' }, 'GET', '/v1/spokes/somerset/metrics');
    const others = await Promise.all(
      [hub, { provider }, { organisation: 'musgrove-park-hospital-ae' }].map((as) =>
        call(as, 'GET', '/v1/spokes/somerset/metrics'),
      ),
    );
    const widened = await call(
      { spoke: 'somerset' },
      'GET',
      '/v1/spokes/somerset/metrics?spoke=bristol',
    );

    // Assess
    expect(somerset.status).toBe(200);
    expect(somerset.body.spoke).toBe('somerset');
    expect(somerset.body.rows).toEqual(hubRows.filter((row) => row.group.spoke === 'somerset'));
    expect((somerset.body.rows as Row[]).length).toBeGreaterThan(0);
    expect(old.body.rows).toEqual([]);
    expect(otherSpoke.status).toBe(403);
    expect(otherSpoke.body).toMatchObject({ title: 'Not allowed' });
    expect(others.map((answer) => answer.status)).toEqual([403, 403, 403]);
    expect(widened.status).toBe(400);
    expect(widened.body.errors).toEqual([expect.objectContaining({ pointer: '/spoke' })]);
  });

  it('answers only the hub: 401 without a token, 403 to a provider', async () => {
    // Act
    const unsigned = await call(undefined, 'GET', '/v1/hub/metrics');
    const asProvider = await call({ provider }, 'GET', '/v1/hub/metrics');
    const badQuery = await call(hub, 'GET', '/v1/hub/metrics?groupBy=postcode');

    // Assess
    expect(unsigned.status).toBe(401);
    expect(asProvider.status).toBe(403);
    expect(asProvider.body).toMatchObject({ title: 'Not allowed' });
    expect(badQuery.status).toBe(400);
  });

  it('holds no personal data: no name, date of birth, postcode or summary from any example', async () => {
    // Prepare
    const examples = exampleFileNames().map(exampleReferral);
    await Promise.all(examples.map((example) => postReferral(runtime, example)));
    const personal = examples.flatMap((example) =>
      personalStrings([example.subject, example.referrer, example.summary]),
    );
    await projectionQueueDrained(runtime);

    // Act
    const responses = await Promise.all([
      ...['', '?groupBy=spoke,pathway,provider,month', '?groupBy=quarter'].map((query) =>
        call(hub, 'GET', `/v1/hub/metrics${query}`),
      ),
      // And every spoke's view of the same figures.
      ...avonAndSomerset.spokes.map(({ id }) =>
        call({ spoke: id }, 'GET', `/v1/spokes/${id}/metrics?groupBy=pathway,provider,month`),
      ),
    ]);

    // Assess
    expect(personal.length).toBeGreaterThan(10);
    for (const response of responses) {
      expect(response.status).toBe(200);
      for (const value of personal) expect(response.text).not.toContain(value);
    }
  });

  it('computes the quarterly return as JSON and CSV, with rows, subtotals and totals that add up', async () => {
    // Prepare
    // This month's financial quarter, "2026/27 Q3", asked for as "2026-Q3".
    const label = quarterOf(monthOf(new Date().toISOString()));
    const period = `${label.slice(0, 4)}-${label.slice(-2)}`;
    const referralId = await submit('care-leaver-south-glos.json');
    await routed(referralId);
    await projectionQueueDrained(runtime);

    // Act
    const asJson = await call(hub, 'GET', `/v1/hub/returns/${period}`);
    const asCsv = await call(hub, 'GET', `/v1/hub/returns/${period}?format=csv`);
    const badPeriod = await call(hub, 'GET', '/v1/hub/returns/2026-Q5');
    const asProvider = await call({ provider }, 'GET', `/v1/hub/returns/${period}`);

    // Assess
    const computed = asJson.body as {
      rows: { spoke: string; referrals: number; engaged: number }[];
      totals: { referrals: number; engaged: number };
      bySpoke: { spoke: string; referrals: number }[];
    };
    expect(asJson.status).toBe(200);
    expect(computed.rows.length).toBeGreaterThan(0);
    const sum = (values: number[]) => values.reduce((total, value) => total + value, 0);
    expect(sum(computed.rows.map((row) => row.referrals))).toBe(computed.totals.referrals);
    expect(sum(computed.rows.map((row) => row.engaged))).toBe(computed.totals.engaged);
    expect(sum(computed.bySpoke.map((row) => row.referrals))).toBe(computed.totals.referrals);
    expect(computed.rows).toContainEqual(
      expect.objectContaining({ spoke: 'south-gloucestershire', pathway: 'care-leaver-mentoring' }),
    );
    expect(asCsv.status).toBe(200);
    expect(asCsv.text.split('\r\n')[0]).toBe(
      'Period,Spoke,Pathway,Referrals,Engaged,Engagement rate,Interventions delivered',
    );
    expect(asCsv.text).toContain('All spokes,All pathways');
    expect(badPeriod.status).toBe(400);
    expect(asProvider.status).toBe(403);
  });
});
