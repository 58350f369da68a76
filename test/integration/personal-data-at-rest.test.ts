import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { newWebhookSecret } from '#local/webhook-secrets.ts';
import {
  exampleFileNames,
  exampleReferral,
  personalValuesOfExample,
} from '#test/helpers/examples.ts';
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
import { signedHeaders } from '#test/helpers/webhooks.ts';
import { referralKey, referralPartition, tableKey } from '#shared/table/layout.ts';

const hospital = 'musgrove-park-hospital-ae';
const hospitalSecret = newWebhookSecret();
const declineDetails = 'Seeded free text: the family are moving to Leeds on Friday';

let runtime: Runtime;
/** Referral ids by the example they were made from. */
const submitted = new Map<string, string>();
let webhookReferralId: string;

beforeAll(async () => {
  runtime = await startRuntime({
    port: 0,
    environment: { WEBHOOK_SECRETS_JSON: JSON.stringify({ [hospital]: [hospitalSecret] }) },
  });
});

afterAll(async () => {
  await runtime?.stop();
});

const call = (as: Caller | undefined, method: string, route: string, body?: unknown) =>
  callAs(runtime, as, method, route, body);

async function routed(referralId: string) {
  return eventually(`routing of ${referralId}`, async () => {
    const item = await storedReferral(runtime, referralId);
    return item?.routing ? item : undefined;
  });
}

const idOf = (example: string) => submitted.get(example) ?? '';
const providerPath = (provider: string, referralId: string) =>
  `/v1/providers/${provider}/referrals/${referralId}`;

/** The document client of the runtime's DynamoDB Local, for reading and tampering as a test. */
function documents() {
  return DynamoDBDocumentClient.from(new DynamoDBClient({}));
}

describe('personal data at rest, through the whole flow', () => {
  it(
    'is sealed in every item: a raw dump of the table finds no name, date of birth, postcode, contact detail or free text',
    { timeout: 240_000 },
    async () => {
      // Prepare
      const names = exampleFileNames();
      const personal = [
        ...new Set([
          ...names.flatMap((name) => personalValuesOfExample(exampleReferral(name))),
          declineDetails,
        ]),
      ];

      // Act
      // Every example through the API, and one through a signed webhook.
      for (const name of names) {
        const response = await postReferral(runtime, exampleReferral(name));
        expect(response.status).toBe(202);
        submitted.set(name, String(((await response.json()) as { referralId: string }).referralId));
      }
      const webhookBody = JSON.stringify(exampleReferral('admit-friday-night.json'));
      const delivered = await fetch(`${runtime.url}/v1/webhooks/${hospital}/referrals`, {
        method: 'POST',
        headers: signedHeaders(hospitalSecret, webhookBody, { id: `msg_at_rest_${Date.now()}` }),
        body: webhookBody,
      });
      expect(delivered.status).toBe(202);
      webhookReferralId = String(((await delivered.json()) as { referralId: string }).referralId);
      for (const referralId of [...submitted.values(), webhookReferralId]) await routed(referralId);

      // Admit is worked to the end; Project 28 declines with free text; SOS is accepted; the
      // care leaver's referral is withdrawn by the team that sent it.
      const admit = providerPath('turning-point-admit', idOf('admit-friday-night.json'));
      const asAdmit = { provider: 'turning-point-admit' };
      const project28 = providerPath('project-28', idOf('project28-bath.json'));
      const sos = providerPath('st-giles-sos', idOf('sos-exploitation-north-somerset.json'));
      const organisation = 'south-glos-leaving-care-team';
      const steps = [
        await call(asAdmit, 'POST', `${admit}/accept`),
        await call(asAdmit, 'POST', `${admit}/contact-attempts`, {
          method: 'phone',
          result: 'reached',
          attemptedAt: new Date().toISOString(),
        }),
        await call(asAdmit, 'POST', `${admit}/engaged`),
        await call(asAdmit, 'POST', `${admit}/close`, { outcome: 'completed' }),
        await call({ provider: 'project-28' }, 'POST', `${project28}/decline`, {
          reason: 'other',
          details: declineDetails,
        }),
        await call({ provider: 'st-giles-sos' }, 'POST', `${sos}/accept`),
        await call(
          { organisation },
          'POST',
          `/v1/organisations/${organisation}/referrals/${idOf('care-leaver-south-glos.json')}/withdraw`,
        ),
      ];
      expect(steps.map((step) => step.status)).toEqual([200, 200, 200, 200, 200, 200, 200]);
      await projectionQueueDrained(runtime);
      const items = await rawTableItems(runtime);

      // Assess
      expect(personal.length).toBeGreaterThan(40);
      const referralItems = items.filter((item) => item.entity?.S === 'referral');
      expect(referralItems).toHaveLength(names.length + 1);
      // Each referral holds its personal data sealed, and nothing of it in the clear.
      for (const item of referralItems) {
        expect(item.personalSealed?.B, item[tableKey.partitionKey]?.S).toBeInstanceOf(Uint8Array);
        expect(item.subjectIndex?.S, item[tableKey.partitionKey]?.S).toMatch(/^[A-Za-z0-9_-]{43}$/);
        expect(item, item[tableKey.partitionKey]?.S).not.toHaveProperty('personal');
      }
      const declined = referralItems.find(
        (item) => item[tableKey.partitionKey]?.S === referralPartition(idOf('project28-bath.json')),
      );
      expect(declined?.declineDetailsSealed?.B).toBeInstanceOf(Uint8Array);
      expect(declined?.decline?.M).toEqual({ reason: { S: 'other' } });
      // Referrals, transitions, aggregates, markers, delivery records and the provider's read
      // records: none holds a value.
      expect(new Set(items.map((item) => item.entity?.S))).toEqual(
        new Set([
          'referral',
          'transition',
          'aggregate',
          'counted-fact',
          'hub-stage',
          'webhook-delivery',
          'audit-read',
        ]),
      );
      const leaks = items.flatMap((item) => {
        const text = searchableText(item);
        return personal
          .filter((value) => text.includes(value))
          .map(
            (value) =>
              `${item[tableKey.partitionKey]?.S} ${item[tableKey.sortKey]?.S} holds "${value}"`,
          );
      });
      expect(leaks).toEqual([]);
    },
  );

  it('is opened for the provider the referral is routed to: the case and the decline in full', async () => {
    // Prepare
    const example = exampleReferral('project28-bath.json') as {
      subject: Record<string, string>;
      summary: string;
    };

    // Act
    const shown = await call(
      { provider: 'project-28' },
      'GET',
      providerPath('project-28', idOf('project28-bath.json')),
    );

    // Assess
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({
      referral: {
        status: 'declined',
        subject: example.subject,
        summary: example.summary,
        decline: { reason: 'other', details: declineDetails },
      },
    });
  });

  it('cannot be moved: a seal copied onto another referral is refused, and shows nothing', async () => {
    // Prepare
    const client = documents();
    const key = (referralId: string) => referralKey(referralId);
    const target = idOf('admit-friday-night.json');
    const tableName = runtime.tableNames[0];
    const read = async (referralId: string) =>
      (await client.send(new GetCommand({ TableName: tableName, Key: key(referralId) }))).Item;
    const own = (await read(target))?.personalSealed as Uint8Array;
    const moved = (await read(idOf('sos-exploitation-north-somerset.json')))
      ?.personalSealed as Uint8Array;
    const setSeal = (sealed: Uint8Array) =>
      client.send(
        new UpdateCommand({
          TableName: tableName,
          Key: key(target),
          UpdateExpression: 'SET personalSealed = :sealed',
          ExpressionAttributeValues: { ':sealed': sealed },
        }),
      );
    const asAdmit = { provider: 'turning-point-admit' };
    const sos = exampleReferral('sos-exploitation-north-somerset.json') as {
      subject: { givenName: string; familyName: string };
    };

    // Act
    await setSeal(moved);
    const withMovedSeal = await call(asAdmit, 'GET', providerPath('turning-point-admit', target));
    await setSeal(own);
    const withOwnSeal = await call(asAdmit, 'GET', providerPath('turning-point-admit', target));
    client.destroy();

    // Assess
    expect(withMovedSeal.status).toBe(500);
    expect(withMovedSeal.text).not.toContain(sos.subject.givenName);
    expect(withMovedSeal.text).not.toContain(sos.subject.familyName);
    expect(withOwnSeal.status).toBe(200);
    expect(withOwnSeal.body).toMatchObject({ referral: { subject: { givenName: 'Jordan' } } });
  });
});
