// Everyday pieces of a mail client, as bob uses them: how full his mailbox
// is, a `mailto:` link opening a filled-in message, Estafette offered as the
// browser's mailto handler, and the original of a message saved as .eml.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { launch, signedInPage, waitHydrated, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
const shots = '../target/screenshots';

let browser;
before(async () => { browser = await launch(); mkdirSync(shots, { recursive: true }); });
after(async () => { await browser?.close(); });

const bobSignedIn = (options) => signedInPage(browser, bob, adminPassword, options);

test('the folder pane says how full the mailbox is', async () => {
  const { page, context, errors } = await bobSignedIn();
  const meter = page.getByRole('meter', { name: 'Mailbox storage' });
  await meter.waitFor();
  assert.equal(await meter.getAttribute('max'), '100');
  assert.match(await page.locator('.quota').innerText(), /of 10 GB used \(\d+%\)/);
  assert.equal(await page.locator('.quota .warning').count(), 0, 'no warning far from the limit');
  await page.locator('nav.folders').screenshot({ path: `${shots}/folders-quota-light.png` });
  assert.deepEqual(errors, []);
  await context.close();
});

test('a mailto: link, whole, fills in a new message and nothing else', async () => {
  const { page, context, errors } = await bobSignedIn();
  const link = 'mailto:carol@example.test?cc=dave%40example.test&subject=Caf%C3%A9%20%2B%20cr%C3%AApes'
    + '&body=Hello%0D%0Athere&from=ceo%40example.test&bcc=eve@example.test%0D%0ABcc:spy@evil.example';
  await page.goto(`/compose?to=${encodeURIComponent(link)}`);
  await waitHydrated(page);
  assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), 'carol@example.test');
  assert.equal(await page.getByLabel('Cc', { exact: true }).inputValue(), 'dave@example.test');
  assert.equal(await page.getByLabel('Bcc', { exact: true }).inputValue(), 'eve@example.test Bcc:spy@evil.example');
  assert.equal(await page.getByLabel('Subject').inputValue(), 'Café + crêpes');
  assert.match(await page.locator('textarea[name="text"]').inputValue(), /^Hello\nthere/);

  // Settings offer Estafette as the browser's handler of such links.
  await page.goto('/settings');
  await waitHydrated(page);
  await page.getByRole('button', { name: 'Open mailto: links with Estafette' }).click();
  const said = page.locator('[role="status"]', { hasText: /Your browser/ });
  await said.waitFor();
  assert.deepEqual(errors, []);
  await context.close();
});

test('the original of a message downloads as .eml, byte for byte', { timeout: 60_000 }, async () => {
  const subject = `Original ${randomBytes(4).toString('hex')}`;
  await send(adminEmail, adminPassword, bob, [buildMessage({ from: adminEmail, to: bob, subject, text: 'Prix : 12 €.' })]);
  const { page, context, errors } = await bobSignedIn();
  const row = page.locator('.message-row', { hasText: subject });
  await row.waitFor({ timeout: 20_000 });
  await row.locator('.subject a').click();
  await page.waitForURL((u) => u.searchParams.has('uid'));
  // Among the actions needed less often.
  await page.locator('.message-actions .more-actions summary', { hasText: 'More' }).click();
  const link = page.getByRole('link', { name: 'Download (.eml)' });
  await link.waitFor();
  const [download] = await Promise.all([page.waitForEvent('download'), link.click()]);
  assert.equal(download.suggestedFilename(), `${subject}.eml`);
  const saved = readFileSync(await download.path());
  const source = await page.request.get((await link.getAttribute('href')).replace('&download=true', ''));
  assert.ok(saved.equals(await source.body()), 'the .eml is the message as stored');
  assert.match(saved.toString(), new RegExp(`Subject: ${subject}`));
  assert.deepEqual(errors, []);
  await context.close();
});
