import AxeBuilder from '@axe-core/playwright';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Browsers opened by a page test, to be closed after it. */
export const openContexts: BrowserContext[] = [];

/** A new browser with JavaScript off: the server-rendered pages must work without it. */
export async function pageWithoutScript(browser: Browser): Promise<Page> {
  const context = await browser.newContext({ javaScriptEnabled: false });
  openContexts.push(context);
  return context.newPage();
}

/** Closes every browser {@link pageWithoutScript} opened. */
export async function closeOpenContexts(): Promise<void> {
  for (const context of openContexts.splice(0)) await context.close();
}

/**
 * Accessibility violations axe-core finds on the page as it is. axe runs as a script in the page,
 * which a page without script does not allow: so the same HTML is checked at the same URL (the
 * same stylesheets) in a browser where scripts run.
 */
export async function axeViolations(browser: Browser, page: Page): Promise<string[]> {
  const [html, url] = [await page.content(), page.url()];
  const context = await browser.newContext({ bypassCSP: true });
  try {
    const checked = await context.newPage();
    await checked.route(url, (route) =>
      route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html }),
    );
    await checked.goto(url);
    const { violations: found } = await new AxeBuilder({ page: checked }).analyze();
    return found.map((v) => `${v.id}: ${v.nodes.map((node) => node.target.join(' ')).join(', ')}`);
  } finally {
    await context.close();
  }
}

/** The session cookie of a page's browser as a `cookie` request header. */
export async function cookieHeader(page: Page): Promise<string> {
  const cookies = await page.context().cookies();
  return cookies.map(({ name, value }) => `${name}=${value}`).join('; ');
}
