import { format } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { BusEvent } from '#local/eventbridge/bus.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { newWebhookSecret } from '#local/webhook-secrets.ts';
import {
  exampleFileNames,
  exampleReferral,
  personalValuesOfExample as personalValues,
} from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { eventually, storedReferral } from '#test/helpers/runtime.ts';
import { signedHeaders } from '#test/helpers/webhooks.ts';

const hospital = 'musgrove-park-hospital-ae';
const hospitalSecret = newWebhookSecret();
const provider = 'turning-point-admit';

let runtime: Runtime;

beforeAll(async () => {
  runtime = await startRuntime({
    port: 0,
    environment: { WEBHOOK_SECRETS_JSON: JSON.stringify({ [hospital]: [hospitalSecret] }) },
  });
});

afterAll(async () => {
  await runtime?.stop();
});

/**
 * Everything the process writes while it runs: stdout and stderr (where the Powertools logger
 * writes, through its own console) and the global console (which vitest intercepts).
 */
function captureEverything() {
  const chunks: string[] = [];
  const write = (chunk: unknown) => {
    chunks.push(typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString());
    return true;
  };
  const toConsole = (...args: unknown[]) => {
    chunks.push(`${format(...args)}\n`);
  };
  const spies = [
    vi.spyOn(process.stdout, 'write').mockImplementation(write),
    vi.spyOn(process.stderr, 'write').mockImplementation(write),
    ...(['log', 'info', 'warn', 'error', 'debug', 'trace'] as const).map((method) =>
      vi.spyOn(console, method).mockImplementation(toConsole),
    ),
  ];
  return {
    lines: () =>
      chunks
        .join('')
        .split('\n')
        .filter((line) => line.trim() !== ''),
    restore: () => {
      for (const spy of spies) spy.mockRestore();
    },
  };
}

/** The JSON log lines among the captured lines. */
function logRecords(lines: readonly string[]): Record<string, unknown>[] {
  return lines.flatMap((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return parsed && typeof parsed === 'object' ? [parsed as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
}

async function call(
  as: Parameters<typeof signLocalToken>[0],
  method: string,
  path: string,
  body?: unknown,
) {
  const response = await fetch(`${runtime.url}${path}`, {
    method,
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${await signLocalToken(as)}`,
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  return { status: response.status, text: await response.text() };
}

async function submit(body: string, headers: Record<string, string>, path: string) {
  const response =
    path === '/v1/referrals'
      ? await postReferral(runtime, body, { headers })
      : await fetch(`${runtime.url}${path}`, { method: 'POST', headers, body });
  expect(response.status).toBe(202);
  return String(((await response.json()) as { referralId: unknown }).referralId);
}

async function routed(referralId: string) {
  return eventually(`routing of ${referralId}`, async () => {
    const item = await storedReferral(runtime, referralId);
    return item?.routing ? item : undefined;
  });
}

describe('logs and events through the whole flow', () => {
  it('hold no personal value, and each referral’s lines share its referral id', async () => {
    // Prepare
    const names = exampleFileNames();
    const personal = [...new Set(names.flatMap((name) => personalValues(exampleReferral(name))))];
    const events: BusEvent[] = [];
    const stopObserving = runtime.eventBridge.observe((event) => events.push(event));
    const output = captureEverything();
    let lines: string[];
    let engagedId: string;
    let withdrawnId: string;
    let webhookId: string;
    try {
      // Act
      const submitted = new Map<string, string>();
      for (const name of names) {
        const referralId = await submit(
          JSON.stringify(exampleReferral(name)),
          { 'content-type': 'application/json' },
          '/v1/referrals',
        );
        submitted.set(referralId, name);
      }
      const webhookBody = JSON.stringify(exampleReferral('admit-friday-night.json'));
      webhookId = await submit(
        webhookBody,
        signedHeaders(hospitalSecret, webhookBody, { id: `msg_logs_${Date.now()}` }),
        `/v1/webhooks/${hospital}/referrals`,
      );
      for (const referralId of [...submitted.keys(), webhookId]) await routed(referralId);

      engagedId = [...submitted].find(([, name]) => name === 'admit-friday-night.json')?.[0] ?? '';
      const path = `/v1/providers/${provider}/referrals/${engagedId}`;
      const asProvider = { provider };
      const providerCalls = [
        await call(asProvider, 'POST', `${path}/accept`),
        await call(asProvider, 'POST', `${path}/contact-attempts`, {
          method: 'phone',
          result: 'reached',
          attemptedAt: new Date().toISOString(),
        }),
        await call(asProvider, 'POST', `${path}/engaged`),
        await call(asProvider, 'POST', `${path}/close`, { outcome: 'completed' }),
      ];
      expect(providerCalls.map((response) => response.status)).toEqual([200, 200, 200, 200]);

      withdrawnId =
        [...submitted].find(([, name]) => name === 'care-leaver-south-glos.json')?.[0] ?? '';
      const organisation = 'south-glos-leaving-care-team';
      const withdrawal = await call(
        { organisation },
        'POST',
        `/v1/organisations/${organisation}/referrals/${withdrawnId}/withdraw`,
      );
      expect(withdrawal.status).toBe(200);

      // The last events of the flow, projected: everything before them has been logged.
      const projected = (referralId: string, detailType: string) =>
        logRecords(output.lines()).some(
          (record) =>
            record.message === 'Projected' &&
            record.referralId === referralId &&
            record.detailType === detailType,
        ) || undefined;
      await eventually('the close projected', async () => projected(engagedId, 'referral.closed'));
      await eventually('the withdrawal projected', async () =>
        projected(withdrawnId, 'referral.withdrawn'),
      );
      const hub = await call({ hub: 'avon-and-somerset' }, 'GET', '/v1/hub/metrics');
      expect(hub.status).toBe(200);
      await runtime.eventBridge.drain();
    } finally {
      lines = output.lines();
      output.restore();
      stopObserving();
    }

    // Assess
    const records = logRecords(lines);
    const serialisedEvents = events.map((event) => JSON.stringify(event));
    // The capture sees what the logger writes, and the bus observer sees the flow's events.
    expect(personal.length).toBeGreaterThan(40);
    expect(records.length).toBeGreaterThan(30);
    expect(events.length).toBeGreaterThan(20);

    // (a) No personal value in any line or event.
    const leaks = personal.flatMap((value) => [
      ...lines.filter((line) => line.includes(value)).map(() => `a log line holds "${value}"`),
      ...serialisedEvents
        .filter((event) => event.includes(value))
        .map(() => `an event holds "${value}"`),
    ]);
    expect(leaks).toEqual([]);

    // (b) The referral id links intake, publishing, routing, projection and the provider's calls.
    const linesOf = (referralId: string) =>
      records.filter((record) => record.referralId === referralId);
    const messages = (referralId: string) => new Set(linesOf(referralId).map((r) => r.message));
    expect([...messages(engagedId)]).toEqual(
      expect.arrayContaining([
        'Referral received',
        'Published',
        'Projected',
        'Provider command done',
      ]),
    );
    expect([...messages(webhookId)]).toEqual(
      expect.arrayContaining(['Referral received by webhook', 'Published']),
    );
    expect([...messages(withdrawnId)]).toEqual(
      expect.arrayContaining(['Referral received', 'Referral withdrawn', 'Projected']),
    );
    const intakeLine = linesOf(engagedId).find((r) => r.message === 'Referral received');
    // The intake line ties the API Gateway request to the new referral.
    expect(intakeLine?.requestId).toEqual(expect.any(String));
    const providerLines = linesOf(engagedId).filter((r) => r.message === 'Provider command done');
    expect(providerLines.map((r) => r.command)).toEqual([
      'accept',
      'attempt-contact',
      'engage',
      'close',
    ]);
    // The events carry the same id.
    const eventTypes = events
      .filter((event) => (event.detail as { referralId?: unknown }).referralId === engagedId)
      .map((event) => event['detail-type']);
    expect(eventTypes).toEqual(
      expect.arrayContaining([
        'referral.received',
        'referral.routed',
        'referral.accepted',
        'referral.closed',
      ]),
    );
  });
});
