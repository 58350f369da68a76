import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { afterEach, describe, expect, it } from 'vitest';
import { handler, webFile } from '#functions/web/handler.ts';

const projectRoot = path.resolve(import.meta.dirname, '..', '..', '..');
const webRoot = path.join(projectRoot, 'web');

function get(rawPath: string): Promise<APIGatewayProxyStructuredResultV2> {
  return handler({ rawPath } as APIGatewayProxyEventV2);
}

const bodyOf = (answer: APIGatewayProxyStructuredResultV2) =>
  Buffer.from(String(answer.body), 'base64');

describe('the web function, for the static pages and the shared assets', () => {
  /** Temporary folders made by a test, removed after it. */
  const folders: string[] = [];

  afterEach(() => {
    for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
  });

  it("answers a page's bare path with its index.html, and the assets, with the security headers", async () => {
    // Act
    const page = await get('/docs');
    const charts = await get('/assets/hub/charts.js');
    const chart = await get('/assets/chart.js/chart.umd.min.js');
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
    expect(bodyOf(page).equals(readFileSync(path.join(webRoot, 'docs', 'index.html')))).toBe(true);
    expect(charts.headers?.['content-type']).toBe('text/javascript; charset=utf-8');
    // Chart.js is the installed package's file, as it is: no copy in the source tree.
    expect(
      bodyOf(chart).equals(
        readFileSync(
          path.join(projectRoot, 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js'),
        ),
      ),
    ).toBe(true);
    expect(css.headers?.['content-type']).toBe('text/css; charset=utf-8');
    expect(icon.headers?.['content-type']).toBe('image/svg+xml');
  });

  it('never serves a file outside the folders it serves, however the path is written', async () => {
    // Prepare
    const attempts = [
      // The hub and provider pages are their own functions': none of their folders is served.
      '/hub',
      '/hub/view.ts',
      '/hub/templates/dashboard.njk',
      '/provider',
      '/provider/view.ts',
      '/docs/../../package.json',
      '/docs/../provider/index.html',
      '/docs/..%2f..%2fpackage.json',
      '/docs/%2e%2e/%2e%2e/package.json',
      '/docs//etc/passwd',
      '/docs/.hidden.js',
      '/docs/',
      '/docs/index.html\0.css',
      '/docss/index.html',
      '/docs.html',
      '/assets/hub/.hidden.js',
      '/assets/hub/../../package.json',
      '/assets/chart.js/chart.js',
      '/assets/chart.js/chart.umd.min.js.map',
      '/assets/chart.js/../package.json',
      '/assets/chart.js/helpers/index.js',
      '/assets',
      '/assets/',
      '/assets/index.html',
      '/assets/../docs/index.html',
      '/assets/govuk/../../../package.json',
      '/assets/govuk/govuk-frontend.min.css.map',
      '/assets/govuk/assets/fonts/light-94a07e06a1-v2.woff2',
      '/assets/govuk/components/button/macro.njk',
      '/assets/fonts/light-94a07e06a1-v2.woff2',
      '/web/docs/index.html',
      '/README.md',
      'docs/index.html',
    ];

    // Act
    const statuses = await Promise.all(
      attempts.map(async (attempt) => (await get(attempt)).statusCode),
    );

    // Assess
    expect(statuses).toEqual(attempts.map(() => 404));
  });

  it('follows no link out of the folder served, not even to another served folder', async () => {
    // Prepare: a project of its own in a temporary folder, so no link is made in the source tree.
    const project = mkdtempSync(path.join(tmpdir(), 'reachable-web-'));
    folders.push(project);
    const root = path.join(project, 'web');
    const hub = path.join(root, 'assets', 'hub');
    mkdirSync(hub, { recursive: true });
    mkdirSync(path.join(root, 'docs'));
    writeFileSync(path.join(project, 'package.json'), '{}');
    writeFileSync(path.join(root, 'docs', 'docs.js'), '// docs');
    writeFileSync(path.join(hub, 'charts.js'), '// charts');
    symlinkSync(path.join('..', '..', 'docs', 'docs.js'), path.join(hub, 'link-to-docs.js'));
    symlinkSync(path.join('..', '..', '..', 'package.json'), path.join(hub, 'link-to-project.js'));
    symlinkSync('charts.js', path.join(hub, 'link-inside.js'));

    // Act
    const [docs, outside, same] = await Promise.all(
      ['link-to-docs.js', 'link-to-project.js', 'link-inside.js'].map((name) =>
        webFile(`/assets/hub/${name}`, root),
      ),
    );

    // Assess
    expect(docs!.statusCode).toBe(404);
    expect(outside!.statusCode).toBe(404);
    expect(same!.statusCode).toBe(200);
    expect(bodyOf(same!).toString()).toBe('// charts');
  });
});
