import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { csrfKeyFromEnv } from '#shared/adapters/forms-csrf-key.ts';
import { MetricsStore } from '#shared/table/metrics-store.ts';
import { now } from '#shared/clock.ts';
import { requireEnv } from '#shared/config.ts';
import { returnPeriod } from '#shared/domain/hub-requests.ts';
import { partnershipById, type Partnership } from '#partnerships/index.ts';
import { returnFileName, toCsv } from '#shared/domain/quarterly-return.ts';
import { authenticatorFromEnv } from '#shared/http/auth.ts';
import { logger } from '#shared/observability.ts';
import { hubReturn } from '#shared/services/hub.ts';
import {
  oneOf,
  pageSecurityHeaders,
  PageKit,
  type PageResult,
  type PageSession,
} from '#web/kit/page-kit.ts';
import {
  dashboardOf,
  errorListOf,
  filterFormOf,
  formValuesOf,
  readFigures,
  readFilters,
} from '#web/hub/view.ts';

const partnership = partnershipById(requireEnv('PARTNERSHIP'));
const store = new MetricsStore({ tableName: requireEnv('TABLE_NAME') });

const kit = new PageKit<Partnership>({
  service: { name: 'Hub dashboard', href: '/hub' },
  page: 'hub',
  cookie: { name: 'reachable_hub_session', path: '/hub' },
  authenticator: authenticatorFromEnv(),
  // Only this partnership's hub analysts: the figures are read for the token's partnership.
  accept: (principal) =>
    principal.kind === 'hub' && principal.partnershipId === partnership.id
      ? partnership
      : undefined,
  csrfKey: csrfKeyFromEnv(),
  signedInAs: (signedIn) => signedIn.name,
  signOutAction: '/hub/sign-out',
});

type Session = PageSession<Partnership>;

const signInWords = {
  heading: 'Sign in to the hub dashboard',
  intro:
    'Sign in to see the partnership’s referral-to-engagement figures and its quarterly return.',
  hint:
    'Paste the access token the partnership hub was given. It is kept in a cookie for this ' +
    'browser session only.',
  tryIt: {
    text: 'To try Reachable on your own machine, make one with',
    code: 'npm run -s token -- --hub',
  },
  action: '/hub/sign-in',
};

// The dashboard's one script draws charts over its tables; nothing else runs on any page.
const dashboardPolicy = `${pageSecurityHeaders['content-security-policy']}; script-src 'self'`;

/**
 * The hub dashboard, server-rendered: sign in with the hub's token, then the partnership's
 * figures for a period and a spoke (a GET form, so a view is a URL), and its quarterly return
 * as CSV. Reads the hub service directly, as `GET /v1/hub/metrics` does; works without script.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<PageResult> => {
  try {
    return await respond(event);
  } catch (error) {
    // Ids only: never the event, which holds the session's token.
    logger.error('Hub page request failed', { routeKey: event.routeKey, error });
    return kit.message(500, {
      title: 'Sorry, there is a problem with the service',
      message: 'The figures could not be read. Try again later.',
    });
  }
};

async function respond(event: APIGatewayProxyEventV2): Promise<PageResult> {
  const method = event.requestContext.http.method;
  const route = `${method} ${event.rawPath}`;
  if (route === 'POST /hub/sign-in') {
    const checked = kit.checkPost(event, undefined);
    return checked.ok ? signIn(oneOf(checked.form, 'token')) : forbidden();
  }
  const session = await kit.session(event);
  switch (route) {
    case 'GET /hub':
      return session ? dashboard(session, event.queryStringParameters ?? {}) : signInPage();
    case 'GET /hub/return':
      return session ? quarterlyReturn(session, event.queryStringParameters ?? {}) : signInPage();
    case 'POST /hub/sign-out': {
      // Without a session there is nothing to end: the cookie is cleared all the same.
      const checked = kit.checkPost(event, session);
      return checked.ok || !session ? kit.signedOut('/hub') : forbidden();
    }
    default:
      return kit.message(404, {
        title: 'Page not found',
        message: 'There is no such page.',
      });
  }
}

async function signIn(pasted: string | undefined): Promise<PageResult> {
  const token = pasted?.trim() ?? '';
  const who = token === '' ? undefined : await kit.whoIs(token);
  if (!who) {
    return kit.signInPage(signInWords, 400, [
      {
        text:
          token === ''
            ? 'Enter your access token'
            : 'Enter the partnership hub’s access token: this one is not the hub’s, or has expired',
        href: '#token',
      },
    ]);
  }
  logger.info('Hub analyst signed in', { partnershipId: who.id });
  return kit.signedIn(token, '/hub');
}

function signInPage(): PageResult {
  // A read (the dashboard, a return) without a session: sign in, then start again.
  return kit.signInPage(signInWords);
}

async function dashboard(
  session: Session,
  query: Record<string, string | undefined>,
): Promise<PageResult> {
  const filters = readFilters(query, now());
  if (filters.kind === 'redirect') {
    return {
      statusCode: 303,
      headers: { location: `/hub${filters.search}`, ...pageSecurityHeaders },
    };
  }
  if (filters.kind === 'errors') {
    return dashboardPage(400, session, {
      errors: errorListOf(filters.errors),
      form: filterFormOf(partnership, filters.values, filters.errors),
    });
  }
  const read = await readFigures(filters.filters, { store, now, partnership });
  const values = formValuesOf(filters.filters);
  if ('errors' in read) {
    return dashboardPage(400, session, {
      errors: errorListOf(read.errors),
      form: filterFormOf(partnership, values, read.errors),
    });
  }
  const shown = dashboardOf(partnership, filters.filters, read.readings);
  return dashboardPage(200, session, {
    // The view in the title, so a bookmark or the history says which it is.
    title: `Figures for ${shown.scope}`,
    form: filterFormOf(partnership, values, [], read.readings.spokes),
    dashboard: shown,
  });
}

function dashboardPage(
  statusCode: number,
  session: Session,
  context: Record<string, unknown>,
): PageResult {
  const page = kit.render(
    statusCode,
    'dashboard.njk',
    { title: 'Figures', partnership, ...context },
    session,
  );
  return { ...page, headers: { ...page.headers, 'content-security-policy': dashboardPolicy } };
}

/** The quarterly return of a quarter as CSV, as `GET /v1/hub/returns/{period}?format=csv`. */
async function quarterlyReturn(
  session: Session,
  query: Record<string, string | undefined>,
): Promise<PageResult> {
  const period = returnPeriod.safeParse(query.quarter);
  if (!period.success) {
    return kit.message(
      404,
      { title: 'Page not found', message: 'There is no return for that quarter.' },
      session,
    );
  }
  const { year, quarter } = period.data;
  const computed = await hubReturn(year, quarter, { store, partnership });
  return {
    statusCode: 200,
    headers: {
      ...pageSecurityHeaders,
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="${returnFileName(session.who.id, year, quarter)}"`,
    },
    body: toCsv(computed),
  };
}

function forbidden(): PageResult {
  return kit.message(403, {
    title: 'Sorry, that did not work',
    message: 'The form could not be checked. Sign in again.',
  });
}
