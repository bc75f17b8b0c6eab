// The message list read at a glance, as alice's seeded INBOX shows it: at
// 1280×720 beside the reading pane (two lines a row) and without it (one
// line of columns), and on a 390×844 phone; light and dark, English and
// French. Every date is whole and as short as its nearness allows, senders
// are not cut short, and the marks are drawn icons with names.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { launch, newPage, signIn, waitHydrated, arrived, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const shots = '../target/screenshots';
const zone = 'Europe/Paris';
let browser;

before(async () => {
  browser = await launch();
  mkdirSync(shots, { recursive: true });
});
after(async () => {
  // Leave alice as the other tests expect her: English, the reading pane on.
  if (browser) {
    const { page, context } = await newPage(browser);
    await signedIn(page);
    await choose(page, '#pref-language', 'en');
    await toggle(page, '#pref-reading-pane', true);
    await context.close();
    await browser.close();
  }
});

async function signedIn(page) {
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(page);
}

async function settings(page) {
  if (new URL(page.url()).pathname !== '/settings') {
    await page.goto('/settings');
    await waitHydrated(page);
  }
}

/** Picks `value` in the settings select `id` (saved before it returns). */
async function choose(page, id, value) {
  await settings(page);
  const select = page.locator(id);
  if ((await select.inputValue()) !== value) {
    const saved = page.waitForResponse((r) => r.url().includes('/api/save_preferences') && r.ok());
    await select.selectOption(value);
    await saved;
  }
}

async function toggle(page, id, on) {
  await settings(page);
  const box = page.locator(id);
  if ((await box.isChecked()) !== on) {
    const saved = page.waitForResponse((r) => r.url().includes('/api/save_preferences') && r.ok());
    await box.setChecked(on);
    await saved;
  }
}

/**
 * What each row of the list shows, measured in the page: its date (the
 * text, whether it is cut, and how near it is in `zone`), its sender (the
 * text, whether it is cut, and whether its first 18 characters fit), and
 * its marks.
 */
function rows(page) {
  return page.locator('.message-row').evaluateAll((trs, zone) => {
    const day = (d) => new Intl.DateTimeFormat('sv-SE', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(d);
    const today = day(new Date());
    const canvas = document.createElement('canvas').getContext('2d');
    // The room inside a cell's padding, to the fraction of a pixel.
    const room = (cell) => {
      const style = getComputedStyle(cell);
      return cell.getBoundingClientRect().width - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    };
    // Whether `text` in the cell's font fits that room (the `font`
    // shorthand is empty when a longhand such as tabular figures is set).
    const fits = (cell, text) => {
      const s = getComputedStyle(cell);
      canvas.font = `${s.fontStyle} ${s.fontWeight} ${s.fontSize} ${s.fontFamily}`;
      return canvas.measureText(text).width <= room(cell) + 0.5;
    };
    return trs.map((tr) => {
      const date = tr.querySelector('td.date');
      const time = date.querySelector('time');
      const at = new Date(time.getAttribute('datetime'));
      const from = tr.querySelector('td.from');
      const sender = from.textContent.trim();
      return {
        date: time.textContent.trim(),
        title: time.getAttribute('title') ?? '',
        dateCut: time.getBoundingClientRect().width > room(date) + 0.5 || !fits(date, time.textContent.trim()),
        nearness: day(at) === today ? 'today' : day(at).slice(0, 4) === today.slice(0, 4) ? 'this year' : 'before',
        year: day(at).slice(0, 4),
        sender,
        senderFits18: fits(from, [...sender].slice(0, 18).join('')),
        marks: [...tr.querySelectorAll('svg[role="img"]')].map((s) => s.getAttribute('aria-label')),
        fontGlyphs: /[📎★⚠↳]/u.test(tr.textContent),
      };
    });
  }, zone);
}

/** The rows' dates are whole and in the form their nearness asks for. */
function checkDates(shown, where) {
  assert.ok(shown.length >= 10, `${where}: a page of rows (${shown.length})`);
  for (const r of shown) {
    assert.ok(!r.dateCut, `${where}: "${r.date}" is shown whole`);
    assert.ok(r.title.length > r.date.length, `${where}: the whole date is on hover ("${r.title}")`);
    if (r.nearness === 'today') {
      assert.match(r.date, /^\d{1,2}:\d{2}( ?[AP]M)?$/, `${where}: today is a time ("${r.date}")`);
    } else if (r.nearness === 'this year') {
      assert.doesNotMatch(r.date, /:|\d{4}/, `${where}: this year is a day and month ("${r.date}")`);
      assert.match(r.date, /\d/);
    } else {
      assert.ok(r.date.includes(r.year), `${where}: before this year, the year ("${r.date}")`);
      assert.doesNotMatch(r.date, /:/, `${where}: no time for an old date ("${r.date}")`);
    }
  }
}

const screens = [
  { name: 'desktop-pane-light-en', viewport: { width: 1280, height: 720 }, colorScheme: 'light', language: 'en', pane: true },
  { name: 'desktop-pane-dark-fr', viewport: { width: 1280, height: 720 }, colorScheme: 'dark', language: 'fr', pane: true },
  { name: 'desktop-columns-dark-en', viewport: { width: 1280, height: 720 }, colorScheme: 'dark', language: 'en', pane: false },
  { name: 'desktop-columns-light-fr', viewport: { width: 1280, height: 720 }, colorScheme: 'light', language: 'fr', pane: false },
  { name: 'phone-light-fr', viewport: { width: 390, height: 844 }, colorScheme: 'light', language: 'fr', pane: true },
  { name: 'phone-dark-en', viewport: { width: 390, height: 844 }, colorScheme: 'dark', language: 'en', pane: true },
];
const attachmentName = { en: 'Has attachments', fr: 'Contient des pièces jointes' };
const backTo = { en: /^Back to INBOX$/, fr: /^Retour à INBOX$/ };
const toWord = { en: 'To', fr: 'À' };

/** What of `selector` is shown and smaller than a finger (44 px either way). */
function tooSmall(page, selector) {
  return page.locator(selector).evaluateAll((els) => els
    .filter((e) => e.checkVisibility())
    .map((e) => ({ e, r: e.getBoundingClientRect() }))
    .filter(({ r }) => r.height < 43.5 || r.width < 43.5)
    .map(({ e, r }) => `${e.tagName.toLowerCase()} "${(e.textContent || e.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`));
}

/**
 * On a phone: the top bar takes two short rows, the folders are hidden
 * until the menu opens them in a drawer (with the main menu), Escape closes
 * it, and a folder picked there opens with the drawer closed.
 */
async function phoneDrawer(page, screen) {
  const bar = await page.locator('header.topbar').boundingBox();
  assert.ok(bar.height <= 112, `${screen.name}: the top bar is ${bar.height} px high`);
  assert.deepEqual(await tooSmall(page, 'header.topbar :is(a, button, summary, input)'), [], `${screen.name}: top bar targets`);
  const folders = page.locator('nav.folders');
  const toggle = page.locator('button.menu-toggle');
  assert.equal(await folders.isVisible(), false, `${screen.name}: the list alone`);
  assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
  await toggle.click();
  await folders.waitFor();
  assert.equal(await toggle.getAttribute('aria-expanded'), 'true');
  assert.ok(await page.locator('nav.main-nav').isVisible(), `${screen.name}: the main menu is in the drawer`);
  assert.deepEqual(await tooSmall(page, 'nav.folders .folder a, nav.main-nav a'), [], `${screen.name}: drawer targets`);
  await page.screenshot({ path: `${shots}/drawer-${screen.name}.png` });
  await page.keyboard.press('Escape');
  await folders.waitFor({ state: 'hidden' });
  await toggle.click();
  await folders.locator('.folder a[href*="folder=Sent"]').click();
  await page.waitForURL((u) => u.searchParams.get('folder') === 'Sent');
  await folders.waitFor({ state: 'hidden' });
  await page.goto('/?folder=INBOX');
  await waitHydrated(page);
  await page.locator('.message-row').first().waitFor();
}

/**
 * Opens the message of `token` from the list and checks the reading view:
 * one header block (the frame holds the body only), in the interface's
 * language; the attachment as a card with its kind drawn; beside the list,
 * no way "back"; on a phone, the message alone with a way back to the
 * list alone.
 */
async function readingView(page, screen, token) {
  const phone = screen.viewport.width < 700;
  const list = page.locator('main.content');
  await page.locator('.message-row', { hasText: token }).locator('.subject a').click();
  await page.waitForURL((u) => u.searchParams.has('uid'));
  const head = page.locator('.message-head');
  await head.waitFor();
  assert.match(await head.locator('.message-subject').innerText(), new RegExp(token));
  assert.equal((await head.locator('.avatar').innerText()).trim(), 'BF', `${screen.name}: the sender's initials`);
  // The address is always beside the name (a name may pose as another).
  assert.equal((await head.locator('.sender-address').innerText()).trim(), adminEmail, `${screen.name}: the sender's address`);
  assert.equal((await head.locator('.recipients .muted').first().innerText()).trim(), toWord[screen.language]);
  const frame = page.frameLocator('iframe.message-frame');
  await frame.locator('body > main').waitFor();
  assert.equal(await frame.locator('header').count(), 0, `${screen.name}: the frame shows the body only`);
  assert.match(await frame.locator('body').innerText(), /The figures are attached/);
  const card = page.locator('.attachment', { hasText: 'figures.csv' });
  await card.waitFor();
  assert.equal(await card.locator(':scope > svg.icon').count(), 1, `${screen.name}: the file's kind is drawn`);
  assert.match(await card.innerText(), /\d+ (B|o)\b/, `${screen.name}: its size`);
  const back = page.getByRole('link', { name: backTo[screen.language] });
  if (phone) {
    assert.equal(await list.isVisible(), false, `${screen.name}: the message alone`);
    assert.ok(await back.isVisible(), `${screen.name}: a way back`);
    const box = await page.locator('iframe.message-frame').boundingBox();
    assert.ok(box.width <= screen.viewport.width, `${screen.name}: the frame fits (${box.width})`);
    // Its actions in a bar along the bottom, each a finger wide.
    const actions = await page.locator('.message-actions').boundingBox();
    assert.ok(Math.abs(actions.y + actions.height - screen.viewport.height) < 1, `${screen.name}: the actions are at the bottom`);
    assert.deepEqual(await tooSmall(page, '.message-actions > :is(a, button, select), .message-actions summary, .message-view > .back'), [], `${screen.name}: action targets`);
  } else if (screen.pane) {
    assert.ok(await list.isVisible(), `${screen.name}: the list beside the message`);
    assert.equal(await back.isVisible(), false, `${screen.name}: no "back" while the list is beside it`);
  }
  await page.screenshot({ path: `${shots}/message-${screen.name}.png` });
  if (phone) {
    await back.click();
    await page.waitForURL((u) => !u.searchParams.has('uid'));
    await list.waitFor();
    assert.equal(await page.locator('.reading-pane').isVisible(), false, `${screen.name}: the list alone again`);
  }
}

test('the message list reads at a glance at every size, theme and language', { timeout: 240_000 }, async () => {
  // A message of today, with a long sender name and an attachment.
  const token = randomBytes(4).toString('hex');
  const message = buildMessage({
    from: `"Bartholomew Featherstonehaugh" <${adminEmail}>`, to: adminEmail, subject: `Glance ${token}`,
    text: 'The figures are attached.',
    attachments: [{ name: 'figures.csv', type: 'text/csv', data: Buffer.from('a,b\n1,2\n') }],
  });
  await send(adminEmail, adminPassword, adminEmail, [message]);
  {
    const { page, context } = await newPage(browser);
    await signedIn(page);
    await arrived(page, token);
    await context.close();
  }

  for (const screen of screens) {
    const { page, context, errors } = await newPage(browser, {
      viewport: screen.viewport, colorScheme: screen.colorScheme, timezoneId: zone,
    });
    await signedIn(page);
    await choose(page, '#pref-language', screen.language);
    await toggle(page, '#pref-reading-pane', screen.pane);
    await page.goto('/?folder=INBOX');
    await waitHydrated(page);
    await page.locator(`html[lang="${screen.language}"]`).waitFor({ state: 'attached' });
    await page.locator('.message-row').first().waitFor();
    const desktop = screen.viewport.width >= 1280;

    const newest = await rows(page);
    checkDates(newest, screen.name);
    assert.ok(newest.some((r) => r.nearness === 'today'), `${screen.name}: today's message is on the first page`);
    const glance = newest.find((r) => r.sender.startsWith('Bartholomew'));
    assert.ok(glance, `${screen.name}: the long sender's row`);
    assert.ok(glance.marks.includes(attachmentName[screen.language]), `${screen.name}: the attachment mark is a named image (${glance.marks})`);
    for (const r of newest) {
      assert.ok(!r.fontGlyphs, `${screen.name}: no mark depends on a font's glyph`);
      if (desktop) assert.ok(r.senderFits18, `${screen.name}: "${r.sender}" shows 18 characters or more`);
    }
    assert.ok(newest.some((r) => r.nearness === 'this year'), `${screen.name}: seeded rows of this year`);
    // Two lines a row beside the pane and on a phone, one line without it.
    const heights = await page.locator('.message-row').evaluateAll((trs) => trs.map((tr) => {
      const from = tr.querySelector('td.from').getBoundingClientRect();
      const subject = tr.querySelector('td.subject').getBoundingClientRect();
      return subject.top >= from.bottom - 1 ? 'two lines' : 'one line';
    }));
    const expected = screen.pane || !desktop ? 'two lines' : 'one line';
    assert.ok(heights.every((h) => h === expected), `${screen.name}: ${expected} a row (${[...new Set(heights)]})`);
    await page.screenshot({ path: `${shots}/list-${screen.name}.png` });
    if (!desktop) await phoneDrawer(page, screen);
    await readingView(page, screen, token);

    // The oldest, from before this year, written with their year.
    await page.goto('/?folder=INBOX&sort=-date');
    await waitHydrated(page);
    await page.locator('.message-row').first().waitFor();
    const oldest = await rows(page);
    checkDates(oldest, `${screen.name}, oldest first`);
    assert.ok(oldest.some((r) => r.nearness === 'before'), `${screen.name}: seeded rows of an earlier year`);
    assert.deepEqual(errors, [], screen.name);
    await context.close();
  }
});

test('the admin console shows the accounts first, above the fold', { timeout: 90_000 }, async () => {
  for (const screen of [screens[0], screens[5]]) {
    const { page, context, errors } = await newPage(browser, { viewport: screen.viewport, colorScheme: screen.colorScheme });
    await signedIn(page);
    await page.goto('/admin');
    await waitHydrated(page);
    const first = page.locator('table.accounts tbody tr').first();
    await first.waitFor();
    const box = await first.boundingBox();
    assert.ok(box.y + Math.min(box.height, 40) <= screen.viewport.height, `${screen.name}: the first account is on the first screen (${box.y})`);
    const heading = await page.locator('h2#accounts-title').boundingBox();
    const policy = await page.locator('main.admin section').nth(1).boundingBox();
    assert.ok(heading.y < policy.y, `${screen.name}: the accounts before the policy`);
    await page.screenshot({ path: `${shots}/admin-${screen.name}.png` });
    assert.deepEqual(errors, [], screen.name);
    await context.close();
  }
});
