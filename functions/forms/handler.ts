import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { csrfKeyFromEnv } from '#shared/adapters/forms-csrf-key.ts';
import { personalDataCipherFromEnv } from '#shared/adapters/personal-data-cipher.ts';
import { subjectIndexerFromEnv } from '#shared/adapters/subject-index.ts';
import { now } from '#shared/clock.ts';
import { requireEnv } from '#shared/config.ts';
import { partnershipById } from '#partnerships/index.ts';
import type { FormError, FormValues } from '#shared/forms/fields.ts';
import { authenticatorFromEnv } from '#shared/http/auth.ts';
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
import {
  isSameOrigin,
  PageKit,
  readForm,
  redirect,
  type PageResult,
  type PageSession,
} from '#web/kit/page-kit.ts';
import { nextStepsFor, pageOfForm } from '#web/refer/view.ts';
import { Referrals } from '#shared/table/referrals.ts';

const partnership = partnershipById(requireEnv('PARTNERSHIP'));
// Personal data is sealed before it is stored; this function can seal, never open.
const store = new Referrals({
  tableName: requireEnv('TABLE_NAME'),
  cipher: personalDataCipherFromEnv(),
  subjectIndex: subjectIndexerFromEnv(),
});
const dependencies = { partnership, store, now, newId: randomUUID };

const kit = new PageKit<ReferrerOrganisation>({
  service: { name: 'Refer a young person', href: '/refer' },
  page: 'refer',
  cookie: { name: 'reachable_refer_session', path: '/refer' },
  authenticator: authenticatorFromEnv(),
  // Only a registered referrer organisation's token is taken.
  accept: (principal) =>
    principal.kind === 'organisation'
      ? registeredOrganisation(partnership, principal.organisationId)
      : undefined,
  csrfKey: csrfKeyFromEnv(),
  signedInAs: (organisation) => organisation.name,
  signOutAction: '/refer/sign-out',
});

const referralIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

type Session = PageSession<ReferrerOrganisation>;

/**
 * The referral forms, server-rendered: sign in with the organisation's token, choose a pathway,
 * fill its form, read the confirmation. Routes are told apart by path, so that `/refer/sign-in`
 * never reads as a pathway whichever route API Gateway matched.
 */
export const handler = async (event: APIGatewayProxyEventV2): Promise<PageResult> => {
  try {
    return await respond(event);
  } catch (error) {
    // Ids only: never the event or the answers.
    logger.error('Referral form request failed', { routeKey: event.routeKey, error });
    return kit.message(500, {
      title: 'Sorry, there is a problem with the service',
      message: 'Nothing was sent. Try again later.',
    });
  }
};

async function respond(event: APIGatewayProxyEventV2): Promise<PageResult> {
  const method = event.requestContext.http.method;
  const segments = event.rawPath.split('/').filter((segment) => segment !== '');
  if (segments[0] !== 'refer' || segments.length > 3) return notFound();
  const [, first, second] = segments;
  if (method === 'POST') {
    if (!isSameOrigin(event)) return forbidden();
    if (first === 'sign-in' && second === undefined) return signIn(readForm(event)?.token);
  }
  const session = await kit.session(event);
  if (method === 'GET' && first === undefined) return session ? choose(session) : signInPage();
  if (method === 'GET' && first === 'received' && second !== undefined) {
    return session ? received(session, second) : signInPage();
  }
  if (second !== undefined || first === undefined) return notFound();
  if (method === 'GET') return session ? showForm(session, first) : signInPage();
  if (method !== 'POST') return notFound();
  // Every POST but the sign-in needs the session and its CSRF token; a refusal stores nothing.
  if (!session) return forbidden('Your session has ended. Sign in again.');
  const post = kit.checkPost(event, session);
  if (!post.ok) return forbidden();
  if (first === 'sign-out') return kit.signedOut('/refer');
  return sendForm(session, first, post.form);
}

async function signIn(posted: FormValues[string] | undefined): Promise<PageResult> {
  const token = typeof posted === 'string' ? posted.trim() : '';
  const organisation = token === '' ? undefined : await kit.whoIs(token);
  if (!organisation) {
    return signInPage(400, [
      {
        text:
          token !== ''
            ? 'Enter a valid access token of a referrer organisation: this one is not, or has expired'
            : 'Enter your access token',
        href: '#token',
      },
    ]);
  }
  logger.info('Referrer organisation signed in', { organisationId: organisation.id });
  return kit.signedIn(token, '/refer');
}

function choose(session: Session): PageResult {
  return kit.render(
    200,
    'choose.njk',
    {
      title: 'Which service are you referring to?',
      pathways: pathwaysFor(partnership, session.who),
    },
    session,
  );
}

function showForm(session: Session, pathwayId: string): PageResult {
  const found = formFor(partnership, session.who, pathwayId);
  if (!found) return notFound(session);
  return kit.render(
    200,
    'form.njk',
    { ...pageOfForm(found.form, {}, []), title: found.pathway.name, pathway: found.pathway },
    session,
  );
}

async function sendForm(
  session: Session,
  pathwayId: string,
  values: FormValues,
): Promise<PageResult> {
  const found = formFor(partnership, session.who, pathwayId);
  if (!found) return notFound(session);
  const outcome = await submitForm(found.form, values, session.who.id, dependencies);
  if (outcome.ok) {
    logger.info('Referral received from a form', { referralId: outcome.receipt.referralId });
    return redirect(`/refer/received/${outcome.receipt.referralId}`);
  }
  return kit.render(
    400,
    'form.njk',
    {
      ...pageOfForm(found.form, values, outcome.errors),
      title: found.pathway.name,
      pathway: found.pathway,
    },
    session,
  );
}

async function received(session: Session, referralId: string): Promise<PageResult> {
  const referral = referralIdPattern.test(referralId)
    ? await sentReferral(store, session.who.id, referralId)
    : undefined;
  if (!referral) return notFound(session);
  return kit.render(
    200,
    'received.njk',
    {
      title: 'Referral sent',
      referral,
      callPoliceNow: referral.flags.immediateEscalation ? callPoliceNowMessage : undefined,
      nextSteps: nextStepsFor(referral, partnership),
    },
    session,
  );
}

function signInPage(statusCode = 200, errors: FormError[] = []): PageResult {
  return kit.signInPage(
    {
      heading: 'Sign in to refer a young person',
      intro: 'Sign in as your organisation with the access token your organisation was given.',
      hint: 'Paste the whole token. It is kept in a cookie for this browser session only.',
      action: '/refer/sign-in',
    },
    statusCode,
    errors.map(({ text, href }) => (href ? { text, href } : { text })),
  );
}

function notFound(session?: Session): PageResult {
  return kit.notFound(session);
}

function forbidden(message = 'The form could not be checked. Nothing was sent.'): PageResult {
  return kit.message(403, { title: 'Sorry, that did not work', message });
}
