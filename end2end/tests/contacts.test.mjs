// The address book, as bob uses it: a message's sender added in one click,
// put in a group with another contact, the group offered while typing a
// recipient and written to in one click (the message reaching both); a .vcf
// file imported and the book exported; looked at on a desktop and a phone,
// in light and dark.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { launch, signedInPage, waitHydrated, arrived, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
const shots = '../target/screenshots';

let browser;
before(async () => { browser = await launch(); mkdirSync(shots, { recursive: true }); });
after(async () => { await browser?.close(); });

/** Removes the contact named `name` from the page's list, if it is there. */
async function remove(page, name) {
  const button = page.getByRole('button', { name: `Delete ${name}`, exact: true });
  if (await button.count()) {
    await button.click();
    await button.waitFor({ state: 'detached' });
  }
}

test('a sender is added to contacts and written to with their group', { timeout: 120_000 }, async () => {
  const token = randomBytes(3).toString('hex');
  const group = `Gardeners ${token}`;
  await send(adminEmail, adminPassword, bob, [
    buildMessage({ from: `"Alice Martin" <${adminEmail}>`, to: bob, subject: `Seeds ${token}`, text: 'Shall we swap seeds?' }),
  ]);
  const { page, context, errors } = await signedInPage(browser, bob, adminPassword);
  // From an earlier run: started afresh.
  await page.goto('/contacts');
  await waitHydrated(page);
  await remove(page, 'Alice Martin');
  await remove(page, 'Bob Self');

  // One click on the message keeps its sender.
  const row = await arrived(page, token);
  await row.locator('.subject a').click();
  const add = page.getByRole('button', { name: 'Add Alice Martin to contacts' });
  await add.click();
  await page.getByText('Alice Martin is now in your contacts.').waitFor();
  await add.click();
  await page.getByText('Alice Martin is already in your contacts.').waitFor();

  // In the address book: put in a group with a contact made by hand.
  await page.goto('/contacts');
  await waitHydrated(page);
  // The server keeps address books (CardDAV): synced as the page opens.
  await page.locator('.sync-note', { hasText: 'In step with the address book server' }).waitFor({ timeout: 30_000 });
  const alice = page.locator('li.contact', { hasText: 'Alice Martin' });
  assert.match(await alice.innerText(), new RegExp(adminEmail.replace('.', '\\.')));
  await page.getByRole('button', { name: 'Edit Alice Martin' }).click();
  const form = page.locator('form.contact-form');
  await form.getByLabel('Groups (separated by commas)').fill(group);
  await form.getByLabel('Phone numbers (one per line)').fill('+33 1 23 45 67 89');
  await form.getByRole('button', { name: 'Save contact' }).click();
  await form.waitFor({ state: 'detached' });
  await page.getByRole('button', { name: 'New contact' }).click();
  await form.getByLabel('Name').fill('Bob Self');
  await form.getByLabel('Email addresses (one per line)').fill(`${bob}\nnot an address`);
  await form.getByLabel('Groups (separated by commas)').fill(group);
  await form.getByRole('button', { name: 'Save contact' }).click();
  await form.getByText('`not an address` is not an email address.').waitFor();
  await form.getByLabel('Email addresses (one per line)').fill(bob);
  await form.getByRole('button', { name: 'Save contact' }).click();
  await form.waitFor({ state: 'detached' });
  const chip = page.locator('.group-list li', { hasText: group });
  await chip.getByText(`${group} (2)`).waitFor();
  await page.screenshot({ path: `${shots}/contacts-light.png`, fullPage: true });

  // Typing the group's name in To offers it, as all its members.
  await page.goto('/compose');
  await waitHydrated(page);
  await page.getByLabel('To', { exact: true }).pressSequentially(`Gardeners ${token.slice(0, 2)}`);
  const offered = page.locator(`datalist#contacts option[label="Group: ${group} (2)"]`);
  await offered.waitFor({ state: 'attached' });
  const members = await offered.getAttribute('value');
  assert.ok(members.includes(adminEmail) && members.includes(bob), members);

  // Written to from the address book in one click.
  await page.goto('/contacts');
  await waitHydrated(page);
  await page.getByRole('button', { name: `Write to group ${group}` }).click();
  await page.waitForURL((u) => u.pathname === '/compose');
  await waitHydrated(page);
  const to = await page.getByLabel('To', { exact: true }).inputValue();
  assert.match(to, new RegExp(`"Alice Martin" <${adminEmail}>`));
  assert.match(to, new RegExp(`"Bob Self" <${bob}>`));
  await page.getByLabel('Subject').fill(`Club news ${token}`);
  await page.locator('textarea[name="text"]').fill('The seed swap is on Saturday.');
  await page.getByRole('button', { name: 'Send', exact: true }).click();
  await page.locator('.notice').first().waitFor();
  await arrived(page, `Club news ${token}`);
  const { page: alicePage, context: aliceContext } = await signedInPage(browser, adminEmail, adminPassword);
  await arrived(alicePage, `Club news ${token}`);
  await aliceContext.close();

  await page.goto('/contacts');
  await waitHydrated(page);
  await remove(page, 'Alice Martin');
  await remove(page, 'Bob Self');
  // The one refusal asked for: the address that is none.
  assert.deepEqual(errors, ['Failed to load resource: the server responded with a status of 422 (Unprocessable Entity)']);
  await context.close();
});

test('a .vcf file comes in, the book goes out, and it reads on a phone in the dark', { timeout: 90_000 }, async () => {
  const token = randomBytes(3).toString('hex');
  const name = `Ada Lovelace ${token}`;
  const { page, context, errors } = await signedInPage(browser, bob, adminPassword, { viewport: { width: 390, height: 844 }, colorScheme: 'dark' });
  await page.goto('/contacts');
  await waitHydrated(page);
  const card = `BEGIN:VCARD\r\nVERSION:3.0\r\nUID:ada-${token}\r\nFN:${name}\r\nEMAIL;TYPE=work:ada-${token}@engine.example\r\n` +
    `ORG:Analytical Engines\r\nADR;TYPE=home:;;12 St James's Square;London;;SW1Y 4JH;UK\r\nEND:VCARD\r\n`;
  await page.locator('input[type="file"]').setInputFiles({ name: 'ada.vcf', mimeType: 'text/vcard', buffer: Buffer.from(card) });
  await page.getByText('Imported: 1 added, 0 updated, 0 skipped.').waitFor();
  const item = page.locator('li.contact', { hasText: name });
  await item.waitFor();
  assert.match(await item.innerText(), /Analytical Engines/);
  const box = await page.locator('.contacts-page').boundingBox();
  assert.ok(box.width <= 390, `no sideways scroll (${box.width})`);
  await page.screenshot({ path: `${shots}/contacts-phone-dark.png`, fullPage: true });

  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export .vcf' }).click();
  const file = readFileSync(await (await download).path(), 'utf8');
  assert.match(file, new RegExp(`FN:${name}`));
  assert.match(file, /12 St James's Square/, 'what Estafette does not show goes out as it came');

  await remove(page, name);
  assert.deepEqual(errors, []);
  await context.close();
});
