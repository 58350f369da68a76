/**
 * The sign-in view the pages share: paste an access token, checked in the page before anything
 * is sent (the API verifies it on every call).
 */
import {
  button,
  errorSummary,
  h,
  markFieldErrors,
  pageHeading,
  showErrors,
  successBanner,
  textarea,
} from './dom.js';

/**
 * The sign-in view's content.
 * @template S
 * @param {{
 *   expired?: boolean,
 *   signedOut?: boolean,
 *   tokenHint: unknown[],
 *   intro: string,
 *   parseToken: (input: string) => S | { error: string },
 *   onSignIn: (session: S) => void,
 * }} options
 */
export function signInContent({
  expired = false,
  signedOut = false,
  tokenHint,
  intro,
  parseToken,
  onSignIn,
}) {
  const token = textarea({
    id: 'access-token',
    name: 'token',
    label: 'Access token',
    hint: tokenHint,
    rows: 6,
  });
  const input = token.querySelector('textarea');
  input?.setAttribute('spellcheck', 'false');
  input?.setAttribute('autocomplete', 'off');
  const form = h('form', { novalidate: true }, token, button('Sign in'));
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const parsed = parseToken(input?.value ?? '');
    if (parsed && typeof parsed === 'object' && 'error' in parsed) {
      markFieldErrors(form, { token: parsed.error });
      showErrors(errorSummary({ items: [{ text: parsed.error, href: '#access-token' }] }));
      return;
    }
    onSignIn(/** @type {S} */ (parsed));
  });
  return [
    signedOut ? successBanner('You have signed out') : undefined,
    expired
      ? errorSummary({
          description: h('p', {}, 'Your access token has expired. Sign in with a new one.'),
          items: [{ text: 'Enter a new access token', href: '#access-token' }],
        })
      : undefined,
    ...pageHeading('Sign in'),
    h('p', { class: 'govuk-body' }, intro),
    form,
  ];
}
