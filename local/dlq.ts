import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { SQSClient } from '@aws-sdk/client-sqs';
import { interceptLocalhostDns } from 'fauxqs';
import {
  awsQueueDirectory,
  deadLetterQueuesOf,
  findDeadLetterQueue,
  listDeadLetterQueues,
  localQueueDirectory,
  peekDeadLetters,
  redriveDeadLetters,
  type DeadLetterDepth,
  type DeadLetterQueue,
  type ParkedMessage,
  type QueueDirectory,
  type RedriveResult,
} from './dead-letters.ts';
import { localQueuesPath, type LocalQueues } from './queues-route.ts';
import { loadLocalTemplate, projectRoot } from './template.ts';

const usage = `Usage:
  npm run dlq -- list                 every dead-letter queue: messages waiting, what parks them there
  npm run dlq -- show <queue>         the messages of one (ids, receives, first receive), left in place
         [--limit 50]
  npm run dlq -- redrive <queue>      moves them back to the queue they were parked from

<queue> is a dead-letter queue's name as list prints it, or a part of it naming only one
(provider-turning-point-admit, hub-projection-dead-letter).

Against the runtime of npm start (REACHABLE_URL, default http://localhost:3000), or a deployed
stack with your AWS credentials:
  --region eu-west-2 [--endpoint https://sqs.eu-west-2.amazonaws.com]
  [--stack Reachable-<partnership>-<stage>]   (default: cdk.json's partnership and stage)

Why a message was parked: its consumer logged "Record failed" with the message id and the
error's name at each failed receive.`;

/** The table `list` prints: one line per dead-letter queue. */
export function formatList(queues: readonly DeadLetterDepth[]): string {
  const rows = queues.map((queue) => [
    queue.name,
    queue.waiting === undefined ? 'not found' : String(queue.waiting),
    queue.inFlight === undefined ? '' : String(queue.inFlight),
    queue.kind === 'queue' ? 'yes' : 'no',
    queue.parkedFrom,
  ]);
  const header = ['DEAD-LETTER QUEUE', 'WAITING', 'IN FLIGHT', 'REDRIVE', 'PARKED FROM'];
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, column) =>
        column === cells.length - 1 ? cell : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ');
  const parked = queues.reduce((total, queue) => total + (queue.waiting ?? 0), 0);
  return [
    line(header),
    ...rows.map(line),
    '',
    parked === 0 ? 'Nothing is parked.' : `${parked} parked in all.`,
  ].join('\n');
}

/** What `show` prints for one dead-letter queue: each message's ids and history. */
export function formatShow(queue: DeadLetterQueue, messages: readonly ParkedMessage[]): string {
  const lines = [
    `${queue.name}: ${messages.length} message${messages.length === 1 ? '' : 's'} (parked from ${queue.parkedFrom})`,
  ];
  for (const message of messages) {
    const history = [
      message.sentAt ? `sent ${message.sentAt}` : undefined,
      `received ${message.receiveCount} time${message.receiveCount === 1 ? '' : 's'}`,
      message.firstReceivedAt ? `first ${message.firstReceivedAt}` : undefined,
      message.errorCode ? `error ${message.errorCode}` : undefined,
    ].filter((part) => part !== undefined);
    lines.push(`  ${message.messageId}  ${history.join(', ')}`);
    const ids = Object.entries(message.ids).map(([name, value]) => `${name} ${value}`);
    lines.push(`    ${ids.join(', ')}`);
  }
  if (messages.length > 0 && queue.kind !== 'rule-target') {
    lines.push(
      '',
      'Why: the consumer logged "Record failed" with each message id and the error\'s name.',
    );
  }
  return lines.join('\n');
}

/** What `redrive` prints. */
export function formatRedrive(queue: DeadLetterQueue, result: RedriveResult): string {
  const to = queue.sourceQueue?.name ?? 'its source queue';
  if (result.mode === 'aws') {
    return `SQS is moving ${queue.name}'s messages back to ${to} (task ${result.taskHandle}); npm run dlq -- list shows it emptying.`;
  }
  const failed = result.failed > 0 ? `; ${result.failed} could not be sent and stay parked` : '';
  return `Moved ${result.moved} message${result.moved === 1 ? '' : 's'} from ${queue.name} back to ${to}${failed}.`;
}

interface Target {
  directory: QueueDirectory;
  queues: DeadLetterQueue[];
}

/** The runtime of `npm start`, found through its local-only route. */
async function localTarget(url: string): Promise<Target> {
  let answer: LocalQueues;
  try {
    const response = await fetch(`${url}${localQueuesPath}`);
    if (!response.ok) throw new Error(`${response.status} from ${url}${localQueuesPath}`);
    answer = (await response.json()) as LocalQueues;
  } catch (error) {
    throw new Error(
      `Nothing answers at ${url}: start it with npm start (in another terminal), set REACHABLE_URL, or pass --region for AWS.`,
      { cause: error },
    );
  }
  // fauxqs names its queues sqs.<region>.localhost; this process must resolve that name too.
  interceptLocalhostDns();
  const sqs = new SQSClient({
    region: answer.region,
    endpoint: answer.sqsEndpoint,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return {
    directory: localQueueDirectory(sqs, new Map(Object.entries(answer.queueUrls))),
    queues: answer.deadLetterQueues,
  };
}

/** A deployed stack: its queues found by CloudFormation's tags, the DLQs from the template. */
async function awsTarget(options: {
  region: string;
  endpoint?: string;
  stack?: string;
}): Promise<Target> {
  const { template, partnershipId } = loadLocalTemplate();
  const queues = deadLetterQueuesOf(template);
  const stackName = options.stack ?? `Reachable-${partnershipId}-${deployedStage()}`;
  const sqs = new SQSClient({
    region: options.region,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
  });
  const logicalIds = Object.keys(template.Resources);
  return { directory: await awsQueueDirectory(sqs, stackName, logicalIds), queues };
}

/** The stage `cdk deploy` deploys by default (cdk.json), for the default stack name. */
function deployedStage(): string {
  const cdkJson = JSON.parse(readFileSync(path.join(projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  return String(cdkJson.context?.['reachable:stage'] ?? 'dev');
}

/** Runs one command; 0 on success, 1 on failure, 2 on bad use. */
export async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        region: { type: 'string' },
        endpoint: { type: 'string' },
        stack: { type: 'string' },
        limit: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  const { values, positionals } = parsed;
  const [command, name] = positionals;
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const needsQueue = command === 'show' || command === 'redrive';
  if (!['list', 'show', 'redrive'].includes(command ?? '') || (needsQueue && !name)) {
    console.error(usage);
    return 2;
  }
  const limit = Number(values.limit ?? 50);
  if (!Number.isInteger(limit) || limit < 1) {
    console.error(`--limit must be a whole number of messages, not "${values.limit}"`);
    return 2;
  }
  let target: Target | undefined;
  try {
    target = values.region
      ? await awsTarget({
          region: values.region,
          ...(values.endpoint ? { endpoint: values.endpoint } : {}),
          ...(values.stack ? { stack: values.stack } : {}),
        })
      : await localTarget(process.env.REACHABLE_URL ?? 'http://localhost:3000');
    const { directory, queues } = target;
    if (command === 'list') {
      console.log(formatList(await listDeadLetterQueues(directory, queues)));
      return 0;
    }
    const queue = findDeadLetterQueue(queues, name ?? '');
    if (command === 'show') {
      console.log(formatShow(queue, await peekDeadLetters(directory, queue, { limit })));
      return 0;
    }
    console.log(formatRedrive(queue, await redriveDeadLetters(directory, queue)));
    return 0;
  } catch (error) {
    console.error((error as Error).message);
    return 1;
  } finally {
    target?.directory.sqs.destroy();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await main(process.argv.slice(2));
}
