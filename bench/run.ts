import os from 'node:os';
import { startRuntime } from '#local/runtime.ts';
import { runEndToEndBench } from './e2e.ts';
import { printHubBench, runHubBench } from './hub.ts';
import { printMatcherBench, runMatcherBench } from './matcher.ts';
import { printTable } from './stats.ts';

// `npm run bench`: numbers for the README and closing notes. Never assertions in tests.
// `npm run bench -- hub`: the hub metrics section only; `-- e2e`: referral → provider queue only.
process.env.POWERTOOLS_LOG_LEVEL ??= 'ERROR';
const sections = process.argv.slice(2);
const hubOnly = sections.includes('hub');
const e2eOnly = sections.includes('e2e');

console.log(
  `Machine: ${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version}`,
);

if (!hubOnly) {
  const runtime = await startRuntime({ port: 0 });
  try {
    // Warm up the JIT, the JVM behind DynamoDB Local and the connection pools.
    await runEndToEndBench(runtime, { phase: 'warm-up', referrals: 50, concurrency: 5 });
    const rows = [
      await runEndToEndBench(runtime, {
        phase: 'latency (one in flight)',
        referrals: 200,
        concurrency: 1,
        waitForArrival: true,
      }),
      await runEndToEndBench(runtime, {
        phase: 'back to back (1 sender)',
        referrals: 500,
        concurrency: 1,
      }),
      await runEndToEndBench(runtime, { phase: 'throughput', referrals: 1000, concurrency: 20 }),
    ];
    printTable(
      `Referral → provider queue on the embedded runtime (${os.cpus().length} cores)`,
      rows.map((row) => ({ ...row })),
    );
  } finally {
    await runtime.stop();
  }
}

// Each history runs in a process of its own, after the runtime above has stopped.
if (!e2eOnly) printHubBench(await runHubBench());

if (!hubOnly && !e2eOnly) {
  console.log(
    '\nEventBridge pattern matching: ours vs serverless-offline-aws-eventbridge, same rules and events',
  );
  printMatcherBench(await runMatcherBench());
}
