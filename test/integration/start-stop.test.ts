import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { freePort } from '#local/services.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { projectRoot } from '#local/template.ts';

interface Started {
  child: ChildProcess;
  output: () => string;
  dynamoDbPort: number;
}

/** Runs `npm start`'s entry point as a separate process and waits until it says it is up. */
async function start(port: number): Promise<Started> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join('local', 'start.ts')], {
    cwd: projectRoot,
    env: { ...process.env, PORT: String(port), POWERTOOLS_LOG_LEVEL: 'ERROR' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  await new Promise<void>((resolve, reject) => {
    const timer = setInterval(() => {
      if (output.includes('Reachable is running')) {
        clearInterval(timer);
        resolve();
      } else if (child.exitCode !== null) {
        clearInterval(timer);
        reject(new Error(`npm start exited early:\n${output}`));
      }
    }, 100);
  });
  const dynamoDbPort = Number(/DynamoDB\s+http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]);
  return { child, output: () => output, dynamoDbPort };
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

describe('npm start', () => {
  it('serves on the port it prints, stops everything on Ctrl-C, and starts again', async () => {
    // Prepare
    const port = await freePort();

    const asProject28 = {
      headers: { authorization: `Bearer ${await signLocalToken({ provider: 'project-28' })}` },
    };

    // Act
    const first = await start(port);
    const whileRunning = await fetch(
      `http://localhost:${port}/v1/providers/project-28/referrals/next`,
      asProject28,
    );
    const exitCode = await new Promise<number | null>((resolve) => {
      first.child.once('exit', (code) => resolve(code));
      first.child.kill('SIGINT');
    });
    const dynamoDbAfterStop = await listening(first.dynamoDbPort);
    const apiAfterStop = await listening(port);
    const second = await start(port);
    const afterRestart = await fetch(
      `http://localhost:${port}/v1/providers/project-28/referrals/next`,
      asProject28,
    );
    second.child.kill('SIGINT');
    await new Promise((resolve) => second.child.once('exit', resolve));

    // Assess
    expect(first.output()).toContain(`http://localhost:${port}`);
    expect(whileRunning.status).toBe(204);
    expect(exitCode).toBe(0);
    expect(first.output()).toContain('Stopped.');
    expect(dynamoDbAfterStop).toBe(false);
    expect(apiAfterStop).toBe(false);
    expect(afterRestart.status).toBe(204);
  });
});
