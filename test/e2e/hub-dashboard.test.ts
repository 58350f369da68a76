import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { MetricsStore } from '#shared/table/metrics-store.ts';
import { avonAndSomerset } from '#partnerships/avon-and-somerset/partnership.ts';
import { lastTwelveMonths } from '#shared/services/hub.ts';
import { launchChromium } from '#test/helpers/chromium.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { eventually, projectionQueueDrained } from '#test/helpers/runtime.ts';

const hub = 'avon-and-somerset';
const admitProvider = 'turning-point-admit';
const projectRoot = path.resolve(import.meta.dirname, '..', '..');
const screenshotPath = path.join(projectRoot, 'test-results', 'hub-dashboard.png');

let runtime: Runtime;
let browser: Browser;
let hubToken: string;
const providerTokens = new Map<string, string>();
const contexts: BrowserContext[] = [];
/** Uncaught errors of any page opened here with script on, and any policy it broke. */
const pageErrors: string[] = [];

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
  browser = await launchChromium();
  hubToken = await signLocalToken({ hub });
  for (const provider of [admitProvider, 'project-28']) {
    providerTokens.set(provider, await signLocalToken({ provider }));
  }
  await seedReferrals();
});

afterAll(async () => {
  for (const context of contexts) await context.close();
  await browser?.close();
  await runtime?.stop();
});

/** Submits an example referral as its referrer would. */
async function submit(example: string): Promise<string> {
  const response = await postReferral(runtime, exampleReferral(example));
  expect(response.status).toBe(202);
  return ((await response.json()) as { referralId: string }).referralId;
}

/** Calls a provider's API as that provider. */
function asProvider(provider: string, referralId: string, action = '', body?: unknown) {
  return fetch(`${runtime.url}/v1/providers/${provider}/referrals/${referralId}${action}`, {
    method: action ? 'POST' : 'GET',
    headers: {
      authorization: `Bearer ${providerTokens.get(provider)!}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/** Waits until the referral's routing is recorded, so the provider can act on it. */
function routed(provider: string, referralId: string): Promise<true> {
  return eventually(`routing of ${referralId}`, async () => {
    const response = await asProvider(provider, referralId);
    if (response.status !== 200) return undefined;
    const { referral } = (await response.json()) as { referral: { status: string } };
    return referral.status === 'received' ? undefined : true;
  });
}

/** Runs a provider action and expects it to succeed. */
async function act(provider: string, referralId: string, action: string, body?: unknown) {
  const response = await asProvider(provider, referralId, action, body);
  expect(response.status, `${action} on ${referralId}`).toBe(200);
}

/**
 * Five referrals through the real APIs: in Somerset (Admit) one engaged, one declined for lack of
 * capacity and one accepted but not yet contacted; one in Bath accepted by Project 28; and one
 * in Bristol triaged and escalated. Then waits until the hub has projected every event.
 */
async function seedReferrals(): Promise<void> {
  const [engaged, declined, accepted, bath] = await Promise.all([
    submit('admit-friday-night.json'),
    submit('admit-friday-night.json'),
    submit('admit-friday-night.json'),
    submit('project28-bath.json'),
    submit('weapons-threatened-bristol.json'),
  ]);
  await Promise.all([
    routed(admitProvider, engaged),
    routed(admitProvider, declined),
    routed(admitProvider, accepted),
    routed('project-28', bath),
  ]);
  await act(admitProvider, engaged, '/accept');
  await act(admitProvider, engaged, '/contact-attempts', {
    method: 'phone',
    result: 'reached',
    attemptedAt: new Date().toISOString(),
  });
  await act(admitProvider, engaged, '/engaged');
  await act(admitProvider, declined, '/decline', { reason: 'no-capacity' });
  await act(admitProvider, accepted, '/accept');
  await act('project-28', bath, '/accept');
  await eventually('the hub to count every seeded fact', async () => {
    const [totals] = await metrics('');
    const done =
      totals?.referred === 5 &&
      totals.engaged === 1 &&
      totals.declined === 1 &&
      totals.accepted === 3 &&
      totals.escalated === 1;
    return done ? true : undefined;
  });
  // Each fact of an event is its own write: read only once nothing is left to project.
  await projectionQueueDrained(runtime);
}

type Hours = number | string | null;
interface Row {
  group: Record<string, string>;
  referred: number;
  triaged: number;
  escalated: number;
  accepted: number;
  declined: number;
  declineReasons: Record<string, number>;
  contacted: number;
  engaged: number;
  closed: number;
  overdue: { accept: number; firstContact: number };
  acceptanceRate: number | null;
  engagementRate: number | null;
  timeToFirstContactHours: { median: Hours; p90: Hours };
  current: Record<string, number>;
}

/** The hub API's rows for a query string, read as the hub: what the page must show. */
async function metrics(query: string): Promise<Row[]> {
  const response = await fetch(`${runtime.url}/v1/hub/metrics?${query}`, {
    headers: { authorization: `Bearer ${hubToken}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: Row[] }).rows;
}

// The figures as the page should word them, from the API's numbers.
const count = (value: number | undefined) => (value ?? 0).toLocaleString('en-GB');
const percent = (value: number | null) =>
  value === null ? 'no data' : `${Number((value * 100).toFixed(1))}%`;
const hours = (value: Hours) =>
  value === null
    ? 'no data'
    : typeof value === 'string'
      ? `over ${value.slice(1)} hours`
      : `${value} ${value === 1 ? 'hour' : 'hours'}`;
const nameIn = (list: readonly { id: string; name: string }[], id: string) =>
  list.find((entry) => entry.id === id)?.name ?? id;
const spokeName = (id: string) => nameIn(avonAndSomerset.spokes, id);
const pathwayName = (id: string) => nameIn(avonAndSomerset.pathways, id);
const providerName = (id: string) =>
  id === 'triage' ? 'Triage (no provider)' : nameIn(avonAndSomerset.providers, id);

/** What the page's tables should hold for one filter (a query string without groupBy). */
async function expectedTables(filter: string) {
  const read = (groupBy: string) => metrics(`${filter}&groupBy=${groupBy}`);
  const [[totals], bySpoke, byPathway, byQuarter, byProvider, byMonth] = await Promise.all([
    metrics(filter),
    read('spoke'),
    read('pathway'),
    read('quarter'),
    read('provider'),
    read('month'),
  ]);
  const rates = (name: string, row: Row) => [
    name,
    count(row.referred),
    count(row.accepted),
    count(row.engaged),
    percent(row.acceptanceRate),
    percent(row.engagementRate),
  ];
  const t = totals!;
  return {
    totals: t,
    byMonth,
    cards: {
      referrals: count(t.referred),
      engaged: count(t.engaged),
      'engagement-rate': percent(t.engagementRate),
      'first-contact': hours(t.timeToFirstContactHours.median),
      overdue: count(t.overdue.accept + t.overdue.firstContact),
    },
    tables: {
      'rates-by-spoke': bySpoke.map((row) => rates(spokeName(row.group.spoke!), row)),
      'rates-by-pathway': byPathway.map((row) => rates(pathwayName(row.group.pathway!), row)),
      funnel: (['referred', 'accepted', 'contacted', 'engaged', 'closed'] as const).map((stage) => [
        stage.charAt(0).toUpperCase() + stage.slice(1),
        count(t[stage]),
        percent(t.referred ? Math.round((t[stage] / t.referred) * 1000) / 1000 : null),
      ]),
      outcomes: [
        ['Triaged by a spoke', count(t.triaged)],
        ['Escalated', count(t.escalated)],
        ['Declined', count(t.declined)],
        ['Declined: Out of the provider’s area', count(t.declineReasons['out-of-area'])],
        ['Declined: Not eligible for the service', count(t.declineReasons['not-eligible'])],
        ['Declined: No capacity at the time', count(t.declineReasons['no-capacity'])],
        ['Declined: Already known to the provider', count(t.declineReasons['already-known'])],
        ['Declined: Another reason', count(t.declineReasons.other)],
      ],
      'by-quarter': byQuarter.map((row) => [
        row.group.quarter!,
        count(row.referred),
        count(row.engaged),
        percent(row.engagementRate),
      ]),
      'first-contact': bySpoke.map((row) => [
        spokeName(row.group.spoke!),
        count(row.contacted),
        hours(row.timeToFirstContactHours.median),
        hours(row.timeToFirstContactHours.p90),
      ]),
      overdue: byProvider.map((row) => [
        providerName(row.group.provider!),
        count(row.referred),
        count(row.overdue.accept),
        count(row.overdue.firstContact),
      ]),
      waiting: byProvider.map((row) => [
        providerName(row.group.provider!),
        count(row.current.awaitingDecision),
        count(row.current.awaitingFirstContact),
        count(row.current.awaitingEngagement),
        count(row.current.engaged),
        count(row.current.declinedAwaitingReroute),
      ]),
    },
  };
}

const tableIds = [
  'rates-by-spoke',
  'rates-by-pathway',
  'funnel',
  'outcomes',
  'by-quarter',
  'first-contact',
  'overdue',
  'waiting',
];

/** A new browser, JavaScript off unless asked: every feature works without it. */
async function newPage({ javaScript = false } = {}): Promise<Page> {
  const context = await browser.newContext({
    javaScriptEnabled: javaScript,
    viewport: { width: 1280, height: 900 },
  });
  contexts.push(context);
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  return page;
}

async function signIn(page: Page, token: string, search = ''): Promise<void> {
  await page.goto(`${runtime.url}/hub${search}`);
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A page signed in as the hub, showing the view at `search`. */
async function dashboard(search = '', options?: { javaScript?: boolean }): Promise<Page> {
  const page = await newPage(options);
  await signIn(page, hubToken);
  // The sign-in answers with a redirect to the figures: wait until they are shown.
  await page.locator('#figures-status').waitFor();
  if (search) await page.goto(`${runtime.url}/hub${search}`);
  return page;
}

/**
 * Accessibility violations axe-core finds on the page as it is. axe runs as a script, which a
 * page with JavaScript off does not run: so the same HTML is checked at the same URL (the same
 * stylesheets) in a browser where scripts run, the charts' script kept out so what is checked is
 * what the page shows without it.
 */
async function violations(page: Page, { withCharts = false } = {}): Promise<string[]> {
  const [html, url] = [await page.content(), page.url()];
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const checked = await context.newPage();
    if (!withCharts) await checked.route('**/assets/hub/charts.js', (route) => route.abort());
    await checked.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await checked.goto(url);
    if (withCharts) await checked.locator('canvas').first().waitFor();
    const { violations: found } = await new AxeBuilder({ page: checked }).analyze();
    return found.map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  } finally {
    await context.close();
  }
}

/** The text of the first match as rendered, white space collapsed. */
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();

/** The body cells of a figure's table, row by row. */
async function table(page: Page, id: string): Promise<string[][]> {
  const rows = await page.locator(`#${id}-table tbody tr`).all();
  return Promise.all(
    rows.map(async (row) =>
      (await row.locator('th, td').allInnerTexts()).map((cell) => cell.replace(/\s+/g, ' ').trim()),
    ),
  );
}

async function tables(page: Page, ids: string[]): Promise<Record<string, string[][]>> {
  return Object.fromEntries(await Promise.all(ids.map(async (id) => [id, await table(page, id)])));
}

async function cards(page: Page): Promise<Record<string, string>> {
  const ids = ['referrals', 'engaged', 'engagement-rate', 'first-contact', 'overdue'];
  return Object.fromEntries(
    await Promise.all(
      ids.map(async (id) => [id, await text(page, `#card-${id} .app-card__value`)]),
    ),
  );
}

const monthWords = new Intl.DateTimeFormat('en-GB', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

describe('the hub dashboard, in Chromium with JavaScript off, on the embedded runtime', () => {
  it('asks for the hub’s token without a session, and passes axe', async () => {
    // Prepare
    const page = await newPage();

    // Act
    const response = await page.goto(`${runtime.url}/hub`);
    const heading = await page.getByRole('heading', { level: 1 }).innerText();
    const found = await violations(page);

    // Assess
    expect(response?.status()).toBe(200);
    expect(response?.headers()['cache-control']).toBe('no-store');
    expect(heading).toBe('Sign in to the hub dashboard');
    expect(found).toEqual([]);
  });

  it('shows the last twelve months (London time) as the hub API counts them, every figure a table', async () => {
    // Prepare
    const { from, to } = lastTwelveMonths(new Date());
    const expected = await expectedTables(`from=${from}&to=${to}`);
    const page = await newPage();

    // Act
    await signIn(page, hubToken);
    const signedInAs = await text(page, '#signed-in-as');
    const status = await text(page, '#figures-status');
    const shownCards = await cards(page);
    const shownTables = await tables(page, tableIds);
    const months = await table(page, 'by-month');
    const canvases = await page.locator('canvas').count();
    const found = await violations(page);

    // Assess
    expect(new URL(page.url()).pathname).toBe('/hub');
    expect(new URL(page.url()).search).toBe('');
    expect(signedInAs).toBe(avonAndSomerset.name);
    expect(status).toMatch(/^Showing figures for .+, all spokes\.$/);
    expect(expected.totals).toMatchObject({ referred: 5, engaged: 1, declined: 1, escalated: 1 });
    expect(shownCards).toEqual(expected.cards);
    expect(shownTables).toEqual(expected.tables);
    expect(months).toHaveLength(12);
    expect(months[11]?.[0]).toBe(monthWords.format(new Date(`${to}-01T00:00:00Z`)));
    for (const row of expected.byMonth) {
      expect(months).toContainEqual([
        monthWords.format(new Date(`${row.group.month!}-01T00:00:00Z`)),
        count(row.referred),
        count(row.engaged),
        percent(row.engagementRate),
      ]);
    }
    const admit = expected.tables.waiting.find(([name]) => name === providerName(admitProvider));
    expect(admit?.slice(2, 5)).toEqual(['1', '0', '1']);
    expect(canvases).toBe(0);
    expect(found).toEqual([]);
  });

  it('chooses a spoke with the form: the URL names the view, a reload shows it again, back the previous', async () => {
    // Prepare
    const { from, to } = lastTwelveMonths(new Date());
    const everySpoke = await expectedTables(`from=${from}&to=${to}`);
    const somerset = await expectedTables(`from=${from}&to=${to}&spoke=somerset`);
    const page = await dashboard();
    const spokesOffered = await page.locator('#spoke option').allInnerTexts();

    // Act
    await page.getByLabel('Spoke', { exact: true }).selectOption('somerset');
    await page.getByRole('button', { name: 'Show figures' }).click();
    const query = Object.fromEntries(new URL(page.url()).searchParams);
    const status = await text(page, '#figures-status');
    const chosenCards = await cards(page);
    const chosenTables = await tables(page, tableIds);
    await page.reload();
    const spokeAfterReload = await page.locator('#spoke').inputValue();
    const tablesAfterReload = await tables(page, tableIds);
    await page.goBack();
    const cardsAfterBack = await cards(page);

    // Assess
    expect(spokesOffered).toEqual([
      'All spokes',
      'Bath and North East Somerset',
      'Bristol',
      'Somerset',
    ]);
    expect(query).toEqual({ from, to, spoke: 'somerset' });
    expect(status).toMatch(/, Somerset\.$/);
    expect(somerset.totals.referred).toBe(3);
    expect(chosenCards).toEqual(somerset.cards);
    expect(chosenCards).not.toEqual(everySpoke.cards);
    expect(chosenTables).toEqual(somerset.tables);
    expect(spokeAfterReload).toBe('somerset');
    expect(tablesAfterReload).toEqual(somerset.tables);
    expect(cardsAfterBack).toEqual(everySpoke.cards);
  });

  it('downloads the quarterly return as CSV from a form, with the session', async () => {
    // Prepare
    const page = await dashboard();
    const quarter = await page.locator('#return-quarter').inputValue();
    const quarterLabel = await text(page, '#return-quarter option:checked');

    // Act
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the return (CSV)' }).click();
    const download = await downloading;
    const csv = readFileSync((await download.path())!, 'utf8');
    const api = await fetch(`${runtime.url}/v1/hub/returns/${quarter}?format=csv`, {
      headers: { authorization: `Bearer ${hubToken}` },
    });

    // Assess
    expect(quarter).toMatch(/^\d{4}-Q[1-4]$/);
    expect(download.suggestedFilename()).toBe(`reachable-${hub}-${quarter}.csv`);
    expect(csv.split(/\r?\n/)[0]).toBe(
      'Period,Spoke,Pathway,Referrals,Engaged,Engagement rate,Interventions delivered',
    );
    // The return labels its period as the metrics label the quarter.
    expect(csv.split(/\r?\n/)).toContain(`${quarterLabel},somerset,admit,3,1,0.333,0`);
    expect(csv).toBe(await api.text());
  });

  it("refuses a provider's token at sign-in, in the error summary, and shows no figures", async () => {
    // Prepare
    const page = await newPage();

    // Act
    await page.goto(`${runtime.url}/hub`);
    await page.getByLabel('Access token').fill(providerTokens.get(admitProvider)!);
    const [response] = await Promise.all([
      page.waitForResponse((answer) => answer.url().endsWith('/hub/sign-in')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    const summary = await text(page, '.govuk-error-summary');
    const link = await page.locator('.govuk-error-summary a').getAttribute('href');
    const title = await page.title();
    const figures = await page.locator('#figures').count();
    const found = await violations(page);
    await page.goto(`${runtime.url}/hub`);
    const afterwards = await page.getByRole('heading', { level: 1 }).innerText();

    // Assess
    expect(response.status()).toBe(400);
    expect(summary).toContain('There is a problem');
    expect(summary).toContain('this one is not the hub’s');
    expect(link).toBe('#token');
    expect(title).toMatch(/^Error: /);
    expect(figures).toBe(0);
    expect(found).toEqual([]);
    expect(afterwards).toBe('Sign in to the hub dashboard');
  });

  it('refuses a period that ends before it starts, naming the field, with the answers kept', async () => {
    // Prepare
    const page = await dashboard();
    const from = page.getByRole('group', { name: 'From' });
    const to = page.getByRole('group', { name: 'To' });

    // Act
    await from.getByLabel('Month').fill('11');
    await from.getByLabel('Year').fill('2026');
    await to.getByLabel('Month').fill('3');
    await to.getByLabel('Year').fill('2026');
    const [response] = await Promise.all([
      page.waitForResponse((answer) => answer.url().includes('/hub?')),
      page.getByRole('button', { name: 'Show figures' }).click(),
    ]);
    const summary = await text(page, '.govuk-error-summary');
    const link = await page.locator('.govuk-error-summary a').getAttribute('href');
    const inline = await text(page, '#to-error');
    const kept = await to.getByLabel('Month').inputValue();
    const figures = await page.locator('#figures').count();
    const found = await violations(page);

    // Assess
    expect(response.status()).toBe(400);
    expect(await page.title()).toMatch(/^Error: /);
    expect(summary).toContain('The To month must be the same as or after the From month');
    expect(link).toBe('#to-month');
    expect(inline).toBe('Error: The To month must be the same as or after the From month');
    expect(kept).toBe('3');
    expect(figures).toBe(0);
    expect(found).toEqual([]);
  });

  it("shows the hub service's refusal of a period over 36 months against the field it names", async () => {
    // Prepare
    const page = await dashboard();

    // Act
    const response = await page.goto(`${runtime.url}/hub?from=2020-01&to=2026-11`);
    const summary = await text(page, '.govuk-error-summary');
    const link = await page.locator('.govuk-error-summary a').getAttribute('href');
    const inline = await text(page, '#to-error');

    // Assess
    expect(response?.status()).toBe(400);
    expect(summary).toContain('To: must be on or after "from", at most 36 months later');
    expect(link).toBe('#to-month');
    expect(inline).toContain('at most 36 months later');
  });

  it('signs out with the form: the cookie is gone and the dashboard asks for a token again', async () => {
    // Prepare
    const page = await dashboard();

    // Act
    await page.getByRole('button', { name: 'Sign out' }).click();
    const heading = await page.getByRole('heading', { level: 1 }).innerText();
    const cookies = await page.context().cookies();
    await page.goto(`${runtime.url}/hub/return?quarter=2026-Q1`);
    const returnHeading = await page.getByRole('heading', { level: 1 }).innerText();

    // Assess
    expect(heading).toBe('Sign in to the hub dashboard');
    expect(cookies.filter((cookie) => cookie.name === 'reachable_hub_session')).toEqual([]);
    expect(returnHeading).toBe('Sign in to the hub dashboard');
  });

  it('shows what the last reconciliation check found, by provider, and says so when nothing is stuck', async () => {
    // Prepare: the latest check's counts, as the reconciliation function keeps them.
    const reports = new MetricsStore({ tableName: runtime.tableNames[0] ?? '' });
    const stuck = {
      checkedAt: '2026-11-23T09:30:00.000Z',
      notRoutedAfterMinutes: 15,
      lookbackDays: 30,
      counts: { 'not-routed': 1, 'not-pulled': 2 },
      bySpoke: { somerset: { 'not-routed': 1, 'not-pulled': 2 } },
      byProvider: { [admitProvider]: 2 },
    };
    await reports.saveReconciliation(stuck);
    const page = await dashboard();

    // Act
    const banner = await text(page, '#reconciliation');
    const found = await violations(page);
    await reports.saveReconciliation({
      ...stuck,
      counts: { 'not-routed': 0, 'not-pulled': 0 },
      bySpoke: {},
      byProvider: {},
    });
    await page.reload();
    const allClear = await text(page, '#reconciliation');

    // Assess
    expect(banner).toContain('Stuck referrals');
    expect(banner).toContain('3 referrals are stuck between intake and a provider.');
    expect(banner).toContain('1 stored but not routed after 15 minutes');
    expect(banner).toContain(
      `2 routed to a provider but not picked up by their acceptance deadline: ${providerName(admitProvider)} 2`,
    );
    expect(banner).toContain('Checked 23 Nov 2026, 09:30.');
    expect(found).toEqual([]);
    expect(allClear).toBe('Last check for stuck referrals: 23 Nov 2026, 09:30. None found.');
  });
});

/** Per canvas: its id, its size, and how many of its pixels are not transparent. */
async function canvasInk(page: Page): Promise<{ id: string; width: number; ink: number }[]> {
  // A string, as the project's type check knows no DOM.
  return (await page.evaluate(
    `[...document.querySelectorAll('canvas')].map((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
      return { id: canvas.id, width: canvas.width, ink };
    })`,
  )) as { id: string; width: number; ink: number }[];
}

describe('the hub dashboard with JavaScript on', () => {
  it('draws a chart over every figure’s table, each one labelled image, and passes axe', async () => {
    // Prepare
    const page = await dashboard('', { javaScript: true });

    // Act
    await page.locator('#waiting-chart').waitFor();
    const canvases = await canvasInk(page);
    const labels = await page
      .locator('canvas')
      .evaluateAll((all) =>
        all.map((canvas) => `${canvas.getAttribute('role')}: ${canvas.getAttribute('aria-label')}`),
      );
    const tablesStill = await page.locator('table').count();
    rmSync(screenshotPath, { force: true });
    mkdirSync(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });
    const found = await violations(page, { withCharts: true });

    // Assess
    expect(canvases.map((canvas) => canvas.id)).toEqual([
      'rates-by-spoke-chart',
      'rates-by-pathway-chart',
      'funnel-chart',
      'outcomes-chart',
      'by-month-chart',
      'by-quarter-chart',
      'first-contact-chart',
      'overdue-chart',
      'waiting-chart',
    ]);
    for (const canvas of canvases) {
      expect(canvas.width, canvas.id).toBeGreaterThan(100);
      expect(canvas.ink, canvas.id).toBeGreaterThan(1000);
    }
    for (const label of labels)
      expect(label).toMatch(/^img: .+ The figures are in the table below\.$/);
    expect(tablesStill).toBe(9);
    expect(statSync(screenshotPath).size).toBeGreaterThan(50_000);
    expect(found).toEqual([]);
    expect(pageErrors).toEqual([]);
  });
});

/** A request exactly as written, without the normalising `fetch` does to `..` segments. */
function rawGet(
  urlPath: string,
): Promise<{ status: number; headers: Record<string, unknown>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(runtime.url);
    const request = httpRequest({ hostname, port, path: urlPath, method: 'GET' }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () =>
        resolve({
          status: response.statusCode ?? 0,
          headers: response.headers,
          body: Buffer.concat(chunks),
        }),
      );
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the hub page and its assets, over HTTP', () => {
  it("serves the charts' script and Chart.js as the installed package has it, under the policy", async () => {
    // Act
    const [page, charts, chartJs] = await Promise.all(
      ['/hub', '/assets/hub/charts.js', '/assets/chart.js/chart.umd.min.js'].map(rawGet),
    );

    // Assess
    expect(page?.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(charts?.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(chartJs?.status).toBe(200);
    expect(
      chartJs?.body.equals(
        readFileSync(
          path.join(projectRoot, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'),
        ),
      ),
    ).toBe(true);
    for (const answer of [page, charts, chartJs]) {
      expect(answer?.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('never serves a file outside what it names, however the path is written', async () => {
    // Prepare
    const attempts = [
      '/hub/../../package.json',
      '/hub/..%2f..%2fpackage.json',
      '/hub//etc/passwd',
      '/hub/view.ts',
      '/hub/templates/dashboard.njk',
      '/assets/chart.js/../package.json',
      '/assets/chart.js/chart.js',
      '/assets/chart.js/chart.umd.min.js.map',
      '/assets/hub/../../package.json',
      '/web/hub/view.ts',
    ];

    // Act
    const statuses = await Promise.all(
      attempts.map(async (attempt) => (await rawGet(attempt)).status),
    );

    // Assess
    expect(statuses.every((status) => status === 404 || status === 400)).toBe(true);
  });
});
