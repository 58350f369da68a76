import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { BusEvent } from '#local/eventbridge/bus.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { eventBridge } from '#shared/adapters/clients.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { injectFault, type Fault } from '#test/helpers/faults.ts';
import {
  destinationQueueUrl,
  eventually,
  messagesInQueue,
  projectionQueueDrained,
  storedReferral,
} from '#test/helpers/runtime.ts';

// The outbox on the embedded runtime: the table's stream drives the publish function, which puts
// each new referral and transition on the bus. Faults are put into the one EventBridge client the
// publish function uses (`shared/adapters/clients.ts`), so the code under test is the real code.

let runtime: Runtime;
/** Every event the bus accepted, in order. */
const published: BusEvent[] = [];
let fault: Fault | undefined;

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
  runtime.eventBridge.observe((event) => published.push(event));
});

afterEach(() => {
  fault?.remove();
  fault = undefined;
});

afterAll(async () => {
  await runtime?.stop();
});

const provider = 'turning-point-admit';
const hub = { hub: 'avon-and-somerset' };

async function call(
  as: { provider: string } | { hub: string } | { organisation: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await signLocalToken(as)}`,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await response.text();
  return {
    status: response.status,
    body: text ? (JSON.parse(text) as Record<string, unknown>) : {},
  };
}

/** Posts the Admit example (Somerset, routed to Turning Point) and returns its id. */
async function submitAdmit(): Promise<string> {
  const body = exampleReferral('admit-friday-night.json') as {
    referrer: { organisationId: string };
  };
  const { status, body: receipt } = await call(
    { organisation: body.referrer.organisationId },
    'POST',
    '/v1/referrals',
    body,
  );
  expect(status).toBe(202);
  return String(receipt.referralId);
}

const publishedFor = (referralId: string, detailType: string) =>
  published.filter(
    (event) =>
      event['detail-type'] === detailType &&
      (event.detail as { referralId?: string }).referralId === referralId,
  );

/** Waits for the referral's routing to be published (it leaves with its receipt). */
async function routed(referralId: string) {
  return eventually(`routing of ${referralId} published`, async () =>
    publishedFor(referralId, 'referral.routed').length > 0 ? true : undefined,
  );
}

const providerQueue = () => destinationQueueUrl(runtime, `provider:${provider}`);

/** How many messages for the referral wait in the provider's queue. */
async function inProviderQueue(referralId: string): Promise<number> {
  const messages = await messagesInQueue(providerQueue());
  return messages.filter((message) => message.referralId === referralId).length;
}

/** How many messages the provider's queue holds (waiting or in flight), without receiving any. */
async function heldInProviderQueue(): Promise<number> {
  const sqs = new SQSClient({});
  try {
    const { Attributes = {} } = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: providerQueue(),
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  } finally {
    sqs.destroy();
  }
}

/** The hub's referred count for Somerset's Admit pathway, once nothing is left to project. */
async function referredAdmitsInSomerset(): Promise<number> {
  await projectionQueueDrained(runtime);
  const { body } = await call(hub, 'GET', '/v1/hub/metrics?spoke=somerset&pathway=admit');
  const rows = body.rows as { referred: number }[];
  return rows.reduce((total, row) => total + row.referred, 0);
}

const pullNext = () => call({ provider }, 'GET', `/v1/providers/${provider}/referrals/next`);

/** Pulls (and so leases) every referral waiting in the provider's queue. */
async function takeEverythingQueued(): Promise<void> {
  let pulled = 0;
  while ((await pullNext()).status === 200) pulled++;
  expect(pulled).toBeLessThan(50);
}

describe('the outbox: a crash after the write and before the publish', () => {
  it('publishes the event once after the restart, and nothing published before the crash again', async () => {
    // Prepare: one referral published before the crash, then the bus out of reach.
    const before = await submitAdmit();
    await routed(before);
    fault = injectFault(eventBridge(), {
      when: 'before',
      matches: ({ commandName }) => commandName === 'PutEventsCommand',
    });
    const referralId = await submitAdmit();
    const failing = fault;
    await eventually('a failed publish', async () => (failing.failed >= 2 ? true : undefined));
    await runtime.stopEventSourceMappings(); // the crash: the record is still being retried
    fault.remove();
    expect(publishedFor(referralId, 'referral.received')).toHaveLength(0);

    // Act
    runtime.startEventSourceMappings();
    await routed(referralId);

    // Assess
    expect(publishedFor(referralId, 'referral.received')).toHaveLength(1);
    expect(publishedFor(before, 'referral.received')).toHaveLength(1);
    expect(await inProviderQueue(referralId)).toBe(1);
    expect(await inProviderQueue(before)).toBe(1);
  });
});

describe('the outbox: a lost PutEvents acknowledgement', () => {
  it('republishes the event, and the referral is in its queue, routed and counted once', async () => {
    // Prepare: the provider has taken what was in its queue; EventBridge takes the next
    // referral's events, and the publisher never hears so.
    await takeEverythingQueued();
    const referredBefore = await referredAdmitsInSomerset();
    const heldBefore = await heldInProviderQueue();
    fault = injectFault(eventBridge(), {
      when: 'after',
      matches: ({ commandName, input }) =>
        commandName === 'PutEventsCommand' && input.includes('referral.received'),
      times: 1,
    });

    // Act
    const referralId = await submitAdmit();
    await routed(referralId);
    await eventually('the republished event', async () =>
      publishedFor(referralId, 'referral.received').length === 2 ? true : undefined,
    );

    // Assess: published twice (two EventBridge ids), delivered twice...
    const twice = publishedFor(referralId, 'referral.received');
    expect(new Set(twice.map((event) => event.id)).size).toBe(2);
    expect(fault.failed).toBe(1);
    await eventually('both deliveries in the provider queue', async () =>
      (await heldInProviderQueue()) >= heldBefore + 2 ? true : undefined,
    );
    expect(await inProviderQueue(referralId)).toBe(2);
    // ...its routing with it, as it was recorded at intake...
    expect(publishedFor(referralId, 'referral.routed')).toHaveLength(2);
    expect((await storedReferral(runtime, referralId))?.routing).toMatchObject({
      routeId: `somerset-${provider}`,
    });
    // ...and de-duplicated by every consumer: one count, handed out once.
    expect(await referredAdmitsInSomerset()).toBe(referredBefore + 1);
    const pulled = await pullNext();
    expect(pulled.status).toBe(200);
    expect(pulled.body.referral).toMatchObject({ referralId });
    const again = await pullNext();
    expect(again.status).toBe(204);
    const accepted = await call(
      { provider },
      'POST',
      `/v1/providers/${provider}/referrals/${referralId}/accept`,
    );
    expect(accepted.status).toBe(200);
    expect(await inProviderQueue(referralId)).toBe(0);
  });
});

describe('the outbox: a restart that lost its stream position', () => {
  it('reads the stream from its oldest record again, and consumers take each referral once', async () => {
    // Prepare
    const referralId = await submitAdmit();
    await routed(referralId);
    const referredBefore = await referredAdmitsInSomerset();
    const receivedBefore = publishedFor(referralId, 'referral.received').length;
    await eventually('its routing published', async () =>
      publishedFor(referralId, 'referral.routed').length === 1 ? true : undefined,
    );
    await runtime.stopEventSourceMappings();

    // Act
    runtime.startEventSourceMappings({ fromTrimHorizon: true });
    // Its referral is the last record of the stream that publishes anything: once its routing
    // is out again, everything is.
    await eventually('the stream published again to its end', async () =>
      publishedFor(referralId, 'referral.routed').length === 2 ? true : undefined,
    );

    // Assess
    expect(receivedBefore).toBe(1);
    expect(publishedFor(referralId, 'referral.received')).toHaveLength(2);
    expect(publishedFor(referralId, 'referral.routed')).toHaveLength(2);
    expect(await referredAdmitsInSomerset()).toBe(referredBefore);
  });
});
