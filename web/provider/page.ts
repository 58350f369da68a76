import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { referralStatuses, type ReferralStatus } from '#events/vocabulary.ts';
import type { ProviderPrincipal } from '#shared/http/auth.ts';
import type { Log } from '#shared/observability.ts';
import type { Partnership } from '#shared/partnership/schema.ts';
import type {
  listProviderReferrals,
  pullNextReferral,
  readProviderReferral,
  runProviderCommand,
  ProviderView,
} from '#shared/services/provider-work.ts';
import {
  redirect,
  type PageKit,
  type PageResult,
  type PageSession,
  type PostedForm,
} from '#web/kit/page-kit.ts';
import {
  actionsFor,
  choices,
  closeOutcomeLabels,
  commandAt,
  commandFromForm,
  contactMethodLabels,
  contactResultLabels,
  declineReasonLabels,
  doneBanners,
  formatTime,
  namesFrom,
  pageCommands,
  problemOf,
  referralRows,
  referralSections,
  statusLabels,
  statusOptions,
  type PageCommand,
  type PageProblem,
} from './view.ts';

/**
 * The provider work services the page calls: the very functions the provider API calls
 * (`shared/services/provider-work.ts`), with the dependencies of the signed-in provider.
 */
export interface ProviderPageServices<Work> {
  pullNextReferral: (work: Work) => ReturnType<typeof pullNextReferral>;
  listProviderReferrals: (
    work: Work,
    options: Parameters<typeof listProviderReferrals>[1],
  ) => ReturnType<typeof listProviderReferrals>;
  readProviderReferral: (referralId: string, work: Work) => ReturnType<typeof readProviderReferral>;
  runProviderCommand: (
    referralId: string,
    command: Parameters<typeof runProviderCommand>[1],
    work: Work,
  ) => ReturnType<typeof runProviderCommand>;
}

export interface ProviderPageDependencies<Work> {
  kit: PageKit<ProviderPrincipal>;
  partnership: Partnership;
  /** The services' dependencies for the provider the verified token names, in this request. */
  workFor: (principal: ProviderPrincipal, correlationId: string) => Work;
  services: ProviderPageServices<Work>;
  now: () => Date;
  log: Log;
}

type Session = PageSession<ProviderPrincipal>;

const referralIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The sign-in page's words: the provider's token, pasted. */
const signInWords = {
  heading: 'Sign in to your work queue',
  intro: 'Sign in to see your organisation’s work queue and the referrals routed to you.',
  hint: 'Paste the access token your organisation was given. It is kept in a cookie for this browser session only.',
  action: '/provider/sign-in',
  tryIt: {
    text: 'To try Reachable on your own machine, make one with',
    code: 'npm run token -- --provider turning-point-admit',
  },
};

/**
 * The provider page, server-rendered on the page kit: sign in with the provider's token, pull
 * the next referral, list referrals all or by status, and work one through the commands its
 * status allows. Every POST is checked (origin, CSRF) before anything is done and answers a
 * redirect to a GET (Post/Redirect/Get), or the page again with what to correct.
 */
export function providerPage<Work>(deps: ProviderPageDependencies<Work>) {
  const { kit, partnership, services, now, log } = deps;
  const names = namesFrom(partnership);

  return async function respond(event: APIGatewayProxyEventV2): Promise<PageResult> {
    const method = event.requestContext.http.method;
    const segments = event.rawPath.split('/').filter((segment) => segment !== '');
    if (segments[0] !== 'provider' || segments.length > 4) return notFound();
    const [, first, id, command] = segments;
    const query = event.queryStringParameters ?? {};
    if (method === 'POST' && first === 'sign-in' && id === undefined) {
      const post = kit.checkPost(event, undefined);
      return post.ok ? signIn(post.form) : forbidden();
    }
    const session = await kit.session(event);
    if (method === 'GET') {
      if (first === undefined) return session ? home(event, session, query) : signInPage(query);
      if (first === 'referrals' && id !== undefined && command === undefined) {
        return session
          ? showReferral(event, session, id, query)
          : signInPage({}, `/provider/referrals/${id}`);
      }
      return notFound(session);
    }
    if (method !== 'POST') return notFound(session);
    // Every POST but the sign-in needs the session and its CSRF token; a refusal changes nothing.
    if (!session) return forbidden('Your session has ended. Sign in again.');
    const post = kit.checkPost(event, session);
    if (!post.ok) return forbidden();
    if (first === 'sign-out' && id === undefined) return kit.signedOut('/provider?signed-out');
    if (first === 'next' && id === undefined) return pull(event, session);
    const pageCommand = command === undefined ? undefined : commandAt(command);
    if (first === 'referrals' && id !== undefined && pageCommand) {
      return act(event, session, id, pageCommand, post.form);
    }
    return notFound(session);
  };

  function work(event: APIGatewayProxyEventV2, session: Session): Work {
    return deps.workFor(session.who, event.requestContext.requestId);
  }

  async function signIn(form: PostedForm): Promise<PageResult> {
    const posted = form.token;
    const token = typeof posted === 'string' ? posted.trim() : '';
    const returnTo = typeof form.returnTo === 'string' ? form.returnTo : '';
    const who = token === '' ? undefined : await kit.whoIs(token);
    if (!who) {
      return kit.signInPage(
        { ...signInWords, ...(safeReturn(returnTo) ? { returnTo } : {}) },
        400,
        [
          {
            text:
              token === ''
                ? 'Enter your access token'
                : 'Enter a valid access token of a provider: this one is not, or has expired',
            href: '#token',
          },
        ],
      );
    }
    log.info('Provider signed in', { providerId: who.providerId });
    return kit.signedIn(token, safeReturn(returnTo) ? returnTo : '/provider');
  }

  function signInPage(query: Record<string, string | undefined>, returnTo?: string): PageResult {
    return kit.signInPage({
      ...signInWords,
      ...('signed-out' in query ? { notice: 'You have signed out.' } : {}),
      ...(returnTo ? { returnTo } : {}),
    });
  }

  async function home(
    event: APIGatewayProxyEventV2,
    session: Session,
    query: Record<string, string | undefined>,
    problem?: PageProblem,
  ): Promise<PageResult> {
    const status = query.status || undefined;
    const cursor = query.cursor || undefined;
    const context = {
      title: 'Your work queue',
      providerName: names.provider(session.who.providerId),
      emptyAt: query.empty ? formatTime(query.empty, { seconds: true }) : undefined,
      statusOptions: statusOptions(isStatus(status) ? status : undefined),
    };
    if (status !== undefined && !isStatus(status)) {
      const text = 'Select a status from the list';
      return kit.render(
        400,
        'home.njk',
        {
          ...context,
          errors: [{ text, href: '#status-filter' }],
          problem: { errors: [{ text, href: '#status-filter' }] },
          filterError: text,
          rows: [],
        },
        session,
      );
    }
    let page: Awaited<ReturnType<typeof services.listProviderReferrals>>;
    try {
      page = await services.listProviderReferrals(work(event, session), {
        ...(status ? { status } : {}),
        ...(cursor ? { cursor } : {}),
      });
    } catch (error) {
      const failed = problemOf(error);
      if (!failed) throw error;
      return kit.render(
        failed.statusCode,
        'home.njk',
        { ...context, errors: failed.errors, problem: failed, rows: [] },
        session,
      );
    }
    const which = status ? `${statusLabels[status].toLowerCase()} ` : '';
    const shown = page.referrals.length;
    return kit.render(
      problem?.statusCode ?? 200,
      'home.njk',
      {
        ...context,
        ...(problem ? { problem, errors: problem.errors } : {}),
        which,
        rows: referralRows(page.referrals, partnership),
        listStatus:
          shown === 0
            ? `You have no ${which}referrals${cursor ? ' after these' : ''}.`
            : `Showing ${shown} ${which}referral${shown === 1 ? '' : 's'}${cursor ? ', after the first page' : ''}.`,
        nextHref: page.cursor ? listHref(status, page.cursor) : undefined,
        previousHref: cursor ? listHref(status) : undefined,
      },
      session,
    );
  }

  async function pull(event: APIGatewayProxyEventV2, session: Session): Promise<PageResult> {
    try {
      const pulled = await services.pullNextReferral(work(event, session));
      if (!pulled) return redirect(`/provider?empty=${encodeURIComponent(now().toISOString())}`);
      const { referralId } = pulled.referral;
      return redirect(
        `/provider/referrals/${referralId}?lease=${encodeURIComponent(pulled.lease.expiresAt)}`,
      );
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      return home(event, session, {}, problem);
    }
  }

  async function showReferral(
    event: APIGatewayProxyEventV2,
    session: Session,
    referralId: string,
    query: Record<string, string | undefined>,
  ): Promise<PageResult> {
    if (!referralIdPattern.test(referralId)) return notFound(session);
    let referral: ProviderView;
    try {
      ({ referral } = await services.readProviderReferral(referralId, work(event, session)));
    } catch (error) {
      return unavailable(error, session);
    }
    const done = Object.entries(pageCommands).find(([, path]) => path === query.done)?.[0] as
      PageCommand | undefined;
    return referralPage(session, referral, {
      statusCode: 200,
      ...(done ? { banner: doneBanners[done] } : {}),
      ...(query.lease ? { lease: query.lease } : {}),
    });
  }

  async function act(
    event: APIGatewayProxyEventV2,
    session: Session,
    referralId: string,
    command: PageCommand,
    form: PostedForm,
  ): Promise<PageResult> {
    if (!referralIdPattern.test(referralId)) return notFound(session);
    const read = commandFromForm(command, form, now());
    const dependencies = work(event, session);
    if (!read.ok) {
      // Nothing is sent: the form again, its answers kept and each missing one named.
      const referral = await services
        .readProviderReferral(referralId, dependencies)
        .then((answer) => answer.referral)
        .catch((error: unknown) => error);
      if (!isView(referral)) return unavailable(referral, session);
      return referralPage(session, referral, {
        statusCode: 400,
        problem: { statusCode: 400, title: '', message: '', ...read },
        values: form,
      });
    }
    try {
      await services.runProviderCommand(referralId, read.command, dependencies);
    } catch (error) {
      const problem = problemOf(error);
      if (!problem) throw error;
      if (problem.statusCode !== 400 && problem.statusCode !== 409) {
        return unavailable(error, session);
      }
      // The referral as it is now, with what its status now allows.
      const now = await services
        .readProviderReferral(referralId, dependencies)
        .then((answer) => answer.referral)
        .catch((failure: unknown) => failure);
      if (!isView(now)) return unavailable(now, session);
      return referralPage(session, now, {
        statusCode: problem.statusCode,
        problem,
        ...(problem.statusCode === 400 ? { values: form } : {}),
      });
    }
    log.info('Provider command done from the page', {
      referralId,
      providerId: session.who.providerId,
      command,
    });
    return redirect(`/provider/referrals/${referralId}?done=${pageCommands[command]}`);
  }

  function referralPage(
    session: Session,
    referral: ProviderView,
    options: {
      statusCode: number;
      banner?: string;
      problem?: PageProblem;
      lease?: string;
      values?: PostedForm;
    },
  ): PageResult {
    const values = options.values ?? {};
    const one = (name: string) => {
      const value = values[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const actions = actionsFor(referral.status);
    const leaseTime = Date.parse(options.lease ?? '');
    const leaseHeld =
      !Number.isNaN(leaseTime) && leaseTime > now().getTime() && actions.includes('accept');
    return kit.render(
      options.statusCode,
      'referral.njk',
      {
        // Not the name: titles are kept in browser history, which others may see.
        title: 'Referral',
        referralId: referral.referralId,
        view: referralSections(referral, partnership),
        actions,
        leaseUntil: leaseHeld ? formatTime(options.lease) : undefined,
        ...(options.banner ? { banner: options.banner } : {}),
        ...(options.problem ? { problem: options.problem, errors: options.problem.errors } : {}),
        fieldErrors: options.problem?.fieldErrors ?? {},
        values: { details: one('details') ?? '' },
        declineItems: choices(declineReasonLabels, one('reason')),
        methodItems: choices(contactMethodLabels, one('method')),
        resultItems: choices(contactResultLabels, one('result')),
        outcomeItems: choices(closeOutcomeLabels, one('outcome')),
      },
      session,
    );
  }

  /** A referral the page cannot show: not this provider's, erased, or its read not recorded. */
  function unavailable(error: unknown, session: Session): PageResult {
    const problem = problemOf(error);
    if (!problem) throw error;
    return kit.message(
      problem.statusCode,
      { title: problem.title, message: problem.message },
      session,
    );
  }

  function notFound(session?: Session): PageResult {
    return kit.notFound(session);
  }

  function forbidden(message = 'The form could not be checked. Nothing was changed.'): PageResult {
    return kit.message(403, { title: 'Sorry, that did not work', message });
  }
}

const isStatus = (value: string | undefined): value is ReferralStatus =>
  (referralStatuses as readonly string[]).includes(value ?? '');

const isView = (value: unknown): value is ProviderView =>
  typeof value === 'object' && value !== null && 'referralId' in value && 'status' in value;

function listHref(status: string | undefined, cursor?: string): string {
  const query = new URLSearchParams({
    ...(status ? { status } : {}),
    ...(cursor ? { cursor } : {}),
  }).toString();
  return query ? `/provider?${query}` : '/provider';
}

/** Only a page of this site's provider page is gone back to after signing in. */
function safeReturn(returnTo: string): boolean {
  return /^\/provider\/referrals\/[0-9a-f-]{36}$/.test(returnTo);
}
