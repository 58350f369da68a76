import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import nunjucks from 'nunjucks';
import { csrfKeyFromEnv } from '#shared/adapters/forms-csrf-key.ts';
import { personalDataCipherFromEnv } from '#shared/adapters/personal-data-cipher.ts';
import { subjectIndexerFromEnv } from '#shared/adapters/subject-index.ts';
import { now } from '#shared/clock.ts';
import { requireEnv } from '#shared/config.ts';
import { partnershipById } from '#shared/domain/partnership.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import { csrfToken, csrfTokenMatches, sameOrigin } from '#shared/forms/csrf.ts';
import { parseFormBody, type FormError, type FormValues } from '#shared/forms/fields.ts';
import { authenticatorFromEnv } from '#shared/http/auth.ts';
import { headerValue, maxBodyBytes } from '#shared/http/body.ts';
import { logger } from '#shared/observability.ts';
import type { ReferrerOrganisation } from '#shared/partnership/schema.ts';
import { callPoliceNowMessage } from '#shared/services/intake.ts';
import {
  formFor,
  pathwaysFor,
  registeredOrganisation,
  sentReferral,
  submitForm,
} from '#shared/services/referral-forms.ts';
import { Referrals } from '#shared/table/referrals.ts';
import { pageOfForm, nextStepsFor } from './view.ts';

// Templates and GOV.UK Frontend's nunjucks files ship in the bundle at their project paths
// (`copyIntoBundle`); from source they are beside this file and in node_modules.
const templateFolders = [
  [
    path.join(import.meta.dirname, 'functions', 'forms', 'templates'),
    path.join(import.meta.dirname, 'templates'),
  ],
  [
    path.join(import.meta.dirname, 'node_modules', 'govuk-frontend', 'dist'),
    path.resolve(import.meta.dirname, '..', '..', 'node_modules', 'govuk-frontend', 'dist'),
  ],
].map((candidates) => candidates.find((folder) => existsSync(folder)) as string);
const templates = new nunjucks.Environment(new nunjucks.FileSystemLoader(templateFolders), {
  autoescape: true,
});

const partnership = partnershipById(requireEnv('PARTNERSHIP'));
// Personal data is sealed before it is stored; this function can seal, never open.
const store = new Referrals({
  tableName: requireEnv('TABLE_NAME'),
  cipher: personalDataCipherFromEnv(),
  subjectIndex: subjectIndexerFromEnv(),
});
const authenticator = authenticatorFromEnv();
const csrfKey = csrfKeyFromEnv();
const dependencies = { partnership, store, now, newId: randomUUID };

const sessionCookie = 'reachable_refer_session';
const referralIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

// Pages hold answers about children: no script, nothing from elsewhere, never framed or cached.
const securityHeaders = {
  'content-security-policy': [
    "default-src 'none'",
    "style-src 'self'",
    "img-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join('; '),
  'x-content-type-options': 'nosniff',
  // Not `no-referrer`: under it the browser sends `Origin: null` on a POST, which the origin
  // check must refuse. Same-origin only: no other site learns these URLs.
  'referrer-policy': 'same-origin',
  'cache-control': 'no-store',
};

interface Session {
  token: string;
  organisation: ReferrerOrganisation;
  csrfKey: string;
}

type Result = APIGatewayProxyStructuredResultV2;

/**
 * The referral forms, server-rendered: sign in with the organisation's token, choose a pathway,
 * fill its form, read the confirmation. Routes are told apart by path, so that `/refer/sign-in`
 * never reads as a pathway whichever route API Gateway matched.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<Result> => {
  try {
    return await respond(event);
  } catch (error) {
    // Ids only: never the event or the answers.
    logger.error('Referral form request failed', { routeKey: event.routeKey, error });
    return page(500, 'message.njk', {
      title: 'Sorry, there is a problem with the service',
      message: 'Nothing was sent. Try again later.',
    });
  }
};

async function respond(event: APIGatewayProxyEventV2): Promise<Result> {
  const method = event.requestContext.http.method;
  const segments = event.rawPath.split('/').filter((segment) => segment !== '');
  if (segments[0] !== 'refer' || segments.length > 3) return notFound();
  const [, first, second] = segments;
  if (method === 'POST') {
    if (!sameOrigin(headerValue(event, 'origin'), headerValue(event, 'host'))) return forbidden();
    if (first === 'sign-in' && second === undefined) return signIn(event);
  }
  const session = await sessionOf(event);
  if (method === 'GET' && first === undefined) return session ? choose(session) : signInPage();
  if (method === 'GET' && first === 'received' && second !== undefined) {
    return session ? received(session, second) : signInPage();
  }
  if (second !== undefined || first === undefined) return notFound();
  if (method === 'GET') return session ? showForm(session, first) : signInPage();
  if (method !== 'POST') return notFound();
  // Every POST but the sign-in needs the session and its CSRF token; a refusal stores nothing.
  if (!session) return forbidden('Your session has ended. Sign in again.');
  const values = readForm(event);
  if (!values || !csrfTokenMatches(session.csrfKey, session.token, values._csrf)) {
    return forbidden();
  }
  if (first === 'sign-out') return signOut();
  return sendForm(session, first, values);
}

/** The signed-in organisation, if the session cookie holds a valid token of a registered one. */
async function sessionOf(event: APIGatewayProxyEventV2): Promise<Session | undefined> {
  const token = cookieOf(event, sessionCookie);
  if (!token) return undefined;
  const organisation = await organisationOf(token);
  return organisation ? { token, organisation, csrfKey: await csrfKey() } : undefined;
}

async function organisationOf(token: string): Promise<ReferrerOrganisation | undefined> {
  try {
    const principal = await authenticator.authenticate({ authorization: `Bearer ${token}` });
    return principal.kind === 'organisation'
      ? registeredOrganisation(partnership, principal.organisationId)
      : undefined;
  } catch (error) {
    if (error instanceof UnauthorizedError) return undefined;
    throw error;
  }
}

async function signIn(event: APIGatewayProxyEventV2): Promise<Result> {
  const token = readForm(event)?.token;
  const organisation =
    typeof token === 'string' && token.trim() !== ''
      ? await organisationOf(token.trim())
      : undefined;
  if (typeof token !== 'string' || !organisation) {
    return signInPage(400, [
      {
        text:
          typeof token === 'string' && token.trim() !== ''
            ? 'Enter a valid access token of a referrer organisation: this one is not, or has expired'
            : 'Enter your access token',
        href: '#token',
      },
    ]);
  }
  logger.info('Referrer organisation signed in', { organisationId: organisation.id });
  return redirect('/refer', cookie(token.trim()));
}

function signOut(): Result {
  return redirect('/refer', cookie('', 0));
}

function choose(session: Session): Result {
  return page(200, 'choose.njk', {
    ...chrome(session),
    title: 'Which service are you referring to?',
    pathways: pathwaysFor(partnership, session.organisation),
  });
}

function showForm(session: Session, pathwayId: string): Result {
  const found = formFor(partnership, session.organisation, pathwayId);
  if (!found) return notFound(session);
  return page(200, 'form.njk', {
    ...chrome(session),
    ...pageOfForm(found.form, {}, []),
    title: found.pathway.name,
    pathway: found.pathway,
  });
}

async function sendForm(session: Session, pathwayId: string, values: FormValues): Promise<Result> {
  const found = formFor(partnership, session.organisation, pathwayId);
  if (!found) return notFound(session);
  const outcome = await submitForm(found.form, values, session.organisation.id, dependencies);
  if (outcome.ok) {
    logger.info('Referral received from a form', { referralId: outcome.receipt.referralId });
    return redirect(`/refer/received/${outcome.receipt.referralId}`);
  }
  return page(400, 'form.njk', {
    ...chrome(session),
    ...pageOfForm(found.form, values, outcome.errors),
    title: found.pathway.name,
    pathway: found.pathway,
  });
}

async function received(session: Session, referralId: string): Promise<Result> {
  const referral = referralIdPattern.test(referralId)
    ? await sentReferral(store, session.organisation.id, referralId)
    : undefined;
  if (!referral) return notFound(session);
  return page(200, 'received.njk', {
    ...chrome(session),
    title: 'Referral sent',
    referral,
    callPoliceNow: referral.flags.immediateEscalation ? callPoliceNowMessage : undefined,
    nextSteps: nextStepsFor(referral, partnership),
  });
}

/** What every signed-in page shows: who is signed in, and the token for the sign-out form. */
function chrome(session: Session): Record<string, unknown> {
  return { organisation: session.organisation, csrf: csrfToken(session.csrfKey, session.token) };
}

function signInPage(statusCode = 200, errors: FormError[] = []): Result {
  return page(statusCode, 'sign-in.njk', { title: 'Sign in', errors });
}

function notFound(session?: Session): Result {
  return page(404, 'message.njk', {
    ...(session ? chrome(session) : {}),
    title: 'Page not found',
    message: 'There is no such page, or it is not yours to see.',
  });
}

function forbidden(message = 'The form could not be checked. Nothing was sent.'): Result {
  return page(403, 'message.njk', { title: 'Sorry, that did not work', message });
}

/** The posted form, or undefined for a body that is not a URL-encoded form of a sane size. */
function readForm(event: APIGatewayProxyEventV2): FormValues | undefined {
  const type = headerValue(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return Buffer.byteLength(body) > maxBodyBytes ? undefined : parseFormBody(body);
}

function cookieOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  // API Gateway (payload 2.0) passes cookies apart, as the local runtime does; else the header.
  const pairs = event.cookies ?? (headerValue(event, 'cookie') ?? '').split(';');
  for (const pair of pairs) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

function cookie(value: string, maxAge?: number): string {
  return [
    `${sessionCookie}=${value}`,
    'HttpOnly',
    'Secure',
    'SameSite=Strict',
    'Path=/refer',
    ...(maxAge === undefined ? [] : [`Max-Age=${maxAge}`]),
  ].join('; ');
}

/** POST-redirect-GET: the redirect carries an id at most, never an answer. */
function redirect(location: string, setCookie?: string): Result {
  return {
    statusCode: 303,
    headers: { location, ...securityHeaders },
    ...(setCookie ? { cookies: [setCookie] } : {}),
  };
}

function page(statusCode: number, template: string, context: Record<string, unknown>): Result {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', ...securityHeaders },
    body: templates.render(template, context),
  };
}
