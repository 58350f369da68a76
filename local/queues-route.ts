import { json } from '#shared/http/problem.ts';
import { deadLetterQueuesOf } from './dead-letters.ts';
import type { LocalRoute } from './http-server.ts';
import type { Template } from './template.ts';

/** Where the local runtime says where its queues are; never part of the deployed API. */
export const localQueuesPath = '/_local/queues';

/** What `GET /_local/queues` answers: the SQS endpoint, each queue by logical id, the DLQs. */
export interface LocalQueues {
  region: string;
  sqsEndpoint: string;
  queueUrls: Record<string, string>;
  deadLetterQueues: ReturnType<typeof deadLetterQueuesOf>;
}

/**
 * `GET /_local/queues`: the runtime's SQS endpoint, its queue URLs by the template's logical ids
 * and its dead-letter queues, so `npm run dlq` in another terminal can reach them.
 */
export function localQueuesRoute(
  queues: Omit<LocalQueues, 'deadLetterQueues'>,
  template: Template,
): LocalRoute {
  const answer: LocalQueues = { ...queues, deadLetterQueues: deadLetterQueuesOf(template) };
  return { routeKey: `GET ${localQueuesPath}`, invoke: async () => json(200, answer) };
}
