import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { z } from 'zod';
import { localClockOffset, now, setLocalClockOffset } from '#shared/clock.ts';
import { json, problemResponse, toProblem } from '#shared/http/problem.ts';
import { parseBody } from '#shared/http/request.ts';
import type { LocalRoute } from './http-server.ts';

/** Where the local runtime's clock is read and set; never part of the deployed API. */
export const localClockPath = '/_local/clock';

const clockBody = z.strictObject({
  at: z.iso
    .datetime({
      offset: true,
      message:
        'must be an ISO 8601 date-time such as "2026-03-02T09:00:00Z", or null for real time',
    })
    .nullable(),
});

/** The clock in effect: what every handler's `now()` reads at this moment. */
function clockNow(): APIGatewayProxyStructuredResultV2 {
  const offsetMs = localClockOffset();
  return json(200, { now: now().toISOString(), offsetMs, real: offsetMs === 0 });
}

function answering(
  handle: (event: APIGatewayProxyEventV2) => APIGatewayProxyStructuredResultV2,
): LocalRoute['invoke'] {
  return async (event) => {
    try {
      return handle(event);
    } catch (error) {
      return problemResponse({ ...toProblem(error), instance: event.rawPath });
    }
  };
}

/**
 * The local runtime's own routes, beside the template's: `GET /_local/clock` reads the clock the
 * handlers use; `PUT /_local/clock` with `{"at": "<ISO date-time>"}` sets it (it then runs on from
 * there) and `{"at": null}` puts it back to real time. `npm run demo-data` replays history with it.
 */
export function localOnlyRoutes(): LocalRoute[] {
  return [
    { routeKey: `GET ${localClockPath}`, invoke: answering(() => clockNow()) },
    {
      routeKey: `PUT ${localClockPath}`,
      invoke: answering((event) => {
        const { at } = parseBody(event, clockBody);
        setLocalClockOffset(at === null ? 0 : Date.parse(at) - Date.now());
        return clockNow();
      }),
    },
  ];
}
