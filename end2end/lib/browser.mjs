// Shared helpers of the browser tests: Debian's Chromium driven by
// playwright-core, against the Estafette that scripts/test.sh started.
import { chromium } from 'playwright-core';

export const baseUrl = process.env.ESTAFETTE_E2E_URL ?? 'http://127.0.0.1:8080';
export const adminEmail = process.env.ESTAFETTE_E2E_ADMIN ?? 'alice@example.test';
export const adminPassword = process.env.ESTAFETTE_E2E_PASSWORD ?? '';

export async function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

/** A fresh browser profile (context) and page; page errors fail the test. */
export async function newPage(browser, options = {}) {
  const context = await browser.newContext({ baseURL: baseUrl, ...options });
  const page = await context.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  return { context, page, errors };
}

export async function waitHydrated(page) {
  await page.waitForSelector('html[data-hydrated="true"]', { timeout: 15000 });
}

export async function signIn(page, email, password) {
  await page.goto('/login');
  await waitHydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** A new page of its own, signed in as `email` and hydrated on the inbox. */
export async function signedInPage(browser, email, password, options) {
  const opened = await newPage(browser, options);
  await signIn(opened.page, email, password);
  await opened.page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(opened.page);
  return opened;
}

/** The row of the message with `text` in the INBOX, once it has come (searched for). */
export async function arrived(page, text) {
  // A sign-in under way finishes first.
  await page.waitForURL((u) => !u.pathname.startsWith('/login'));
  const row = page.locator('.message-row', { hasText: text });
  for (let i = 0; i < 40; i++) {
    await page.goto(`/?folder=INBOX&q=${encodeURIComponent(text)}`);
    await page.locator('main.content').waitFor();
    if ((await row.count()) >= 1) return row.first();
    await page.waitForTimeout(500);
  }
  throw new Error(`"${text}" never arrived`);
}
