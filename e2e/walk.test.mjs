// Issue 14's "Done when", walked in a real browser through the pages only: a screener
// takes a contact about a new child and decides early help; the team manager sees the
// child waiting and allocates an early help worker, who records early help with a family
// plan; a second contact steps the child up to a child in need assessment with the same
// worker; a social worker takes the child through a section 47 enquiry, an initial
// conference and a protection plan, into care, through placement moves, to a permanence
// plan and out of care as a care leaver; the IRO records the review. After each stage
// the child's page shows the deadline the stage starts (the due panel) and the entry
// (the chronology). Then the chronology's filters and a bad date's 400, the team's
// caseloads against the limits, and a second editor of the same child, who is shown
// what changed and keeps what they typed. Every page visited is checked with axe.
//
// Users (added by scripts/e2e.sh): e2e.screener; e2e.team-manager (linked to a team
// manager: the team is theirs); e2e.early-help-worker and e2e.locality-social-worker
// (linked to workers in post in that team); e2e.iro (linked to an IRO in post).

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launchBrowser, checkAccessibility, signedIn, base } from './support.mjs';

// In Dunstable, the locality of the team whose manager scripts/e2e.sh links
// e2e.team-manager to (the first the generated Central Bedfordshire lists).
const POSTCODE = 'LU6 1AA';

let browser;

before(async () => {
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
});

/// Submit the form `button` is in (or follow a link) and wait for the page it leads to.
async function submit(page, button) {
  await Promise.all([page.waitForNavigation(), button.click()]);
}

/// Letters only, so that the name matcher treats the name as a name.
function randomLetters(n) {
  let out = '';
  for (let i = 0; i < n; i += 1) {
    out += String.fromCharCode(97 + Math.floor(Math.random() * 26));
  }
  return out;
}

function isoDate(d) {
  return d.toISOString().slice(0, 10);
}

/// The rows of the child page's due panel: duty, its rule, the due date, where it stands.
async function duePanel(page) {
  return page.locator('table.hearth-due tbody tr').evaluateAll((rows) =>
    rows.map((row) => {
      const cells = [...row.querySelectorAll('td')];
      return {
        duty: cells[0].childNodes[0].textContent.trim(),
        rule: cells[0].querySelector('.govuk-hint').textContent.trim(),
        due: cells[1].textContent.trim(),
        standing: cells[2].textContent.trim(),
      };
    }),
  );
}

/// The chronology's entries, newest first.
async function chronology(page) {
  return page.locator('.hearth-chronology .moj-timeline__title').allTextContents();
}

/// Assert the due panel shows `duty`, due within `within` (the rule's words, when
/// given), not overdue.
async function assertDue(page, duty, within) {
  const rows = await duePanel(page);
  const row = rows.find((r) => r.duty === duty);
  assert.ok(row, `the due panel shows "${duty}"; it shows: ${rows.map((r) => r.duty).join('; ')}`);
  if (within) {
    assert.match(row.rule, new RegExp(`^Within ${within}\\.`), `${duty}'s rule`);
  }
  assert.match(row.due, /^\d{4}-\d{2}-\d{2}$/, `${duty} has a due date`);
  assert.ok(row.due >= isoDate(new Date()), `${duty} falls due today or later (${row.due})`);
  assert.doesNotMatch(row.standing, /Overdue/, `${duty} is not overdue`);
}

/// Assert the due panel no longer shows `duty`.
async function assertNotDue(page, duty) {
  const rows = await duePanel(page);
  assert.ok(!rows.some((r) => r.duty === duty), `the due panel no longer shows "${duty}"`);
}

/// Fill a record form: each entry names a field and the value to give it, whatever the
/// control (radios and checkboxes by value, a select by value or by the start of an
/// option's text, `{ startsWith }`, a box by its text).
async function fill(page, values) {
  for (const [name, value] of Object.entries(values)) {
    const control = page.locator(`[name="${name}"]`);
    const tag = await control.first().evaluate((el) => `${el.tagName.toLowerCase()}:${el.type ?? ''}`);
    if (tag === 'input:radio' || tag === 'input:checkbox') {
      for (const v of [value].flat()) {
        await page.locator(`input[name="${name}"][value="${v}"]`).check();
      }
    } else if (tag.startsWith('select')) {
      const wanted = typeof value === 'string'
        ? value
        : await control.locator('option').evaluateAll(
          (options, start) => options.find((o) => o.textContent.trim().startsWith(start))?.value,
          value.startsWith,
        );
      assert.ok(wanted, `${name} offers ${JSON.stringify(value)}`);
      await control.selectOption(wanted);
    } else {
      await control.fill(value);
    }
  }
}

/// Record `kind` on `child` through the pages, as the signed-in user of `page`: the
/// kind's form, filled in and saved, back on the child's page with the banner. With
/// `choose`, from the page that lists what may be recorded (which must offer it): the
/// walk goes through it at each stage's first event, and opens later forms directly,
/// to keep the walk fast. Each page passes axe.
async function record(page, child, kind, values = {}, { choose = false } = {}) {
  if (choose) {
    await page.goto(`${base}/children/${child}/record`);
    await checkAccessibility(page, `what to record (before ${kind})`);
    const link = page.locator(`a[href="/children/${child}/record/${kind}"]`);
    assert.equal(await link.count(), 1, `the choose page offers ${kind}`);
    await submit(page, link);
  } else {
    await page.goto(`${base}/children/${child}/record/${kind}`);
  }
  await checkAccessibility(page, `the ${kind} form`);
  const title = (await page.locator('h1').textContent()).trim();
  await fill(page, values);
  await submit(page, page.getByRole('button', { name: 'Save', exact: true }));
  assert.equal(new URL(page.url()).pathname, `/children/${child}`, `${kind} saved: ${await errorsOn(page)}`);
  assert.match(await page.locator('.govuk-notification-banner').textContent(), new RegExp(`Recorded: ${escape(title)}`));
  await checkAccessibility(page, `the child page after ${kind}`);
  return title;
}

/// What a page refused, for a failing assertion's message.
async function errorsOn(page) {
  const summary = page.locator('.govuk-error-summary');
  return (await summary.count()) ? (await summary.textContent()).replace(/\s+/g, ' ') : 'no error summary';
}

function escape(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/// The name of the worker the user of `page` is linked to, as My work (where they land)
/// gives it: a form's list of workers names them "Name (id)".
async function linkedWorker(page) {
  await page.goto(`${base}/my-work`);
  await checkAccessibility(page, 'My work');
  const summary = (await page.locator('#summary').textContent()).trim();
  return summary.split(',')[0];
}

/// Make a contact through the form, as a practitioner; returns its id.
async function makeContact(page, child, narrative, source) {
  await page.goto(`${base}/contacts/new`);
  await checkAccessibility(page, 'the contact form');
  await page.getByLabel('Your name').fill('Duty officer');
  await page.getByLabel('Who is making the contact').selectOption(source);
  await page.getByLabel('First name').first().fill(child.given);
  await page.getByLabel('Last name').first().fill(child.family);
  await page.getByLabel('Date of birth').fill(child.born);
  await page.getByLabel('Postcode (optional)').fill(child.postcode);
  await page.getByLabel('What are you worried about?').fill(narrative);
  await page.locator('input[name="consent"]').first().check();
  await page.locator('input[name="urgency"]').first().check();
  await submit(page, page.getByRole('button', { name: 'Continue' }));
  await checkAccessibility(page, 'check your answers');
  await submit(page, page.getByRole('button', { name: 'Send the contact' }));
  await checkAccessibility(page, 'contact sent');
  const id = page.url().split('/').pop();
  assert.match(id, /^CT/, `the contact was sent: ${await errorsOn(page)}`);
  return id;
}

/// Decide contact `id` for its one child, as a screener.
async function decide(page, id, { outcome, level, need, reasons }) {
  await page.goto(`${base}/contacts/${id}/decision`);
  await checkAccessibility(page, 'the decision form');
  await page.locator(`input[name="outcome-0"][value="${outcome}"]`).check();
  await page.locator(`input[name="level-0"][value="${level}"]`).check();
  await page.locator('textarea[name="reasons-0"]').fill(reasons);
  if (need) {
    await page.locator('select[name="primary_need-0"]').selectOption(need);
  }
  await submit(page, page.getByRole('button', { name: 'Decide' }));
  assert.match(await page.content(), /The contact was decided\./, `decided: ${await errorsOn(page)}`);
  await checkAccessibility(page, 'the contact, decided');
}

/// Open the child's page and check the chronology's newest entries include `sentence`.
async function assertOnChronology(page, child, sentence) {
  const entries = await chronology(page);
  assert.ok(
    entries.some((e) => e.includes(sentence)),
    `the chronology of ${child} shows "${sentence}"; it shows: ${entries.join(' | ')}`,
  );
}

test('a child is taken from a contact to leaving care through the pages, each deadline showing on the case; every page passes axe', async () => {
  const screener = await signedIn(browser, 'e2e.screener');
  const manager = await signedIn(browser, 'e2e.team-manager');
  const earlyHelp = await signedIn(browser, 'e2e.early-help-worker');
  const social = await signedIn(browser, 'e2e.locality-social-worker');
  const iro = await signedIn(browser, 'e2e.iro');
  try {
    // The manager's team, and a postcode in its locality.
    const m = manager.page;
    assert.equal(new URL(m.url()).pathname, '/my-team');
    const teamName = (await m.locator('h1').textContent()).trim();
    const helper = await linkedWorker(earlyHelp.page);
    const worker = await linkedWorker(social.page);
    const reviewer = await linkedWorker(iro.page);

    // A 17-year-old, so that leaving care is the end of the walk.
    const now = new Date();
    const born = new Date(Date.UTC(now.getUTCFullYear() - 17, now.getUTCMonth(), 1));
    born.setUTCMonth(born.getUTCMonth() - 3);
    const child = {
      given: 'Walker',
      family: `Path${randomLetters(6)}`,
      born: isoDate(born),
      postcode: POSTCODE,
    };

    // 1. The contact: a screener takes it, creates the child's record, decides early help.
    const s = screener.page;
    const first = await makeContact(s, child, 'School: the child is often hungry and tired; mother is struggling since the father left.', '2A');
    await s.goto(`${base}/contacts/${first}`);
    await checkAccessibility(s, 'the contact');
    await submit(s, s.getByRole('button', { name: /^Create a new record/ }).first());
    await checkAccessibility(s, 'the contact, a record created');
    const childLink = s.locator('#people ~ section a[href^="/children/"]').first();
    const id = (await childLink.getAttribute('href')).split('/').pop();
    await decide(s, first, {
      outcome: 'early_help',
      level: '2',
      reasons: 'Needs support below the threshold for social care; mother agrees to early help.',
    });
    assert.match(await s.content(), new RegExp(`went to [^<]*${escape(teamName)}`));
    await s.goto(`${base}/children/${id}`);
    await checkAccessibility(s, 'the child page after the contact');
    await assertOnChronology(s, id, 'Contact');

    // 2. The team manager sees the child waiting and allocates the early help worker.
    await m.goto(`${base}/my-team`);
    await checkAccessibility(m, 'My team, the child waiting');
    assert.equal(await m.locator(`table a[href="/children/${id}"]`).count(), 1, 'the child waits in the team\'s queue');
    await record(m, id, 'allocated', { worker: { startsWith: `${helper} (` }, team: { startsWith: `${teamName} (` } }, { choose: true });
    await assertOnChronology(m, id, 'Allocated');

    // 3. Early help with a family plan, by the early help worker.
    const e = earlyHelp.page;
    await record(e, id, 'early_help_started', { step_down: 'no' }, { choose: true });
    await assertOnChronology(e, id, 'Early help started');
    await record(e, id, 'early_help_assessment_completed', {
      organisation: 'local_authority',
      goals: 'Regular meals and bedtimes; mother to see her GP; school to report attendance weekly.',
    });
    await record(e, id, 'meeting_held', { meeting: 'taf' });
    await record(e, id, 'family_plan_reviewed', { progress: 'worse', summary: 'Attendance has fallen; a bruise was seen at school.' });
    await assertOnChronology(e, id, 'Family plan reviewed');

    // 4. Step-up: the early help worker makes a contact; the screener links the child and
    // decides a referral, which goes to the worker who already holds the child.
    const second = await makeContact(e, child, 'Early help: attendance has fallen and a bruise was seen at school; stepping up.', '5D');
    await s.goto(`${base}/contacts/${second}`);
    await checkAccessibility(s, 'the step-up contact');
    const card = s.locator('.govuk-summary-card', { has: s.locator(`a[href="/children/${id}"]`) });
    assert.equal(await card.count(), 1, 'the child is a candidate for the step-up contact');
    await submit(s, card.getByRole('button', { name: /^Link/ }));
    await checkAccessibility(s, 'the step-up contact, linked');
    await decide(s, second, {
      outcome: 'referral',
      level: '3',
      need: 'N1',
      reasons: 'Stepped up from early help: unexplained bruising and falling attendance.',
    });
    assert.match(await s.content(), new RegExp(`went to ${escape(helper)}`), 'the referral goes to the same worker');
    await e.goto(`${base}/children/${id}`);
    await checkAccessibility(e, 'the child page after the step-up');
    await assertOnChronology(e, id, 'Referral');
    await assertDue(e, 'Assessment', '45 working days');
    assert.match(await e.locator('main').textContent(), new RegExp(escape(helper)), 'the same worker holds the child');
    await record(e, id, 'early_help_ended', { reason: 'stepped_up' });
    await record(e, id, 'assessment_started', { worker: { startsWith: `${helper} (` } }, { choose: true });
    await assertOnChronology(e, id, 'Assessment started');
    await assertDue(e, 'Assessment', '45 working days');

    // 5. Protection. The manager allocates a social worker of the team as the concern
    // rises; the social worker holds the strategy discussion and the enquiry.
    // Moving the child from the worker who has them needs the manager's reason.
    await record(m, id, 'allocated', {
      worker: { startsWith: `${worker} (` },
      team: { startsWith: `${teamName} (` },
      reason: 'The concern has risen: a social worker of the team takes the case.',
    });
    const w = social.page;
    await record(w, id, 'strategy_discussion', { s47: 'yes' }, { choose: true });
    await assertOnChronology(w, id, 'Strategy discussion');
    await assertDue(w, 'Initial child protection conference', '15 working days');
    await record(w, id, 's47_started', { joint_with_police: 'yes' });
    await record(w, id, 'assessment_completed', { factors: ['3A', '2B'], services_needed: 'yes', child_seen: 'yes' });
    await assertNotDue(w, 'Assessment');
    await record(w, id, 's47_completed', { icpc_required: 'yes' });
    await record(w, id, 'icpc_held', { plan: 'yes' });
    await assertOnChronology(w, id, 'Initial child protection conference');
    await assertNotDue(w, 'Initial child protection conference');
    await assertDue(w, 'First core group', '10 working days');
    await assertDue(w, 'First review child protection conference');
    await record(w, id, 'cp_plan_started', { category: 'NEG' });
    await assertOnChronology(w, id, 'Child protection plan started');
    await assertDue(w, 'Visit to a child on a protection plan', '10 working days');
    await record(w, id, 'core_group_held', { progress: 'some', parents_attended: 'yes' });
    await assertNotDue(w, 'First core group');

    // 6. Two editors, one child: the manager opens the visit form, the social worker
    // records a visit first; the manager's save is shown what changed and keeps their
    // answers, and saving again records it.
    await m.goto(`${base}/children/${id}/record/visit`);
    await fill(m, { worker: { startsWith: `${worker} (` }, seen: 'yes', seen_alone: 'no' });
    await record(w, id, 'visit', { worker: { startsWith: `${worker} (` }, seen: 'yes', seen_alone: 'yes' });
    await assertOnChronology(w, id, 'Visit');
    await assertDue(w, 'Visit to a child on a protection plan', '10 working days');
    await submit(m, m.getByRole('button', { name: 'Save', exact: true }));
    assert.match(new URL(m.url()).pathname, /\/record\/visit$/, 'the second save is stopped');
    assert.match(await m.locator('#changed').textContent(), /Visit/, 'the second editor is shown the visit saved first');
    assert.equal(await m.locator('input[name="seen_alone"][value="no"]').isChecked(), true, 'their answers are kept');
    await checkAccessibility(m, 'the visit form, saved to by someone else first');
    await submit(m, m.getByRole('button', { name: 'Save', exact: true }));
    assert.equal(new URL(m.url()).pathname, `/children/${id}`, `saved again: ${await errorsOn(m)}`);
    assert.match(await m.content(), /not alone/);

    // 7. Care: the child becomes looked after, the plan ends, and placements move.
    await record(w, id, 'looked_after_started', { legal_status: 'C1', category_of_need: 'N1', uasc: 'no' }, { choose: true });
    await assertOnChronology(w, id, 'Became looked after');
    await assertDue(w, 'First looked-after review', '20 working days');
    await assertDue(w, 'Initial health assessment');
    await assertDue(w, 'Personal education plan', '10 working days');
    await record(w, id, 'cp_plan_ended');
    await assertNotDue(w, 'Visit to a child on a protection plan');
    await record(w, id, 'placement_started', {
      placement_type: 'U6', provider: 'PR1', postcode: 'LU6 2AB', weekly_cost: '450.00', same_carers: 'no',
    });
    await assertOnChronology(w, id, 'Placed: Foster placement with other carer');
    await assertDue(w, 'First visit in a placement');
    await record(w, id, 'placement_ended', { reason: 'CREQB' });
    await assertNotDue(w, 'First visit in a placement');
    await record(w, id, 'placement_started', {
      placement_type: 'U4', provider: 'PR4', postcode: 'LU5 4AB', weekly_cost: '925.50', same_carers: 'no',
    });
    await assertDue(w, 'First visit in a placement');
    await record(w, id, 'visit', { worker: { startsWith: `${worker} (` }, seen: 'yes', seen_alone: 'yes' });
    await assertNotDue(w, 'First visit in a placement');
    await assertDue(w, 'Visit to a child in care');

    // The IRO chairs the first review.
    const i = iro.page;
    await record(i, id, 'cla_review_held', { participation: 'PN1' }, { choose: true });
    await assertOnChronology(i, id, 'Looked after review');
    await assertNotDue(i, 'First looked-after review');
    await assertDue(i, 'Second looked-after review');
    await record(i, id, 'iro_contact', { method: 'in_person' });

    // 8. Permanence.
    await record(w, id, 'permanence_plan_set', { plan: 'supported_living' }, { choose: true });
    await assertOnChronology(w, id, 'Permanence plan');

    // 9. Leaving care: care ends at 17 for supported living, a personal adviser of the
    // leaving care team is allocated, the pathway plan reviewed, the young person seen.
    await record(w, id, 'looked_after_ended', { reason: 'E5' });
    await assertOnChronology(w, id, 'Stopped being looked after');
    await assertNotDue(w, 'Second looked-after review');
    await assertNotDue(w, 'Visit to a child in care');
    await m.goto(`${base}/teams/cbeds-leaving-care`);
    await checkAccessibility(m, 'the leaving care team');
    const adviser = (await m.locator('a[href^="/my-work?worker="]').first().textContent()).trim();
    await record(w, id, 'personal_adviser_allocated', { adviser: { startsWith: `${adviser} (` } }, { choose: true });
    await assertOnChronology(w, id, 'Personal adviser allocated');
    await record(w, id, 'pathway_plan_reviewed', { eligibility: 'relevant' });
    await assertDue(w, 'Pathway plan review', '6 months');
    await record(w, id, 'care_leaver_contact', { in_touch: 'YES', activity: 'F2', accommodation: 'D1' });
    await assertOnChronology(w, id, 'Care leaver contact');

    // 10. The chronology narrowed to child protection today, and a bad date refused.
    const today = isoDate(new Date());
    await w.goto(`${base}/children/${id}?area=protection&from=${today}&to=${today}#chronology`);
    await checkAccessibility(w, 'the chronology, filtered');
    const protection = await chronology(w);
    assert.ok(protection.some((e) => e.includes('Strategy discussion')), protection.join(' | '));
    assert.ok(!protection.some((e) => e.startsWith('Placed')), 'only child protection');
    assert.match(await w.locator('#chronology-summary').textContent(), /\S/);
    const refused = await w.goto(`${base}/children/${id}?area=&from=2026-02-30&to=`);
    assert.equal(refused.status(), 400);
    assert.match(await w.content(), /There is a problem/);
    await checkAccessibility(w, 'the chronology, a bad date refused');

    // 11. The team manager sees the team's caseloads against the limits: the social
    // worker's row gives a weighted load against a limit.
    await m.goto(`${base}/my-team`);
    await checkAccessibility(m, 'My team at the end of the walk');
    const row = m.locator('table tbody tr', { has: m.getByRole('link', { name: worker, exact: true }) });
    assert.match(await row.textContent(), /\d+(\.\d+)? of \d+/, 'a weighted caseload against a limit');
    assert.equal(await m.locator(`table a[href="/children/${id}"]`).count(), 0, 'the child no longer waits');
  } finally {
    for (const u of [screener, manager, earlyHelp, social, iro]) {
      await u.ctx.close();
    }
  }
});

