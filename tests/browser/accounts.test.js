// Browser test of the admin page's lockouts: an account locked by failed
// logins (made through the API here) is shown as locked, with until when
// and how many failures; an account with a few failures shows them and is
// not locked; a reviewer's session gets 403 from the unlock route and
// changes nothing; 「解除鎖定」 ends the lockout (the answer says how many
// failures were cleared, the list is read again, the API then takes the
// right password); an unlock that fails is reported at the top of the
// page; at 1400 and 390 px nothing is wider than the window or cut off.
// Environment: BASE_URL, BEISHEN_ADMIN/…_PASSWORD, BEISHEN_USER/…_PASSWORD
// (a reviewer), LOCKED_USER/LOCKED_PASSWORD (a reviewer with no failed
// logins), FAILING_USER (another), SCREENSHOTS (a directory: the admin
// page is saved there as PNG at both widths; optional).  All logins come
// from 127.0.0.1: 12 failures here, under the 30 that would refuse the
// address.  Ends with "N passed, N failed".
'use strict';
const { request } = require('playwright-core');
const path = require('path');
const { check, equal, launch, login, finish } = require('./harness');

const base = process.env.BASE_URL;
const locked = process.env.LOCKED_USER;
const lockedPassword = process.env.LOCKED_PASSWORD;
const failing = process.env.FAILING_USER;

/* A session of its own through the API: { api, csrf, status }. */
async function apiLogin(user, password) {
  const api = await request.newContext({ baseURL: base });
  const response = await api.post('/api/login', { data: { user, password } });
  const body = response.ok() ? await response.json() : {};
  return { api, csrf: body.csrf, status: response.status() };
}

/* The status of one login attempt (its session, if any, is dropped). */
async function attempt(user, password) {
  const session = await apiLogin(user, password);
  await session.api.dispose();
  return session.status;
}

/* Nothing wider than the window; in the account list no text cut off, no
 * cell or button outside the window (or scrolled out of its table), no
 * button's label broken over lines. */
async function fits(page, width) {
  return page.evaluate((width) => {
    const shown = (e) => e.offsetParent !== null;
    const list = [...document.querySelectorAll('#users-view td, #users-view th, #users-view button, #users-notice')].filter(shown);
    const cut = list.filter((e) => e.scrollWidth > e.clientWidth + 1 || e.scrollHeight > e.clientHeight + 1)
      .map((e) => e.textContent.slice(0, 40));
    const outside = list.filter((e) => { const r = e.getBoundingClientRect(); return r.left < -1 || r.right > width + 1; })
      .map((e) => e.textContent.slice(0, 40));
    const broken = [...document.querySelectorAll('#users-table button')].filter(shown).filter((b) => {
      const style = getComputedStyle(b);
      const lines = (b.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)) / parseFloat(style.lineHeight);
      return Math.round(lines) > 1;
    }).map((b) => b.textContent);
    return { wide: document.documentElement.scrollWidth > width, cut, outside, broken };
  }, width);
}

async function main() {
  const browser = await launch();
  const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  const errors = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  const row = (user) => `#users-table tr[data-user="${user}"]`;
  const rowText = (user) => page.locator(row(user)).innerText();
  const sessions = [];
  try {
    // --- failed logins through the API ----------------------------------------------------
    const wrong = [];
    for (let i = 1; i <= 5; i++) wrong.push(await attempt(locked, 'wrong-password-' + i));
    equal('five wrong passwords for the account: 401 each', '401 401 401 401 401', wrong.join(' '));
    equal('then the right one is refused: locked (429)', 429, await attempt(locked, lockedPassword));
    const few = [await attempt(failing, 'wrong-1'), await attempt(failing, 'wrong-2')];
    equal('two wrong passwords for another account', '401 401', few.join(' '));

    // --- a reviewer may not unlock ---------------------------------------------------------------
    const reviewer = await apiLogin(process.env.BEISHEN_USER, process.env.BEISHEN_PASSWORD);
    sessions.push(reviewer.api);
    equal('reviewer logs in through the API', 200, reviewer.status);
    const refused = await reviewer.api.post('/api/users/' + locked + '/unlock',
      { headers: { 'X-CSRF-Token': reviewer.csrf }, data: {} });
    equal('a reviewer\'s unlock, with its CSRF token: 403', 403, refused.status());
    equal('and the account stays locked', 429, await attempt(locked, lockedPassword));

    // --- the admin page shows the lockout -------------------------------------------------------
    await login(page, base, process.env.BEISHEN_ADMIN, process.env.BEISHEN_ADMIN_PASSWORD);
    await page.waitForSelector('#users-view', { state: 'visible' });
    await page.waitForSelector(row(locked));
    equal('the list has a login-state column', '登入狀態', await page.locator('#users-table th:nth-child(6)').innerText());
    const lockedText = await rowText(locked);
    check('the locked account is shown as locked until a time', /鎖定至 \d{2}:\d{2}/.test(lockedText), lockedText);
    check('with its five failed logins', lockedText.includes('登入失敗 5 次'), lockedText);
    check('and marked', await page.$eval(row(locked), (r) => r.classList.contains('locked')));
    equal('one 解除鎖定 button, on the locked account', 1, await page.locator('#users-table button.unlock').count());
    equal('the button says 解除鎖定', '解除鎖定', await page.locator(row(locked) + ' button.unlock').innerText());
    const title = await page.getAttribute(row(locked) + ' .lock', 'title');
    check('the exact time (UTC) in its title', /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z/.test(title || ''), title);
    const until = Date.parse((title || '').replace(/^鎖定至 |（UTC）$/g, ''));
    check('locked for at most the 15-minute window', until > Date.now() && until <= Date.now() + 15 * 60 * 1000 + 5000, title);
    const failingText = await rowText(failing);
    check('an account with two failures shows them', failingText.includes('最近登入失敗 2 次'), failingText);
    check('and is not locked', !failingText.includes('鎖定至') &&
      await page.locator(row(failing) + ' button.unlock').count() === 0, failingText);
    check('an account with no failures shows nothing', (await page.locator(row(process.env.BEISHEN_ADMIN) + ' td.login-state').innerText()).trim() === '');

    // --- what it looks like, wide and narrow ---------------------------------------------------
    for (const width of [1400, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const fit = await fits(page, width);
      check(width + ' px: nothing wider than the window', !fit.wide);
      equal(width + ' px: no text cut off in the account list', '', fit.cut.join(' | '));
      equal(width + ' px: no cell or button outside the window', '', fit.outside.join(' | '));
      equal(width + ' px: no button label broken over lines', '', fit.broken.join(' | '));
      check(width + ' px: the 解除鎖定 button is visible', await page.isVisible(row(locked) + ' button.unlock'));
      if (process.env.SCREENSHOTS) {
        await page.screenshot({ path: path.join(process.env.SCREENSHOTS, `admin-locked-${width}.png`) });
        const audit = await page.locator('#audit-table').boundingBox();
        await page.screenshot({ path: path.join(process.env.SCREENSHOTS, `admin-audit-${width}.png`), fullPage: true,
          clip: { x: 0, y: Math.max(0, audit.y - 120), width, height: 900 } });
      }
    }
    await page.setViewportSize({ width: 1400, height: 900 });

    // --- 解除鎖定 ---------------------------------------------------------------------------------
    await page.click(row(locked) + ' button.unlock');
    await page.waitForFunction(() => document.getElementById('users-notice').textContent.length > 0);
    equal('the result: how many failures were cleared', `已解除 ${locked} 的鎖定，清除 5 次登入失敗紀錄。`,
      await page.locator('#users-notice').innerText());
    await page.waitForSelector(row(locked) + ' button.unlock', { state: 'detached' });
    const after = await rowText(locked);
    check('the list is read again: no longer locked', !after.includes('鎖定至') && !after.includes('登入失敗')
      && !(await page.$eval(row(locked), (r) => r.classList.contains('locked'))), after);
    check('no error shown', await page.isHidden('#status'));
    for (const width of [1400, 390]) {
      await page.setViewportSize({ width, height: 900 });
      const fit = await fits(page, width);
      check(width + ' px, after: nothing wider than the window', !fit.wide);
      equal(width + ' px, after: nothing cut off or outside', '', fit.cut.concat(fit.outside, fit.broken).join(' | '));
      if (process.env.SCREENSHOTS)
        await page.screenshot({ path: path.join(process.env.SCREENSHOTS, `admin-unlocked-${width}.png`) });
    }
    await page.setViewportSize({ width: 1400, height: 900 });
    equal('the API now takes the right password', 200, await attempt(locked, lockedPassword));

    // --- an unlock that fails: the account is gone when the button is pressed ----------------
    const admin = await apiLogin(process.env.BEISHEN_ADMIN, process.env.BEISHEN_ADMIN_PASSWORD);
    sessions.push(admin.api);
    const added = await admin.api.post('/api/users', { headers: { 'X-CSRF-Token': admin.csrf },
      data: { user: 'gone-soon', password: 'gone-soon-pass-1', role: 'admin' } });
    equal('an account to remove is added', 201, added.status());
    for (let i = 1; i <= 5; i++) await attempt('gone-soon', 'wrong-' + i);
    await page.reload();
    await page.waitForSelector(row('gone-soon') + ' button.unlock');
    const removed = await admin.api.delete('/api/users/gone-soon', { headers: { 'X-CSRF-Token': admin.csrf } });
    equal('and removed behind the page\'s back', 200, removed.status());
    await page.click(row('gone-soon') + ' button.unlock');
    await page.waitForSelector('#status', { state: 'visible' });
    const banner = await page.locator('#status').innerText();
    check('the failed unlock is reported at the top of the page', banner.startsWith('無法解除鎖定') && banner.includes('no such user'), banner);
    check('no success notice', (await page.locator('#users-notice').innerText()) === '');
    check('the button can be pressed again', await page.isEnabled(row('gone-soon') + ' button.unlock'));
    equal('no page errors', 0, errors.length);
  } catch (error) {
    check('accounts test ran to the end', false, String(error && error.stack || error));
  } finally {
    for (const api of sessions) await api.dispose();
    await browser.close();
  }
  finish();
}

main();
