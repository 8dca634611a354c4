// Recording through pages in a real browser (issue 14 item 1): a social worker opens a
// child, chooses what to record, and fills in a form; the choose page and a form of each
// kind of input (date, text, yes or no, one code as radios, one code as a select, codes
// as checkboxes, worker and team) and the correction form pass axe, with and without an
// error shown. Run by
// scripts/e2e.sh, which starts the server on a small synthetic county.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, checkAccessibility, signIn, base } from './support.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/// Sign in and open the first child of the list whose record takes a visit today.
async function childTakingAVisit(page) {
  await signIn(page, 'e2e.social-worker');
  await page.goto(`${base}/`);
  const hrefs = await page.locator('main table tbody tr a[href^="/children/"]').evaluateAll(
    (links) => links.map((a) => a.getAttribute('href')),
  );
  for (const href of hrefs) {
    await page.goto(`${base}${href}/record`);
    if (await page.locator(`a[href="${href}/record/visit"]`).count()) {
      return href;
    }
  }
  assert.fail('no child on the first page of the list takes a visit today');
}

/// Record a visit through its form: the first worker offered, seen and seen alone.
async function recordVisit(page, child) {
  await Promise.all([page.waitForNavigation(), page.locator(`a[href="${child}/record/visit"]`).click()]);
  const worker = await page.locator('select#worker option:not([value=""])').first().getAttribute('value');
  await page.locator('select#worker').selectOption(worker);
  await page.locator('input[name="seen"][value="yes"]').check();
  await page.locator('input[name="seen_alone"][value="yes"]').check();
  await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save' }).click()]);
  assert.equal(new URL(page.url()).pathname, child);
  assert.match(await page.content(), /Recorded: Visit/);
  assert.match(await page.content(), /child seen alone/);
}

test('a social worker records a visit through the pages, and every form passes axe', async () => {
  const ctx = await browser.newContext({ bypassCSP: true });
  try {
    const page = await ctx.newPage();
    const child = await childTakingAVisit(page);
    assert.match(await page.content(), /What do you want to record\?/);
    await checkAccessibility(page, 'the choose page');

    // A form of each kind of input.
    for (const kind of [
      'visit', // date, yes or no, a worker
      'allocated', // a worker and a team
      'cin_closed', // one code, as radios
      'placement_started', // one code of a long list, as a select; a postcode; text
      'assessment_completed', // codes, as checkboxes
      'early_help_started', // optional text
    ]) {
      const response = await page.goto(`${base}${child}/record/${kind}`);
      assert.equal(response.status(), 200, kind);
      await checkAccessibility(page, `the ${kind} form`);
    }

    // Nothing answered, and an impossible date: the error summary and each field's message.
    await page.goto(`${base}${child}/record/visit`);
    await page.locator('#occurred_at-day').fill('31');
    await page.locator('#occurred_at-month').fill('2');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save' }).click()]);
    const content = await page.content();
    assert.match(content, /There is a problem/);
    assert.match(content, /The date it happened must be a real date\./);
    assert.match(content, /Select whether the child was seen\./);
    assert.equal(await page.locator('#occurred_at-day').inputValue(), '31', 'what was typed is kept');
    await checkAccessibility(page, 'the visit form with errors');

    await page.goto(`${base}${child}/record`);
    await recordVisit(page, child);
    await checkAccessibility(page, 'the child page with its banner');

    // Correct the visit just recorded: its form as it stands, a reason, and the amendment.
    const correct = page.locator('a[href$="-form/correct"]').first();
    await Promise.all([page.waitForNavigation(), correct.click()]);
    assert.match(await page.content(), /Correct: Visit/);
    await checkAccessibility(page, 'the correction form');
    await page.locator('input[name="seen_alone"][value="no"]').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save the amendment' }).click()]);
    assert.match(await page.content(), /Say why you are correcting it\./);
    await checkAccessibility(page, 'the correction form with an error');
    await page.getByLabel('Why are you correcting it?').fill('The child was seen with their carer present.');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save the amendment' }).click()]);
    assert.equal(new URL(page.url()).pathname, child);
    assert.match(await page.content(), /Recorded: an amendment/);
    assert.match(await page.content(), /Now reads: Visit by .*: child seen, not alone/);
  } finally {
    await ctx.close();
  }
});

test('recording works with JavaScript off', async () => {
  const ctx = await browser.newContext({ javaScriptEnabled: false });
  try {
    const page = await ctx.newPage();
    const child = await childTakingAVisit(page);
    await recordVisit(page, child);
  } finally {
    await ctx.close();
  }
});
