// Reading in a real browser: the seeded demo mailbox, a message in its
// sandboxed view, mail arriving live, search, an attachment downloaded byte
// for byte, and a move to another folder.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { launch, newPage, signIn, waitHydrated, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const sender = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('read, receive live, search, download and move', { timeout: 180_000 }, async () => {
  const { page, errors } = await newPage(browser);
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(page);

  // The seeded INBOX: a full first page, and an older one.
  const rows = page.locator('.message-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 50);
  await page.getByRole('link', { name: 'Older' }).click();
  await page.waitForURL((u) => u.searchParams.get('page') === '1');
  await page.locator('.message-row').first().waitFor();

  // A seeded message opens in the sandboxed frame.
  await page.locator('.message-row .subject a').first().click();
  await page.waitForURL((u) => u.searchParams.has('uid'));
  const frame = page.locator('iframe.message-frame');
  assert.equal(await frame.getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
  await page.frameLocator('iframe.message-frame').locator('body > main').waitFor();

  // Back to the list; a message sent now appears without a reload.
  await page.goto('/?folder=INBOX');
  await waitHydrated(page);
  await page.locator('main[data-live="ready"]').waitFor({ timeout: 15_000 });
  const marker = await page.evaluate(() => { window.__sameDocument = true; return true; });
  assert.ok(marker);
  const token = `live${randomBytes(4).toString('hex')}`;
  const data = randomBytes(300 * 1024);
  await send(sender, adminPassword, adminEmail, [buildMessage({
    from: sender, to: adminEmail, subject: `Rapport ${token}`, text: 'Ci-joint les données.',
    attachments: [{ name: 'donnees.bin', type: 'application/octet-stream', data }],
  })]);
  const arrived = page.locator('.message-row', { hasText: token });
  await arrived.waitFor({ timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');

  // Search by the server finds exactly it.
  await page.locator('#search').fill(token);
  await page.getByRole('button', { name: 'Search', exact: true }).click();
  await page.waitForURL((u) => u.searchParams.get('q') === token);
  // The previous list stays until the results replace it.
  await page.waitForFunction(() => document.querySelectorAll('.message-row').length === 1);
  assert.match(await page.locator('.message-row').innerText(), new RegExp(token));

  // Open it and download the attachment.
  await page.locator('.message-row .subject a').first().click();
  await page.waitForURL((u) => u.searchParams.has('uid'));
  await waitHydrated(page);
  const attachment = page.locator('.attachment', { hasText: 'donnees.bin' });
  await attachment.waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    attachment.getByRole('link', { name: 'Download' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), 'donnees.bin');
  const saved = readFileSync(await download.path());
  assert.ok(saved.equals(data), 'the download equals what was sent');

  // Move it to the Archive: gone from the INBOX, there in the Archive.
  await page.getByRole('combobox', { name: 'Move to…' }).selectOption('Archive');
  await page.waitForURL((u) => u.pathname === '/' && u.searchParams.get('folder') === 'INBOX');
  await page.goto(`/?folder=INBOX&q=${token}`);
  await page.locator('.empty').waitFor();
  await page.goto(`/?folder=Archive&q=${token}`);
  await page.locator('.message-row', { hasText: token }).waitFor();
  assert.deepEqual(errors, []);
});
