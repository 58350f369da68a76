import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRuntime, type Runtime } from '#local/runtime.ts';
import { launchChromium } from '#test/helpers/chromium.ts';

let runtime: Runtime;
let browser: Browser;

beforeAll(async () => {
  runtime = await startRuntime({ port: 0 });
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await runtime?.stop();
});

describe('the API reference page (/docs)', () => {
  it('shows every operation of /openapi.json, with its answers, and breaks no rule of the page', async () => {
    // Prepare
    const document = (await (await fetch(`${runtime.url}/openapi.json`)).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const operations = Object.entries(document.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });

    // Act
    await page.goto(`${runtime.url}/docs`);
    await page.locator('[data-operation]').first().waitFor();
    const shown = await page
      .locator('[data-operation]')
      .evaluateAll((sections) => sections.map((s) => s.getAttribute('data-operation')));
    const webhook = page.locator('[data-operation="POST /v1/webhooks/{organisationId}/referrals"]');

    // Assess
    expect(operations.length).toBeGreaterThan(15);
    expect(shown.sort()).toEqual(operations.sort());
    await expect(webhook.locator('table').last().textContent()).resolves.toContain('422');
    await expect(page.locator('#schema-ReferralSubmission').count()).resolves.toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  });
});
