// Filters in a real browser, run by the dev Dovecot/Pigeonhole: alice makes
// a rule in Settings → Filters, bob's matching message arrives in the rule's
// folder; alice turns the automatic reply on, the mail view says so, bob
// gets the reply once, and the banner turns it off.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, newPage, signIn, waitHydrated, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';
const fromBob = (subject) => send(bob, adminPassword, adminEmail, [buildMessage({ from: bob, to: adminEmail, subject, text: 'Hello.' })]);

let browser;
before(async () => { browser = await launch(); });
after(async () => {
  // Alice as the other tests expect her: no rules, no automatic reply.
  if (browser) {
    const { page } = await newPage(browser);
    await signIn(page, adminEmail, adminPassword);
    await page.waitForURL((u) => u.pathname === '/');
    await page.goto('/settings/filters');
    await waitHydrated(page);
    await page.evaluate(async () => {
      const post = (path, body) => fetch(path, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
      await post('/api/save_rules', { rules: [] });
      await fetch('/api/vacation_off', { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: '' });
    });
    await browser.close();
  }
});

/** Waits until a search for `text` in `folder` lists a message; its rows. */
async function arrived(page, folder, text, count = 1) {
  const rows = page.locator('.message-row', { hasText: text });
  for (let i = 0; i < 40; i++) {
    await page.goto(`/?folder=${encodeURIComponent(folder)}&q=${encodeURIComponent(text)}`);
    await page.locator('main.content').waitFor();
    if ((await rows.count()) >= count) return rows;
    await page.waitForTimeout(500);
  }
  throw new Error(`${count} × "${text}" never arrived in ${folder}`);
}

async function openFilters(page) {
  await page.goto('/settings/filters');
  await waitHydrated(page);
  await page.getByRole('heading', { name: 'Filters', level: 1 }).waitFor();
}

test('a rule made in Settings → Filters files bob\'s message into its folder', { timeout: 150_000 }, async () => {
  const token = `weekly-${randomBytes(4).toString('hex')}`;
  const { page, errors } = await newPage(browser);
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await openFilters(page);

  await page.getByRole('button', { name: 'Add a rule' }).click();
  await page.getByLabel('Name of the rule').fill(`Newsletter ${token}`);
  await page.getByRole('button', { name: 'Add a condition' }).click();
  await page.getByLabel('Field', { exact: true }).selectOption('subject');
  await page.getByLabel('Value', { exact: true }).fill(token);
  await page.getByRole('button', { name: 'Add an action' }).click();
  await page.getByLabel('Folder, keyword or address').selectOption('Archive');
  const saved = page.waitForResponse((r) => r.url().includes('/api/save_rules') && r.ok());
  await page.getByRole('button', { name: 'Save the rule' }).click();
  await saved;
  await page.locator('.rule', { hasText: `Newsletter ${token}` }).waitFor();

  await fromBob(`News ${token}`);
  await fromBob(`Lunch ${token.split('-')[1]}`);
  await arrived(page, 'Archive', token);
  await arrived(page, 'INBOX', `Lunch ${token.split('-')[1]}`);
  assert.deepEqual(errors, []);
});

test('the automatic reply: a banner while on, bob is answered once, one click turns it off', { timeout: 180_000 }, async () => {
  const token = randomBytes(4).toString('hex');
  const { page, errors } = await newPage(browser);
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await openFilters(page);
  await page.getByLabel('Reply automatically while I am away').check();
  await page.getByLabel('Subject of the reply').fill(`Away ${token}`);
  await page.getByLabel('Message', { exact: true }).fill('I am away this week.');
  await page.getByLabel('Reply to the same sender at most once in this many days').fill('1');
  const saved = page.waitForResponse((r) => r.url().includes('/api/save_vacation') && r.ok());
  await page.getByRole('button', { name: 'Save the automatic reply' }).click();
  await saved;

  await page.goto('/');
  await waitHydrated(page);
  const banner = page.locator('.banner', { hasText: 'Automatic replies are on' });
  await banner.waitFor();

  const reader = await newPage(browser);
  await signIn(reader.page, bob, adminPassword);
  await reader.page.waitForURL((u) => u.pathname === '/');
  await fromBob(`Question ${token}`);
  await arrived(reader.page, 'INBOX', `Away ${token}`);
  // A second message within the interval gets no second reply: once alice
  // has it, any reply to it was already handed to Postfix, ahead of alice's
  // own message to bob that follows.
  await fromBob(`Again ${token}`);
  await arrived(page, 'INBOX', `Again ${token}`);
  await send(adminEmail, adminPassword, bob, [buildMessage({ from: adminEmail, to: bob, subject: `After ${token}`, text: '.' })]);
  await arrived(reader.page, 'INBOX', `After ${token}`);
  const replies = await arrived(reader.page, 'INBOX', `Away ${token}`);
  assert.equal(await replies.count(), 1, 'bob got one reply');
  await reader.context.close();

  await page.goto('/');
  await waitHydrated(page);
  await banner.waitFor();
  await banner.getByRole('button', { name: 'Turn off' }).click();
  await page.getByText('Automatic replies are off.').waitFor();
  await banner.waitFor({ state: 'detached' });
  await page.reload();
  await waitHydrated(page);
  assert.equal(await banner.count(), 0, 'off for good');
  assert.deepEqual(errors, []);
});
