// The family page in a real browser: from a child of the synthetic county to their
// family, which shows its children, the network picture with its tables, and the
// family's chronology, filtered; then the children's case notes and their search, and
// the team manager's form to allocate the family. Each page is checked with axe-core (as
// in journeys.test.mjs).
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
    await assert.doesNotReject(page.getByRole('heading', { name: "The family's chronology" }).textContent());
    await checkAccessibility(page, 'The family page');
    const familyPath = new URL(page.url()).pathname;

    // The chronology narrowed like a child's, without JavaScript's help: a GET form.
    await page.getByLabel('Kind of event').selectOption('people');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Filter' }).click()]);
    assert.match(page.url(), /area=people/);
    await assert.doesNotReject(page.locator('#chronology-summary').textContent());
    await checkAccessibility(page, 'The family page, its chronology filtered');
    // A bad date is refused at the top and by its box.
    await page.goto(`${base}${familyPath}?from=2024-13-01`);
    assert.equal(await page.locator('.govuk-error-summary').count(), 1);
    await checkAccessibility(page, 'The family page, a filter refused');

    // The children's case notes, with the search.
    await page.goto(`${base}${familyPath}`);
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: "The children's case notes, with a search" }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, `${familyPath}/notes`);
    await checkAccessibility(page, "The family's case notes");
    await page.getByLabel("Search the family's notes").fill('school');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Search' }).click()]);
    await assert.doesNotReject(page.locator('#found').textContent());
    await checkAccessibility(page, "The family's case notes, searched");

    // The team manager's allocation form, and its refusal when nothing is chosen.
    await page.goto(`${base}${familyPath}`);
    await Promise.all([
      page.waitForNavigation(),
      page.getByRole('link', { name: 'Allocate the family to one worker' }).click(),
    ]);
    await checkAccessibility(page, 'The allocation form');
    await page.locator('input[name="child"]').evaluateAll((boxes) => boxes.forEach((b) => { b.checked = false; }));
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Allocate' }).click()]);
    assert.equal(await page.locator('.govuk-error-summary').count(), 1);
    await assert.doesNotReject(page.getByText('Choose the worker to allocate the family to').first().textContent());
    await checkAccessibility(page, 'The allocation form with its errors');
  } finally {
    await ctx.close();
  }
});
