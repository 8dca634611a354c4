// What every e2e test file shares: where the server is, the test users' password, the
// browser, signing in, and the axe check. Not a test file itself (node --test runs only
// *.test.mjs).
//
// Environment (set by scripts/e2e.sh): HEARTH_E2E_URL, HEARTH_E2E_PASSWORD, CHROMIUM.

import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';

const require = createRequire(import.meta.url);
const axeSource = require.resolve('axe-core/axe.min.js');

export const base = process.env.HEARTH_E2E_URL;
export const password = process.env.HEARTH_E2E_PASSWORD;
assert.ok(base && password, 'run through scripts/e2e.sh, which sets HEARTH_E2E_URL and HEARTH_E2E_PASSWORD');

/// Debian's headless Chromium. No network beyond localhost here: without these flags
/// Chromium keeps trying to reach Google's services.
export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/// Run axe-core on the page and fail on any serious or critical violation. axe is
/// injected as a script, which the pages' Content-Security-Policy (rightly) forbids, so
/// a page checked here must come from a context made with `bypassCSP: true`.
export async function checkAccessibility(page, label) {
  await page.addScriptTag({ path: axeSource });
  const violations = await page.evaluate(async () => {
    const result = await window.axe.run(document, { resultTypes: ['violations'] });
    return result.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      targets: v.nodes.map((n) => n.target.join(' ')),
    }));
  });
  const serious = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(
    serious.map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.targets.join(', ')}`),
    [],
    `${label} (${page.url()}) has serious or critical accessibility violations`,
  );
}

/// Sign `page` in as the test user `name`.
export async function signIn(page, name) {
  await page.goto(`${base}/sign-in`);
  await page.getByLabel('User name').fill(name);
  await page.getByLabel('Password').fill(password);
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Sign in' }).click()]);
}

/// A fresh context (no cookies, CSP bypassed for axe) with a page signed in as `name`.
export async function signedIn(browser, name) {
  const ctx = await browser.newContext({ bypassCSP: true });
  const page = await ctx.newPage();
  await signIn(page, name);
  return { ctx, page };
}
