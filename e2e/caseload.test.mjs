// My work and My team in a real browser: a team manager linked to a generated manager
// lands on their team's caseloads against the limits, opens a worker's caseload from it
// and a child from that; a social worker whose account is linked to no worker is told
// so. Every page is checked with axe-core (as in journeys.test.mjs).
//
// Environment (set by scripts/e2e.sh): HEARTH_E2E_URL, HEARTH_E2E_PASSWORD (users
// e2e.team-manager, linked to a worker, and e2e.social-worker, linked to none), CHROMIUM.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, checkAccessibility, signedIn } from './support.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('a team manager lands on their team, opens a worker and a child; every page passes axe', async () => {
  const { ctx, page } = await signedIn(browser, 'e2e.team-manager');
  try {
    assert.equal(new URL(page.url()).pathname, '/my-team', 'a team manager starts at their team');
    await assert.doesNotReject(page.getByRole('heading', { level: 1 }).textContent());
    await assert.doesNotReject(page.getByText('Caseloads, weighted by kind of case, against the limits').textContent());
    await checkAccessibility(page, 'My team');
    // The busiest worker's caseload: the first link of the workers' table.
    const worker = page.locator('a[href^="/my-work?worker="]').first();
    await Promise.all([page.waitForNavigation(), worker.click()]);
    assert.match(page.url(), /\/my-work\?worker=/);
    await checkAccessibility(page, "A worker's caseload");
    const child = page.locator('a[href^="/children/"]').first();
    if (await child.count()) {
      await Promise.all([page.waitForNavigation(), child.click()]);
      assert.match(new URL(page.url()).pathname, /^\/children\/[A-Za-z0-9_-]+$/);
    }
  } finally {
    await ctx.close();
  }
});

test('a social worker linked to no worker is told so on My work; the page passes axe', async () => {
  const { ctx, page } = await signedIn(browser, 'e2e.social-worker');
  try {
    assert.equal(new URL(page.url()).pathname, '/my-work', 'a practitioner starts at their own work');
    await assert.doesNotReject(page.getByText('Your account is not linked to a worker').textContent());
    await checkAccessibility(page, 'My work, not linked');
  } finally {
    await ctx.close();
  }
});
