import { setTimeout as sleep } from 'node:timers/promises';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { launchChromium } from '#test/helpers/chromium.ts';
import {
  axeViolations,
  closeOpenContexts,
  cookieHeader,
  pageWithoutScript,
} from '#test/helpers/pages.ts';
import { eventually } from '#test/helpers/runtime.ts';

const provider = 'turning-point-admit';
const otherProvider = 'st-giles-sos';

let runtime: Runtime;
let browser: Browser;
const tokens = new Map<string, string>();

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
  browser = await launchChromium();
  for (const id of [provider, otherProvider])
    tokens.set(id, await signLocalToken({ provider: id }));
});

afterAll(async () => {
  await closeOpenContexts();
  await browser?.close();
  await runtime?.stop();
});

/** Submits the Admit example as Musgrove Park A&E would; Somerset routes it to Turning Point. */
async function submitReferral(): Promise<string> {
  const response = await postReferral(runtime, exampleReferral('admit-friday-night.json'));
  expect(response.status).toBe(202);
  return ((await response.json()) as { referralId: string }).referralId;
}

/** Calls the provider API directly, as that provider. */
function api(providerId: string, path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${runtime.url}/v1/providers/${providerId}${path}`, {
    ...init,
    headers: { ...init.headers, authorization: `Bearer ${tokens.get(providerId)!}` },
  });
}

interface ProviderReferral {
  referralId: string;
  status: string;
  closeOutcome?: string;
  contactAttempts: { method: string; result: string; attemptedAt: string }[];
  decline?: { reason: string; details?: string };
  milestones: Record<string, string>;
}

/** The referral as the provider API has it now. */
async function referralFromApi(referralId: string): Promise<ProviderReferral> {
  const response = await api(provider, `/referrals/${referralId}`);
  expect(response.status).toBe(200);
  return ((await response.json()) as { referral: ProviderReferral }).referral;
}

/** Waits until the routing decision is recorded (it has its own queue and function). */
function routingRecorded(referralId: string): Promise<ProviderReferral> {
  return eventually(`routing of ${referralId}`, async () => {
    const response = await api(provider, `/referrals/${referralId}`);
    if (response.status !== 200) return undefined;
    const { referral } = (await response.json()) as { referral: ProviderReferral };
    return referral.status === 'received' ? undefined : referral;
  });
}

/** A browser with JavaScript off, signed in as the provider. */
async function signedInPage(providerId: string): Promise<Page> {
  const page = await pageWithoutScript(browser);
  await page.goto(`${runtime.url}/provider`);
  await page.getByLabel('Access token').fill(tokens.get(providerId)!);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { level: 1, name: 'Your work queue' }).waitFor();
  return page;
}

/**
 * Pulls until the referral arrives (routing is asynchronous: stream, bus, queue, as on AWS), then
 * reloads it once its routing is recorded, so that it offers accept and decline.
 */
async function pullUntilArrives(page: Page, referralId: string): Promise<void> {
  for (let attempt = 0; attempt < 60; attempt++) {
    await page.getByRole('button', { name: 'Pull next referral' }).click();
    await page.locator('h1').waitFor();
    if (new URL(page.url()).pathname === '/provider') {
      await page.getByText('Your queue is empty').waitFor();
      await sleep(200);
      continue;
    }
    if (new URL(page.url()).pathname === `/provider/referrals/${referralId}`) {
      await routingRecorded(referralId);
      await page.reload();
      return;
    }
    // Another referral came first: back to the queue for the next one.
    await page.getByRole('link', { name: 'Back to your work queue' }).click();
  }
  throw new Error(`Referral ${referralId} never reached ${provider}'s queue`);
}

/** Clicks an action's button and waits for the success banner it should bring. */
async function runAction(page: Page, buttonName: string, banner: string): Promise<void> {
  await page.getByRole('button', { name: buttonName }).click();
  await page.locator('.govuk-notification-banner').filter({ hasText: banner }).waitFor();
}

/** The text of the first match as rendered, white space collapsed. */
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();

const violations = (page: Page) => axeViolations(browser, page);

describe('the provider page, in Chromium with JavaScript off, on the embedded runtime', () => {
  it('signs in with a token and takes a referral from the queue to closed, each view without accessibility violations', async () => {
    // Prepare
    const referralId = await submitReferral();
    const page = await pageWithoutScript(browser);
    const fontRequests: string[] = [];
    page.on('request', (request) => {
      if (/\.woff2?$/.test(request.url())) fontRequests.push(request.url());
    });
    const signInResponse = await page.goto(`${runtime.url}/provider`);
    const found: Record<string, string[]> = { signIn: await violations(page) };

    // Act
    await page.getByLabel('Access token').fill(tokens.get(provider)!);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your work queue' }).waitFor();
    const signedInAs = await text(page, '#signed-in-as');
    found.home = await violations(page);
    await pullUntilArrives(page, referralId);
    const pulled = await text(page, '#main-content');
    const leaseNote = await text(page, '#lease');
    found.referral = await violations(page);

    await runAction(page, 'Accept referral', 'Referral accepted');
    const statusAfterAccept = await text(page, '#referral-status');
    const formsAfterAccept = await page.locator('main form h2').allTextContents();
    found.accepted = await violations(page);

    await page
      .getByRole('group', { name: 'How did you try to contact them?' })
      .getByLabel('Phone')
      .check();
    await page.getByRole('group', { name: 'What happened?' }).getByLabel('No answer').check();
    await runAction(page, 'Record contact attempt', 'Contact attempt recorded');
    const statusAfterContact = await text(page, '#referral-status');
    const attempts = await text(page, '#contact-attempts');

    await runAction(page, 'Mark as engaged', 'Marked as engaged');
    const formsWhenEngaged = await page.locator('main form h2').allTextContents();

    await page.getByLabel('Support completed').check();
    await runAction(page, 'Close referral', 'Referral closed');
    const statusAfterClose = await text(page, '#referral-status');
    const closedNote = await text(page, '#no-actions');
    const formsWhenClosed = await page.locator('main form').count();
    found.closed = await violations(page);

    await page.getByRole('link', { name: 'Back to your work queue' }).click();
    await page.getByLabel('Status').selectOption('closed');
    await page.getByRole('button', { name: 'Show referrals' }).click();
    const listUrl = new URL(page.url());
    const listed = page.locator(`#referral-list a[href="/provider/referrals/${referralId}"]`);
    const listedName = await listed.innerText();
    const listStatus = await text(page, '#list-status');
    found.list = await violations(page);

    await page.getByRole('button', { name: 'Sign out' }).click();
    const signedOutNote = await text(page, '#sign-in-notice');
    const cookiesAfterSignOut = await page.context().cookies();
    await page.goto(`${runtime.url}/provider/referrals/${referralId}`);
    const headingAfterSignOut = await text(page, 'h1');
    const stored = await referralFromApi(referralId);

    // Assess
    expect(signInResponse?.status()).toBe(200);
    expect(signInResponse?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(signInResponse?.headers()['content-security-policy']).not.toContain('script-src');
    expect(signInResponse?.headers()['cache-control']).toBe('no-store');
    expect(found).toEqual({
      signIn: [],
      home: [],
      referral: [],
      accepted: [],
      closed: [],
      list: [],
    });
    expect(signedInAs).toBe('Turning Point (Admit Young People Recovery workers)');
    expect(pulled).toContain('Name Jordan Example');
    expect(pulled).toContain('Age 16');
    expect(pulled).toContain('Pathway Admit (Musgrove Park Hospital A&E)');
    expect(pulled).toContain('Area Somerset');
    expect(pulled).toContain('Summary Brought in by friends after drinking at a party.');
    expect(pulled).toContain('Response expected Next-day aftercare');
    expect(pulled).toContain('Organisation Musgrove Park Hospital A&E');
    expect(pulled).toMatch(/Accept by \d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m/);
    expect(pulled).toMatch(/First contact by \d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m/);
    expect(leaseNote).toMatch(/^Held for you until \d{1,2}:\d{2}[ap]m\./);
    expect(statusAfterAccept).toBe('Accepted');
    expect(formsAfterAccept).toEqual([
      'Record a contact attempt',
      'Mark as engaged',
      'Close this referral',
    ]);
    expect(statusAfterContact).toBe('Contact attempted');
    expect(attempts).toMatch(/^Phone: no answer, /);
    expect(formsWhenEngaged).toEqual(['Close this referral']);
    expect(statusAfterClose).toBe('Closed');
    expect(closedNote).toContain('nothing more for you to do');
    expect(formsWhenClosed).toBe(0);
    expect(listUrl.search).toBe('?status=closed');
    expect(listedName).toBe('Jordan Example');
    expect(listStatus).toMatch(/^Showing \d+ closed referrals?\.$/);
    expect(signedOutNote).toBe('You have signed out.');
    expect(cookiesAfterSignOut).toEqual([]);
    expect(headingAfterSignOut).toBe('Sign in to your work queue');
    expect(fontRequests).toEqual([]);
    expect(stored).toMatchObject({
      status: 'closed',
      closeOutcome: 'completed',
      contactAttempts: [{ method: 'phone', result: 'no-answer' }],
    });
    expect(Object.keys(stored.milestones)).toEqual(
      expect.arrayContaining(['acceptedAt', 'firstContactAt', 'engagedAt', 'closedAt']),
    );
  });

  it('refuses a decline without a reason, or "other" without details, naming the field, and changes nothing', async () => {
    // Prepare
    const referralId = await submitReferral();
    const page = await signedInPage(provider);
    await pullUntilArrives(page, referralId);

    // Act: no reason
    await page.getByRole('button', { name: 'Decline referral' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    const noReason = {
      summary: await text(page, '.govuk-error-summary'),
      link: await page.locator('.govuk-error-summary a').getAttribute('href'),
      inline: await text(page, '#decline-reason-error'),
      title: await page.title(),
      violations: await violations(page),
    };
    const statusWithoutReason = (await referralFromApi(referralId)).status;

    // Act: "other" without details
    await page.getByLabel('Another reason').check();
    const detailsShown = await page.getByLabel('Give details').isVisible();
    await page.getByRole('button', { name: 'Decline referral' }).click();
    await page.locator('.govuk-error-summary').filter({ hasText: 'Enter why' }).waitFor();
    const noDetails = {
      summary: await text(page, '.govuk-error-summary'),
      link: await page.locator('.govuk-error-summary a').getAttribute('href'),
      kept: await page.getByLabel('Another reason').isChecked(),
    };
    const statusWithoutDetails = (await referralFromApi(referralId)).status;

    // Act: with details, it goes
    await page.locator('#decline-details').fill('Known to the youth offending team already.');
    await runAction(page, 'Decline referral', 'Referral declined');
    const statusShown = await text(page, '#referral-status');
    const stored = await referralFromApi(referralId);

    // Assess
    expect(noReason.summary).toContain('There is a problem');
    expect(noReason.summary).toContain('Select why you are declining this referral');
    expect(noReason.link).toBe('#decline-reason');
    expect(noReason.inline).toBe('Error: Select why you are declining this referral');
    expect(noReason.title).toMatch(/^Error: /);
    expect(noReason.violations).toEqual([]);
    expect(statusWithoutReason).toBe('routed');
    expect(detailsShown).toBe(true);
    expect(noDetails.summary).toContain('Enter why you are declining this referral');
    expect(noDetails.link).toBe('#decline-details');
    expect(noDetails.kept).toBe(true);
    expect(statusWithoutDetails).toBe('routed');
    expect(statusShown).toBe('Declined');
    expect(stored).toMatchObject({
      status: 'declined',
      decline: { reason: 'other', details: 'Known to the youth offending team already.' },
    });
  });

  it('shows a conflict in an error summary, with the commands the referral now allows', async () => {
    // Prepare: the page shows a routed referral, which is then declined behind its back
    const referralId = await submitReferral();
    const page = await signedInPage(provider);
    await pullUntilArrives(page, referralId);
    const declined = await api(provider, `/referrals/${referralId}/decline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'no-capacity' }),
    });

    // Act
    const answer = page.waitForResponse((response) => response.url().endsWith('/accept'));
    await page.getByRole('button', { name: 'Accept referral' }).click();
    const status = (await answer).status();
    await page.locator('.govuk-error-summary').waitFor();
    const summary = await text(page, '.govuk-error-summary');
    const statusShown = await text(page, '#referral-status');
    const acceptButtons = await page.getByRole('button', { name: 'Accept referral' }).count();
    const found = await violations(page);

    // Assess
    expect(declined.status).toBe(200);
    expect(status).toBe(409);
    expect(summary).toContain('Not allowed from the current status.');
    expect(summary).toContain('A referral that is declined cannot be accepted.');
    expect(summary).toContain('What can happen to it now: rerouting by the spoke');
    expect(statusShown).toBe('Declined');
    expect(acceptButtons).toBe(0);
    expect(found).toEqual([]);
  });

  it("shows another provider an empty queue and a 404 for this provider's referral, never the referral", async () => {
    // Prepare
    const referralId = await submitReferral();
    await routingRecorded(referralId);
    const page = await signedInPage(otherProvider);

    // Act
    await page.getByRole('button', { name: 'Pull next referral' }).click();
    const empty = await text(page, '#pull-result');
    const response = await page.goto(`${runtime.url}/provider/referrals/${referralId}`);
    const heading = await text(page, 'h1');
    const main = await text(page, '#main-content');
    const found = await violations(page);

    // Assess
    expect(empty).toMatch(/^Your queue is empty \(checked at \d{1,2}:\d{2}:\d{2}[ap]m\)\./);
    expect(response?.status()).toBe(404);
    expect(heading).toBe('Referral not available');
    expect(main).toContain(`No referral ${referralId} is routed to ${otherProvider}.`);
    expect(main).not.toContain('Jordan');
    expect(found).toEqual([]);
  });

  it('refuses a POST without the CSRF token, with a wrong one or from another origin (403), and changes nothing', async () => {
    // Prepare
    const referralId = await submitReferral();
    const page = await signedInPage(provider);
    await pullUntilArrives(page, referralId);
    const cookie = await cookieHeader(page);
    const csrf = await page.locator('#accept input[name="_csrf"]').getAttribute('value');
    const post = (body: URLSearchParams, headers: Record<string, string> = {}) =>
      fetch(`${runtime.url}/provider/referrals/${referralId}/accept`, {
        method: 'POST',
        redirect: 'manual',
        body,
        headers: { cookie, 'content-type': 'application/x-www-form-urlencoded', ...headers },
      });

    // Act
    const withoutToken = await post(new URLSearchParams());
    const wrongToken = await post(new URLSearchParams({ _csrf: 'not-the-token' }));
    const otherOrigin = await post(new URLSearchParams({ _csrf: csrf ?? '' }), {
      origin: 'https://elsewhere.example',
    });
    const statusAfterRefusals = (await referralFromApi(referralId)).status;
    const withToken = await post(new URLSearchParams({ _csrf: csrf ?? '' }));
    const statusAfterAccept = (await referralFromApi(referralId)).status;

    // Assess
    expect([withoutToken.status, wrongToken.status, otherOrigin.status]).toEqual([403, 403, 403]);
    expect(statusAfterRefusals).toBe('routed');
    expect(withToken.status).toBe(303);
    expect(withToken.headers.get('location')).toBe(`/provider/referrals/${referralId}?done=accept`);
    expect(statusAfterAccept).toBe('accepted');
  });

  it('serves GOV.UK Frontend from the installed package, and no longer the old page script', async () => {
    // Act
    const css = await fetch(`${runtime.url}/assets/govuk/govuk-frontend.min.css`);
    const script = await fetch(`${runtime.url}/provider/app.js`);

    // Assess
    expect(css.status).toBe(200);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(await css.text()).toContain('.govuk-button');
    expect(script.status).toBe(404);
  });
});
