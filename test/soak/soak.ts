import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ScanCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
  type Message,
} from '@aws-sdk/client-sqs';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { deadLetterQueuesOf, idsOf } from '#local/dead-letters.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { loadLocalTemplate, resourcesOfType, type Template } from '#local/template.ts';
import { newWebhookSecret } from '#local/webhook-secrets.ts';
import { dynamoDocumentClient, eventBridge } from '#shared/adapters/clients.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { injectFault, injectRefusedEntries, type Fault } from '#test/helpers/faults.ts';
import { destinationQueueUrl } from '#test/helpers/runtime.ts';
import { signedHeaders } from '#test/helpers/webhooks.ts';
import {
  account,
  acceptedReferrals,
  type AccountedLedger,
  type Outcome,
  type ParkedMessage,
} from './account.ts';
import { planSubmissions, seededRandom, type Submission } from './plan.ts';
import { entities, referralIdOf, tableKey } from '#shared/table/layout.ts';

// The soak: many referrals through the embedded runtime while DynamoDB, EventBridge and SQS fail
// now and then and the functions' process crashes once, then an account of where every one is.

export interface SoakOptions {
  /** Valid referrals to send (2% more with a defect are sent besides). */
  referrals: number;
  seed: number;
  /** How often each kind of fault strikes. @default 0.01 */
  faultRate?: number;
  /** Submissions under way at once. @default 16 */
  concurrency?: number;
  /** Poison messages put into each queue a function consumes. @default 2 */
  poisonPerQueue?: number;
  /** How long to wait for the system to settle before counting what is still in flight. */
  settleTimeoutMs?: number;
  /** Progress lines. @default none */
  log?: (line: string) => void;
}

/** Where every accepted referral is at the end, and what was done to the system on the way. */
export interface Ledger extends AccountedLedger {
  seed: number;
  submissions: number;
  deliveriesSent: number;
  /** Submissions with a defect, each answered 4xx. */
  refused: number;
  faults: {
    dynamoDbWrites: number;
    dynamoDbThrottles: number;
    dynamoDbLostAnswers: number;
    putEventsEntries: number;
    putEventsEntriesRefused: number;
    sqsSends: number;
    sqsSendsFailed: number;
    answers5xx: number;
    crashes: number;
    invocationsKilled: number;
  };
  seconds: { sending: number; settling: number; checking: number };
}

export interface SoakResult {
  ledger: Ledger;
  /** Every broken promise, named; empty when nothing was lost or doubled. */
  violations: string[];
}

const hub = 'avon-and-somerset';

/** Runs the soak on a runtime of its own and returns its ledger and what went wrong. */
export async function runSoak(options: SoakOptions): Promise<SoakResult> {
  const log = options.log ?? (() => undefined);
  const random = seededRandom(options.seed);
  const submissions = planSubmissions(options.referrals, random);
  const organisations = [...new Set(submissions.map((s) => s.organisationId))];
  const secrets = Object.fromEntries(organisations.map((org) => [org, newWebhookSecret()]));
  // Queues hide a received message for 5 s, not 60: poison is parked after five receives
  // within half a minute, and what a crash left undone comes back soon.
  const runtime = await startRuntime({
    port: 0,
    queueVisibilitySeconds: 5,
    environment: {
      WEBHOOK_SECRETS_JSON: JSON.stringify(
        Object.fromEntries(Object.entries(secrets).map(([org, secret]) => [org, [secret]])),
      ),
    },
  });
  const sqs = new SQSClient({});
  try {
    const soak = new Soak(runtime, sqs, secrets, options, random, log);
    return await soak.run(submissions);
  } finally {
    sqs.destroy();
    await runtime.stop();
  }
}

class Soak {
  readonly #faults: Fault[] = [];
  #answers5xx = 0;
  readonly #template: Template;
  #deliveriesSent = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly sqs: SQSClient,
    private readonly secrets: Record<string, string>,
    private readonly options: SoakOptions,
    private readonly random: () => number,
    private readonly log: (line: string) => void,
  ) {
    // The runtime read this template when it started.
    this.#template = loadLocalTemplate().template;
  }

  async run(submissions: Submission[]): Promise<SoakResult> {
    try {
      return await this.#run(submissions);
    } finally {
      // The faults sit in clients shared by the whole process: never leave one behind.
      for (const fault of this.#faults) fault.remove();
    }
  }

  async #run(submissions: Submission[]): Promise<SoakResult> {
    const rate = this.options.faultRate ?? 0.01;
    const faults = this.#injectFaults(rate);
    const poisonIds = await this.#injectPoison(this.options.poisonPerQueue ?? 2);

    const sendingStarted = Date.now();
    const outcomes = await this.#send(submissions);
    const sending = (Date.now() - sendingStarted) / 1000;
    this.log(`sent ${submissions.length} submissions in ${sending.toFixed(1)} s`);

    const accepted = acceptedReferrals(outcomes);
    const settlingStarted = Date.now();
    await this.#settle(accepted, poisonIds.size);
    const settling = (Date.now() - settlingStarted) / 1000;
    for (const fault of this.#faults) fault.remove();
    this.log(`settled in ${settling.toFixed(1)} s; counting`);

    const checkingStarted = Date.now();
    const account = await this.#account(outcomes, poisonIds);
    const checking = (Date.now() - checkingStarted) / 1000;
    const { crashes, invocationsKilled } = this.runtime.functionProcess.crashes;
    return {
      violations: account.violations,
      ledger: {
        seed: this.options.seed,
        submissions: submissions.length,
        deliveriesSent: this.#deliveriesSent,
        refused: outcomes.filter((outcome) => outcome.submission.defect).length,
        ...account.ledger,
        faults: {
          dynamoDbWrites: faults.throttles.matched,
          dynamoDbThrottles: faults.throttles.failed,
          dynamoDbLostAnswers: faults.lostAnswers.failed,
          putEventsEntries: faults.refusedEntries.matched,
          putEventsEntriesRefused: faults.refusedEntries.failed,
          sqsSends: faults.sqsSends.matched,
          sqsSendsFailed: faults.sqsSends.failed,
          answers5xx: this.#answers5xx,
          crashes,
          invocationsKilled,
        },
        seconds: { sending, settling, checking },
      },
    };
  }

  /**
   * Faults put into the SDK clients the functions share, and into the SQS client the bus
   * delivers with: each strikes about `rate` of the requests it can.
   */
  #injectFaults(rate: number) {
    // Half the write faults are throttles (nothing written), half answers lost (written).
    const isWrite = ({ commandName }: { commandName: string }) =>
      /^(Put|Update|Delete|TransactWrite|BatchWrite)/.test(commandName);
    const throttles = injectFault(dynamoDocumentClient(), {
      when: 'before',
      errorName: 'ProvisionedThroughputExceededException',
      matches: isWrite,
      strikes: () => this.random() < rate / 2,
    });
    const lostAnswers = injectFault(dynamoDocumentClient(), {
      when: 'after',
      matches: isWrite,
      strikes: () => this.random() < rate / 2,
    });
    const refusedEntries = injectRefusedEntries(eventBridge(), () => this.random() < rate);
    const sqsSends = injectFault(this.runtime.servicesSqs, {
      when: 'before',
      errorName: 'ServiceUnavailable',
      matches: ({ commandName }) => commandName === 'SendMessageCommand',
      strikes: () => this.random() < rate,
    });
    this.#faults.push(throttles, lostAnswers, refusedEntries, sqsSends);
    return { throttles, lostAnswers, refusedEntries, sqsSends };
  }

  /** Unreadable messages in every queue a function consumes: each must end up parked. */
  async #injectPoison(perQueue: number): Promise<Set<string>> {
    const ids = new Set<string>();
    for (const queueUrl of consumedQueueUrls(this.runtime, this.#template)) {
      for (let n = 0; n < perQueue; n++) {
        const { MessageId } = await this.sqs.send(
          new SendMessageCommand({
            QueueUrl: queueUrl,
            MessageBody: `{"detail-type": "referral.routed", "detail": {"soakPoison": ${n}`,
          }),
        );
        if (MessageId) ids.add(MessageId);
      }
    }
    return ids;
  }

  /** Sends every submission, `concurrency` at a time; the process crashes half-way. */
  async #send(submissions: Submission[]): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const crashAt = Math.floor(submissions.length / 2);
    let next = 0;
    const worker = async () => {
      while (next < submissions.length) {
        const index = next++;
        const submission = submissions[index];
        if (!submission) return;
        if (index === crashAt) {
          this.runtime.functionProcess.crash();
          this.log(`crashed the functions' process at submission ${index}`);
        }
        outcomes.push(await this.#submit(submission));
        if (outcomes.length % 500 === 0) this.log(`${outcomes.length} submissions answered`);
      }
    };
    await Promise.all(Array.from({ length: this.options.concurrency ?? 16 }, worker));
    return outcomes;
  }

  /** Every copy of one submission, at once or one after another. */
  async #submit(submission: Submission): Promise<Outcome> {
    const copies = Array.from({ length: submission.copies }, () => () => this.#deliver(submission));
    if (submission.concurrent)
      return { submission, answers: await Promise.all(copies.map((c) => c())) };
    const answers = [];
    for (const copy of copies) answers.push(await copy());
    return { submission, answers };
  }

  /**
   * One copy, sent as a sender's system does: again after a 5xx or a broken connection, with the
   * same delivery id, until it gets an answer that is not an error of the server's.
   */
  async #deliver(submission: Submission): Promise<{ status: number; referralId?: string }> {
    for (let attempt = 0; ; attempt++) {
      this.#deliveriesSent++;
      // A broken connection (status 0) is the same as no answer.
      let status = 0;
      let text = '';
      try {
        const response = await this.#request(submission);
        status = response.status;
        text = await response.text();
      } catch {
        // sent again below
      }
      if (status > 0 && status < 500) {
        const referralId =
          status < 300 ? (JSON.parse(text) as { referralId?: string }).referralId : undefined;
        return { status, ...(referralId ? { referralId } : {}) };
      }
      this.#answers5xx++;
      if (attempt >= 30) return { status };
      await sleep(Math.min(50 * 2 ** attempt, 2000));
    }
  }

  async #request(submission: Submission): Promise<Response> {
    const { organisationId, body, deliveryId, defect } = submission;
    // A submission sent as another organisation names one it may not send for.
    const sender =
      defect === 'other-organisation'
        ? (Object.keys(this.secrets).find((org) => org !== organisationId) ?? organisationId)
        : organisationId;
    if (submission.channel === 'api') {
      return fetch(`${this.runtime.url}/v1/referrals`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': deliveryId,
          authorization: `Bearer ${await signLocalToken({ organisation: sender })}`,
        },
        body,
      });
    }
    const secret = defect === 'bad-signature' ? newWebhookSecret() : (this.secrets[sender] ?? '');
    return fetch(`${this.runtime.url}/v1/webhooks/${sender}/referrals`, {
      method: 'POST',
      headers: signedHeaders(secret, body, { id: deliveryId }),
      body,
    });
  }

  /**
   * Waits until nothing is left to do: every queue a function consumes is empty, the poison is
   * parked, the bus has delivered everything, and the hub counts every accepted referral. What is
   * still under way when the time is up is counted as in flight.
   */
  async #settle(accepted: ReadonlySet<string>, poison: number): Promise<void> {
    const timeoutMs =
      this.options.settleTimeoutMs ?? Math.max(180_000, this.options.referrals * 100);
    const deadline = Date.now() + timeoutMs;
    const consumed = consumedQueueUrls(this.runtime, this.#template);
    const deadLetters = deadLetterQueueUrls(this.runtime, this.#template);
    let published = -1;
    for (let round = 0; Date.now() < deadline; round++) {
      await this.runtime.eventBridge.drain();
      const waiting = sum(await Promise.all(consumed.map((url) => this.#held(url))));
      const parked = sum(await Promise.all(deadLetters.map((url) => this.#held(url))));
      const counted = await this.#hubReferred();
      // The outbox has caught up when the bus took nothing new since the last look.
      const caughtUp = this.runtime.eventBridge.stats.accepted === published;
      published = this.runtime.eventBridge.stats.accepted;
      if (waiting === 0 && parked >= poison && counted >= accepted.size && caughtUp) return;
      if (round % 5 === 0)
        this.log(
          `settling: ${waiting} waiting for functions, hub counts ${counted} of ${accepted.size}`,
        );
      await sleep(2000);
    }
  }

  /** Messages a queue holds, waiting or received and not yet deleted. */
  async #held(queueUrl: string): Promise<number> {
    const { Attributes = {} } = await this.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return (
      Number(Attributes.ApproximateNumberOfMessages ?? 0) +
      Number(Attributes.ApproximateNumberOfMessagesNotVisible ?? 0)
    );
  }

  /** The hub's referred count over the current year, as the hub reads it. */
  async #hubReferred(): Promise<number> {
    const year = new Date().getUTCFullYear();
    const response = await fetch(
      `${this.runtime.url}/v1/hub/metrics?from=${year}-01&to=${year}-12&groupBy=spoke`,
      { headers: { authorization: `Bearer ${await signLocalToken({ hub })}` } },
    );
    if (response.status !== 200) return 0;
    const { rows } = (await response.json()) as { rows: { referred: number }[] };
    return rows.reduce((total, row) => total + row.referred, 0);
  }

  /** Where every referral is, and every broken promise found on the way. */
  async #account(outcomes: Outcome[], poisonIds: Set<string>) {
    return account({
      outcomes,
      table: await this.#tableContents(),
      found: await this.#destinations(),
      parkedMessages: await this.#deadLetters(),
      poisonIds,
      hubReferred: await this.#hubReferred(),
    });
  }

  /** Referral ids stored, each with where its routing decision sent it, and delivery ids. */
  async #tableContents(): Promise<{
    referrals: Map<string, string | undefined>;
    deliveryIds: Set<string>;
  }> {
    const client = new DynamoDBClient({});
    const referrals = new Map<string, string | undefined>();
    const deliveryIds = new Set<string>();
    try {
      let cursor: Record<string, AttributeValue> | undefined;
      do {
        const page = await client.send(
          new ScanCommand({
            TableName: this.runtime.tableNames[0],
            // Reserved words or not, every name goes through a placeholder.
            ProjectionExpression: '#pk, #entity, #webhookId, #routing',
            ExpressionAttributeNames: {
              '#pk': tableKey.partitionKey,
              '#entity': 'entity',
              '#webhookId': 'webhookId',
              '#routing': 'routing',
            },
            ...(cursor ? { ExclusiveStartKey: cursor } : {}),
          }),
        );
        for (const raw of page.Items ?? []) {
          const item = unmarshall(raw) as {
            entity?: string;
            webhookId?: string;
            routing?: { destination?: Record<string, string> };
          };
          if (item.entity === entities.referral)
            referrals.set(referralIdOf(item), destinationName(item.routing?.destination));
          else if (item.entity === entities.delivery) deliveryIds.add(item.webhookId ?? '');
        }
        cursor = page.LastEvaluatedKey;
      } while (cursor);
    } finally {
      client.destroy();
    }
    return { referrals, deliveryIds };
  }

  /**
   * What every destination holds. Each provider takes its queue dry through its own API, as its
   * staff would (copies of a referral it already holds are removed then); the triage and
   * escalation queues have no consumer yet, so their messages are read.
   */
  async #destinations() {
    const primary = new Map<string, Map<string, number>>();
    const escalation = new Map<string, number>();
    const copies = { removedAtPull: 0, waitingInTriageOrEscalation: 0 };
    const add = (referralId: string, place: string) => {
      const places = primary.get(referralId) ?? new Map<string, number>();
      places.set(place, (places.get(place) ?? 0) + 1);
      primary.set(referralId, places);
    };
    const partnership = avonAndSomerset;
    await Promise.all(
      partnership.providers.map(async ({ id }) => {
        const queueUrl = destinationQueueUrl(this.runtime, `provider:${id}`);
        const before = await this.#held(queueUrl);
        const pulled = await this.#pullAll(id);
        for (const referralId of pulled) add(referralId, `provider:${id}`);
        copies.removedAtPull += before - (await this.#held(queueUrl));
      }),
    );
    for (const { id } of partnership.spokes) {
      for (const referralId of await receiveAllReferralIds(
        this.sqs,
        destinationQueueUrl(this.runtime, `triage:${id}`),
      )) {
        if (primary.get(referralId)?.has(`triage:${id}`)) copies.waitingInTriageOrEscalation++;
        else add(referralId, `triage:${id}`);
      }
    }
    for (const referralId of await receiveAllReferralIds(
      this.sqs,
      destinationQueueUrl(this.runtime, 'escalation'),
    )) {
      if (escalation.has(referralId)) copies.waitingInTriageOrEscalation++;
      escalation.set(referralId, (escalation.get(referralId) ?? 0) + 1);
    }
    return { primary, escalation, copies };
  }

  /** Every referral a provider's pulls hand out, until its queue has nothing left to give. */
  async #pullAll(providerId: string): Promise<string[]> {
    const queueUrl = destinationQueueUrl(this.runtime, `provider:${providerId}`);
    const token = await signLocalToken({ provider: providerId });
    const pulled: string[] = [];
    for (;;) {
      const response = await fetch(
        `${this.runtime.url}/v1/providers/${providerId}/referrals/next`,
        {
          headers: { authorization: `Bearer ${token}` },
        },
      );
      if (response.status === 200) {
        const { referral } = (await response.json()) as { referral: { referralId: string } };
        pulled.push(referral.referralId);
      } else if (response.status === 204) {
        // A pull gives up after ten copies in a row; only an empty queue is the end.
        const { Attributes = {} } = await this.sqs.send(
          new GetQueueAttributesCommand({
            QueueUrl: queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages'],
          }),
        );
        if (Number(Attributes.ApproximateNumberOfMessages ?? 0) === 0) return pulled;
      } else {
        throw new Error(
          `Pulling for ${providerId} answered ${response.status}: ${await response.text()}`,
        );
      }
    }
  }

  /** Every message parked in any dead-letter queue. */
  async #deadLetters() {
    const parked: ParkedMessage[] = [];
    for (const { logicalId, name } of deadLetterQueuesOf(this.#template)) {
      const queueUrl = this.runtime.queueUrls.get(logicalId);
      if (!queueUrl) continue;
      for (const message of await receiveAll(this.sqs, queueUrl)) {
        const ids = idsOf(message.Body ?? '');
        parked.push({
          queue: name,
          messageId: message.MessageId ?? '',
          ...(ids.referralId ? { referralId: ids.referralId } : {}),
          summary: JSON.stringify(ids),
        });
      }
    }
    return parked;
  }
}

const sum = (counts: number[]) => counts.reduce((total, count) => total + count, 0);

/** A routing destination as expectations.json writes it. */
function destinationName(destination: Record<string, string> | undefined): string | undefined {
  if (!destination) return undefined;
  if (destination.kind === 'provider') return `provider:${destination.providerId}`;
  if (destination.kind === 'triage') return `triage:${destination.spoke}`;
  return destination.kind;
}

/** The queues a function consumes (through an event source mapping). */
function consumedQueueUrls(runtime: Runtime, template: Template): string[] {
  return resourcesOfType(template, 'AWS::Lambda::EventSourceMapping').flatMap(([, resource]) => {
    const source = resource.Properties?.EventSourceArn as { 'Fn::GetAtt'?: [string, string] };
    const url = runtime.queueUrls.get(source['Fn::GetAtt']?.[0] ?? '');
    return url ? [url] : [];
  });
}

function deadLetterQueueUrls(runtime: Runtime, template: Template): string[] {
  return deadLetterQueuesOf(template).flatMap(({ logicalId }) => {
    const url = runtime.queueUrls.get(logicalId);
    return url ? [url] : [];
  });
}

/**
 * Every message in a queue, each received once and hidden for ten minutes: for the end of the
 * soak, when nothing else will read the queue again.
 */
async function receiveAll(sqs: SQSClient, queueUrl: string): Promise<Message[]> {
  const messages: Message[] = [];
  for (let empty = 0; empty < 2;) {
    const { Messages = [] } = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: 600,
      }),
    );
    messages.push(...Messages);
    empty = Messages.length === 0 ? empty + 1 : 0;
  }
  return messages;
}

async function receiveAllReferralIds(sqs: SQSClient, queueUrl: string): Promise<string[]> {
  return (await receiveAll(sqs, queueUrl)).flatMap((message) => {
    const referralId = idsOf(message.Body ?? '').referralId;
    return referralId ? [referralId] : [];
  });
}

/** The ledger as an operator reads it. */
export function formatLedger(ledger: Ledger): string {
  const { faults, copies, deliveredTo, poison, seconds } = ledger;
  const rows: [string, string | number][] = [
    ['seed', ledger.seed],
    ['submissions', `${ledger.submissions} (${ledger.deliveriesSent} requests sent)`],
    ['refused (4xx)', ledger.refused],
    ['accepted (2xx)', ledger.accepted],
    [
      '  delivered',
      `${ledger.delivered} (provider ${deliveredTo.provider}, triage ${deliveredTo.triage}; escalated too ${deliveredTo.escalation})`,
    ],
    ['  parked', ledger.parked],
    ['  in flight', ledger.inFlight],
    ['stored referrals', ledger.stored],
    ['hub counts referred', ledger.hubReferred],
    [
      'copies',
      `${copies.removedAtPull} removed at pull, ${copies.waitingInTriageOrEscalation} waiting in triage or escalation`,
    ],
    ['poison', `${poison.injected} injected, ${poison.parked} parked`],
    [
      'faults',
      `DynamoDB writes ${faults.dynamoDbThrottles} throttled + ${faults.dynamoDbLostAnswers} answers lost of ${faults.dynamoDbWrites}; ` +
        `PutEvents entries ${faults.putEventsEntriesRefused} refused of ${faults.putEventsEntries}; ` +
        `SQS sends ${faults.sqsSendsFailed} failed of ${faults.sqsSends}`,
    ],
    [
      'crash',
      `${faults.crashes} (${faults.invocationsKilled} invocations killed); ${faults.answers5xx} 5xx answers or broken connections, each sent again`,
    ],
    [
      'seconds',
      `sending ${seconds.sending.toFixed(1)}, settling ${seconds.settling.toFixed(1)}, checking ${seconds.checking.toFixed(1)}`,
    ],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  return [
    `accepted ${ledger.accepted} = delivered ${ledger.delivered} + parked ${ledger.parked} + in flight ${ledger.inFlight}`,
    ...rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`),
  ].join('\n');
}
