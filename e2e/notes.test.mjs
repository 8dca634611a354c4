// Case notes in a real browser (issue 14 item 2): a social worker writes a note; the
// page's script saves a draft as they type; signing in again in a new browser brings
// the draft back; the note is saved, and the notes page finds it by its words. The
// note's form (with and without errors) and the notes page pass axe. Run by
// scripts/e2e.sh, which starts the server on a small synthetic county.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, checkAccessibility, signedIn, base } from './support.mjs';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

test('a case note is drafted as it is typed, survives signing in again, and is found by its words', async () => {
  const first = await signedIn(browser, 'e2e.social-worker');
  let child;
  try {
    const page = first.page;
    await page.goto(`${base}/`);
    child = await page.locator('main table tbody tr a[href^="/children/"]').first().getAttribute('href');
    await page.goto(`${base}${child}/record/case_note_recorded`);
    assert.match(await page.content(), /Case note/);
    await checkAccessibility(page, 'the case note form');

    // Refused without its answers: the error summary, and what was typed kept.
    await page.locator('textarea#narrative').fill('Visited at home; the kitchen was warm.');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save', exact: true }).click()]);
    assert.match(await page.content(), /There is a problem/);
    assert.equal(await page.locator('textarea#narrative').inputValue(), 'Visited at home; the kitchen was warm.');
    await checkAccessibility(page, 'the case note form with errors');

    // Typing saves a draft through the page's script.
    const saved = page.waitForResponse(
      (r) => r.url().endsWith('/record/case_note_recorded/draft') && r.request().method() === 'POST',
    );
    await page.locator('textarea#narrative').fill('Visited at home; the kitchen was warm. Piano lessons going well.');
    assert.equal((await saved).status(), 200);
    await page.locator('#draft-status', { hasText: 'Draft saved at' }).waitFor();
  } finally {
    await first.ctx.close();
  }

  // A new browser session: the draft comes back.
  const second = await signedIn(browser, 'e2e.social-worker');
  try {
    const page = second.page;
    await page.goto(`${base}${child}/record/case_note_recorded`);
    assert.match(await page.content(), /Your draft, saved at/);
    assert.match(await page.locator('textarea#narrative').inputValue(), /Piano lessons going well/);
    await page.locator('input[name="contact_type"][value="visit"]').check();
    await page.locator('input[name="seen"][value="yes"]').check();
    await page.locator('input[name="seen_alone"][value="no"]').check();
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Save', exact: true }).click()]);
    assert.equal(new URL(page.url()).pathname, child);
    assert.match(await page.content(), /Case note \(visit\): child seen, not alone/);

    await page.goto(`${base}${child}/notes?q=piano`);
    assert.match(await page.content(), /1 note found/);
    assert.match(await page.content(), /Piano lessons going well/);
    await checkAccessibility(page, 'the notes page with a search');
  } finally {
    await second.ctx.close();
  }
});
