// Preferences in a real browser: language and theme applied without a
// reload, kept across reloads and browser profiles; page size; a phone-sized
// screen; the shortcuts and the toasts of the shell.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitHydrated, adminEmail, adminPassword } from '../lib/browser.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => {
  // Leave alice as the other tests expect her: English, 50 a page.
  if (browser) {
    const { page } = await newPage(browser);
    await signedIn(page);
    await choose(page, '#pref-language', 'en', 'html[lang="en"]');
    await choose(page, '#pref-theme', 'system', 'html[data-theme="system"]');
    await choose(page, '#pref-page-size', '50');
    await shortcuts(page, true);
    await browser.close();
  }
});

async function signedIn(page) {
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(page);
}

/** Picks `value` in the settings select `id`, then waits for `applied`. */
async function choose(page, id, value, applied) {
  if (new URL(page.url()).pathname !== '/settings') {
    await page.goto('/settings');
    await waitHydrated(page);
  }
  const select = page.locator(id);
  if ((await select.inputValue()) !== value) {
    const saved = page.waitForResponse((r) => r.url().includes('/api/save_preferences') && r.ok());
    await select.selectOption(value);
    await saved;
  }
  if (applied) await page.locator(applied).waitFor({ state: 'attached' });
}

/** Turns the keyboard shortcuts on or off on the settings page. */
async function shortcuts(page, on) {
  await page.goto('/settings');
  await waitHydrated(page);
  const box = page.locator('#pref-shortcuts');
  if ((await box.isChecked()) !== on) {
    const saved = page.waitForResponse((r) => r.url().includes('/api/save_preferences') && r.ok());
    await box.setChecked(on);
    await saved;
  }
}

const background = (page) => page.evaluate(() => getComputedStyle(document.body).backgroundColor);

test('French and dark, at once, after a reload and in another profile', { timeout: 120_000 }, async () => {
  const { page, errors } = await newPage(browser);
  await signedIn(page);
  await choose(page, '#pref-language', 'en', 'html[lang="en"]');
  await choose(page, '#pref-theme', 'light', 'html[data-theme="light"]');
  // Marks this document: it must survive the changes (no reload).
  await page.evaluate(() => { window.__sameDocument = true; });

  await choose(page, '#pref-language', 'fr', 'html[lang="fr"]');
  await page.getByRole('heading', { name: 'Paramètres', level: 1 }).waitFor();
  await page.getByRole('heading', { name: 'Général' }).waitFor();
  assert.equal(await page.getByLabel('Thème').isVisible(), true);

  const light = await background(page);
  await choose(page, '#pref-theme', 'dark', 'html[data-theme="dark"]');
  const dark = await background(page);
  assert.notEqual(dark, light, 'the background changes with the theme');
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'applied without a reload');

  // The list and the message view speak French.
  await page.getByRole('link', { name: 'Courrier' }).click();
  await page.locator('.message-row').first().waitFor();
  await page.getByRole('columnheader', { name: 'Objet' }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Plus anciens' }).isVisible(), true);
  assert.match(await page.locator('.pager').innerText(), /sur/);
  await page.locator('.message-row .subject a').first().click();
  const view = page.locator('.message-view');
  await view.getByRole('link', { name: 'Répondre', exact: true }).waitFor();
  assert.equal(await view.getByRole('button', { name: 'Archiver' }).isVisible(), true);

  // Both choices are the account's: after a reload, and in another profile.
  await page.reload();
  await waitHydrated(page);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  assert.equal(await page.locator('html').getAttribute('data-theme'), 'dark');
  assert.equal(await background(page), dark);
  const other = await newPage(browser);
  await signedIn(other.page);
  assert.equal(await other.page.locator('html').getAttribute('lang'), 'fr');
  assert.equal(await other.page.locator('html').getAttribute('data-theme'), 'dark');
  assert.equal(await background(other.page), dark);
  await other.page.getByRole('columnheader', { name: 'Objet' }).waitFor();
  await other.context.close();

  // The server's own explanations come in French too.
  await page.goto('/compose');
  await waitHydrated(page);
  await page.getByLabel('À', { exact: true }).fill('bob@');
  await page.getByRole('button', { name: 'Envoyer', exact: true }).click();
  const alert = page.getByRole('alert');
  await alert.waitFor();
  assert.equal((await alert.innerText()).trim(), 'À : « bob@ » n’est pas une adresse e-mail.');
  // The refusal (422) is the one error the browser may log here.
  errors.splice(0, errors.length, ...errors.filter((e) => !/status of 422/.test(e)));

  await choose(page, '#pref-language', 'en', 'html[lang="en"]');
  await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
  await choose(page, '#pref-theme', 'light', 'html[data-theme="light"]');
  assert.equal(await background(page), light);
  assert.deepEqual(errors, []);
});

test('a page of 100 messages', { timeout: 60_000 }, async () => {
  const { page, errors } = await newPage(browser);
  await signedIn(page);
  await choose(page, '#pref-page-size', '50');
  await page.goto('/?folder=INBOX');
  await page.locator('.message-row').first().waitFor();
  assert.equal(await page.locator('.message-row').count(), 50);
  await choose(page, '#pref-page-size', '100');
  await page.goto('/?folder=INBOX');
  await waitHydrated(page);
  await page.locator('.message-row').first().waitFor();
  assert.equal(await page.locator('.message-row').count(), 100);
  assert.match(await page.locator('.pager').innerText(), /1–100 of/);
  await choose(page, '#pref-page-size', '50');
  assert.deepEqual(errors, []);
});

test('on a phone: read a message, then back to the list', { timeout: 60_000 }, async () => {
  const { page, errors } = await newPage(browser, { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  await signedIn(page);
  const list = page.locator('main.content');
  const first = page.locator('.message-row .subject a').first();
  await first.waitFor();
  const subject = (await first.innerText()).trim();
  assert.equal(await page.locator('.reading-pane').isVisible(), false, 'one pane at a time');
  await first.tap();
  const frame = page.frameLocator('iframe.message-frame');
  await frame.locator('body > main').waitFor();
  await page.locator('.message-subject', { hasText: subject }).waitFor();
  assert.equal(await list.isVisible(), false, 'the list makes way for the message');
  const box = await page.locator('iframe.message-frame').boundingBox();
  assert.ok(box.width <= 390 && box.width > 300, `the message fits the screen (${box.width})`);
  await page.getByRole('link', { name: /Back to INBOX/ }).tap();
  await page.waitForURL((u) => !u.searchParams.has('uid'));
  await list.waitFor();
  assert.equal(await page.locator('.reading-pane').isVisible(), false);
  assert.ok(await page.locator('.message-row').count() > 0);
  assert.deepEqual(errors, []);
});

test('shortcuts: ? lists them, c composes; a move can be undone from its toast', { timeout: 90_000 }, async () => {
  const { page, errors } = await newPage(browser);
  await signedIn(page);
  await shortcuts(page, true);
  await page.goto('/');
  await waitHydrated(page);
  await page.locator('.message-row').first().waitFor();
  await page.keyboard.press('?');
  const dialog = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /Write a message/);
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });

  const row = page.locator('.message-row').first();
  const subject = (await row.locator('.subject a').innerText()).trim();
  await row.getByRole('checkbox').check();
  await page.locator('.toolbar').first().getByRole('button', { name: 'Archive' }).click();
  const toast = page.locator('.toast', { hasText: 'Moved to Archive' });
  await toast.waitFor();
  await page.locator('.message-row').first().locator('.subject a', { hasText: subject }).waitFor({ state: 'detached' }).catch(() => {});
  await toast.getByRole('button', { name: 'Undo' }).click();
  await page.locator('.message-row .subject a', { hasText: subject }).first().waitFor();

  await page.keyboard.press('c');
  await page.waitForURL((u) => u.pathname === '/compose');

  // With shortcuts off, keys are just keys.
  await shortcuts(page, false);
  await page.goto('/');
  await waitHydrated(page);
  await page.locator('.message-row').first().waitFor();
  await page.keyboard.press('c');
  await page.waitForTimeout(500);
  assert.equal(new URL(page.url()).pathname, '/');
  await shortcuts(page, true);
  assert.deepEqual(errors, []);
});
