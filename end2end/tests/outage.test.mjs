// The mail server going away under an open page, and coming back: the page
// says what is wrong while it is away, and recovers by itself (no reload).
// It stops the shared development mail server for a moment: the browser
// tests run one file at a time, and it is started again whatever happens.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { launch, newPage, waitHydrated, signIn, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

// Its daemons outlive the call: none may hold this process's output open
// (the test runner waits for it to close).
const devmail = (what) => execFileSync('../scripts/devmail.sh', [what], { stdio: 'ignore' });

let browser;
before(async () => { browser = await launch(); });
after(async () => {
  devmail('start');
  await browser?.close();
});

test('the mail server away: the page says so, then comes back by itself', async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(page);
  await page.locator('main[data-live="ready"]').waitFor({ timeout: 15_000 });
  await page.evaluate(() => { window.__sameDocument = true; });
  assert.equal(await page.locator('.live-lost').count(), 0, 'nothing to say while all is well');

  devmail('stop');
  try {
    const lost = page.locator('.live-lost');
    await lost.waitFor({ timeout: 30_000 });
    assert.match(await lost.innerText(), /connection to the mail server is lost/);
    assert.equal(await lost.getAttribute('role'), 'status');
  } finally {
    devmail('start');
  }
  await page.locator('.live-lost').waitFor({ state: 'detached', timeout: 30_000 });
  await page.locator('main[data-live="ready"]').waitFor({ timeout: 15_000 });
  // Live again: mail arriving now shows without a reload.
  const subject = `After the outage ${Date.now()}`;
  await send(adminEmail, adminPassword, adminEmail, [buildMessage({ from: adminEmail, to: adminEmail, subject, text: 'Back.' })]);
  await page.locator('.message-row', { hasText: subject }).waitFor({ timeout: 20_000 });
  assert.equal(await page.evaluate(() => window.__sameDocument), true, 'no reload');
  await context.close();
});
