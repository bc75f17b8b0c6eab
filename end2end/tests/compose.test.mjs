// Writing in a real browser: alice attaches a 5 MB PDF and a PNG (both
// progress bars reach 100%), sends to bob; bob's INBOX has the message with
// both attachments byte-identical, and alice's Sent has it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { launch, newPage, signIn, waitHydrated, arrived, adminEmail, adminPassword } from '../lib/browser.mjs';

const bob = process.env.ESTAFETTE_E2E_READER ?? 'bob@example.test';

/** Alice, signed in, on a new compose form. */
async function openCompose(page) {
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await page.goto('/compose');
  await waitHydrated(page);
}

/** Alice, on a new compose form to bob in rich text, typing in the editor. */
async function composeRich(page, subject) {
  await openCompose(page);
  await page.getByLabel('To', { exact: true }).fill(bob);
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Format').selectOption('rich');
  const editor = page.getByRole('textbox', { name: 'Message', exact: true });
  await editor.click();
  return editor;
}

/** Sends the form, then opens it as bob: his page, the row and the frame. */
async function sendAndOpenAsBob(page, subject) {
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Message sent.').waitFor({ timeout: 40_000 });
  const reader = await newPage(browser);
  await signIn(reader.page, bob, adminPassword);
  const row = await arrived(reader.page, subject);
  await row.locator('.subject a').click();
  return { reader, row, frame: reader.page.frameLocator('iframe.message-frame') };
}


let browser;
before(async () => { browser = await launch(); });
after(async () => { await browser?.close(); });

test('compose with two attachments, send, and find it on both sides', { timeout: 180_000 }, async () => {
  const subject = `Rapport ${randomBytes(4).toString('hex')}`;
  const pdf = randomBytes(5 * 1024 * 1024);
  const png = randomBytes(4096);

  const alice = await newPage(browser);
  await signIn(alice.page, adminEmail, adminPassword);
  await alice.page.waitForURL((u) => u.pathname === '/');
  await alice.page.getByRole('link', { name: 'Compose' }).click();
  await alice.page.waitForURL((u) => u.pathname === '/compose');
  await waitHydrated(alice.page);
  await alice.page.getByLabel('To', { exact: true }).fill(bob);
  await alice.page.getByLabel('Subject').fill(subject);
  await alice.page.getByLabel('Message', { exact: true }).fill('Bonjour Bob,\nle rapport est joint.\nAlice');
  await alice.page.locator('input[type="file"]').setInputFiles([
    { name: 'rapport.pdf', mimeType: 'application/pdf', buffer: pdf },
    { name: 'graphique.png', mimeType: 'image/png', buffer: png },
  ]);
  const bars = alice.page.locator('.upload progress');
  await alice.page.waitForFunction(() => {
    const bars = [...document.querySelectorAll('.upload progress')];
    return bars.length === 2 && bars.every((b) => b.value === 1);
  }, null, { timeout: 60_000 });
  assert.equal(await bars.count(), 2);
  await alice.page.getByRole('button', { name: 'Send' }).click();
  await alice.page.getByText('Message sent.').waitFor({ timeout: 30_000 });
  assert.equal(await alice.page.getByLabel('Subject').inputValue(), '', 'the form is cleared once sent');

  // Alice's Sent holds it (the undo delay over, the server sends it).
  const kept = alice.page.locator('.message-row', { hasText: subject });
  for (let i = 0; i < 40 && !(await kept.count()); i++) {
    await alice.page.goto('/?folder=Sent');
    await alice.page.waitForTimeout(500);
  }
  await kept.waitFor();

  // Bob receives it with both attachments byte for byte.
  const reader = await newPage(browser);
  await signIn(reader.page, bob, adminPassword);
  const row = await arrived(reader.page, subject);
  await row.locator('.subject a').click();
  await reader.page.waitForURL((u) => u.searchParams.has('uid'));
  for (const [name, bytes] of [['rapport.pdf', pdf], ['graphique.png', png]]) {
    const link = reader.page.locator('.attachment', { hasText: name }).getByRole('link', { name: 'Download' });
    const href = await link.getAttribute('href');
    const res = await reader.page.request.get(href);
    assert.equal(res.status(), 200);
    assert.ok((await res.body()).equals(bytes), `${name} is byte-identical`);
  }

  // Bob replies: the form is filled in, quoting Alice; the reply reaches her.
  await reader.page.getByRole('link', { name: 'Reply', exact: true }).click();
  await reader.page.waitForURL((u) => u.pathname === '/compose');
  await waitHydrated(reader.page);
  const replySubject = reader.page.getByLabel('Subject');
  await reader.page.waitForFunction(() => document.querySelector('input[name="subject"]').value !== '');
  assert.equal(await replySubject.inputValue(), `Re: ${subject}`);
  assert.equal(await reader.page.getByLabel('To', { exact: true }).inputValue(), adminEmail);
  const body = reader.page.getByLabel('Message', { exact: true });
  assert.match(await body.inputValue(), /wrote:\n> Bonjour Bob,\n> le rapport est joint\./);
  await body.press('Control+Home');
  await reader.page.keyboard.type('Merci Alice !');
  await reader.page.getByRole('button', { name: 'Send' }).click();
  await reader.page.getByText('Message sent.').waitFor({ timeout: 30_000 });
  const reply = alice.page.locator('.message-row', { hasText: `Re: ${subject}` });
  for (let i = 0; i < 40 && !(await reply.count()); i++) {
    await alice.page.goto(`/?folder=INBOX&q=${encodeURIComponent(subject)}`);
    await alice.page.waitForTimeout(500);
  }
  await reply.waitFor();
  assert.deepEqual(alice.errors, []);
  assert.deepEqual(reader.errors, []);
});

test('a draft comes back whole after a reload, and is kept once', { timeout: 90_000 }, async () => {
  const subject = `Brouillon ${randomBytes(4).toString('hex')}`;
  const { page, errors } = await newPage(browser);
  await openCompose(page);
  await page.getByLabel('To', { exact: true }).fill('quelqu');
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Message', { exact: true }).fill('Première ligne\nDeuxième ligne');
  await page.locator('input[type="file"]').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('des notes') },
  ]);
  await page.getByText('Draft saved.').waitFor({ timeout: 20_000 });
  await page.getByLabel('Message', { exact: true }).fill('Première ligne\nDeuxième ligne\nTroisième');
  await page.waitForURL((u) => u.searchParams.has('draft'));
  // Let the last change be saved too, then reload.
  await page.waitForTimeout(3500);
  await page.reload();
  await waitHydrated(page);
  await page.waitForFunction(() => document.querySelector('textarea[name="text"]').value !== '', null, { timeout: 20_000 });
  assert.equal(await page.getByLabel('Subject').inputValue(), subject);
  assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), 'quelqu');
  assert.equal(await page.getByLabel('Message', { exact: true }).inputValue(), 'Première ligne\nDeuxième ligne\nTroisième');
  await page.locator('.upload', { hasText: 'notes.txt' }).waitFor();
  await page.goto(`/?folder=Drafts&q=${encodeURIComponent(subject)}`);
  await page.locator('.message-row').first().waitFor();
  assert.equal(await page.locator('.message-row').count(), 1, 'one copy in Drafts');
  assert.deepEqual(errors, []);
});

test('undo within the delay brings the message back to the form; nothing is sent', { timeout: 90_000 }, async () => {
  const subject = `Annulé ${randomBytes(4).toString('hex')}`;
  const { page, errors } = await newPage(browser);
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await page.goto('/settings');
  await waitHydrated(page);
  await page.getByLabel('Time to undo a send').selectOption('5');
  await page.getByText('Saved.').waitFor();

  await page.goto('/compose');
  await waitHydrated(page);
  await page.getByLabel('To', { exact: true }).fill(bob);
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Message', { exact: true }).fill('Tout compte fait, non.');
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText(/Sending in \d+ s/).waitFor();
  assert.ok(await page.getByLabel('Subject').isDisabled(), 'the form waits while the message does');
  await page.getByRole('button', { name: 'Undo' }).click();
  // Back in the form as a draft, every word there.
  await page.waitForURL((u) => u.searchParams.has('draft'));
  await waitHydrated(page);
  await page.waitForFunction(() => document.querySelector('input[name="subject"]').value !== '', null, { timeout: 20_000 });
  assert.equal(await page.getByLabel('Subject').inputValue(), subject);
  assert.equal(await page.getByLabel('Message', { exact: true }).inputValue(), 'Tout compte fait, non.');
  assert.ok(!(await page.getByLabel('Subject').isDisabled()));
  await page.goto('/outbox');
  await page.getByText('No message is waiting to be sent.').waitFor();

  // Past the delay, Bob has nothing.
  await page.waitForTimeout(7000);
  const reader = await newPage(browser);
  await signIn(reader.page, bob, adminPassword);
  await reader.page.waitForURL((u) => u.pathname === '/');
  await reader.page.goto(`/?folder=INBOX&q=${encodeURIComponent(subject)}`);
  await reader.page.locator('main').waitFor();
  assert.equal(await reader.page.locator('.message-row', { hasText: subject }).count(), 0);
  assert.deepEqual(errors, []);
  assert.deepEqual(reader.errors, []);
});

test('send later: listed as scheduled, cancelled, and never sent', { timeout: 90_000 }, async () => {
  const subject = `Plus tard ${randomBytes(4).toString('hex')}`;
  const { page, errors } = await newPage(browser);
  await openCompose(page);
  await page.getByLabel('To', { exact: true }).fill(bob);
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Message', { exact: true }).fill('Pour demain.');
  // Tomorrow at this time, in the browser's zone.
  const at = await page.evaluate(() => {
    const d = new Date(Date.now() + 24 * 3600 * 1000);
    const pad = (n) => String(n).padStart(2, '0');
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
  });
  await page.getByLabel('Send later').fill(at);
  await page.getByRole('button', { name: 'Schedule' }).click();
  await page.getByText('Scheduled for').waitFor();
  assert.equal(await page.getByLabel('Subject').inputValue(), '', 'a fresh form');
  await page.getByRole('link', { name: 'See scheduled messages' }).click();
  await page.waitForURL((u) => u.pathname === '/outbox');
  await waitHydrated(page);
  const row = page.locator('.held-message', { hasText: subject });
  await row.waitFor();
  assert.match(await row.innerText(), /Waiting/);
  await row.getByRole('button', { name: 'Cancel sending' }).click();
  await row.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('with the server unreachable the text stays in the browser, survives a reload, and is saved when it is back', { timeout: 120_000 }, async () => {
  const subject = `Hors ligne ${randomBytes(4).toString('hex')}`;
  const { page, errors } = await newPage(browser);
  await openCompose(page);
  // Drafts cannot reach the server, as when the connection is lost.
  const offline = (route) => route.abort('internetdisconnected');
  await page.route('**/api/save_draft', offline);
  await page.getByLabel('To', { exact: true }).fill('carol@example.test');
  await page.getByLabel('Subject').fill(subject);
  await page.getByLabel('Message', { exact: true }).fill('Écrit sans réseau,\nmot pour mot.');
  await page.getByText('Kept in this browser').waitFor({ timeout: 20_000 });

  // The tab reloaded while the server is still away: every word is back.
  await page.reload();
  await waitHydrated(page);
  await page.waitForFunction(() => document.querySelector('input[name="subject"]').value !== '', null, { timeout: 20_000 });
  assert.equal(await page.getByLabel('Subject').inputValue(), subject);
  assert.equal(await page.getByLabel('Message', { exact: true }).inputValue(), 'Écrit sans réseau,\nmot pour mot.');
  assert.equal(await page.getByLabel('To', { exact: true }).inputValue(), 'carol@example.test');

  // The server is back: the draft is saved there without a keystroke.
  await page.unroute('**/api/save_draft', offline);
  await page.getByText('Draft saved.').waitFor({ timeout: 30_000 });
  await page.waitForURL((u) => u.searchParams.has('draft'));
  // The browser's copy is gone once saved; the server's brings it back.
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith('estafette.draft.')).length), 0);
  await page.reload();
  await waitHydrated(page);
  await page.waitForFunction(() => document.querySelector('input[name="subject"]').value !== '', null, { timeout: 20_000 });
  assert.equal(await page.getByLabel('Subject').inputValue(), subject);
  assert.equal(await page.getByLabel('Message', { exact: true }).inputValue(), 'Écrit sans réseau,\nmot pour mot.');
  // Only the refused requests themselves were logged.
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|Failed to load resource|Failed to fetch/.test(e)), []);
});

test('rich text: bold and a list reach bob as HTML beside the plain text', { timeout: 120_000 }, async () => {
  const subject = `Enrichi ${randomBytes(4).toString('hex')}`;
  const { page, errors } = await newPage(browser);
  await composeRich(page, subject);
  await page.keyboard.type('Un mot ');
  await page.getByRole('button', { name: 'Bold' }).click();
  await page.keyboard.type('important');
  await page.getByRole('button', { name: 'Bold' }).click();
  await page.keyboard.press('Enter');
  await page.getByRole('button', { name: 'Bulleted list' }).click();
  await page.keyboard.type('premier point');
  const { reader, row, frame } = await sendAndOpenAsBob(page, subject);
  await frame.locator('b, strong', { hasText: 'important' }).waitFor();
  await frame.locator('li', { hasText: 'premier point' }).waitFor();
  // The plain-text alternative carries the same words.
  const uid = await row.getAttribute('data-uid');
  const source = await (await reader.page.request.get(`/source?folder=INBOX&uid=${uid}`)).text();
  assert.match(source, /multipart\/alternative/);
  assert.match(source, /text\/plain/);
  assert.match(source, /Un mot important/);
  assert.deepEqual(errors, []);
  assert.deepEqual(reader.errors, []);
});

test('an image pasted into rich text shows, survives a reload in the draft, and reaches bob inline', { timeout: 150_000 }, async () => {
  const subject = `Capture ${randomBytes(4).toString('hex')}`;
  // A 1x1 PNG.
  const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
  const { page, errors } = await newPage(browser);
  const editor = await composeRich(page, subject);
  await page.keyboard.type('Voici la capture : ');
  await editor.evaluate((el, data) => {
    const bytes = Uint8Array.from(atob(data), (c) => c.charCodeAt(0));
    const files = new DataTransfer();
    files.items.add(new File([bytes], 'capture.png', { type: 'image/png' }));
    el.dispatchEvent(new ClipboardEvent('paste', { clipboardData: files, bubbles: true, cancelable: true }));
  }, png);
  const shown = () => page.waitForFunction(() => {
    const img = document.querySelector('.rich-editor img');
    return img && img.complete && img.naturalWidth === 1 && img.getAttribute('src').startsWith('/upload?id=');
  }, null, { timeout: 20_000 });
  await shown();
  assert.equal(await page.locator('.upload').count(), 0, 'an image of the text, not an attachment');

  // Saved as a draft; a reload brings the text and the image back.
  await page.waitForURL((u) => u.searchParams.has('draft'), { timeout: 20_000 });
  await page.waitForTimeout(3500);
  await page.reload();
  await waitHydrated(page);
  await shown();
  assert.match(await editor.innerText(), /Voici la capture/);

  const { reader, row, frame } = await sendAndOpenAsBob(page, subject);
  // Shown in place, from the message's own part.
  const image = frame.locator('img');
  await image.waitFor();
  let width = 0;
  for (let i = 0; i < 40 && width !== 1; i++) {
    width = await image.evaluate((img) => (img.complete ? img.naturalWidth : 0));
    if (width !== 1) await reader.page.waitForTimeout(250);
  }
  assert.equal(width, 1, 'the image loads in the message');
  const uid = await row.getAttribute('data-uid');
  const source = await (await reader.page.request.get(`/source?folder=INBOX&uid=${uid}`)).text();
  assert.match(source, /multipart\/related/);
  const cid = source.replace(/=\r?\n/g, '').match(/src=(?:3D)?"cid:([^"]+)"/)?.[1];
  assert.ok(cid, 'the HTML points at a part');
  assert.ok(source.includes(`Content-ID: <${cid}>`), 'the part it points at is there');
  assert.ok(source.replace(/\r?\n/g, '').includes(png.slice(0, 40)), 'the image as pasted');
  assert.deepEqual(errors, []);
  assert.deepEqual(reader.errors, []);
});

test('identities: the From chooser swaps the signature, and the message goes out as the identity', { timeout: 120_000 }, async () => {
  const subject = `Identité ${randomBytes(4).toString('hex')}`;
  const { page, errors } = await newPage(browser);
  await signIn(page, adminEmail, adminPassword);
  await page.waitForURL((u) => u.pathname === '/');
  await page.goto('/settings');
  await waitHydrated(page);
  const identities = page.locator('ul.identities');
  for (const [name, email, signature] of [
    ['Alice Équipe', adminEmail, 'Équipe courrier'],
    ['Support', 'support@example.test', 'Le support'],
  ]) {
    await page.locator('#identity-name').fill(name);
    await page.locator('#identity-email').fill(email);
    await page.locator('#identity-signature').fill(signature);
    await page.getByRole('button', { name: 'Add identity' }).click();
    await identities.locator('li', { hasText: name }).waitFor();
  }

  await page.goto('/compose');
  await waitHydrated(page);
  const text = page.getByLabel('Message', { exact: true });
  await page.waitForFunction(() => document.querySelector('textarea[name="text"]').value.includes('Équipe courrier'));
  const from = page.getByLabel('From');
  await from.selectOption({ label: 'Support <support@example.test>' });
  await page.waitForFunction(() => document.querySelector('textarea[name="text"]').value.includes('Le support'));
  assert.ok(!(await text.inputValue()).includes('Équipe courrier'), 'the signature is swapped, not added');
  await from.selectOption({ label: `Alice Équipe <${adminEmail}>` });
  await page.waitForFunction(() => document.querySelector('textarea[name="text"]').value.includes('Équipe courrier'));
  await page.getByLabel('To', { exact: true }).fill(bob);
  await page.getByLabel('Subject').fill(subject);
  await page.getByRole('button', { name: 'Send' }).click();
  await page.getByText('Message sent.').waitFor({ timeout: 40_000 });

  const reader = await newPage(browser);
  await signIn(reader.page, bob, adminPassword);
  const row = await arrived(reader.page, subject);
  assert.match(await row.locator('.from').innerText(), /Alice Équipe/);

  // Back as it was: no identities (the other tests expect no signature).
  await page.goto('/settings');
  await waitHydrated(page);
  for (const name of ['Support', 'Alice Équipe']) {
    const item = identities.locator('li', { hasText: name });
    await item.getByRole('button', { name: 'Delete' }).click();
    await item.waitFor({ state: 'detached' });
  }
  assert.deepEqual(errors, []);
  assert.deepEqual(reader.errors, []);
});
