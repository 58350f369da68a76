import { request as httpRequest } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handler as webHandler } from '#functions/web/handler.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { launchChromium } from '#test/helpers/chromium.ts';
import { eventually } from '#test/helpers/runtime.ts';

const provider = 'turning-point-admit';
const otherProvider = 'st-giles-sos';

let runtime: Runtime;
let browser: Browser;
const tokens = new Map<string, string>();
/** Uncaught errors of any page opened here: every test expects none. */
const pageErrors: string[] = [];

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
  browser = await launchChromium();
  for (const id of [provider, otherProvider])
    tokens.set(id, await signLocalToken({ provider: id }));
});

afterAll(async () => {
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

/**
 * Waits until the routing decision is recorded: it has its own queue and function, so a quick
 * pull can still find the referral `received`, and accepting it then answers 409.
 */
function routingRecorded(referralId: string): Promise<ProviderReferral> {
  return eventually(`routing of ${referralId}`, async () => {
    const response = await api(provider, `/referrals/${referralId}`);
    if (response.status !== 200) return undefined;
    const { referral } = (await response.json()) as { referral: ProviderReferral };
    return referral.status === 'received' ? undefined : referral;
  });
}

/** A fresh browser context (its own sessionStorage) with the provider page open. */
async function openProviderPage(hash = ''): Promise<Page> {
  const context = await browser.newContext();
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  await page.goto(`${runtime.url}/provider${hash}`);
  return page;
}

async function signIn(page: Page, providerId: string): Promise<void> {
  await page.getByLabel('Access token').fill(tokens.get(providerId)!);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Pulls until the referral arrives: routing is asynchronous (stream, bus, queue), as on AWS. */
async function pullUntilArrives(page: Page, referralId: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: 'Your work queue' }).waitFor();
  for (let attempt = 0; attempt < 60; attempt++) {
    const pulled = page.waitForResponse((response) => response.url().endsWith('/referrals/next'));
    await page.getByRole('button', { name: 'Pull next referral' }).click();
    if ((await pulled).status() === 204) {
      await page.getByText('Your queue is empty').waitFor();
      await sleep(200);
      continue;
    }
    await page.getByRole('heading', { level: 1, name: 'Jordan Example' }).waitFor();
    if (page.url().endsWith(`#/referrals/${referralId}`)) return;
    // Another referral came first: back to the queue for the next one.
    await page.getByRole('link', { name: 'Back to your work queue' }).click();
    await page.getByRole('heading', { level: 1, name: 'Your work queue' }).waitFor();
  }
  throw new Error(`Referral ${referralId} never reached ${provider}'s queue`);
}

/** Clicks an action's button and waits for the success banner it should bring. */
async function runAction(page: Page, buttonName: string, banner: string): Promise<void> {
  await page.getByRole('button', { name: buttonName }).click();
  await page.locator('.govuk-notification-banner').filter({ hasText: banner }).waitFor();
}

/** The id and classes of the element that has focus. */
async function focusedElement(page: Page): Promise<{ id: string; className: string }> {
  const focused = page.locator(':focus');
  return {
    id: (await focused.getAttribute('id')) ?? '',
    className: (await focused.getAttribute('class')) ?? '',
  };
}

/** The text of the first match as rendered, white space collapsed. */
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();

describe('the provider page, in Chromium, on the embedded runtime', () => {
  it('signs in with a token and takes a referral from the queue to closed', async () => {
    // Prepare
    const referralId = await submitReferral();
    const page = await openProviderPage();

    // Act
    await signIn(page, provider);
    const signedInAs = await text(page, '#signed-in-as');
    await pullUntilArrives(page, referralId);
    const pulled = await text(page, '#main-content');
    const leaseNote = await text(page, '#lease');
    await routingRecorded(referralId);

    await runAction(page, 'Accept referral', 'Referral accepted');
    const focusAfterAccept = await focusedElement(page);
    const statusAfterAccept = await text(page, '#referral-status');
    const formsAfterAccept = await page.locator('main form h2').allTextContents();

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

    await page.getByRole('link', { name: 'Back to your work queue' }).click();
    await page.getByLabel('Status').selectOption('closed');
    await page.getByRole('button', { name: 'Show referrals' }).click();
    await page.getByText(/^Showing \d+ closed referrals?\.$/).waitFor();
    const listed = page.locator(`#referral-list a[href="#/referrals/${referralId}"]`);
    await listed.waitFor();
    const listedName = await listed.innerText();
    const listStatus = await text(page, '#list-status');

    await page.getByRole('link', { name: 'Sign out' }).click();
    await page.getByRole('heading', { level: 1, name: 'Sign in' }).waitFor();
    // A string, as the project's type check knows no DOM.
    const tokenAfterSignOut = await page.evaluate(
      "sessionStorage.getItem('reachable.provider.token')",
    );
    const stored = await referralFromApi(referralId);

    // Assess
    expect(signedInAs).toBe(provider);
    expect(pulled).toContain('Name Jordan Example');
    expect(pulled).toContain('Age 16');
    expect(pulled).toContain('Pathway Admit (A&E)');
    expect(pulled).toContain('Summary Brought in by friends after drinking at a party.');
    expect(pulled).toContain('Response expected Next-day aftercare');
    expect(pulled).toMatch(/Accept by \d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m/);
    expect(pulled).toMatch(/First contact by \d{1,2} \w+ \d{4} at \d{1,2}:\d{2}[ap]m/);
    expect(leaseNote).toMatch(/^Held for you until \d{1,2}:\d{2}[ap]m\./);
    expect(focusAfterAccept.className).toContain('govuk-notification-banner');
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
    expect(listedName).toBe('Jordan Example');
    expect(listStatus).toMatch(/^Showing \d+ closed referrals?\.$/);
    expect(tokenAfterSignOut).toBeNull();
    expect(stored).toMatchObject({
      status: 'closed',
      closeOutcome: 'completed',
      contactAttempts: [{ method: 'phone', result: 'no-answer' }],
    });
    expect(Object.keys(stored.milestones)).toEqual(
      expect.arrayContaining(['acceptedAt', 'firstContactAt', 'engagedAt', 'closedAt']),
    );
    expect(pageErrors).toEqual([]);
  });

  it('refuses a decline without a reason, or "other" without details, before calling the API', async () => {
    // Prepare
    const referralId = await submitReferral();
    const page = await openProviderPage();
    await signIn(page, provider);
    await pullUntilArrives(page, referralId);
    await routingRecorded(referralId);
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });

    // Act: no reason, by keyboard from the button to the field the summary names
    await page.getByRole('button', { name: 'Decline referral' }).focus();
    await page.keyboard.press('Enter');
    await page.locator('.govuk-error-summary').waitFor();
    const noReason = {
      focused: await focusedElement(page),
      summary: await text(page, '.govuk-error-summary'),
      link: await page.locator('.govuk-error-summary a').getAttribute('href'),
      inline: await text(page, '#reason-error'),
      title: await page.title(),
    };
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    const focusAfterLink = await focusedElement(page);
    const postsWithoutReason = [...posts];

    // Act: "other" without details
    await page.getByLabel('Another reason').check();
    const detailsShown = await page.getByLabel('Give details').isVisible();
    await page.getByRole('button', { name: 'Decline referral' }).click();
    await page.locator('.govuk-error-summary').filter({ hasText: 'Enter why' }).waitFor();
    const noDetails = {
      summary: await text(page, '.govuk-error-summary'),
      link: await page.locator('.govuk-error-summary a').getAttribute('href'),
    };
    const postsWithoutDetails = [...posts];
    const statusBeforeDecline = (await referralFromApi(referralId)).status;

    // Act: with details, it goes
    await page.locator('#decline-details').fill('Known to the youth offending team already.');
    await runAction(page, 'Decline referral', 'Referral declined');
    const statusShown = await text(page, '#referral-status');
    const stored = await referralFromApi(referralId);

    // Assess
    expect(noReason.focused.className).toContain('govuk-error-summary');
    expect(noReason.summary).toContain('There is a problem');
    expect(noReason.summary).toContain('Select why you are declining this referral');
    expect(noReason.link).toBe('#decline-reason');
    expect(noReason.inline).toBe('Error: Select why you are declining this referral');
    expect(noReason.title).toMatch(/^Error: /);
    expect(focusAfterLink.id).toBe('decline-reason');
    expect(postsWithoutReason).toEqual([]);
    expect(detailsShown).toBe(true);
    expect(noDetails.summary).toContain('Enter why you are declining this referral');
    expect(noDetails.link).toBe('#decline-details');
    expect(postsWithoutDetails).toEqual([]);
    expect(statusBeforeDecline).toBe('routed');
    expect(posts).toEqual([
      `${runtime.url}/v1/providers/${provider}/referrals/${referralId}/decline`,
    ]);
    expect(statusShown).toBe('Declined');
    expect(stored).toMatchObject({
      status: 'declined',
      decline: { reason: 'other', details: 'Known to the youth offending team already.' },
    });
    expect(pageErrors).toEqual([]);
  });

  it('shows a 409 from the API in an error summary, with the actions the referral now allows', async () => {
    // Prepare: the page shows a routed referral, which is then declined behind its back
    const referralId = await submitReferral();
    const page = await openProviderPage();
    await signIn(page, provider);
    await pullUntilArrives(page, referralId);
    await routingRecorded(referralId);
    const declined = await api(provider, `/referrals/${referralId}/decline`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ reason: 'no-capacity' }),
    });

    // Act
    await page.getByRole('button', { name: 'Accept referral' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    const summary = await text(page, '.govuk-error-summary');
    const focused = await focusedElement(page);
    const statusShown = await text(page, '#referral-status');
    const acceptButtons = await page.getByRole('button', { name: 'Accept referral' }).count();

    // Assess
    expect(declined.status).toBe(200);
    expect(summary).toContain('Not allowed from the current status.');
    expect(summary).toContain('A referral that is declined cannot be accepted.');
    expect(summary).toContain('What can happen to it now: rerouting by the spoke');
    expect(focused.className).toContain('govuk-error-summary');
    expect(statusShown).toBe('Declined');
    expect(acceptButtons).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it("shows another provider's token the API's 404, never the referral", async () => {
    // Prepare
    const referralId = await submitReferral();
    await routingRecorded(referralId);
    const page = await openProviderPage();
    await signIn(page, otherProvider);
    await page.getByRole('heading', { level: 1, name: 'Your work queue' }).waitFor();

    // Act
    const answered = page.waitForResponse((response) =>
      response.url().endsWith(`/referrals/${referralId}`),
    );
    await page.goto(`${runtime.url}/provider#/referrals/${referralId}`);
    const status = (await answered).status();
    await page.locator('.govuk-error-summary').waitFor();
    const summary = await text(page, '.govuk-error-summary');
    const heading = await text(page, 'h1');
    const main = await text(page, '#main-content');

    // Assess
    expect(status).toBe(404);
    expect(summary).toContain('Not found.');
    expect(summary).toContain(`No referral ${referralId} is routed to ${otherProvider}.`);
    expect(heading).toBe('Referral not available');
    expect(main).not.toContain('Jordan');
    expect(pageErrors).toEqual([]);
  });
});

/** A request exactly as written, without the normalising `fetch` does to `..` segments. */
function rawGet(path: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(runtime.url);
    const request = httpRequest({ hostname, port, path, method: 'GET' }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    request.on('error', reject);
    request.end();
  });
}

function webEvent(rawPath: string): APIGatewayProxyEventV2 {
  return { rawPath } as APIGatewayProxyEventV2;
}

describe('the web function', () => {
  it('serves the page from web/provider/ and the shared assets from web/assets/, with a content security policy', async () => {
    // Act
    const page = await rawGet('/provider');
    const css = await rawGet('/assets/govuk/govuk-frontend.min.css');
    const script = await rawGet('/provider/app.js');

    // Assess
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    expect(page.headers['x-content-type-options']).toBe('nosniff');
    expect(css.status).toBe(200);
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(script.status).toBe(200);
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
  });

  it('never serves a file outside web/provider/, however the path is written', async () => {
    // Prepare
    const attempts = [
      '/provider/../../package.json',
      '/provider/../README.md',
      '/provider/../assets/../../local/signing-key.ts',
      '/provider/..%2f..%2fpackage.json',
      '/provider/%2e%2e/%2e%2e/package.json',
      '/provider//etc/passwd',
      '/provider/.hidden.html',
      '/provider/',
      '/providers/index.html',
    ];
    // Node's HTTP client refuses to send a NUL byte, so that one only goes to the handler.
    const handlerOnly = ['/provider/index.html\0.css', '/provider/../provider/index.html'];

    // Act
    const overHttp = await Promise.all(attempts.map(async (path) => (await rawGet(path)).status));
    const direct = await Promise.all(
      [...attempts, ...handlerOnly].map(
        async (path) => (await webHandler(webEvent(path))).statusCode,
      ),
    );

    // Assess
    expect(overHttp.every((status) => status === 404 || status === 400)).toBe(true);
    expect(direct).toEqual([...attempts, ...handlerOnly].map(() => 404));
  });
});
