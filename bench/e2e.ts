import { readFileSync } from 'node:fs';
import path from 'node:path';
import { DeleteMessageBatchCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { defaultReferrer, organisationOf } from '#test/helpers/referrals.ts';
import { percentile } from './stats.ts';

const examplePath = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'shared',
  'examples',
  'referrals',
  'admit-friday-night.json',
);

export interface E2eResult {
  phase: string;
  referrals: number;
  concurrency: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  maxMs: number;
  referralsPerSecond: number;
}

/**
 * Referral → provider queue on the embedded runtime: POST /v1/referrals, then the stream,
 * publish function, local EventBridge rule and SQS delivery, until the message can be received
 * from Turning Point's queue. Latency is measured from the start of the POST to its receipt.
 */
export async function runEndToEndBench(
  runtime: Runtime,
  {
    referrals,
    concurrency,
    phase,
    waitForArrival = false,
  }: {
    referrals: number;
    concurrency: number;
    phase: string;
    /** Send the next referral only once the last has arrived: latency with nothing queued. */
    waitForArrival?: boolean;
  },
): Promise<E2eResult> {
  const body = readFileSync(examplePath, 'utf8');
  // Sent as the example's referrer organisation, as its system would, with one token for the run.
  const authorization = `Bearer ${await signLocalToken({ organisation: organisationOf(body) ?? defaultReferrer })}`;
  const queueUrl = [...runtime.queueUrls].find(([id]) =>
    id.startsWith('RoutingProviderturningpointadmitQueue'),
  )?.[1];
  if (!queueUrl) throw new Error("Turning Point's queue is not in the template");

  const sentAt = new Map<string, number>();
  const arrivedAt = new Map<string, number>();
  const sqs = new SQSClient({});
  let consuming = true;
  const consumer = (async () => {
    while (consuming) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: queueUrl,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      const arrived = performance.now();
      for (const message of Messages) {
        const { detail } = JSON.parse(message.Body ?? '{}') as { detail?: { referralId?: string } };
        if (detail?.referralId) arrivedAt.set(detail.referralId, arrived);
      }
      if (Messages.length > 0) {
        await sqs.send(
          new DeleteMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: Messages.map((m, i) => ({
              Id: String(i),
              ReceiptHandle: m.ReceiptHandle ?? '',
            })),
          }),
        );
      }
    }
  })();

  const firstSent = performance.now();
  let next = 0;
  const worker = async () => {
    while (next < referrals) {
      next++;
      const started = performance.now();
      const response = await fetch(`${runtime.url}/v1/referrals`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization },
        body,
      });
      const { referralId } = (await response.json()) as { referralId: string };
      if (response.status !== 202) throw new Error(`Intake answered ${response.status}`);
      sentAt.set(referralId, started);
      while (waitForArrival && !arrivedAt.has(referralId)) {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  // Wait for every referral to arrive (bounded), then stop the consumer.
  const giveUpAt = performance.now() + 120_000;
  const allArrived = () => [...sentAt.keys()].every((id) => arrivedAt.has(id));
  while (!allArrived() && performance.now() < giveUpAt) {
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  consuming = false;
  await consumer;
  sqs.destroy();
  if (!allArrived())
    throw new Error(`Only ${arrivedAt.size} of ${referrals} referrals reached the queue`);

  const latencies = [...sentAt].map(([id, started]) => (arrivedAt.get(id) ?? Number.NaN) - started);
  const lastArrived = Math.max(...arrivedAt.values());
  const sorted = latencies.sort((a, b) => a - b);
  const round = (ms: number) => Math.round(ms * 10) / 10;
  return {
    phase,
    referrals,
    concurrency,
    p50Ms: round(percentile(sorted, 50)),
    p95Ms: round(percentile(sorted, 95)),
    p99Ms: round(percentile(sorted, 99)),
    maxMs: round(sorted.at(-1) ?? Number.NaN),
    referralsPerSecond: Math.round((referrals / (lastArrived - firstSent)) * 1000 * 10) / 10,
  };
}
