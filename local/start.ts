import { removeRuntimeFile, writeRuntimeFile } from './runtime-file.ts';
import { startRuntime } from './runtime.ts';

// `npm start`: the embedded default. Everything stops on Ctrl-C, leaving no child behind.
const port = Number(process.env.PORT ?? 3000);
console.log('Starting Reachable locally (DynamoDB Local, fauxqs, local EventBridge)...');
const runtime = await startRuntime({ port });
// Where `npm run sar` finds this runtime's table; removed again on the way out.
writeRuntimeFile(runtime);

console.log(`
Reachable is running: ${runtime.url}
  stack      ${runtime.stackName} (template ${runtime.synthesized ? 'synthesized now' : 'up to date'})
  rules      ${runtime.eventBridge.rules.length} EventBridge rules from the template
  queues     ${runtime.queueUrls.size} SQS queues
  DynamoDB   ${runtime.endpoints.dynamodb}
  SQS        ${runtime.endpoints.sqs}
  EventBridge ${runtime.endpoints.eventbridge}

  POST ${runtime.url}/v1/referrals                              (a referrer organisation's token)
  GET  ${runtime.url}/v1/providers/{providerId}/referrals/next   (and the rest: see README)
  page ${runtime.url}/provider
  tokens: npm run -s token -- --organisation musgrove-park-hospital-ae
          npm run -s token -- --provider turning-point-admit
          npm run -s token -- --spoke bristol | --hub | --admin
  subject access: npm run -s sar -- --given-name … --family-name … --dob YYYY-MM-DD

Press Ctrl-C to stop.`);

let stopping = false;
const shutdown = (signal: string) => {
  if (stopping) return;
  stopping = true;
  console.log(`\n${signal}: stopping...`);
  removeRuntimeFile();
  void runtime.stop().then(() => {
    console.log('Stopped.');
    process.exit(0);
  });
};
process.on('SIGINT', () => shutdown('SIGINT'));
process.on('SIGTERM', () => shutdown('SIGTERM'));
