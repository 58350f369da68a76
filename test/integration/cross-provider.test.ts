import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { eventually, projectionQueueDrained, storedReferral } from '#test/helpers/runtime.ts';
import { fillPath, tokenRoutes, type TokenRoute } from '#test/helpers/token-routes.ts';
import { referralPartition, tableKey } from '#shared/table/layout.ts';

/** Each provider with an example referral its spoke's routing sends to it. */
const examplesByProvider: Record<string, string> = {
  'turning-point-admit': 'admit-friday-night.json',
  'bristol-safer-options': 'weapons-possession-bristol.json',
  'st-giles-sos': 'sos-exploitation-north-somerset.json',
  'project-28': 'project28-bath.json',
  'south-glos-care-leaver-mentoring': 'care-leaver-south-glos.json',
};
const providers = Object.keys(examplesByProvider);
const referralsPerProvider = 3;

/**
 * What a provider can do to one referral: every provider route of the template naming a
 * `{referralId}` (read, lease, accept, decline, contact attempt, engaged, close, reroute), each
 * with a body its handler takes, so that only whose referral it is could stop it.
 */
const actions = tokenRoutes().filter(
  (route) => route.role === 'provider' && route.path.includes('{referralId}'),
);
const bodies: Record<string, (attacker: string) => unknown> = {
  '{referralId}': () => undefined,
  lease: () => undefined,
  accept: () => undefined,
  decline: () => ({ reason: 'no-capacity' }),
  'contact-attempts': () => ({
    method: 'phone',
    result: 'reached',
    attemptedAt: new Date().toISOString(),
  }),
  engaged: () => undefined,
  close: () => ({ outcome: 'completed' }),
  // The boldest: sending another's referral to yourself.
  reroute: (attacker) => ({ toProviderId: attacker }),
};
const actionName = (route: TokenRoute) => route.path.split('/').at(-1) ?? '';

/** Ids a provider might guess: sequential-looking ones (valid UUIDs) and random ones. */
const sequentialIds = [1, 2, 3].map(
  (n) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
);
const randomIds = [randomUUID(), randomUUID()];
/** A real id's neighbour: its last hex digit moved on by one. */
const neighbourOf = (id: string) =>
  id.slice(0, -1) + ((parseInt(id.slice(-1), 16) + 1) % 16).toString(16);

let runtime: Runtime;
/** Each provider's referrals, in the states the preparation leaves them. */
const owned = new Map<string, string[]>();

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
});

afterAll(async () => {
  await runtime?.stop();
});

interface Answer {
  status: number;
  contentType: string;
  body: Record<string, unknown>;
}

async function call(
  as: string,
  action: TokenRoute,
  pathProvider: string,
  referralId: string,
): Promise<Answer> {
  const body = bodies[actionName(action)]?.(as);
  const token = await signLocalToken({ provider: as });
  const response = await fetch(
    `${runtime.url}${fillPath(action.path, { providerId: pathProvider, referralId })}`,
    {
      method: action.method,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    },
  );
  const text = await response.text();
  return {
    status: response.status,
    contentType: response.headers.get('content-type') ?? '',
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** An answer with the referral id asked about taken out: what it says of anything else. */
const shape = (answer: Answer, referralId: string) =>
  JSON.parse(JSON.stringify(answer).replaceAll(referralId, '<referralId>')) as unknown;

/** Runs `work` over `items`, `limit` at a time. */
async function inBatches<T, R>(items: T[], limit: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  return results;
}

/** Every item of every referral (the referral, its leases and transitions), by key. */
async function referralItems(): Promise<Map<string, Record<string, unknown>>> {
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  const items = new Map<string, Record<string, unknown>>();
  try {
    let start: Record<string, unknown> | undefined;
    do {
      const page = await documents.send(
        new ScanCommand({
          TableName: runtime.tableNames[0],
          FilterExpression: `begins_with(${tableKey.partitionKey}, :referral)`,
          ExpressionAttributeValues: { ':referral': referralPartition('') },
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? [])
        items.set(`${item[tableKey.partitionKey]}|${item[tableKey.sortKey]}`, item);
      start = page.LastEvaluatedKey;
    } while (start);
  } finally {
    documents.destroy();
  }
  return items;
}

/** Submits a provider's referrals and takes them to routed, accepted, and contact attempted. */
async function prepare(provider: string): Promise<string[]> {
  const ids: string[] = [];
  for (let n = 0; n < referralsPerProvider; n++) {
    const example = exampleReferral(examplesByProvider[provider]!);
    const response = await postReferral(runtime, example);
    expect(response.status).toBe(202);
    ids.push(((await response.json()) as { referralId: string }).referralId);
  }
  for (const id of ids) {
    await eventually(`${id} routed to ${provider}`, async () => {
      const item = await storedReferral(runtime, id);
      return item?.providerId === provider && item.status === 'routed' ? true : undefined;
    });
  }
  const [, accepted, contacted] = ids;
  const [accept] = actions.filter((action) => actionName(action) === 'accept');
  const [contact] = actions.filter((action) => actionName(action) === 'contact-attempts');
  for (const id of [accepted, contacted]) {
    expect((await call(provider, accept!, provider, id!)).status).toBe(200);
  }
  expect((await call(provider, contact!, provider, contacted!)).status).toBe(200);
  return ids;
}

const referralCount = providers.length * referralsPerProvider;
const othersReferrals = referralCount - referralsPerProvider;
const guessed = sequentialIds.length + randomIds.length + referralsPerProvider;
const callCount =
  providers.length * actions.length * (2 * othersReferrals + providers.length * guessed);

describe('one provider and another’s referrals, on the embedded runtime', () => {
  it(`answers 404 as for a referral that does not exist, and changes nothing: ${providers.length} providers × ${referralCount} referrals × ${actions.length} actions, ${callCount} calls`, async () => {
    // Prepare
    for (const provider of providers) owned.set(provider, await prepare(provider));
    await projectionQueueDrained(runtime);
    const before = await referralItems();
    const ownerOf = new Map(
      [...owned].flatMap(([provider, ids]) => ids.map((id) => [id, provider] as const)),
    );
    type Case = { as: string; action: TokenRoute; pathProvider: string; referralId: string };
    const cases: Case[] = [];
    for (const as of providers) {
      const theirs = [...ownerOf].filter(([, owner]) => owner !== as);
      // Guesses: sequential-looking, random, and neighbours of its own real ids.
      const guesses = [...sequentialIds, ...randomIds, ...(owned.get(as) ?? []).map(neighbourOf)];
      for (const action of actions) {
        for (const [referralId, owner] of theirs) {
          cases.push({ as, action, pathProvider: owner, referralId }); // on the owner's path
          cases.push({ as, action, pathProvider: as, referralId }); // on its own path
        }
        for (const pathProvider of providers) {
          for (const referralId of guesses) cases.push({ as, action, pathProvider, referralId });
        }
      }
    }

    // Act
    const answers = await inBatches(cases, 8, (c) =>
      call(c.as, c.action, c.pathProvider, c.referralId),
    );
    // What the same call says of an id nobody holds, once per caller, path and action.
    const keyOf = (c: Case) => `${c.as}|${c.pathProvider}|${c.action.routeKey}`;
    const unheld = [...new Map(cases.map((c) => [keyOf(c), c])).values()].map((c) => ({
      ...c,
      referralId: randomUUID(),
    }));
    const nobodys = new Map(
      (
        await inBatches(unheld, 8, async (c) => ({
          key: keyOf(c),
          id: c.referralId,
          answer: await call(c.as, c.action, c.pathProvider, c.referralId),
        }))
      ).map(({ key, ...rest }) => [key, rest]),
    );
    await projectionQueueDrained(runtime);
    const after = await referralItems();

    // Assess
    // The matrix: per caller and owner, the calls that answered anything but "not found".
    const matrix = Object.fromEntries(
      providers.map((as) => [as, Object.fromEntries(providers.map((owner) => [owner, 0]))]),
    );
    cases.forEach((c, i) => {
      const nobody = nobodys.get(keyOf(c))!;
      const same = isDeepStrictEqual(
        shape(answers[i]!, c.referralId),
        shape(nobody.answer, nobody.id),
      );
      const owner = ownerOf.get(c.referralId) ?? c.pathProvider;
      if (answers[i]!.status !== 404 || !same) matrix[c.as]![owner]! += 1;
    });
    expect(cases).toHaveLength(callCount);
    expect(matrix).toEqual(
      Object.fromEntries(
        providers.map((as) => [as, Object.fromEntries(providers.map((owner) => [owner, 0]))]),
      ),
    );
    expect([...nobodys.values()].every(({ answer }) => answer.status === 404)).toBe(true);
    const changed = [...new Set([...before.keys(), ...after.keys()])].filter(
      (key) => !isDeepStrictEqual(before.get(key), after.get(key)),
    );
    expect(before.size).toBeGreaterThanOrEqual(referralCount);
    expect(changed).toEqual([]);
  });
});
