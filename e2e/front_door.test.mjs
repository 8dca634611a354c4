// The front door in a real browser: a partner makes a contact through the web form (its
// answers checked) about a child of the synthetic county with the surname misspelt; a
// screener opens it, finds the child among the candidates, links them, asks for a police
// check, records its return and decides it from the queue; the partner sees what became
// of it and nothing of the child. Every page
// visited, and a form refused, is checked with axe-core (as in journeys.test.mjs).
//
// Environment (set by scripts/e2e.sh): HEARTH_E2E_URL, HEARTH_E2E_PASSWORD (users
// e2e.screener and e2e.partner among those it adds), CHROMIUM.

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

/// Submit the form `button` is in and wait for the page it leads to.
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

test('a partner makes a contact through the form with the surname misspelt; a screener links the child, checks with the police and decides it from the queue; the partner sees only the outcome; every page passes axe', async () => {
  const screener = await signedIn(browser, 'e2e.screener');
  const partner = await signedIn(browser, 'e2e.partner');
  try {
    // A child of the county with a date of birth and a postcode, as the list shows them.
    const s = screener.page;
    await s.goto(`${base}/`);
    const child = await s.evaluate(() => {
      for (const row of document.querySelectorAll('tbody tr')) {
        const cells = [...row.querySelectorAll('th, td')].map((c) => c.textContent.trim());
        const link = row.querySelector('a');
        if (link && /^\d{4}-\d{2}-\d{2}$/.test(cells[1]) && cells[2]) {
          return { id: link.getAttribute('href').split('/').pop(), name: cells[0], born: cells[1], postcode: cells[2] };
        }
      }
      return null;
    });
    assert.ok(child, 'the county has a child with a date of birth and a postcode');
    const [given, ...rest] = child.name.split(' ');
    const family = rest.join(' ');
    // One letter dropped from the surname.
    const misspelt = family.slice(0, -2) + family.slice(-1);

    // The partner lands on their contacts.
    const p = partner.page;
    assert.match(p.url(), /\/partner\/contacts$/);
    await checkAccessibility(p, 'the partner\'s contacts');
    // The partner makes the contact through the form: refused once, checked, then sent.
    await submit(p, p.getByRole('button', { name: 'Make a contact' }));
    await checkAccessibility(p, 'the contact form');
    await p.getByLabel('Your name').fill('PC Vigilant');
    await p.getByLabel('Who is making the contact').selectOption('6');
    await p.getByLabel('First name').first().fill(given);
    await p.getByLabel('Last name').first().fill(misspelt);
    await p.getByLabel('Date of birth').fill('not a date');
    await p.getByLabel('Postcode (optional)').fill(child.postcode);
    await p.getByLabel('What are you worried about?').fill('Police were called to a domestic incident; the child was in the house.');
    await p.getByLabel('Not sought: it would put the child at risk').check();
    await p.getByLabel('Same day').check();
    await submit(p, p.getByRole('button', { name: 'Continue' }));
    assert.match(await p.content(), /Enter the child&#x27;s date of birth as YYYY-MM-DD|Enter the child's date of birth as YYYY-MM-DD/);
    await checkAccessibility(p, 'the contact form, refused');
    await p.getByLabel('Date of birth').fill(child.born);
    await submit(p, p.getByRole('button', { name: 'Continue' }));
    await checkAccessibility(p, 'check your answers');
    await submit(p, p.getByRole('button', { name: 'Send the contact' }));
    await checkAccessibility(p, 'contact sent');
    const id = p.url().split('/').pop();
    assert.match(id, /^CT/);

    // The screener opens it and finds the child among the candidates.
    await s.goto(`${base}/contacts/${id}`);
    await checkAccessibility(s, 'the contact');
    const card = s.locator('.govuk-summary-card', { has: s.locator(`a[href="/children/${child.id}"]`) });
    assert.equal(await card.count(), 1, `the child ${child.id} is a candidate`);
    assert.match(await card.textContent(), /(Likely|Possible) match, \d+%/);
    await submit(s, card.getByRole('button', { name: /^Link/ }));
    assert.match(s.url(), /\?done=linked$/);
    assert.match(await s.content(), /The person was linked to the record\./);
    await checkAccessibility(s, 'the contact, linked');

    // A check asked for without choosing the agency is refused, naming the field.
    await submit(s, s.getByRole('button', { name: 'Ask for the check' }));
    assert.match(await s.content(), /Choose the agency to ask for a check\./);
    await checkAccessibility(s, 'the contact, a check refused');
    await s.getByLabel('Police').check();
    await s.getByLabel('Amber').check();
    await submit(s, s.getByRole('button', { name: 'Ask for the check' }));
    assert.match(await s.content(), /The check was asked for\./);
    await s.getByLabel('What Police found').fill('Two call-outs to the address this year.');
    await submit(s, s.getByRole('button', { name: 'Record Police\'s return' }));
    assert.match(await s.content(), /The check&#x27;s return was recorded\.|The check's return was recorded\./);
    await checkAccessibility(s, 'the contact, checked');

    // The queue lists it awaiting a decision; the screener decides it.
    await s.goto(`${base}/front-door?tab=decision`);
    await checkAccessibility(s, 'the front-door queue');
    await submit(s, s.getByRole('link', { name: id }));
    await submit(s, s.getByRole('button', { name: 'Decide the contact' }));
    await checkAccessibility(s, 'the decision form');
    await submit(s, s.getByRole('button', { name: 'Decide' }));
    assert.match(await s.content(), /Choose what happens next\./);
    await checkAccessibility(s, 'the decision form, refused');
    await s.getByLabel('Information and advice', { exact: true }).check();
    await s.getByLabel('Reasons for the decision').fill('Advice to the school; no role for children\'s services.');
    await submit(s, s.getByRole('button', { name: 'Decide' }));
    assert.match(await s.content(), /The contact was decided\.|The decision was proposed/);
    await checkAccessibility(s, 'the contact, decided');

    // The partner sees the contact as received, and nothing of the child.
    await p.goto(`${base}/partner/contacts/${id}`);
    await checkAccessibility(p, 'the partner\'s contact');
    const seen = await p.content();
    assert.match(seen, /Received|Decided/);
    assert.ok(!seen.includes(child.id) && !seen.includes(family), 'nothing of the child');
  } finally {
    await screener.ctx.close();
    await partner.ctx.close();
  }
});

test('an analyst reaches the funnel from the navigation and a screener from the queue; a period is drawn and a backwards one refused; every page passes axe', async () => {
  const analyst = await signedIn(browser, 'e2e.analyst');
  const screener = await signedIn(browser, 'e2e.screener');
  try {
    const a = analyst.page;
    await a.goto(`${base}/due/counts`);
    await submit(a, a.getByRole('link', { name: 'Front door funnel' }));
    assert.match(await a.content(), /Contacts received from/);
    await checkAccessibility(a, 'the funnel, last month');

    // The county is generated to 31 March 2025: its last month has contacts.
    const period = async (from, to) => {
      for (const [id, date] of [['from', from], ['to', to]]) {
        const [day, month, year] = date;
        await a.locator(`#${id}-day`).fill(day);
        await a.locator(`#${id}-month`).fill(month);
        await a.locator(`#${id}-year`).fill(year);
      }
      await submit(a, a.getByRole('button', { name: 'Show' }));
    };
    await period(['1', '3', '2025'], ['31', '3', '2025']);
    const drawn = await a.content();
    assert.match(drawn, /Contacts received from 1 March 2025 to 31 March 2025/);
    assert.match(drawn, /By referral source/);
    assert.match(drawn, /By locality/);
    await checkAccessibility(a, 'the funnel, March 2025');

    await period(['2', '3', '2025'], ['1', '3', '2025']);
    assert.match(await a.content(), /The start of the period must be on or before its end/);
    await checkAccessibility(a, 'the funnel, refused');

    const s = screener.page;
    await s.goto(`${base}/front-door`);
    await submit(s, s.getByRole('link', { name: /^The funnel/ }));
    assert.match(await s.content(), /Contacts received from/);
  } finally {
    await analyst.ctx.close();
    await screener.ctx.close();
  }
});
