import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { launch, newPage, waitHydrated, signIn, adminEmail, adminPassword } from '../lib/browser.mjs';
import { buildMessage, send } from '../lib/smtp.mjs';

let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('the sign-in page renders on the server and hydrates', async () => {
  const { page, errors, context } = await newPage(browser);
  const response = await page.goto('/login');
  assert.equal(response.status(), 200);
  const html = await response.text();
  assert.match(html, /<label for="email">Email(<!>)?<\/label><input id="email" name="email"/, 'the form is in the server-rendered HTML');
  await waitHydrated(page);
  assert.equal(await page.getByRole('button', { name: 'Sign in' }).isVisible(), true);
  assert.deepEqual(errors, []);

  // The bundle is named by its content, compressed, and cached for good.
  const assets = [...html.matchAll(/(?:href|src)="(\/pkg\/[^"]+)"/g)].map((m) => m[1]);
  for (const kind of ['estafette.css', 'estafette.js', 'estafette_bg.wasm']) {
    const url = assets.find((a) => a.endsWith(`/${kind}`));
    assert.match(url ?? '', /^\/pkg\/[0-9a-f]{12}\//, `${kind} is versioned by its hash`);
    const res = await page.request.get(url, { headers: { 'Accept-Encoding': 'br, gzip' } });
    assert.equal(res.status(), 200);
    assert.match(res.headers()['cache-control'], /immutable/);
    assert.equal(res.headers()['content-encoding'], 'br', `${kind} is served compressed`);
  }
  await context.close();
});

test('a wrong password is refused with a clear message', async () => {
  const { page, context } = await newPage(browser);
  await signIn(page, adminEmail, 'not the password at all');
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Wrong email or password/);
  assert.match(page.url(), /\/login$/);
  await context.close();
});

test('signing in reaches the mailbox of the dev Dovecot', async () => {
  const { page, errors, context } = await newPage(browser);
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  const inbox = page.locator('.folder[data-role="inbox"]');
  await inbox.waitFor();
  assert.match(await inbox.innerText(), /INBOX/);
  for (const role of ['drafts', 'sent', 'junk', 'trash', 'archive']) {
    assert.equal(await page.locator(`.folder[data-role="${role}"]`).count(), 1, `${role} folder listed`);
  }
  // The seeded INBOX: one page of 50, newest first, then the next page.
  await page.locator('.message-row').first().waitFor();
  assert.equal(await page.locator('.message-row').count(), 50);
  // 300 seeded, plus what other browser tests sent alice.
  assert.match(await page.locator('.pager').innerText(), /1–50 of (\d{3})/);
  await waitHydrated(page);
  await page.getByRole('link', { name: 'Older' }).click();
  await page.waitForURL((u) => u.searchParams.get('page') === '1');
  await page.getByText(/^51–100 of \d{3}$/).waitFor();
  assert.equal(await page.locator('.message-row').count(), 50);
  // Open a message: its document shows in the sandboxed frame.
  await page.locator('.message-row .subject a').first().click();
  await page.waitForURL((u) => u.searchParams.has('uid'));
  const frame = page.frameLocator('iframe.message-frame');
  await frame.locator('body > main').waitFor();
  // One header block, the page's: the frame holds the body only.
  assert.equal(await frame.locator('header').count(), 0);
  const head = page.locator('.message-head');
  await head.waitFor();
  assert.match(await head.locator('.recipients').first().innerText(), /^To /);
  assert.ok((await head.locator('.avatar').innerText()).trim().length >= 1, 'the sender has initials');
  assert.equal(await page.locator('iframe.message-frame').getAttribute('sandbox'), 'allow-popups allow-popups-to-escape-sandbox');
  assert.deepEqual(errors, []);
  await context.close();
});

test('pages away from the way in load their own part of the bundle, and work when reached by a link', async () => {
  const { page, errors, context } = await newPage(browser);
  const wasm = [];
  page.on('response', (r) => { if (r.url().endsWith('.wasm')) wasm.push(new URL(r.url()).pathname.split('/').pop()); });
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await waitHydrated(page);
  await page.locator('.message-row').first().waitFor();
  assert.deepEqual([...new Set(wasm)], ['estafette_bg.wasm'], 'sign-in to inbox: the main module only');
  // A message opened beside the list brings the message view's part.
  const link = page.locator('.message-row .subject a').first();
  const subject = (await link.innerText()).trim();
  await link.click();
  await page.locator('.reading-pane .message-subject').waitFor();
  assert.equal((await page.locator('.reading-pane .message-subject').innerText()).trim(), subject);
  const afterMessage = [...new Set(wasm)];
  assert.ok(afterMessage.length > 1, `the message view came in its own part: ${afterMessage}`);
  assert.ok(!afterMessage.some((f) => /settings|compose|admin/.test(f)), `and not another page's: ${afterMessage}`);
  // "Manage folders" brings its forms when first opened.
  await page.locator('details.folder-tools summary').click();
  await page.getByLabel('New folder').waitFor();
  assert.ok(new Set(wasm).size > afterMessage.length, `folder management came in its own part: ${wasm}`);
  // Its forms work: a folder is made, opened, and deleted.
  const name = `Lazy ${Date.now()}`;
  await page.getByLabel('New folder').fill(name);
  // Mail that arrives meanwhile reloads the lists: what is typed stays, and so does the focus.
  await page.locator('main[data-live="ready"]').waitFor({ timeout: 15_000 });
  const inboxBefore = await page.locator('.folder[data-role="inbox"]').innerText();
  const arriving = `While typing ${Date.now()}`;
  await send(adminEmail, adminPassword, adminEmail, [buildMessage({ from: adminEmail, to: adminEmail, subject: arriving, text: 'Hello.' })]);
  await page.locator('.message-row', { hasText: arriving }).waitFor({ timeout: 20_000 });
  // The folder list has reloaded too (INBOX's unread count moved).
  await page.waitForFunction((before) => document.querySelector('.folder[data-role="inbox"]')?.innerText !== before, inboxBefore, { timeout: 20_000 });
  assert.equal(await page.getByLabel('New folder').inputValue(), name);
  assert.ok(await page.getByLabel('New folder').evaluate((e) => e === document.activeElement), 'the field keeps the focus');
  await page.getByRole('button', { name: 'Create', exact: true }).click();
  const folderLink = page.locator('.folder-list a', { hasText: name });
  await folderLink.waitFor();
  await folderLink.click();
  await page.waitForURL((u) => u.searchParams.get('folder') === name);
  const tools = page.locator('details.folder-tools');
  if (!(await tools.evaluate((d) => d.open))) await tools.locator('summary').click();
  await page.getByRole('button', { name: 'Delete this folder' }).click();
  await page.waitForURL((u) => (u.searchParams.get('folder') ?? 'INBOX') === 'INBOX');
  await folderLink.waitFor({ state: 'detached' });
  // Settings, reached in the page (no reload): its part comes then.
  await page.locator('details.account-menu summary').click();
  await page.getByRole('link', { name: 'Settings' }).click();
  await page.waitForURL((u) => u.pathname === '/settings');
  await page.locator('#pref-theme').waitFor();
  assert.ok(wasm.some((f) => /^split_.*settings.*\.wasm$/.test(f)), `settings loaded its part: ${wasm}`);
  assert.ok(!wasm.some((f) => /compose|admin/.test(f)), `and only its part: ${wasm}`);
  // It works: a change is saved.
  const saved = page.waitForResponse((r) => r.url().includes('/api/save_preferences') && r.ok());
  await page.locator('#pref-density').selectOption('compact');
  await saved;
  await page.locator('html[data-density="compact"]').waitFor({ state: 'attached' });
  const back = page.waitForResponse((r) => r.url().includes('/api/save_preferences') && r.ok());
  await page.locator('#pref-density').selectOption('comfortable');
  await back;
  assert.deepEqual(errors, []);
  await context.close();
});

test('a French browser gets the sign-in and second-factor pages in French', async () => {
  const { page, errors, context } = await newPage(browser, { locale: 'fr-FR' });
  await page.goto('/login');
  await waitHydrated(page);
  assert.equal(await page.locator('html').getAttribute('lang'), 'fr');
  await page.getByLabel('Adresse e-mail').fill(adminEmail);
  await page.getByLabel('Mot de passe').fill('pas le bon mot de passe');
  await page.getByRole('button', { name: 'Se connecter' }).click();
  await page.getByRole('alert').waitFor();
  assert.match(await page.getByRole('alert').innerText(), /Adresse e-mail ou mot de passe incorrect/);
  const code = await context.request.get('/login/code');
  assert.equal(code.url().endsWith('/login'), true, 'no second step without a password');
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), []);
  await context.close();
});
