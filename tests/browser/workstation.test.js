// Browser test of the workstation UI: Debian's headless Chromium driven by
// playwright-core.  Logs in, reads the applicant list, opens an applicant,
// switches categories by click and by key, sees the course charts, checks
// that application text (a <script> title, an <img onerror> name) shows as
// text, opens an attachment in place, and logs out.
// Environment: BASE_URL, BEISHEN_USER, BEISHEN_PASSWORD, PAYLOAD_NAME.
// Prints one line per check and ends with "N passed, N failed".
'use strict';
const { chromium } = require('playwright-core');

const base = process.env.BASE_URL;
const user = process.env.BEISHEN_USER;
const password = process.env.BEISHEN_PASSWORD;
const payloadName = process.env.PAYLOAD_NAME || '';
let passed = 0;
let failed = 0;

function check(name, ok, detail) {
  if (ok) { passed++; console.log('ok   ' + name); }
  else { failed++; console.log('FAIL ' + name + (detail !== undefined ? '\n     ' + JSON.stringify(detail) : '')); }
}

function equal(name, expected, actual) { check(name, expected === actual, { expected, actual }); }

async function main() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  const page = await browser.newPage();
  page.setDefaultTimeout(15000);
  const dialogs = [];
  const pageErrors = [];
  page.on('dialog', (dialog) => { dialogs.push(dialog.message()); dialog.dismiss(); });
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  const text = (selector) => page.locator(selector).first().innerText();
  const rowIds = (table) => page.$$eval(table + ' tbody tr', (rows) => rows.map((r) => r.dataset.id));
  const current = () => page.$eval('#category-tree button.current', (b) => b.dataset.category);

  try {
    // --- login -----------------------------------------------------------------
    await page.goto(base + '/');
    await page.waitForSelector('#login-form', { state: 'visible' });
    check('login page shown first', await page.isVisible('#login-form'));
    await page.fill('#login-user', user);
    await page.fill('#login-password', 'wrong password');
    await page.click('#login-submit');
    await page.waitForFunction(() => document.getElementById('login-error').textContent.length > 0);
    equal('wrong password is refused', '帳號或密碼錯誤。', await text('#login-error'));
    await page.fill('#login-password', password);
    await page.click('#login-submit');
    await page.waitForSelector('#list-view', { state: 'visible' });
    check('login leads to the applicant list', await page.isVisible('#portfolio-table'));
    const cookies = await page.context().cookies();
    const session = cookies.find((c) => c.name === 'beishen_session');
    check('session cookie is HttpOnly and SameSite=Strict', session && session.httpOnly && session.sameSite === 'Strict', session);

    // --- the list --------------------------------------------------------------------
    equal('portfolio applicants listed', '001012-10000001,001012-10000002,001012-10000003',
      (await rowIds('#portfolio-table')).join(','));
    equal('self-made applicants in their own section', '001012-10000004', (await rowIds('#self-made-table')).join(','));
    check('self-made section visibly marked', (await text('#self-made-section h2')).includes('自行上傳PDF'));
    const payloadCell = await page.$eval('#portfolio-table tr[data-id="001012-10000003"] td:nth-child(2)', (td) => td.textContent);
    equal('payload name shown as text', payloadName, payloadCell);
    equal('no element made from application text', 0, await page.locator('#portfolio-table img').count());
    await page.click('#portfolio-table th[data-sort="name"]');
    await page.waitForFunction(() => document.querySelector('#portfolio-table th[data-sort="name"]').classList.contains('sorted'));
    equal('sortable: by name', '001012-10000002', (await rowIds('#portfolio-table'))[0]);
    await page.click('#portfolio-table th[data-sort="application_no"]');
    await page.waitForFunction(() => document.querySelector('#portfolio-table tbody tr').dataset.id === '001012-10000001');
    await page.fill('#category-filter', '選修-多元選修-社會領域');
    await page.click('#filter-apply');
    await page.waitForFunction(() => document.querySelectorAll('#portfolio-table tbody tr').length === 1);
    equal('filter by category', '001012-10000001', (await rowIds('#portfolio-table')).join(','));
    await page.click('#filter-clear');
    await page.waitForFunction(() => document.querySelectorAll('#portfolio-table tbody tr').length === 3);
    check('filter cleared', true);

    // --- the applicant view -----------------------------------------------------------------
    await page.click('#portfolio-table tr[data-id="001012-10000001"]');
    await page.waitForSelector('#applicant-view', { state: 'visible' });
    check('applicant view opens', (await text('#applicant-title')).includes('王小明'));
    equal('category tree lists every category and the overview', 12, await page.locator('#category-tree button[data-category]').count());
    equal('the overview comes first', '擇要檢視', await current());
    await page.click('#category-tree button[data-category="基本資料"]');
    await page.waitForFunction(() => document.querySelector('#category-tree button.current').dataset.category === '基本資料');
    const records = await text('#records');
    check('basic data with the masked national ID', records.includes('A*****6789') && !records.includes('A123456789'), records);
    await page.click('#category-tree button.fold');
    check('category counts shown', (await text('#category-tree button[data-category="部定必修-數學"] .count')) === '3');

    await page.click('#category-tree button[data-category="部定必修-數學"]');
    await page.waitForFunction(() => document.querySelectorAll('#records .record.course').length === 3);
    equal('category switch by click', '部定必修-數學', await current());
    equal('a chart per course', 3, await page.locator('#records svg.chart').count());
    equal('cohort histogram drawn: ten bars', 10, await page.locator('#records .record.course >> nth=0 >> svg.chart rect.bar').count());
    equal("applicant's bin marked", 1, await page.locator('#records .record.course >> nth=0 >> rect.bar.mine').count());
    // The fixture's pools are under 10 rows: no percentile dot, and n過少 in the text.
    equal('no percentile drawn for a pool too small', 0, await page.locator('#records .record.course >> nth=0 >> circle.dot').count());
    check('n過少 in the text', (await text('#records .record.course')).includes('本系PR n過少'));
    check('校排 says smaller is better', (await text('#records .record.course')).includes('小者佳'));
    await page.locator('#records .record.course >> nth=0 >> button.pool-toggle').click();
    await page.waitForSelector('#records svg.chart.pool');
    equal('department distribution on demand', 10, await page.locator('#records svg.chart.pool rect.bar').count());
    check('distribution summary', (await text('#records .pool')).includes('n=3'));
    await page.locator('#records .record.course >> nth=0 >> button.plan-toggle').click();
    await page.waitForSelector('#records .plan');
    check('course plan on demand', (await text('#records .plan')).includes('課綱摘要：函數與圖形。'));

    await page.keyboard.press('j');
    await page.waitForFunction(() => document.querySelector('#category-tree button.current').dataset.category !== '部定必修-數學');
    equal('next category by key (j)', '選修-加深加廣選修-領域A1', await current());
    await page.keyboard.press('k');
    await page.waitForFunction(() => document.querySelector('#category-tree button.current').dataset.category === '部定必修-數學');
    check('previous category by key (k)', true);

    await page.click('#category-tree button[data-category="B 書面報告"]');
    await page.waitForFunction(() => document.querySelector('#category-tree button.current').dataset.category === 'B 書面報告');
    equal('<script> title shows as text', '<script>alert(1)</script> 報告', await text('#records .record .title'));
    equal('no script element from the data', 0, await page.locator('#records script').count());
    check('uncertified outcome marked', (await text('#records .record')).includes('未認證'));
    await page.click('#records button.file');
    await page.waitForSelector('#viewer', { state: 'visible' });
    const frame = await page.$eval('#viewer-body iframe', (f) => f.getAttribute('src'));
    equal('attachment opens in place', '/api/files/e5a636ac00ea3c175d3193c5d05df60ded156dd466043c70d254507ec277e4c2', frame);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#viewer', { state: 'hidden' });
    check('Escape closes the attachment', true);

    await page.keyboard.press('n');
    await page.waitForFunction(() => document.getElementById('applicant-title').textContent.startsWith('001012-10000002'));
    check('next applicant by key (n)', true);
    await page.keyboard.press('p');
    await page.waitForFunction(() => document.getElementById('applicant-title').textContent.startsWith('001012-10000001'));
    check('previous applicant by key (p)', true);

    const packet = await page.$eval('#packet-link', (a) => a.getAttribute('href'));
    equal('packet link', '/api/applicants/001012-10000001/packet.pdf', packet);
    const compare = await page.$eval('#compare-link', (a) => a.getAttribute('href'));
    equal('comparison sheet link', '/api/compare.pdf?department=001012', compare);
    const pdf = await page.evaluate(async (url) => {
      const r = await fetch(url);
      const bytes = new Uint8Array(await r.arrayBuffer());
      return r.status + ' ' + r.headers.get('content-type') + ' ' + String.fromCharCode(...bytes.slice(0, 5));
    }, packet);
    equal('packet PDF served', '200 application/pdf %PDF-', pdf);

    // the self-made applicant, flagged in its view
    await page.goto(base + '/#/a/001012-10000004');
    await page.waitForFunction(() => document.getElementById('applicant-title').textContent.startsWith('001012-10000004'));
    check('self-made applicant flagged in its view', (await text('#applicant-badges')).includes('自行上傳PDF'));

    equal('no dialog was ever opened (no script ran)', 0, dialogs.length);
    equal('no page errors', 0, pageErrors.length);

    // --- logout --------------------------------------------------------------------------
    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });
    const after = await page.evaluate(async () => (await fetch('/api/session')).status);
    equal('after logout the API answers 401', 401, after);

    // --- an admin manages accounts ------------------------------------------------------
    if (process.env.BEISHEN_ADMIN) {
      await page.fill('#login-user', process.env.BEISHEN_ADMIN);
      await page.fill('#login-password', process.env.BEISHEN_ADMIN_PASSWORD);
      await page.click('#login-submit');
      await page.waitForSelector('#users-view', { state: 'visible' });
      await page.waitForSelector('#users-table tbody tr');
      const users = () => page.$$eval('#users-table tbody tr', (rows) => rows.map((r) => r.dataset.user));
      check('admin sees the account list, not applications',
        (await users()).includes(user) && await page.isHidden('#list-view'));
      check('no department choice for an admin', await page.isHidden('.department-choice'));
      await page.fill('#new-user', 'added-in-browser');
      await page.fill('#new-password', 'a-long-password-1');
      await page.selectOption('#new-role', 'reviewer');
      await page.fill('#new-departments', '001012, 001022');
      await page.click('#user-add');
      await page.waitForSelector('#users-table tr[data-user="added-in-browser"]');
      equal('the new reviewer is listed with both departments', '001012 001022',
        await text('#users-table tr[data-user="added-in-browser"] td:nth-child(3)'));
      await page.fill('#new-user', 'no-password');
      await page.fill('#new-password', 'short');
      await page.click('#user-add');
      check('the form refuses a short password', (await users()).indexOf('no-password') < 0);
      const remove = '#users-table tr[data-user="added-in-browser"] button.remove';
      await page.click(remove);
      check('delete asks once more in place', (await text(remove)).includes('確定刪除'));
      check('and has not deleted yet', (await users()).includes('added-in-browser'));
      await page.click(remove);
      await page.waitForSelector('#users-table tr[data-user="added-in-browser"]', { state: 'detached' });
      check('the second click deletes', !(await users()).includes('added-in-browser'));
      check('no delete button for the admin itself', await page.$('#users-table tr[data-user="'
        + process.env.BEISHEN_ADMIN + '"] button.remove') === null);
      equal('no page errors as admin', 0, pageErrors.length);
      await page.click('#logout');
      await page.waitForSelector('#login-form', { state: 'visible' });
    }
  } catch (error) {
    check('browser run completed', false, String(error && error.stack || error));
  } finally {
    await browser.close();
  }
  console.log(passed + ' passed, ' + failed + ' failed');
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((error) => {
  console.log('FAIL ' + error);
  console.log(passed + ' passed, ' + (failed + 1) + ' failed');
  process.exit(1);
});
