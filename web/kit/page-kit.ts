import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import nunjucks from 'nunjucks';
import type { CsrfKeySource } from '#shared/adapters/forms-csrf-key.ts';
import { UnauthorizedError } from '#shared/errors.ts';
import type { Authenticator, Principal } from '#shared/http/auth.ts';
import { headerValue, maxBodyBytes } from '#shared/http/body.ts';
import { projectFolder } from './bundle.ts';
import { csrfToken, isCsrfToken, sameOrigin } from './csrf.ts';

/** What a page handler answers: API Gateway's HTTP API payload 2.0 result. */
export type PageResult = APIGatewayProxyStructuredResultV2;

/** A posted form: each name with its value, or its values when repeated. */
export type PostedForm = Record<string, string | string[]>;

/** One line of a GOV.UK error summary: the message and the field it links to, if any. */
export interface SummaryError {
  text: string;
  href?: string;
}

/**
 * The nunjucks environment of a page: its own templates (`web/<page>/templates`), then the kit's
 * (`layout.njk`, `sign-in.njk`, `message.njk`), then GOV.UK Frontend's macros from the package
 * (`{% from "govuk/components/…/macro.njk" import … %}`). Everything is escaped unless marked.
 */
export function pageTemplates(page: string): nunjucks.Environment {
  const folders = [
    projectFolder('web', page, 'templates'),
    projectFolder('web', 'kit', 'templates'),
    projectFolder('node_modules', 'govuk-frontend', 'dist'),
  ];
  return new nunjucks.Environment(new nunjucks.FileSystemLoader(folders), { autoescape: true });
}

/**
 * Every server-rendered page: no script, nothing from elsewhere, never framed or cached (they
 * hold answers about children).
 */
export const pageSecurityHeaders: Readonly<Record<string, string>> = {
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

/** Who a page is for: its name in the header and where its start is. */
export interface Service {
  name: string;
  href: string;
}

/** A signed-in visitor: the verified token, who it names, and the CSRF token of its forms. */
export interface PageSession<Who> {
  token: string;
  who: Who;
  csrf: string;
}

export interface PageKitOptions<Who> {
  service: Service;
  /** The folder under `web/` holding the page's templates. */
  page: string;
  /** The session cookie's name and path (the path scopes it to the page's routes). */
  cookie: { name: string; path: string };
  authenticator: Pick<Authenticator, 'authenticate'>;
  /** Who a verified token names, if this page takes it; undefined signs no one in. */
  accept: (principal: Principal) => Who | undefined;
  csrfKey: CsrfKeySource;
  /** The name of who is signed in, for the header. */
  signedInAs: (who: Who) => string;
  /** The route of the sign-out form. */
  signOutAction: string;
}

/** What a POST was found to be: refused (403, nothing done), or the form it carries. */
export type CheckedPost = { ok: false } | { ok: true; form: PostedForm };

/**
 * The page kit: one place for what every server-rendered page shares. The session is a cookie
 * holding the pasted bearer token, verified by the same `Authenticator` as the APIs on every
 * request; every signed-in form carries an HMAC of that token (CSRF); every POST must come from
 * this origin; every answer carries {@link pageSecurityHeaders}; a POST that changes something
 * answers a 303 to a GET (Post/Redirect/Get).
 */
/** What a 404 says: the same whether the thing is not there or not the reader's to see. */
const notFoundMessage = 'There is no such page, or it is not yours to see.';

export class PageKit<Who> {
  readonly #templates: nunjucks.Environment;

  constructor(readonly options: PageKitOptions<Who>) {
    this.#templates = pageTemplates(options.page);
  }

  /** The signed-in visitor, if the session cookie holds a valid token this page takes. */
  async session(event: APIGatewayProxyEventV2): Promise<PageSession<Who> | undefined> {
    const token = cookieOf(event, this.options.cookie.name);
    if (!token) return undefined;
    const who = await this.whoIs(token);
    return who === undefined ? undefined : { token, who, csrf: await this.csrfOf(token) };
  }

  /** Who a pasted token names, if it is valid and this page takes it. */
  async whoIs(token: string): Promise<Who | undefined> {
    try {
      const principal = await this.options.authenticator.authenticate({
        authorization: `Bearer ${token}`,
      });
      return this.options.accept(principal);
    } catch (error) {
      if (error instanceof UnauthorizedError) return undefined;
      throw error;
    }
  }

  /**
   * A POST checked before anything is done: it must come from this origin (when the browser
   * says where from), be a URL-encoded form of a sane size and, with a session, carry the
   * session's CSRF token. The sign-in POST has no session: the origin check and
   * `SameSite=Strict` cover it.
   */
  checkPost(event: APIGatewayProxyEventV2, session: PageSession<Who> | undefined): CheckedPost {
    if (!isSameOrigin(event)) return { ok: false };
    const form = readForm(event);
    if (!form) return { ok: false };
    if (session && !isCsrfToken(session.csrf, form._csrf)) return { ok: false };
    return { ok: true, form };
  }

  /** The `Set-Cookie` of a session holding `token`; an empty token with `maxAge` 0 ends it. */
  sessionCookie(token: string, maxAge?: number): string {
    const { name, path: cookiePath } = this.options.cookie;
    return [
      `${name}=${token}`,
      'HttpOnly',
      'Secure',
      'SameSite=Strict',
      `Path=${cookiePath}`,
      ...(maxAge === undefined ? [] : [`Max-Age=${maxAge}`]),
    ].join('; ');
  }

  /** Signs in: the session cookie set, and on to `location`. */
  signedIn(token: string, location: string): PageResult {
    return redirect(location, this.sessionCookie(token));
  }

  /** Signs out: the session cookie cleared, and on to `location`. */
  signedOut(location: string): PageResult {
    return redirect(location, this.sessionCookie('', 0));
  }

  /**
   * A page from a template with the kit's context: the service, and for a signed-in visitor
   * whom the header names and the CSRF token of its forms (and of the sign-out form).
   */
  render(
    statusCode: number,
    template: string,
    context: Record<string, unknown>,
    session?: PageSession<Who>,
  ): PageResult {
    const chrome = {
      service: this.options.service,
      ...(session
        ? {
            signedIn: {
              name: this.options.signedInAs(session.who),
              signOutAction: this.options.signOutAction,
            },
            csrf: session.csrf,
          }
        : {}),
    };
    return htmlPage(statusCode, this.#templates.render(template, { ...chrome, ...context }));
  }

  /** The kit's sign-in page: a pasted token, with the page's own words. */
  signInPage(
    words: {
      heading: string;
      intro: string;
      hint: string;
      action: string;
      /** Said above the heading: "You have signed out", "Your session has ended". */
      notice?: string;
      /** Where to go once signed in (the page checks it before going there). */
      returnTo?: string;
      /** How to get a token to try it locally: words and a command. */
      tryIt?: { text: string; code: string };
    },
    statusCode = 200,
    errors: readonly SummaryError[] = [],
  ): PageResult {
    return this.render(statusCode, 'sign-in.njk', { title: 'Sign in', ...words, errors });
  }

  /** A page of one message: not found, refused, failed. */
  message(
    statusCode: number,
    words: { title: string; message: string },
    session?: PageSession<Who>,
  ): PageResult {
    return this.render(statusCode, 'message.njk', words, session);
  }

  /** The 404 page every page answers, whether the thing asked for is not there or not theirs. */
  notFound(session?: PageSession<Who>, message = notFoundMessage): PageResult {
    return this.message(404, { title: 'Page not found', message }, session);
  }

  async csrfOf(token: string): Promise<string> {
    return csrfToken(await this.options.csrfKey(), token);
  }
}

/** Whether a request's `Origin` (if any) is this host's. */
export function isSameOrigin(event: APIGatewayProxyEventV2): boolean {
  return sameOrigin(headerValue(event, 'origin'), headerValue(event, 'host'));
}

/** The posted form, or undefined for a body that is not a URL-encoded form of a sane size. */
export function readForm(event: APIGatewayProxyEventV2): PostedForm | undefined {
  const type = headerValue(event, 'content-type')?.split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') return undefined;
  const raw = event.body ?? '';
  const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  return Buffer.byteLength(body) > maxBodyBytes ? undefined : parseFormBody(body);
}

/** Reads an `application/x-www-form-urlencoded` body (repeated names as lists). */
export function parseFormBody(body: string): PostedForm {
  const values: PostedForm = {};
  for (const [name, value] of new URLSearchParams(body)) {
    const seen = values[name];
    values[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
  }
  return values;
}

/** A cookie of the request by name. */
export function cookieOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  // API Gateway (payload 2.0) passes cookies apart, as the local runtime does; else the header.
  const pairs = event.cookies ?? (headerValue(event, 'cookie') ?? '').split(';');
  for (const pair of pairs) {
    const [key, ...value] = pair.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}

/** Post/Redirect/Get: a 303 to a GET. The location carries ids at most, never an answer. */
export function redirect(location: string, setCookie?: string): PageResult {
  return {
    statusCode: 303,
    headers: { location, ...pageSecurityHeaders },
    ...(setCookie ? { cookies: [setCookie] } : {}),
  };
}

/** An HTML page with the kit's security headers. */
export function htmlPage(statusCode: number, body: string): PageResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/html; charset=utf-8', ...pageSecurityHeaders },
    body,
  };
}

/** One value of a posted form (the first, if repeated), or undefined. */
export function oneOf(form: PostedForm, name: string): string | undefined {
  const value = form[name];
  return Array.isArray(value) ? value[0] : value;
}
