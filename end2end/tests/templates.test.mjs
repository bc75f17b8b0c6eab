// Reply templates, as bob uses them: saved in Settings, inserted while
// writing, filled in for the recipient, in plain and rich text; looked at on
// a desktop and a phone, in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { launch, signedInPage, waitHydrated, adminPassword } from '../lib/browser.mjs';

const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
const shots = '../target/screenshots';

let browser;
before(async () => { browser = await launch(); mkdirSync(shots, { recursive: true }); });
after(async () => { await browser?.close(); });

const bobSignedIn = (options) => signedInPage(browser, bob, adminPassword, options);

test('a template saved in Settings is inserted for the recipient', { timeout: 90_000 }, async () => {
  const name = `Merci ${randomBytes(3).toString('hex')}`;
  const { page, context, errors } = await bobSignedIn();
  await page.goto('/settings');
  await waitHydrated(page);
  const section = page.locator('section[aria-labelledby="templates-title"]');
  await section.getByLabel('Name').fill(name);
  await section.getByLabel('Text').fill('Bonjour {first_name},\n\nMerci pour votre message.');
  await section.getByRole('button', { name: 'Add template' }).click();
  const item = section.locator('li.template', { hasText: name });
  await item.waitFor();
  assert.match(await item.innerText(), /Bonjour \{first_name\},/);
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: `${shots}/settings-templates-light.png` });

  // Plain text: at the start, above the signature and anything else.
  await page.goto('/compose');
  await waitHydrated(page);
  const text = page.locator('textarea[name="text"]');
  await text.fill('Déjà écrit.');
  await page.getByLabel('To', { exact: true }).fill('Jean Dupont <jean@example.test>');
  await page.getByLabel('Insert a template').selectOption({ label: name });
  await page.waitForFunction(() => document.querySelector('textarea[name="text"]').value.startsWith('Bonjour'));
  assert.equal(await text.inputValue(), 'Bonjour Jean,\n\nMerci pour votre message.\n\nDéjà écrit.');
  assert.equal(await page.getByLabel('Insert a template').inputValue(), '', 'back to its prompt');
  await page.locator('main').screenshot({ path: `${shots}/compose-template-light.png` });

  // Rich text: in the editor, the recipient's name filled in too.
  await page.getByLabel('Format').selectOption('rich');
  const editor = page.locator('.rich-editor');
  await editor.waitFor();
  await page.getByLabel('To', { exact: true }).fill('"Martin, Alice" <alice@example.test>');
  await page.getByLabel('Insert a template').selectOption({ label: name });
  await page.waitForFunction(() => document.querySelector('.rich-editor').innerText.startsWith('Bonjour Alice'));
  assert.match(await editor.innerText(), /^Bonjour Alice,\s+Merci pour votre message\.[\s\S]*Bonjour Jean,/);

  // Removed, it is gone from the list and from the compose form.
  await page.goto('/settings');
  await waitHydrated(page);
  await section.getByRole('button', { name: `Delete ${name}` }).click();
  await item.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('the templates section reads on a phone in the dark', async () => {
  const { page, context, errors } = await bobSignedIn({ viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await page.goto('/settings');
  await waitHydrated(page);
  const section = page.locator('section[aria-labelledby="templates-title"]');
  await section.getByLabel('Name').fill('Absent');
  await section.getByLabel('Text').fill('Je suis absent jusqu’à lundi, {first_name}.');
  await section.getByRole('button', { name: 'Add template' }).click();
  const item = section.locator('li.template', { hasText: 'Absent' });
  await item.waitFor();
  const box = await section.boundingBox();
  assert.ok(box.width <= 390, `no sideways scroll (${box.width})`);
  await section.scrollIntoViewIfNeeded();
  await section.screenshot({ path: `${shots}/settings-templates-phone-dark.png` });
  await section.getByRole('button', { name: 'Delete Absent' }).click();
  await item.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});
