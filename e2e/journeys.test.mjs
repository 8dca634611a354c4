// Hearth's core journeys in a real browser: Debian's headless Chromium, driven by
// playwright-core, against a `hearth serve` that scripts/e2e.sh starts on a small
// synthetic county. Every page visited is checked with axe-core: no serious or
// critical accessibility violations.
//
// Environment (set by scripts/e2e.sh): HEARTH_E2E_URL (http://localhost:PORT),
// HEARTH_E2E_PASSWORD (the password of the users it adds: e2e.social-worker,
// e2e.auditor, e2e.analyst), CHROMIUM (default /usr/bin/chromium).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, checkAccessibility, signIn, base, password } from './support.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/// A fresh browser context: no cookies. axe is injected as a script, which the pages'
/// Content-Security-Policy (rightly) forbids, so the test context bypasses it.
async function context(options = {}) {
  return browser.newContext({ bypassCSP: true, ...options });
}

async function signOut(page) {
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign out' }).click()]);
  assert.match(await page.content(), /You have signed out/);
}

/// Sign in, search for a child, open their chronology, look at the due list, sign out.
async function coreJourney(page, { axe }) {
  const check = axe ? checkAccessibility : async () => {};

  await page.goto(`${base}/children/no-such-child`);
  assert.match(page.url(), /\/sign-in\?next=/, 'a record asks for sign-in first');
  await check(page, 'the sign-in page');

  // A wrong password: the error summary, and the page stays accessible.
  await page.getByLabel('User name').fill('e2e.social-worker');
  await page.getByLabel('Password').fill('not the password at all');
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.match(await page.content(), /There is a problem/);
  await check(page, 'the sign-in page with an error');

  // The form kept the page asked for.
  await page.getByLabel('User name').fill('e2e.social-worker');
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
  assert.equal(new URL(page.url()).pathname, '/children/no-such-child', 'sign-in returns to the page asked for');
  await check(page, 'the not-found page');

  await page.goto(`${base}/`);
  await check(page, 'the list of children');
  const first = page.locator('main table tbody tr a').first();
  const name = (await first.textContent()).trim();
  const family = name.split(' ').pop();

  await page.getByLabel(/Search by name/).fill(family);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Search' }).click()]);
  assert.match(page.url(), /\?q=/);
  await check(page, 'search results');
  const found = page.locator('main table tbody tr a', { hasText: name }).first();
  await Promise.all([page.waitForNavigation(), found.click()]);
  assert.match(new URL(page.url()).pathname, /^\/children\/[A-Za-z0-9_-]+$/);
  assert.equal((await page.locator('h1').first().textContent()).trim(), name);
  await check(page, 'a chronology');

  await page.goto(`${base}/due`);
  await check(page, 'the due list');
  await page.goto(`${base}/due?as_at=not-a-date`);
  assert.match(await page.content(), /There is a problem/);
  await check(page, 'the due list with an error');

  await page.goto(`${base}/account`);
  await check(page, 'the account page');

  await signOut(page);
  await check(page, 'the signed-out page');
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/sign-in\?next=/, 'after sign-out the list asks for sign-in again');
}

test('a social worker signs in, finds a child, reads the chronology and signs out; every page passes axe', async () => {
  const ctx = await context();
  try {
    await coreJourney(await ctx.newPage(), { axe: true });
  } finally {
    await ctx.close();
  }
});

test('the same journey works with JavaScript off', async () => {
  const ctx = await context({ javaScriptEnabled: false });
  try {
    await coreJourney(await ctx.newPage(), { axe: false });
  } finally {
    await ctx.close();
  }
});

test('an auditor sees who opened a record, is refused the record itself, and both pages pass axe', async () => {
  const ctx = await context();
  try {
    const page = await ctx.newPage();
    await signIn(page, 'e2e.auditor');
    await page.goto(`${base}/`);
    // From the list, an auditor goes to who opened each record.
    const link = page.locator('main table tbody tr a').first();
    const href = await link.getAttribute('href');
    assert.match(href, /^\/children\/[A-Za-z0-9_-]+\/access-log$/);
    await page.goto(`${base}${href}`);
    assert.match(await page.content(), /Who opened the record of/);
    await checkAccessibility(page, 'the access log page');
    const response = await page.goto(`${base}${href.replace(/\/access-log$/, '')}`);
    assert.equal(response.status(), 403);
    await checkAccessibility(page, 'the refused page');
    await signOut(page);
  } finally {
    await ctx.close();
  }
});

test('an analyst starts at the due counts, which name no child, and passes axe', async () => {
  const ctx = await context();
  try {
    const page = await ctx.newPage();
    await signIn(page, 'e2e.analyst');
    assert.equal(new URL(page.url()).pathname, '/due/counts');
    assert.match(await page.content(), /Due and overdue: counts/);
    assert.equal(await page.locator('main a[href^="/children/"]').count(), 0);
    await checkAccessibility(page, 'the due counts');
    const response = await page.goto(`${base}/`);
    assert.equal(response.status(), 403);
    await checkAccessibility(page, 'the refused list');
    await signOut(page);
  } finally {
    await ctx.close();
  }
});
