// Drives a real chromium through the Caravan console: the login (a wrong token, then the right one), a logout
// form posted from a page of another site (refused), a
// running transfer in the live list, then the same transfer in the history; saves screenshots.
// Run by src/test/java/io/caravan/e2e/ConsoleInBrowserIT.java with these environment variables:
//   CONSOLE_URL   the receiver's base URL (http://127.0.0.1:<port>)
//   CONSOLE_TOKEN the receiver's token
//   TRANSFER_NAME the name of the parcel being sent
//   SCREENSHOT    where to save the screenshot (PNG); a phone-sized one goes beside it (-phone.png)
//   CHROMIUM      the browser (default /usr/bin/chromium)
import { chromium } from 'playwright-core';

const env = (name, fallback) => {
  const value = process.env[name] ?? fallback;
  if (value === undefined) {
    throw new Error(`${name} is not set`);
  }
  return value;
};
const url = env('CONSOLE_URL');
const token = env('CONSOLE_TOKEN');
const name = env('TRANSFER_NAME');
const screenshot = env('SCREENSHOT');
const step = (text) => console.log(`step: ${text}`);

const browser = await chromium.launch({
  executablePath: env('CHROMIUM', '/usr/bin/chromium'),
  args: ['--headless', '--no-sandbox'],
});
const problems = [];
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.on('console', (m) => { if (m.type() === 'error') problems.push(`console error: ${m.text()}`); });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));

  step('the console asks for the token');
  await page.goto(url + '/');
  await page.locator('#login-form').waitFor({ state: 'visible' });
  if (await page.locator('#console').count() !== 0) {
    throw new Error('the console is shown before the login');
  }
  if (await page.locator('#login-error').isVisible()) {
    throw new Error('the login error is shown before any attempt');
  }

  step('a wrong token is refused with an error');
  await page.fill('#token', 'not-' + token);
  await page.click('#login-form button[type=submit]');
  await page.locator('#login-error').waitFor({ state: 'visible' });
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-login.png') });
  problems.length = 0; // the refused login's 401 is logged by the browser as a failed resource: expected

  step('the right token opens the console');
  await page.fill('#token', token);
  await page.click('#login-form button[type=submit]');
  await page.locator('#console').waitFor({ state: 'visible' });
  const cookies = await context.cookies();
  const cookie = cookies.find((c) => c.name === 'caravan_console');
  if (!cookie || !cookie.httpOnly || cookie.sameSite !== 'Strict' || cookie.value.includes(token)) {
    throw new Error('the login cookie is not HttpOnly and SameSite=Strict, or holds the token: ' + JSON.stringify(cookie));
  }

  step('a logout form posted from a page of another site is refused, and the login holds');
  const elsewhere = await context.newPage();
  await elsewhere.route('http://elsewhere.test/**', (route) => route.fulfill({
    contentType: 'text/html',
    body: `<form id="f" method="post" action="${url}/console/logout"></form>`
      + '<script>document.getElementById("f").submit()</script>',
  }));
  await elsewhere.goto('http://elsewhere.test/');
  await elsewhere.locator('#login-error', { hasText: 'another site' }).waitFor({ state: 'visible' });
  await elsewhere.close();
  problems.length = 0; // the refused form's 403 is logged by the browser as a failed resource: expected
  await page.goto(url + '/');
  await page.locator('#console').waitFor({ state: 'visible' });

  step(`the running transfer '${name}' appears among the live sessions`);
  const live = page.locator('#live tbody tr', { hasText: name });
  await live.first().waitFor({ state: 'visible', timeout: 60_000 });
  step('with its progress (of the size the sender announced) and an ETA');
  const moving = page.locator('#live tbody tr', { hasText: name }).filter({ hasText: /\([1-9][0-9]* %\)/ });
  await moving.first().waitFor({ state: 'visible', timeout: 60_000 });
  const eta = await moving.first().locator('td[data-label="ETA"]').innerText();
  if (!/[0-9]/.test(eta)) {
    throw new Error('no ETA shown for the running transfer: ' + eta);
  }
  await page.locator('#chart canvas').first().waitFor({ state: 'attached', timeout: 10_000 });
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-live.png'), fullPage: true });

  step(`then in the history, with its SHA-256`);
  const done = page.locator('#history tbody tr', { hasText: name });
  await done.first().waitFor({ state: 'visible', timeout: 180_000 });
  const row = await done.first().innerText();
  if (!/ok/.test(row) || !/[0-9a-f]{16}/.test(row)) {
    throw new Error('the history row lacks its result or hash: ' + row);
  }
  await live.first().waitFor({ state: 'detached', timeout: 30_000 });
  await page.screenshot({ path: screenshot, fullPage: true });

  step('on a phone-sized screen');
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: screenshot.replace(/\.png$/, '-phone.png'), fullPage: true });
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  if (overflow > 1) {
    throw new Error(`the page is ${overflow}px wider than a phone screen`);
  }

  if (problems.length) {
    throw new Error('the page reported errors (a Content-Security-Policy violation or a script error):\n' + problems.join('\n'));
  }
  console.log(`console test passed; screenshot ${screenshot}`);
} finally {
  await browser.close();
}
