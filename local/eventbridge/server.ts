import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  entrySize,
  maxRequestEntriesBytes,
  type LocalEventBridge,
  type PutEventsEntry,
} from './bus.ts';

const maxEntriesPerRequest = 10;

/**
 * An HTTP endpoint speaking EventBridge's JSON protocol (`X-Amz-Target: AWSEvents.PutEvents`),
 * so handlers use the real @aws-sdk/client-eventbridge with AWS_ENDPOINT_URL_EVENTBRIDGE.
 */
export async function startEventBridgeServer(
  bus: LocalEventBridge,
  port = 0,
): Promise<{ url: string; server: Server }> {
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const reply = (status: number, body: unknown) => {
        response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        response.end(JSON.stringify(body));
      };
      // Not an AWS operation: what the local bus has done, so unmatched events are visible.
      if (request.method === 'GET' && request.url === '/stats') {
        reply(200, {
          stats: bus.stats,
          recentUnmatched: bus.recentUnmatched,
          rules: bus.rules.map((r) => r.name),
        });
        return;
      }
      const target = String(request.headers['x-amz-target'] ?? '');
      if (target !== 'AWSEvents.PutEvents') {
        reply(400, {
          __type: 'UnknownOperationException',
          message: `Operation ${target} is not supported locally`,
        });
        return;
      }
      let input: { Entries?: PutEventsEntry[] };
      try {
        input = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
          Entries?: PutEventsEntry[];
        };
      } catch {
        reply(400, { __type: 'SerializationException', message: 'Request body is not valid JSON' });
        return;
      }
      const entries = input.Entries ?? [];
      if (entries.length < 1 || entries.length > maxEntriesPerRequest) {
        reply(400, {
          __type: 'ValidationException',
          message: `1 validation error detected: Value at 'entries' failed to satisfy constraint: Member must have length between 1 and ${maxEntriesPerRequest}`,
        });
        return;
      }
      if (entries.reduce((total, entry) => total + entrySize(entry), 0) > maxRequestEntriesBytes) {
        reply(400, {
          __type: 'ValidationException',
          message: 'Total size of the entries in the request is over the limit.',
        });
        return;
      }
      reply(200, bus.putEvents(entries));
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${actual}`, server };
}
