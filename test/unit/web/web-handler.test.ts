import { readFileSync, rmSync, symlinkSync } from 'node:fs';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler } from '#functions/web/handler.ts';

const webRoot = path.resolve(import.meta.dirname, '..', '..', '..', 'web');

function get(rawPath: string): Promise<APIGatewayProxyStructuredResultV2> {
  return handler({ rawPath } as APIGatewayProxyEventV2);
}

const bodyOf = (answer: APIGatewayProxyStructuredResultV2) =>
  Buffer.from(String(answer.body), 'base64');

describe('the web function, for the hub dashboard and the shared assets', () => {
  /** Links made by a test, removed after it. */
  const links: string[] = [];

  afterEach(() => {
    for (const link of links.splice(0)) rmSync(link, { force: true });
  });

  it('answers /hub with web/hub/index.html and /hub/{file+} with the file, with the security headers', async () => {
    // Act
    const page = await get('/hub');
    const script = await get('/hub/app.js');
    const chart = await get('/hub/vendor/chart.umd.min.js');
    const css = await get('/assets/govuk/govuk-frontend.min.css');
    const icon = await get('/assets/favicon.svg');

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.headers).toMatchObject({
      'content-type': 'text/html; charset=utf-8',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
    });
    expect(String(page.headers?.['content-security-policy'])).toContain("script-src 'self'");
    expect(String(page.headers?.['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(bodyOf(page).equals(readFileSync(path.join(webRoot, 'hub', 'index.html')))).toBe(true);
    expect(script.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    expect(
      bodyOf(chart).equals(readFileSync(path.join(webRoot, 'hub', 'vendor', 'chart.umd.min.js'))),
    ).toBe(true);
    expect(css.headers?.['content-type']).toBe('text/css; charset=utf-8');
    expect(icon.headers?.['content-type']).toBe('image/svg+xml');
  });

  it('keeps no inline script or style in the page, which its policy would block', () => {
    // Prepare
    const html = readFileSync(path.join(webRoot, 'hub', 'index.html'), 'utf8');

    // Act
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];

    // Assess
    expect(scripts.map(([, attributes]) => /src="\/hub\/[\w./-]+"/.test(attributes ?? ''))).toEqual(
      [true, true],
    );
    expect(scripts.map(([, , body]) => body?.trim())).toEqual(['', '']);
    expect(html).not.toMatch(/\sstyle=|<style|\son[a-z]+=/i);
  });

  it('never serves a file outside web/hub/ or web/assets/, however the path is written', async () => {
    // Prepare
    const attempts = [
      '/hub/../../package.json',
      '/hub/../provider/index.html',
      '/hub/vendor/../../../local/signing-key.ts',
      '/hub/..%2f..%2fpackage.json',
      '/hub/%2e%2e/%2e%2e/package.json',
      '/hub//etc/passwd',
      '/hub/.hidden.js',
      '/hub/vendor/.hidden.js',
      '/hub/',
      '/hub/index.html\0.css',
      '/hub/vendor/chart.js-LICENSE.md',
      '/hub/vendor/chart.umd.min.js.map',
      '/hubs/index.html',
      '/hub.html',
      '/assets',
      '/assets/',
      '/assets/index.html',
      '/assets/../hub/index.html',
      '/assets/govuk/../../../package.json',
      '/assets/govuk/govuk-frontend.min.css.map',
      '/assets/govuk/assets/fonts/light-94a07e06a1-v2.woff2',
      '/assets/govuk/components/button/macro.njk',
      '/assets/fonts/light-94a07e06a1-v2.woff2',
      '/web/hub/index.html',
      '/README.md',
      'hub/index.html',
    ];

    // Act
    const statuses = await Promise.all(
      attempts.map(async (attempt) => (await get(attempt)).statusCode),
    );

    // Assess
    expect(statuses).toEqual(attempts.map(() => 404));
  });

  it('follows no link out of the folder served, not even to another served folder', async () => {
    // Prepare
    const toProvider = path.join(webRoot, 'hub', 'test-link-to-provider.js');
    const toProject = path.join(webRoot, 'hub', 'test-link-to-project.js');
    const inside = path.join(webRoot, 'hub', 'test-link-inside.js');
    links.push(toProvider, toProject, inside);
    symlinkSync(path.join('..', 'provider', 'app.js'), toProvider);
    symlinkSync(path.join('..', '..', 'package.json'), toProject);
    symlinkSync('app.js', inside);

    // Act
    const [provider, project, same] = await Promise.all(
      ['test-link-to-provider.js', 'test-link-to-project.js', 'test-link-inside.js'].map((name) =>
        get(`/hub/${name}`),
      ),
    );

    // Assess
    expect(provider!.statusCode).toBe(404);
    expect(project!.statusCode).toBe(404);
    expect(same!.statusCode).toBe(200);
  });
});
