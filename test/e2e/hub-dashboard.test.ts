import { mkdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { signLocalToken } from '#local/signing-key.ts';
import { MetricsStore } from '#shared/table/metrics-store.ts';
import { avonAndSomerset } from '#shared/partnership/avon-and-somerset.ts';
import { exampleReferral } from '#test/helpers/examples.ts';
import { postReferral } from '#test/helpers/referrals.ts';
import { launchChromium } from '#test/helpers/chromium.ts';
import { eventually, projectionQueueDrained } from '#test/helpers/runtime.ts';

const hub = 'avon-and-somerset';
const admitProvider = 'turning-point-admit';
const screenshotPath = path.resolve(
  import.meta.dirname,
  '..',
  '..',
  'test-results',
  'hub-dashboard.png',
);

let runtime: Runtime;
let browser: Browser;
let hubToken: string;
const providerTokens = new Map<string, string>();
/** Uncaught errors of any page opened here, and any Content Security Policy it broke. */
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
  current?: Record<string, number>;
}

/** The hub API's rows for a query string, read as the hub. */
async function metrics(query: string): Promise<Row[]> {
  const response = await fetch(`${runtime.url}/v1/hub/metrics?${query}`, {
    headers: { authorization: `Bearer ${hubToken}` },
  });
  expect(response.status).toBe(200);
  return ((await response.json()) as { rows: Row[] }).rows;
}

/** The period the page shows by default: the twelve months up to this one (UTC). */
function lastTwelveMonths(): { from: string; to: string } {
  const now = new Date();
  const start = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 11, 1));
  return { from: start.toISOString().slice(0, 7), to: now.toISOString().slice(0, 7) };
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
  const [[totals], bySpoke, byPathway, byQuarter, byProvider] = await Promise.all([
    metrics(filter),
    read('spoke'),
    read('pathway'),
    read('quarter'),
    read('provider'),
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
    },
    byProvider,
  };
}

/** A fresh browser context (its own sessionStorage) with the dashboard open. */
async function openDashboard(search = ''): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (/Content Security Policy/i.test(message.text())) pageErrors.push(message.text());
  });
  await page.goto(`${runtime.url}/hub${search}`);
  return page;
}

async function signIn(page: Page, token: string): Promise<void> {
  await page.getByLabel('Access token').fill(token);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Waits until the page shows the figures for the spoke named ("all spokes" for every one). */
async function figuresShown(page: Page, spoke = 'all spokes'): Promise<void> {
  await page
    .locator('#figures-status')
    .filter({ hasText: new RegExp(`^Showing figures for .*, ${spoke}\\.$`) })
    .waitFor();
}

/** The text of the first match as rendered, white space collapsed. */
const text = async (page: Page, selector: string) =>
  (await page.locator(selector).first().innerText()).replace(/\s+/g, ' ').trim();

/** The body cells of a figure's table, row by row. */
async function table(page: Page, id: string): Promise<string[][]> {
  // A string, as the project's type check knows no DOM.
  return (await page.evaluate(
    `[...document.querySelectorAll('#${id}-table tbody tr')].map((row) =>
      [...row.cells].map((cell) => cell.textContent.replace(/\\s+/g, ' ').trim()))`,
  )) as string[][];
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

/** Per canvas: its id, its size, and how many of its pixels are not transparent. */
async function canvasInk(page: Page): Promise<{ id: string; width: number; ink: number }[]> {
  return (await page.evaluate(
    `[...document.querySelectorAll('canvas')].map((canvas) => {
      const { data } = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height);
      let ink = 0;
      for (let i = 3; i < data.length; i += 4) if (data[i] > 0) ink++;
      return { id: canvas.id, width: canvas.width, ink };
    })`,
  )) as { id: string; width: number; ink: number }[];
}

const tableIds = [
  'rates-by-spoke',
  'rates-by-pathway',
  'funnel',
  'outcomes',
  'by-quarter',
  'first-contact',
  'overdue',
];

describe('the hub dashboard, in Chromium, on the embedded runtime', () => {
  it('shows the last twelve months as the hub API counts them, every chart drawn with its table', async () => {
    // Prepare
    const { from, to } = lastTwelveMonths();
    const expected = await expectedTables(`from=${from}&to=${to}`);
    const byMonth = await metrics(`from=${from}&to=${to}&groupBy=month`);
    const page = await openDashboard();

    // Act
    await signIn(page, hubToken);
    await figuresShown(page);
    const signedInAs = await text(page, '#signed-in-as');
    const shownCards = await cards(page);
    const shownTables = await tables(page, tableIds);
    const months = await table(page, 'by-month');
    const canvases = await canvasInk(page);
    const canvasLabels = (await page.evaluate(
      `[...document.querySelectorAll('canvas')].map((canvas) =>
        canvas.getAttribute('role') + ': ' + canvas.getAttribute('aria-label'))`,
    )) as string[];
    const url = page.url();
    rmSync(screenshotPath, { force: true });
    mkdirSync(path.dirname(screenshotPath), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });

    // Assess
    expect(signedInAs).toBe(hub);
    expect(expected.totals).toMatchObject({ referred: 5, engaged: 1, declined: 1, escalated: 1 });
    expect(shownCards).toEqual(expected.cards);
    expect(shownTables).toEqual(expected.tables);
    expect(months).toHaveLength(12);
    for (const row of byMonth) {
      expect(months).toContainEqual([
        new Intl.DateTimeFormat('en-GB', {
          month: 'long',
          year: 'numeric',
          timeZone: 'UTC',
        }).format(new Date(`${row.group.month!}-01T00:00:00Z`)),
        count(row.referred),
        count(row.engaged),
        percent(row.engagementRate),
      ]);
    }
    expect(canvases.map((canvas) => canvas.id)).toEqual([
      'rates-by-spoke-chart',
      'rates-by-pathway-chart',
      'funnel-chart',
      'outcomes-chart',
      'by-month-chart',
      'by-quarter-chart',
      'first-contact-chart',
      'overdue-chart',
      ...(expected.byProvider.some((row) => row.current) ? ['waiting-chart'] : []),
    ]);
    for (const canvas of canvases) {
      expect(canvas.width, canvas.id).toBeGreaterThan(100);
      expect(canvas.ink, canvas.id).toBeGreaterThan(1000);
    }
    for (const label of canvasLabels)
      expect(label).toMatch(/^img: .+ The figures are in the table below\.$/);
    expect(new URL(url).search).toBe('');
    expect(statSync(screenshotPath).size).toBeGreaterThan(50_000);
    expect(pageErrors).toEqual([]);
  });

  it('keeps the spoke chosen in the URL, reads the API again, and shows it again after a reload', async () => {
    // Prepare
    const { from, to } = lastTwelveMonths();
    const everySpoke = await expectedTables(`from=${from}&to=${to}`);
    const somerset = await expectedTables(`from=${from}&to=${to}&spoke=somerset`);
    const page = await openDashboard();
    await signIn(page, hubToken);
    await figuresShown(page);
    const spokesOffered = await page.locator('#spoke option').allInnerTexts();
    const reads: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/hub/metrics')) reads.push(request.url());
    });

    // Act
    await page.getByLabel('Spoke', { exact: true }).selectOption('somerset');
    await page.getByRole('button', { name: 'Show figures' }).click();
    await figuresShown(page, 'Somerset');
    const query = new URL(page.url()).searchParams;
    const chosenCards = await cards(page);
    const chosenTables = await tables(page, tableIds);
    await page.reload();
    await figuresShown(page, 'Somerset');
    const spokeAfterReload = await page.locator('#spoke').inputValue();
    const tablesAfterReload = await tables(page, tableIds);
    await page.goBack();
    await figuresShown(page);
    const cardsAfterBack = await cards(page);

    // Assess
    expect(spokesOffered).toEqual([
      'All spokes',
      'Bath and North East Somerset',
      'Bristol',
      'Somerset',
    ]);
    expect(Object.fromEntries(query)).toEqual({ from, to, spoke: 'somerset' });
    expect(reads.length).toBeGreaterThan(0);
    expect(reads.filter((read) => read.includes('spoke=somerset')).length).toBeGreaterThanOrEqual(
      6,
    );
    expect(somerset.totals.referred).toBe(3);
    expect(chosenCards).toEqual(somerset.cards);
    expect(chosenCards).not.toEqual(everySpoke.cards);
    expect(chosenTables).toEqual(somerset.tables);
    expect(spokeAfterReload).toBe('somerset');
    expect(tablesAfterReload).toEqual(somerset.tables);
    expect(cardsAfterBack).toEqual(everySpoke.cards);
    expect(pageErrors).toEqual([]);
  });

  it('shows where each provider’s referrals are now, once the hub API sends `current`', async ({
    skip,
  }) => {
    // Prepare
    const { from, to } = lastTwelveMonths();
    const byProvider = await metrics(`from=${from}&to=${to}&groupBy=provider`);
    skip(
      !byProvider.some((row) => row.current !== undefined),
      'the hub API does not send `current` yet',
    );
    const page = await openDashboard();

    // Act
    await signIn(page, hubToken);
    await figuresShown(page);
    const waiting = await table(page, 'waiting');
    const heading = await text(page, '#waiting-heading');

    // Assess
    expect(heading).toBe('Waiting now by provider');
    expect(waiting).toEqual(
      byProvider.map((row) => [
        providerName(row.group.provider!),
        count(row.current?.awaitingDecision),
        count(row.current?.awaitingFirstContact),
        count(row.current?.awaitingEngagement),
        count(row.current?.engaged),
        count(row.current?.declinedAwaitingReroute),
      ]),
    );
    const admit = byProvider.find((row) => row.group.provider === admitProvider);
    expect(admit?.current).toMatchObject({ awaitingFirstContact: 1, engaged: 1 });
    expect(pageErrors).toEqual([]);
  });

  it('reads rows defensively: `current` when a row has it, an overflow and a missing time in words, never NaN', async () => {
    // Prepare: the API's answers, changed on their way to the page
    const current = {
      awaitingDecision: 4,
      awaitingFirstContact: 3,
      awaitingEngagement: 2,
      engaged: 1,
      declinedAwaitingReroute: 5,
    };
    const page = await openDashboard();
    await page.route('**/v1/hub/metrics?*', async (route) => {
      const response = await route.fetch();
      const answer = (await response.json()) as { rows: Row[] };
      const groupBy = new URL(route.request().url()).searchParams.get('groupBy');
      const rows = answer.rows.map((row, index) => {
        if (groupBy === 'provider') return { ...row, current };
        if (groupBy === 'spoke' && index === 0) {
          return { ...row, timeToFirstContactHours: { median: '>720', p90: null } };
        }
        return row;
      });
      await route.fulfill({ response, json: { ...answer, rows } });
    });

    // Act
    await signIn(page, hubToken);
    await figuresShown(page);
    const waiting = await table(page, 'waiting');
    const firstContact = await table(page, 'first-contact');
    const main = await text(page, '#main-content');
    const canvases = await canvasInk(page);

    // Assess
    expect(waiting.length).toBeGreaterThan(0);
    for (const row of waiting) expect(row.slice(1)).toEqual(['4', '3', '2', '1', '5']);
    expect(firstContact[0]?.slice(2)).toEqual(['over 720 hours', 'no data']);
    expect(main).not.toMatch(/NaN|undefined|null|\[object/);
    expect(canvases.find((canvas) => canvas.id === 'waiting-chart')?.ink).toBeGreaterThan(1000);
    expect(pageErrors).toEqual([]);
  });

  it('downloads the quarterly return as CSV, fetched with the bearer token', async () => {
    // Prepare
    const page = await openDashboard();
    await signIn(page, hubToken);
    await figuresShown(page);
    const quarter = await page.locator('#return-quarter').inputValue();
    const quarterLabel = await text(page, '#return-quarter option:checked');

    // Act
    const downloading = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Download the return (CSV)' }).click();
    const download = await downloading;
    const csv = readFileSync((await download.path())!, 'utf8');
    const status = await text(page, '#return-status');

    // Assess
    expect(quarter).toMatch(/^\d{4}-Q[1-4]$/);
    expect(download.suggestedFilename()).toBe(`reachable-${hub}-${quarter}.csv`);
    expect(csv.split(/\r?\n/)[0]).toBe(
      'Period,Spoke,Pathway,Referrals,Engaged,Engagement rate,Interventions delivered',
    );
    // The return labels its period as the metrics label the quarter.
    expect(csv.split(/\r?\n/)).toContain(`${quarterLabel},somerset,admit,3,1,0.333,0`);
    expect(status).toBe(`Downloaded reachable-${hub}-${quarter}.csv.`);
    expect(pageErrors).toEqual([]);
  });

  it("shows a provider's token the API's 403 in the error summary, and no figures", async () => {
    // Prepare
    const page = await openDashboard();

    // Act
    const answered = page.waitForResponse((response) => response.url().includes('/v1/hub/metrics'));
    await signIn(page, providerTokens.get(admitProvider)!);
    const status = (await answered).status();
    await page.locator('.govuk-error-summary').waitFor();
    const summary = await text(page, '.govuk-error-summary');
    const focused = await page.locator(':focus').getAttribute('class');
    const title = await page.title();
    const figures = await page.locator('#figures > *').count();

    // Assess
    expect(status).toBe(403);
    expect(summary).toContain('There is a problem');
    expect(summary).toContain('Not allowed.');
    expect(summary).toContain('Only hub analysts can use this route.');
    expect(focused).toContain('govuk-error-summary');
    expect(title).toMatch(/^Error: /);
    expect(figures).toBe(0);
    expect(pageErrors).toEqual([]);
  });

  it('refuses a period that ends before it starts, naming the field, before asking the API', async () => {
    // Prepare
    const page = await openDashboard();
    await signIn(page, hubToken);
    await figuresShown(page);
    const reads: string[] = [];
    page.on('request', (request) => {
      if (request.url().includes('/v1/hub/metrics')) reads.push(request.url());
    });
    const from = page.getByRole('group', { name: 'From' });
    const to = page.getByRole('group', { name: 'To' });

    // Act
    await from.getByLabel('Month').fill('11');
    await from.getByLabel('Year').fill('2026');
    await to.getByLabel('Month').fill('3');
    await to.getByLabel('Year').fill('2026');
    await page.getByRole('button', { name: 'Show figures' }).click();
    await page.locator('.govuk-error-summary').waitFor();
    const summary = await text(page, '.govuk-error-summary');
    const link = await page.locator('.govuk-error-summary a').getAttribute('href');
    const inline = await text(page, '#to-error');
    const url = page.url();

    // Assess
    expect(summary).toContain('The To month must be the same as or after the From month');
    expect(link).toBe('#to-month');
    expect(inline).toBe('Error: The To month must be the same as or after the From month');
    expect(reads).toEqual([]);
    expect(new URL(url).search).toBe('');
    expect(pageErrors).toEqual([]);
  });

  it("shows the API's 400 for a period it refuses (over 36 months) against the field it names", async () => {
    // Prepare
    const page = await openDashboard('?from=2020-01&to=2026-11');

    // Act
    const answered = page.waitForResponse((response) => response.url().includes('/v1/hub/metrics'));
    await signIn(page, hubToken);
    const status = (await answered).status();
    await page.locator('.govuk-error-summary').waitFor();
    const summary = await text(page, '.govuk-error-summary');
    const link = await page.locator('.govuk-error-summary a').getAttribute('href');
    const inline = await text(page, '#to-error');

    // Assess
    expect(status).toBe(400);
    expect(summary).toContain('To: must be on or after "from", at most 36 months later');
    expect(link).toBe('#to-month');
    expect(inline).toContain('at most 36 months later');
    expect(pageErrors).toEqual([]);
  });
});

/** A request exactly as written, without the normalising `fetch` does to `..` segments. */
function rawGet(urlPath: string): Promise<{ status: number; headers: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const { hostname, port } = new URL(runtime.url);
    const request = httpRequest({ hostname, port, path: urlPath, method: 'GET' }, (response) => {
      response.resume();
      resolve({ status: response.statusCode ?? 0, headers: response.headers });
    });
    request.on('error', reject);
    request.end();
  });
}

describe('the stuck-referrals banner, in Chromium', () => {
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
    const page = await openDashboard();

    // Act
    await signIn(page, hubToken);
    await figuresShown(page);
    const banner = await text(page, '#reconciliation');
    await reports.saveReconciliation({
      ...stuck,
      counts: { 'not-routed': 0, 'not-pulled': 0 },
      bySpoke: {},
      byProvider: {},
    });
    await page.reload();
    await figuresShown(page);
    const allClear = await text(page, '#reconciliation');

    // Assess
    expect(banner).toContain('Stuck referrals');
    expect(banner).toContain('3 referrals are stuck between intake and a provider.');
    expect(banner).toContain('1 stored but not routed after 15 minutes');
    expect(banner).toContain(
      `2 routed to a provider but not picked up by their acceptance deadline: ${providerName(admitProvider)} 2`,
    );
    expect(banner).toContain('Checked 23 Nov 2026, 09:30.');
    expect(allClear).toBe('Last check for stuck referrals: 23 Nov 2026, 09:30. None found.');
    expect(pageErrors).toEqual([]);
  });
});

describe('the web function, over HTTP', () => {
  it('serves the dashboard, its script, Chart.js and the shared assets, with a content security policy', async () => {
    // Act
    const answers = await Promise.all(
      [
        '/hub',
        '/hub/app.js',
        '/hub/vendor/chart.umd.min.js',
        '/assets/govuk/govuk-frontend.css',
        '/assets/favicon.svg',
      ].map(rawGet),
    );

    // Assess
    expect(answers.map((answer) => [answer.status, answer.headers['content-type']])).toEqual([
      [200, 'text/html; charset=utf-8'],
      [200, 'text/javascript; charset=utf-8'],
      [200, 'text/javascript; charset=utf-8'],
      [200, 'text/css; charset=utf-8'],
      [200, 'image/svg+xml'],
    ]);
    for (const answer of answers) {
      expect(answer.headers['content-security-policy']).toContain("script-src 'self'");
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('never serves a file outside web/hub/ or web/assets/, however the path is written', async () => {
    // Prepare
    const attempts = [
      '/hub/../../package.json',
      '/hub/..%2f..%2fpackage.json',
      '/hub/%2e%2e/%2e%2e/package.json',
      '/hub//etc/passwd',
      '/hub/.hidden.js',
      '/hub/',
      '/hub/vendor/chart.js-LICENSE.md',
      '/hubs/index.html',
      '/assets',
      '/assets/',
      '/assets/../../local/signing-key.ts',
      '/web/hub/index.html',
    ];

    // Act
    const statuses = await Promise.all(
      attempts.map(async (attempt) => (await rawGet(attempt)).status),
    );

    // Assess
    expect(statuses.every((status) => status === 404 || status === 400)).toBe(true);
  });
});
