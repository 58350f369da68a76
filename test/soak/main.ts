import { createWriteStream, mkdirSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '#local/template.ts';
import { formatLedger, runSoak } from './soak.ts';

// `npm run soak`: the long soak (10,000 referrals by default). Prints its progress and ledger;
// what the runtime and the functions log goes to .local/soak.log. Exits 1 when anything was
// lost, doubled or left in flight, naming it.
const { values } = parseArgs({
  options: {
    referrals: { type: 'string', default: '10000' },
    seed: { type: 'string', default: String(Date.now() % 1_000_000) },
    'fault-rate': { type: 'string', default: '0.01' },
    concurrency: { type: 'string', default: '16' },
  },
});

const say = captureOutput(path.join(projectRoot, '.local', 'soak.log'));
const referrals = Number(values.referrals);
const seed = Number(values.seed);
say(`Soak: ${referrals} referrals, seed ${seed} (again: npm run soak -- --seed ${seed})`);
say('The runtime and the functions log to .local/soak.log.');
const { ledger, violations } = await runSoak({
  referrals,
  seed,
  faultRate: Number(values['fault-rate']),
  concurrency: Number(values.concurrency),
  log: (line) => say(`  ${line}`),
});
say(`\n${formatLedger(ledger)}\n`);
if (violations.length > 0) {
  say(`${violations.length} broken promises:`);
  for (const violation of violations.slice(0, 50)) say(`  - ${violation}`);
  process.exitCode = 1;
} else {
  say('Nothing lost, nothing doubled.');
}
process.exit();

/** Sends everything written to stdout and stderr to a file; returns a way to print anyway. */
function captureOutput(file: string): (line: string) => void {
  mkdirSync(path.dirname(file), { recursive: true });
  const log = createWriteStream(file);
  const terminal = process.stdout.write.bind(process.stdout);
  const toLog = (chunk: string | Uint8Array) => log.write(chunk);
  process.stdout.write = toLog as typeof process.stdout.write;
  process.stderr.write = toLog as typeof process.stderr.write;
  return (line) => {
    terminal(`${line}\n`);
    log.write(`${line}\n`);
  };
}
