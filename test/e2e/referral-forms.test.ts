import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPersonalDataEnvironment } from '#local/personal-data-keys.ts';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { personalDataCipherFromEnv } from '#shared/adapters/personal-data-cipher.ts';
import { callPoliceNowMessage } from '#shared/services/intake.ts';
import { launchChromium } from '#test/helpers/chromium.ts';
import { axeViolations, closeOpenContexts, pageWithoutScript } from '#test/helpers/pages.ts';
import { eventually, storedReferral } from '#test/helpers/runtime.ts';

let runtime: Runtime;
let browser: Browser;

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  await closeOpenContexts();
  await browser?.close();
  await runtime?.stop();
});

const newPage = () => pageWithoutScript(browser);
const violations = (page: Page) => axeViolations(browser, page);

async function signIn(page: Page, organisation: string): Promise<void> {
  await page.goto(`${runtime.url}/refer`);
  await page.getByLabel('Access token').fill(await signLocalToken({ organisation }));
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** The referral as stored, once it has been routed (polled: routing is asynchronous). */
function routedReferral(referralId: string): Promise<Record<string, unknown>> {
  return eventually(`routing of ${referralId}`, async () => {
    const item = await storedReferral(runtime, referralId);
    return item && item.status !== 'received' ? item : undefined;
  });
}

const referenceOf = async (page: Page) => (await page.locator('#reference').innerText()).trim();

/** Fills the Admit form as a nurse would, in the order it asks. */
async function fillAdmit(page: Page): Promise<void> {
  await page.getByLabel('First name').fill('Jordan');
  await page.getByLabel('Last name').fill('Example');
  await page.getByLabel('Day').fill('14');
  await page.getByLabel('Month').fill('3');
  await page.getByLabel('Year').fill('2010');
  await page.getByLabel('Home postcode').fill('TA1 5DA');
  await page.getByLabel('When did they attend A&E?').fill('2026-11-20T22:40');
  await page
    .getByRole('group', { name: 'What was the injury related to?' })
    .getByLabel('Alcohol')
    .check();
  await page
    .getByRole('group', { name: 'Are they still in the department?' })
    .getByLabel('Yes')
    .check();
  await page.getByLabel('Summary').fill('Brought in by friends after drinking at a party.');
  await page.getByLabel('Somerset').check();
  for (const question of [
    'Has the young person agreed to this referral?',
    'Has a parent or carer been told about this referral?',
  ]) {
    await page.getByRole('group', { name: question }).getByLabel('Yes').check();
  }
  await page.getByLabel('Your full name').fill('Sam Taylor');
  await page.getByLabel('Your role').fill('Emergency department nurse');
  await page.getByLabel('Your email address').fill('sam.taylor@example.org');
  await page.getByLabel('Your phone number').fill('01823 000000');
}

describe('the referral forms, in Chromium with JavaScript off, on the embedded runtime', () => {
  it('shows the sign-in page to anyone not signed in, with no accessibility violations', async () => {
    // Prepare
    const page = await newPage();

    // Act
    const response = await page.goto(`${runtime.url}/refer/admit`);
    const heading = await page.getByRole('heading', { level: 1 }).innerText();
    const found = await violations(page);

    // Assess
    expect(response?.status()).toBe(200);
    expect(response?.headers()['content-security-policy']).toContain("default-src 'none'");
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(heading).toBe('Sign in to refer a young person');
    expect(found).toEqual([]);
  });

  it('takes an Admit referral: errors linked to each field with answers kept, then the confirmation, stored and routed', async () => {
    // Prepare
    const page = await newPage();
    await signIn(page, 'musgrove-park-hospital-ae');
    await page.getByRole('link', { name: 'Admit (Musgrove Park Hospital A&E)' }).click();
    const formViolations = await violations(page);
    await page.getByLabel('First name').fill('Jordan');

    // Act: send it with one answer only
    await page.getByRole('button', { name: 'Send referral' }).click();
    const summary = page.locator('.govuk-error-summary');
    const links = await Promise.all(
      (await summary.getByRole('link').all()).map(async (link) => [
        await link.getAttribute('href'),
        (await link.innerText()).trim(),
      ]),
    );
    const kept = await page.getByLabel('First name').inputValue();
    const errorViolations = await violations(page);
    const targets = await Promise.all(
      links.map(async ([href]) => page.locator(String(href)).count()),
    );

    // Assess
    expect(await page.title()).toMatch(/^Error: /);
    expect(kept).toBe('Jordan');
    expect(links.map(([href]) => href)).toEqual([
      '#subject-familyName',
      '#subject-dateOfBirth-day',
      '#subject-postcode',
      '#details-attendedAt',
      '#details-injury',
      '#details-stillInDepartment',
      '#summary',
      '#spoke',
      '#consent-subjectAgreed',
      '#consent-parentOrCarerInformed',
      '#referrer-name',
      '#referrer-role',
      '#referrer-email',
      '#referrer-phone',
    ]);
    expect(targets.every((count) => count === 1)).toBe(true);
    expect(await page.locator('.govuk-error-message').count()).toBe(links.length);
    expect(page.url()).toBe(`${runtime.url}/refer/admit`);
    expect(formViolations).toEqual([]);
    expect(errorViolations).toEqual([]);

    // Act: correct it and send it again
    await fillAdmit(page);
    await page.getByRole('button', { name: 'Send referral' }).click();
    const reference = await referenceOf(page);
    const confirmationViolations = await violations(page);
    const stored = await routedReferral(reference);

    // Assess
    expect(page.url()).toBe(`${runtime.url}/refer/received/${reference}`);
    expect(await page.getByRole('heading', { level: 1 }).innerText()).toBe('Referral sent');
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(confirmationViolations).toEqual([]);
    expect(stored).toMatchObject({
      referralId: reference,
      pathway: 'admit',
      spoke: 'somerset',
      referrerOrganisationId: 'musgrove-park-hospital-ae',
      providerId: 'turning-point-admit',
    });
    // Stored sealed, never in the clear: opened here with the runtime's own key.
    expect(stored).not.toHaveProperty('personal');
    const cipher = personalDataCipherFromEnv({
      PARTNERSHIP: 'avon-and-somerset',
      ...localPersonalDataEnvironment(),
    });
    const personal = await cipher.open('personal', reference, stored.personalSealed as Uint8Array);
    expect(personal).toMatchObject({
      subject: { givenName: 'Jordan', dateOfBirth: '2010-03-14', postcode: 'TA1 5DA' },
      details: { attendedAt: '2026-11-20T22:40:00Z', injury: ['alcohol'], stillInDepartment: true },
    });
  });

  it('shows the call-the-police message first when a weapon’s use was threatened', async () => {
    // Prepare
    const page = await newPage();
    await signIn(page, 'example-academy-bristol');
    await page.goto(`${runtime.url}/refer/weapons-in-schools`);
    await page.getByLabel('First name').fill('Casey');
    await page.getByLabel('Last name').fill('Example');
    await page.getByLabel('Day').fill('21');
    await page.getByLabel('Month').fill('5');
    await page.getByLabel('Year').fill('2011');
    await page.getByLabel('Home postcode').fill('BS4 2BB');
    await page.getByLabel('When was the weapon found?').fill('2026-11-19T12:30');
    await page.getByLabel('Knife', { exact: true }).check();
    const answers = {
      'Was the weapon used?': 'No',
      'Was its use threatened?': 'Yes',
      'Are there aggravating factors?': 'Yes',
      'Has the young person agreed to this referral?': 'No',
      'Has a parent or carer been told about this referral?': 'No',
    };
    for (const [question, answer] of Object.entries(answers)) {
      await page.getByRole('group', { name: question }).getByLabel(answer).check();
    }
    await page.getByLabel('Summary').fill('Knife shown to another pupil with a threat.');
    await page.getByLabel('Bristol').check();
    await page.getByLabel('Your full name').fill('Alex Morgan');
    await page.getByLabel('Your role').fill('Designated safeguarding lead');
    await page.getByLabel('Your email address').fill('a.morgan@example.org');
    await page.getByLabel('Your phone number').fill('0117 000 0000');

    // Act
    await page.getByRole('button', { name: 'Send referral' }).click();
    const alert = page.getByRole('alert');
    const firstInMain = await page
      .locator('main .govuk-grid-column-two-thirds > :first-child')
      .getAttribute('role');
    const reference = await referenceOf(page);
    const found = await violations(page);
    const stored = await routedReferral(reference);

    // Assess
    expect(firstInMain).toBe('alert');
    expect(await alert.innerText()).toContain(callPoliceNowMessage);
    expect(found).toEqual([]);
    expect(stored).toMatchObject({ pathway: 'weapons-in-schools', spoke: 'bristol' });
    expect((stored.flags as { immediateEscalation: boolean }).immediateEscalation).toBe(true);
  });

  it('refuses a POST with a wrong or no CSRF token (403) and stores nothing', async () => {
    // Prepare
    const page = await newPage();
    await signIn(page, 'musgrove-park-hospital-ae');
    const cookies = await page.context().cookies();
    const session = cookies.map(({ name, value }) => `${name}=${value}`).join('; ');
    const post = (csrf?: string) => {
      const body = new URLSearchParams({ 'subject.givenName': 'Jordan', spoke: 'somerset' });
      if (csrf !== undefined) body.set('_csrf', csrf);
      return fetch(`${runtime.url}/refer/admit`, {
        method: 'POST',
        redirect: 'manual',
        headers: { cookie: session, 'content-type': 'application/x-www-form-urlencoded' },
        body: body.toString(),
      });
    };
    const before = await sentCount();

    // Act
    const statuses = [(await post('forged')).status, (await post()).status];
    const after = await sentCount();

    // Assess
    expect(
      cookies.map(({ name, httpOnly, secure, sameSite, path }) => ({
        name,
        httpOnly,
        secure,
        sameSite,
        path,
      })),
    ).toEqual([
      {
        name: 'reachable_refer_session',
        httpOnly: true,
        secure: true,
        sameSite: 'Strict',
        path: '/refer',
      },
    ]);
    expect(statuses).toEqual([403, 403]);
    expect(after).toBe(before);
  });

  it('shows a referral’s confirmation only to the organisation that sent it, and signs out', async () => {
    // Prepare
    const sender = await newPage();
    await signIn(sender, 'musgrove-park-hospital-ae');
    await sender.goto(`${runtime.url}/refer/admit`);
    await fillAdmit(sender);
    await sender.getByRole('button', { name: 'Send referral' }).click();
    const confirmation = sender.url();
    const other = await newPage();
    await signIn(other, 'example-academy-bristol');

    // Act
    const seenByOther = await other.goto(confirmation);
    await sender.getByRole('button', { name: 'Sign out' }).click();
    const afterSignOut = await sender.goto(confirmation);
    const heading = await sender.getByRole('heading', { level: 1 }).innerText();
    const cookies = await sender.context().cookies();

    // Assess
    expect(confirmation).toMatch(/\/refer\/received\/[0-9a-f-]{36}$/);
    expect(seenByOther?.status()).toBe(404);
    expect(afterSignOut?.status()).toBe(200);
    expect(heading).toBe('Sign in to refer a young person');
    expect(cookies).toEqual([]);
  });

  it('refuses a POST from another origin (403), whatever it carries', async () => {
    // Prepare
    const page = await newPage();
    await signIn(page, 'musgrove-park-hospital-ae');
    const [session] = await page.context().cookies();

    // Act
    const response = await fetch(`${runtime.url}/refer/sign-out`, {
      method: 'POST',
      redirect: 'manual',
      headers: {
        origin: 'https://evil.example',
        cookie: `${session?.name}=${session?.value}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: '',
    });

    // Assess
    expect(response.status).toBe(403);
  });
});

/** How many referrals the Admit hospital has sent, as the referrer API counts them. */
async function sentCount(): Promise<number> {
  const token = await signLocalToken({ organisation: 'musgrove-park-hospital-ae' });
  let count = 0;
  let cursor: string | undefined;
  do {
    const query = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
    const response = await fetch(
      `${runtime.url}/v1/organisations/musgrove-park-hospital-ae/referrals${query}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    expect(response.status).toBe(200);
    const page = (await response.json()) as { referrals: unknown[]; cursor?: string };
    count += page.referrals.length;
    cursor = page.cursor;
  } while (cursor);
  return count;
}
