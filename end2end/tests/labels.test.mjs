// Labels, as bob uses them: key 1 labels the message under the cursor
// "Important" (Thunderbird's $label1), the message view adds a label of a
// new name and removes one, and a label's chip finds the messages that
// have it. Looked at on a desktop and a phone, in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { launch, signedInPage, waitHydrated, arrived, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
const shots = '../target/screenshots';

let browser;
before(async () => { browser = await launch(); mkdirSync(shots, { recursive: true }); });
after(async () => { await browser?.close(); });

test('a message labelled by key and in its view is found by its label', { timeout: 90_000 }, async () => {
  const token = randomBytes(4).toString('hex');
  await send(bob, adminPassword, bob, [
    buildMessage({ from: bob, to: bob, subject: `Seed order ${token}`, text: 'Tomatoes, beans, basil.' }),
    buildMessage({ from: bob, to: bob, subject: `Other ${token}`, text: 'Not this one.' }),
  ]);
  const { page, context, errors } = await signedInPage(browser, bob, adminPassword);
  await arrived(page, `Other ${token}`);
  await page.goto(`/?folder=INBOX&q=${token}`);
  await waitHydrated(page);
  const row = page.locator('.message-row', { hasText: `Seed order ${token}` });
  await row.waitFor();

  // Key 1 on the message under the cursor.
  await row.locator('.subject > a').focus();
  await page.keyboard.press('1');
  await page.getByText('Label Important added.').waitFor();
  await row.locator('.label.c1', { hasText: 'Important' }).waitFor();
  assert.equal(await page.locator('.message-row', { hasText: `Other ${token}` }).locator('.label').count(), 0);

  // In the message view: a new label, by name.
  await row.locator('.subject > a').click();
  const labels = page.locator('.message-labels');
  await labels.locator('.label', { hasText: 'Important' }).waitFor();
  await labels.getByLabel('Add label').selectOption({ label: 'New label…' });
  await labels.getByLabel('Name of the new label').fill('Garden');
  await labels.getByRole('button', { name: 'Add label' }).click();
  await labels.locator('.label', { hasText: 'Garden' }).waitFor();
  await row.locator('.label', { hasText: 'Garden' }).waitFor();
  await page.screenshot({ path: `${shots}/labels-light.png` });

  // Its chip: the messages with that label, and only those.
  await row.locator('a.label', { hasText: 'Important' }).click();
  await page.waitForURL((u) => u.searchParams.get('label') === '$label1');
  await page.locator('main.content .message-row').first().waitFor();
  const rows = page.locator('main.content .message-row');
  const n = await rows.count();
  for (let i = 0; i < n; i++) {
    await rows.nth(i).locator('.label', { hasText: 'Important' }).waitFor();
  }
  assert.ok(await page.locator('.message-row', { hasText: `Seed order ${token}` }).count() === 1);
  assert.equal(await page.locator('.message-row', { hasText: `Other ${token}` }).count(), 0);
  assert.equal(await page.getByLabel('With label').inputValue(), '$label1', 'the search says which label');

  // Removed from the message view: gone from its row too.
  await page.goto(`/?folder=INBOX&q=${token}`);
  await waitHydrated(page);
  await page.locator('.message-row', { hasText: `Seed order ${token}` }).locator('.subject > a').click();
  await labels.getByRole('button', { name: 'Remove the label Important' }).click();
  await page.getByText('Label Important removed.').waitFor();
  await page.locator('.message-row', { hasText: `Seed order ${token}` }).locator('.label', { hasText: 'Important' }).waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
  await context.close();
});

test('labels read on a phone in the dark', { timeout: 60_000 }, async () => {
  const token = randomBytes(4).toString('hex');
  await send(bob, adminPassword, bob, [
    buildMessage({ from: bob, to: bob, subject: `Plans ${token}`, text: 'For the weekend.' }),
  ]);
  const { page, context, errors } = await signedInPage(browser, bob, adminPassword, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  const row = await arrived(page, `Plans ${token}`);
  await row.locator('.subject > a').focus();
  for (const [key, name] of [['2', 'Work'], ['3', 'Personal'], ['5', 'Later']]) {
    await page.keyboard.press(key);
    await page.getByText(`Label ${name} added.`).waitFor();
  }
  for (const name of ['Work', 'Personal', 'Later']) await row.locator('.label', { hasText: name }).waitFor({ state: 'attached' });
  const box = await page.locator('main.content').boundingBox();
  assert.ok(box.width <= 390, `no sideways scroll (${box.width})`);
  await page.screenshot({ path: `${shots}/labels-phone-dark.png` });
  assert.deepEqual(errors, []);
  await context.close();
});
