// The account journey in a real browser: an admin creates an account, the new
// user chooses a password, turns on two-factor sign-in, signs out, signs back
// in with a code and reaches the dev Dovecot's mailbox; the admin disables the
// account and the user's open page is signed out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, signIn, waitHydrated, adminEmail, adminPassword } from '../lib/browser.mjs';
import { totp } from '../lib/totp.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('admin creates an account; the user enrols in 2FA and signs in with a code', async () => {
  const user = `carol-${Date.now()}@example.test`;
  const temporary = 'temporary passphrase for carol';
  const chosen = 'carol chooses her own passphrase';

  // The admin creates the account in the admin UI.
  const admin = await newPage(browser);
  await signIn(admin.page, adminEmail, adminPassword);
  await admin.page.waitForURL((u) => u.pathname === '/');
  await admin.page.goto('/admin');
  await waitHydrated(admin.page);
  // The accounts come first; a new one is made in a dialog over them.
  await admin.page.getByRole('table').first().waitFor();
  const dialog = admin.page.getByRole('dialog', { name: 'Create an account' });
  assert.equal(await dialog.isVisible(), false);
  await admin.page.getByRole('button', { name: 'New account' }).click();
  await dialog.waitFor();
  await dialog.getByLabel('Email').fill(user);
  await dialog.getByLabel('Initial password').fill(temporary);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await admin.page.locator(`tr[data-email="${user}"]`).waitFor();
  await dialog.waitFor({ state: 'hidden' });
  // Opened again it is empty; a refusal (the address is taken) is said in it.
  await admin.page.getByRole('button', { name: 'New account' }).click();
  await dialog.waitFor();
  assert.equal(await dialog.getByLabel('Email').inputValue(), '');
  assert.equal(await dialog.getByLabel('Initial password').inputValue(), '');
  await dialog.getByLabel('Email').fill(user);
  await dialog.getByRole('button', { name: 'Create account' }).click();
  await dialog.getByRole('alert').waitFor();
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'hidden' });

  // The user signs in with the temporary password and must choose a new one.
  const carol = await newPage(browser);
  await signIn(carol.page, user, temporary);
  await carol.page.waitForURL((u) => u.pathname === '/password');
  await carol.page.getByLabel('Current password').fill(temporary);
  await carol.page.getByLabel('New password', { exact: true }).fill(chosen);
  await carol.page.getByLabel('New password again').fill(chosen);
  await carol.page.getByRole('button', { name: 'Change password' }).click();
  await carol.page.waitForURL((u) => u.pathname === '/settings');
  await waitHydrated(carol.page);

  // Two-factor authentication: password again, key as text, first code, Enable.
  const section = carol.page.getByRole('region', { name: 'Two-factor authentication' });
  await section.getByLabel('Current password').fill(chosen);
  await section.getByRole('button', { name: 'Set up two-factor sign-in' }).click();
  const key = (await section.locator('.totp-key').innerText()).trim();
  assert.match(key, /^[A-Z2-7]{32}$/);
  const enrolledAt = Date.now() / 1000;
  await section.getByLabel('Authentication code').fill(totp(key, enrolledAt));
  await section.getByRole('button', { name: 'Enable' }).click();
  const codes = section.getByRole('list', { name: 'Recovery codes' }).locator('li');
  await codes.first().waitFor();
  assert.equal(await codes.count(), 10);

  // Sign out, then back in: password, then a code (the next step: the first is spent).
  await carol.page.locator('.account-menu summary').click();
  await carol.page.locator('.account-menu').getByRole('button', { name: 'Sign out' }).click();
  await carol.page.waitForURL((u) => u.pathname === '/login');
  await signIn(carol.page, user, chosen);
  await carol.page.waitForURL((u) => u.pathname === '/login/code');
  assert.equal(await carol.page.getByRole('link', { name: 'Use a recovery code' }).isVisible(), true);
  await carol.page.getByLabel('Authentication code').fill(totp(key, enrolledAt + 30));
  await carol.page.getByRole('button', { name: 'Verify' }).click();
  await carol.page.waitForURL((u) => u.pathname === '/');
  await carol.page.locator('.folder[data-role="inbox"]').waitFor();

  // The admin disables the account; the user's open page is signed out.
  await admin.page.goto('/admin');
  await waitHydrated(admin.page);
  const row = admin.page.locator(`tr[data-email="${user}"]`);
  await row.getByRole('button', { name: 'Disable' }).click();
  await row.getByRole('button', { name: 'Enable' }).waitFor();
  await carol.page.waitForURL((u) => u.pathname === '/login', { timeout: 25000 });

  assert.deepEqual(carol.errors.filter((e) => !/status of 40[13]/.test(e)), []);
  await admin.context.close();
  await carol.context.close();
});
