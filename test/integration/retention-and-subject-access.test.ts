import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DynamoDBClient, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { ScheduledEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '#local/eventbridge/bus.ts';
import { writeRuntimeFile } from '#local/runtime-file.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { runSubjectAccessRequest } from '#local/sar.ts';
import { monthOf } from '#shared/domain/hub-metrics.ts';
import type { SubjectAccessExport } from '#shared/services/subject-access.ts';
import { exampleReferral, personalValuesOfExample } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import {
  eventually,
  projectionQueueDrained,
  rawTableItems,
  searchableText,
  storedReferral,
  callAs,
  type Caller,
} from '#test/helpers/runtime.ts';
import { lambdaContext } from '#test/unit/functions/builders.ts';
import {
  keyAttributeNames,
  personalIndexAttributes,
  referralPartition,
  tableKey,
  withoutTableAttributes,
} from '#shared/table/layout.ts';

const day = 24 * 60 * 60 * 1000;
const riley = { givenName: 'Riley', familyName: "O'Sample", dateOfBirth: '2010-06-01' };
const alex = { givenName: 'Alex', familyName: 'Specimen', dateOfBirth: '2010-06-01' };
const declineDetails = 'Seeded decline: Riley already has a mentor at school';

/** An example sent about someone else: the same case, another young person and summary. */
function about(
  example: string,
  subject: typeof riley,
  postcode: string,
  summary: string,
): Record<string, unknown> {
  return { ...exampleReferral(example), subject: { ...subject, postcode }, summary };
}

// Riley is referred twice (A&E in Somerset, exploitation in North Somerset); Alex, born the same
// day, once. Only Riley asks.
const submissions = {
  rileyAdmit: about(
    'admit-friday-night.json',
    riley,
    'TA2 7PQ',
    'Seeded for subject access: came in after a fall at the skatepark, alert.',
  ),
  rileySos: about(
    'sos-exploitation-north-somerset.json',
    riley,
    'BS23 1AA',
    'Seeded for subject access: seen with older boys at the station most evenings.',
  ),
  alexAdmit: about(
    'admit-friday-night.json',
    alex,
    'TA1 4DY',
    'Seeded for another young person: a cut hand from a broken bottle.',
  ),
};
type Seed = keyof typeof submissions;

let runtime: Runtime;
let runtimeDirectory: string;
let runtimeFile: string;
const ids = {} as Record<Seed, string>;

beforeAll(async () => {
  // No schedule fires on its own here: the test runs the retention sweep itself, and the deadline
  // sweep must not flag anything once the clock moves three years on.
  runtime = await startRuntime({ port: 0, scheduleEveryMs: 2 ** 31 - 1 });
  runtimeDirectory = mkdtempSync(path.join(tmpdir(), 'reachable-sar-'));
  runtimeFile = path.join(runtimeDirectory, 'runtime.json');
  writeRuntimeFile(runtime, runtimeFile);
  await seed();
});

afterAll(async () => {
  await runtime?.stop();
  if (runtimeDirectory) rmSync(runtimeDirectory, { recursive: true, force: true });
});

const call = (as: Caller | undefined, method: string, route: string, body?: unknown) =>
  callAs(runtime, as, method, route, body);

const providerPath = (provider: string, referralId: string) =>
  `/v1/providers/${provider}/referrals/${referralId}`;

/** `npm run sar` against this runtime: its exit code, and what it printed. */
async function sar(args: string[]) {
  const printed: string[] = [];
  const errors: string[] = [];
  const code = await runSubjectAccessRequest(args, {
    runtimeFile,
    print: (text) => printed.push(text),
    printError: (text) => errors.push(text),
  });
  return { code, printed: printed.join('\n'), errors: errors.join('\n') };
}

const sarArgs = (subject: typeof riley) => [
  '--given-name',
  subject.givenName,
  '--family-name',
  subject.familyName,
  '--dob',
  subject.dateOfBirth,
];

/** Everything under a referral's key, as stored (the document client's plain values). */
async function partition(referralId: string): Promise<Record<string, unknown>[]> {
  const client = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  try {
    const { Items = [] } = await client.send(
      new QueryCommand({
        TableName: runtime.tableNames[0],
        KeyConditionExpression: `${tableKey.partitionKey} = :pk`,
        ExpressionAttributeValues: { ':pk': referralPartition(referralId) },
        ConsistentRead: true,
      }),
    );
    return Items;
  } finally {
    client.destroy();
  }
}

/** Every leaf of a JSON value with its path. */
function leaves(value: unknown, at: string[] = []): [string[], unknown][] {
  if (Array.isArray(value) || (value !== null && typeof value === 'object')) {
    return Object.entries(value).flatMap(([key, item]) => leaves(item, [...at, key]));
  }
  return [[at, value]];
}

const valueAt = (value: unknown, at: string[]) =>
  at.reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], value);

interface MetricsRow {
  group: Record<string, string>;
  [figure: string]: unknown;
}

/** The hub's rows for this month by spoke, pathway and provider, with the waiting lists. */
async function hubRows(): Promise<MetricsRow[]> {
  await projectionQueueDrained(runtime);
  const month = monthOf(new Date().toISOString());
  const { status, body } = await call(
    { hub: 'avon-and-somerset' },
    'GET',
    `/v1/hub/metrics?from=${month}&to=${month}&groupBy=spoke,pathway,provider`,
  );
  expect(status).toBe(200);
  return (body as { rows: MetricsRow[] }).rows;
}

/**
 * Riley's two referrals and Alex's one, through the API, worked by their providers: Riley's
 * A&E referral accepted, contacted twice and engaged, the SOS one declined with free text;
 * Alex's accepted and closed.
 */
async function seed(): Promise<void> {
  const asAdmit = { provider: 'turning-point-admit' };
  const asSos = { provider: 'st-giles-sos' };

  for (const [seed, body] of Object.entries(submissions) as [Seed, unknown][]) {
    const response = await postReferral(runtime, body);
    expect(response.status).toBe(202);
    ids[seed] = String(((await response.json()) as { referralId: string }).referralId);
  }
  for (const referralId of Object.values(ids)) {
    await eventually(`routing of ${referralId}`, async () =>
      (await storedReferral(runtime, referralId))?.routing ? true : undefined,
    );
  }
  const rileyAdmit = providerPath('turning-point-admit', ids.rileyAdmit);
  const alexAdmit = providerPath('turning-point-admit', ids.alexAdmit);
  // Attempts happen after receipt, the second a moment after the first.
  const at = (secondsOn: number) => new Date(Date.now() + secondsOn * 1000).toISOString();
  const steps = [
    await call(asAdmit, 'POST', `${rileyAdmit}/accept`),
    await call(asAdmit, 'POST', `${rileyAdmit}/contact-attempts`, {
      method: 'phone',
      result: 'no-answer',
      attemptedAt: at(0),
    }),
    await call(asAdmit, 'POST', `${rileyAdmit}/contact-attempts`, {
      method: 'in-person',
      result: 'reached',
      attemptedAt: at(1),
    }),
    await call(asAdmit, 'POST', `${rileyAdmit}/engaged`),
    await call(asSos, 'POST', `${providerPath('st-giles-sos', ids.rileySos)}/decline`, {
      reason: 'other',
      details: declineDetails,
    }),
    await call(asAdmit, 'POST', `${alexAdmit}/accept`),
    await call(asAdmit, 'POST', `${alexAdmit}/close`, { outcome: 'moved-away' }),
  ];

  expect(steps.map((step) => step.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
  await projectionQueueDrained(runtime);
}

describe('subject access and retention, on the embedded runtime', () => {
  it('exports everything held about Riley: every field sent, every transition, nothing about Alex', async () => {
    // Prepare
    const asked = sarArgs({
      givenName: ' RILEY ',
      familyName: 'o’sample',
      dateOfBirth: riley.dateOfBirth,
    });

    // Act
    const { code, printed } = await sar(asked);

    // Assess
    expect(code).toBe(0);
    const found = JSON.parse(printed) as SubjectAccessExport;
    expect(found.referrals.map((r) => r.referralId).sort()).toEqual(
      [ids.rileyAdmit, ids.rileySos].sort(),
    );
    for (const seed of ['rileyAdmit', 'rileySos'] as const) {
      const exported = found.referrals.find((r) => r.referralId === ids[seed])!;
      // Every field of the submission: pathway and spoke on the referral, the rest personal.
      for (const [at, value] of leaves(submissions[seed])) {
        const [first = ''] = at;
        const held = ['pathway', 'spoke'].includes(first)
          ? valueAt(exported.referral, at)
          : valueAt(exported.referral.personal, at);
        expect(held, `${seed} ${at.join('.')}`).toEqual(value);
      }
      // Every item under the referral's key: the referral's own attributes, each transition,
      // each of the hub's markers.
      const stored = await partition(ids[seed]);
      const referralItem = stored.find((item) => item.entity === 'referral')!;
      const bookkeeping = new Set([
        ...keyAttributeNames,
        'entity',
        'personalSealed',
        'declineDetailsSealed',
        'decline',
      ]);
      for (const [name, value] of Object.entries(referralItem)) {
        if (bookkeeping.has(name)) continue;
        expect(exported.referral[name], `${seed} ${name}`).toEqual(value);
      }
      const transitions = stored
        .filter((item) => item.entity === 'transition')
        .map(withoutTableAttributes);
      // Received and routed are on the referral's own item; each change after has a record.
      expect(transitions.length).toBeGreaterThanOrEqual(1);
      expect(exported.transitions).toEqual(expect.arrayContaining(transitions));
      expect(exported.transitions).toHaveLength(transitions.length);
      expect(exported.hubProjection).toEqual(
        stored.filter((item) => !['referral', 'transition'].includes(String(item.entity))),
      );
      expect(exported.referral.routing).toEqual(referralItem.routing);
    }
    const sos = found.referrals.find((r) => r.referralId === ids.rileySos)!;
    expect(sos.referral.decline).toEqual({ reason: 'other', details: declineDetails });
    expect(printed).not.toContain(ids.alexAdmit);
    for (const value of personalValuesOfExample(submissions.alexAdmit)) {
      if (!personalValuesOfExample(submissions.rileyAdmit).includes(value)) {
        expect(printed).not.toContain(value);
      }
    }
  });

  it('answers a request it cannot take with a usage message, and no runtime with a hint', async () => {
    // Prepare
    const missingDate = ['--given-name', 'Riley', '--family-name', "O'Sample"];
    const noRuntime = path.join(runtimeDirectory, 'absent.json');

    // Act
    const refused = await sar(missingDate);
    const absent = await runSubjectAccessRequest(sarArgs(riley), {
      runtimeFile: noRuntime,
      print: () => undefined,
      printError: () => undefined,
    });

    // Assess
    expect(refused.code).toBe(2);
    expect(refused.errors).toContain('--dob');
    expect(refused.printed).toBe('');
    expect(absent).toBe(2);
  });

  it(
    'erases personal data past retention, with a fake clock: the anonymous rest and the aggregates stay, and a re-run changes nothing',
    { timeout: 180_000 },
    async () => {
      // Prepare
      const rowsBefore = await hubRows();
      const itemsBefore = await rawTableItems(runtime);
      const referralIds = Object.values(ids);
      const isReferral = (item: Record<string, AttributeValue>) => item.entity?.S === 'referral';
      const keyOf = (item: Record<string, AttributeValue>) =>
        `${item[tableKey.partitionKey]?.S}|${item[tableKey.sortKey]?.S}`;
      const events: BusEvent[] = [];
      const stopObserving = runtime.eventBridge.observe((event) => events.push(event));
      // Three years (the pathways' retention) and two days on.
      const later = new Date(Date.now() + (3 * 365 + 2) * day);
      const { handler } = await import('#functions/retention-sweep/handler.ts');
      // What the daily rule sends; the test runs the sweep itself instead of waiting a day.
      const sweep = () =>
        handler(
          {
            version: '0',
            id: `retention-sweep-${Date.now()}`,
            'detail-type': 'Scheduled Event',
            source: 'aws.events',
            account: '000000000000',
            time: new Date().toISOString(),
            region: 'eu-west-2',
            resources: [],
            detail: {},
          } as ScheduledEvent,
          lambdaContext('retention-sweep'),
        );

      // Act
      let first: Awaited<ReturnType<typeof sweep>>;
      let again: Awaited<ReturnType<typeof sweep>>;
      let itemsAfter: Record<string, AttributeValue>[];
      let itemsAfterAgain: Record<string, AttributeValue>[];
      let shown: Awaited<ReturnType<typeof call>>;
      let toOther: Awaited<ReturnType<typeof call>>;
      let toReferrer: Awaited<ReturnType<typeof call>>;
      let asked: Awaited<ReturnType<typeof sar>>;
      try {
        const moved = await call(undefined, 'PUT', '/_local/clock', { at: later.toISOString() });
        expect(moved.status).toBe(200);
        first = await sweep();
        itemsAfter = await rawTableItems(runtime);
        shown = await call(
          { provider: 'turning-point-admit' },
          'GET',
          providerPath('turning-point-admit', ids.rileyAdmit),
        );
        toOther = await call(
          { provider: 'st-giles-sos' },
          'GET',
          providerPath('st-giles-sos', ids.rileyAdmit),
        );
        toReferrer = await call(
          { organisation: 'musgrove-park-hospital-ae' },
          'GET',
          `/v1/organisations/musgrove-park-hospital-ae/referrals/${ids.rileyAdmit}`,
        );
        asked = await sar(sarArgs(riley));
        again = await sweep();
        itemsAfterAgain = await rawTableItems(runtime);
        await runtime.eventBridge.drain();
      } finally {
        stopObserving();
        await call(undefined, 'PUT', '/_local/clock', { at: null });
      }
      const rowsAfter = await hubRows();

      // Assess
      expect(first).toEqual({ expired: referralIds.length, erased: referralIds.length });
      // Erasing is not a lifecycle change: nothing published, nothing counted again.
      expect(events).toEqual([]);
      expect(rowsAfter).toEqual(rowsBefore);
      expect(rowsBefore.length).toBeGreaterThan(0);

      // Each referral keeps its anonymous attributes, and only them, with when it was erased.
      const erasedAttributes = [
        'personalSealed',
        'declineDetailsSealed',
        'subjectIndex',
        'expiresAt',
        ...personalIndexAttributes,
      ];
      const byKey = (items: Record<string, AttributeValue>[]) =>
        new Map(items.map((item) => [keyOf(item), item]));
      const before = byKey(itemsBefore);
      for (const item of itemsAfter.filter(isReferral)) {
        const key = keyOf(item);
        const { erasedAt, ...kept } = unmarshall(item);
        const held = unmarshall(before.get(key)!);
        expect(held.personalSealed, key).toBeInstanceOf(Uint8Array);
        expect(Date.parse(String(erasedAt)), key).toBeGreaterThan(Date.now() + 1000 * day);
        const anonymous = Object.fromEntries(
          Object.entries(held).filter(([name]) => !erasedAttributes.includes(name)),
        );
        expect(kept, key).toEqual(anonymous);
      }
      expect(itemsAfter.filter(isReferral)).toHaveLength(referralIds.length);
      // Transitions, aggregates and markers are untouched.
      expect(itemsAfter.filter((item) => !isReferral(item))).toEqual(
        expect.arrayContaining(itemsBefore.filter((item) => !isReferral(item))),
      );
      expect(itemsAfter).toHaveLength(itemsBefore.length);
      // Nothing sealed is left, and no personal value anywhere.
      const personal = [
        ...Object.values(submissions).flatMap(personalValuesOfExample),
        declineDetails,
      ];
      const text = itemsAfter.map(searchableText).join('\n');
      expect(itemsAfter.flatMap((item) => Object.values(item)).some((v) => v.B)).toBe(false);
      for (const value of personal) expect(text).not.toContain(value);

      // The provider is told it is gone; another provider learns nothing; the referrer still
      // sees status and dates; a subject access request finds nothing.
      expect(shown.status).toBe(410);
      expect(shown.body).toMatchObject({ type: 'https://reachable.dev/problems/gone' });
      expect(toOther.status).toBe(404);
      expect(toReferrer.status).toBe(200);
      expect(toReferrer.body).toMatchObject({ referral: { status: 'engaged' } });
      expect(asked.code).toBe(0);
      expect((JSON.parse(asked.printed) as SubjectAccessExport).referrals).toEqual([]);

      // Again: nothing left to erase, nothing changed.
      expect(again).toEqual({ expired: 0, erased: 0 });
      expect(itemsAfterAgain).toEqual(expect.arrayContaining(itemsAfter));
      expect(itemsAfterAgain).toHaveLength(itemsAfter.length);
    },
  );
});
