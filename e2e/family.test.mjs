// The family page in a real browser: from a child of the synthetic county to their
// family, which shows its children, the network picture with its tables, and the
// family's journey; the page is checked with axe-core (as in journeys.test.mjs).
//
// Environment (set by scripts/e2e.sh): HEARTH_E2E_URL, HEARTH_E2E_PASSWORD (user
// e2e.team-manager), CHROMIUM.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { base, launchBrowser, checkAccessibility, signedIn } from './support.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test("a child's family opens from their page, with its network as a picture and tables; it passes axe", async () => {
  const { ctx, page } = await signedIn(browser, 'e2e.team-manager');
  try {
    await page.goto(`${base}/`);
    const children = await page.locator('a[href^="/children/"]').evaluateAll(
      (links) => links.map((a) => a.getAttribute('href')),
    );
    // Nearly every generated child has a family; an unaccompanied child has none.
    let family = null;
    for (const href of children.slice(0, 20)) {
      await page.goto(`${base}${href}`);
      const link = page.locator('a[href^="/families/"]');
      if (await link.count()) {
        family = link.first();
        break;
      }
    }
    assert.ok(family, 'one of the first twenty children has a family');
    await Promise.all([page.waitForNavigation(), family.click()]);
    assert.match(new URL(page.url()).pathname, /^\/families\/[A-Za-z0-9_-]+$/);
    await assert.doesNotReject(page.getByRole('heading', { name: 'Family network' }).textContent());
    assert.equal(await page.locator('.hearth-network svg[aria-hidden="true"]').count(), 1);
    await assert.doesNotReject(page.getByRole('heading', { name: "The family's journey" }).textContent());
    await checkAccessibility(page, 'The family page');
  } finally {
    await ctx.close();
  }
});
