// Browser test of the reading experience (blind review on for 001012):
// pseudonyms and no identity in the reviewer's pages; the overview first;
// the tree in the list's order with A folded; keyboard (rows, j/k keeping
// focus, arrows scrolling, Esc); search; the list remembering scroll and the
// last viewed; the attachment pane beside the record; notes (add, edit,
// delete, private and shared); errors where the reader looks; ARIA, chart
// text and contrast; 390 px wide; the office's human words, links and
// competency names; the admin page's pattern, password rule, unknown
// departments and audit view.
// Environment: BASE_URL, BEISHEN_USER/BEISHEN_PASSWORD (a reviewer of
// 001012), BEISHEN_OFFICE/…_PASSWORD, BEISHEN_ADMIN/…_PASSWORD, PAYLOAD_NAME
// (001012-10000003's name).  Ends with "N passed, N failed".
'use strict';
const { check, equal, launch, login: loginAt, finish } = require('./harness');

const base = process.env.BASE_URL;
const first = '001012-10000001';
const login = (page, user, password) => loginAt(page, base, user, password);

/* WCAG contrast ratio of an rgb() colour against white. */
function contrastOnWhite(rgb) {
  const [r, g, b] = rgb.match(/\d+/g).slice(0, 3).map((v) => {
    const c = Number(v) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 1.05 / (0.2126 * r + 0.7152 * g + 0.0722 * b + 0.05);
}

async function main() {
  const browser = await launch();
  const errors = [];
  const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (e) => errors.push(String(e)));
  const text = (selector) => page.locator(selector).first().innerText();
  const current = () => page.$eval('#category-tree button.current', (b) => b.dataset.category);
  try {
    // --- blind review: the list ----------------------------------------------------------
    await login(page, process.env.BEISHEN_USER, process.env.BEISHEN_PASSWORD);
    await page.waitForSelector('#list-view', { state: 'visible' });
    const listText = await text('#list-view');
    check('blind: pseudonyms in the list', /考生 \d{3}/.test(listText), listText.slice(0, 200));
    check('blind: no applicant name in the list', !listText.includes('王小明') && !listText.includes(process.env.PAYLOAD_NAME));
    check('blind: no school in the list', !listText.includes('臺北市立大直高級中學'));
    check('list says it is blind', listText.includes('盲審'));
    const ids = await page.$$eval('#portfolio-table tbody tr', (rows) => rows.map((r) => r.dataset.id));
    equal('rows are focusable', ids.length, await page.locator('#portfolio-table tbody tr[tabindex="0"]').count());
    equal('aria-sort on the sorted column', 'ascending', await page.getAttribute('#portfolio-table th[data-sort="application_no"]', 'aria-sort'));

    // search by exam number, then by pseudonym
    await page.fill('#search', '10000002');
    equal('search by exam number', 1, await page.locator('#portfolio-table tbody tr:visible').count());
    const pseudonym = await page.$eval(`#portfolio-table tr[data-id="${first}"] td:nth-child(2)`, (td) => td.textContent);
    await page.fill('#search', pseudonym);
    equal('search by (pseudo)name', first, await page.$eval('#portfolio-table tbody tr:not([hidden])', (r) => r.dataset.id));
    await page.fill('#search', '');

    // --- open by keyboard; the overview first -----------------------------------------------
    await page.focus(`#portfolio-table tr[data-id="${first}"]`);
    await page.keyboard.press('Enter');
    await page.waitForSelector('#applicant-view', { state: 'visible' });
    equal('a row opens with Enter', '#/a/' + first, new URL(page.url()).hash);
    check('blind: the title shows the pseudonym', (await text('#applicant-title')).includes(pseudonym));
    check('blind: badge shown', (await text('#applicant-badges')).includes('盲審'));
    equal('the overview comes first', '擇要檢視', await current());
    equal('aria-current on the current category', 'page', await page.getAttribute('#category-tree button.current', 'aria-current'));
    const overview = await page.evaluate(async (id) => (await fetch('/api/applicants/' + id + '/overview')).json(), first);
    const missing = overview.items.filter((i) => i.missing).map((i) => i.code + ' ' + i.name);
    const records = await text('#records');
    check('overview names the missing items', missing.every((m) => records.includes(m)) && records.includes('缺少參採項目'), { missing });
    check('overview shows domain averages', overview.domain_averages.every((d) => records.includes(d.name + '領域')));
    check('overview shows certification counts', records.includes('課程學習成果（教師認證）'));
    check('blind: overview JSON has no name', !JSON.stringify(overview).includes('王小明'));

    // --- the tree follows the list ----------------------------------------------------------
    const list = await page.evaluate(async () => (await fetch('/api/requirements/001012')).json());
    const categories = await page.evaluate(async (id) => (await fetch('/api/applicants/' + id + '/categories')).json(), first);
    const expected = list.items.map((i) => i.code).filter((c) => c !== 'A')
      .flatMap((code) => categories.filter((c) => c.item === code && c.group !== '修課紀錄').map((c) => c.category));
    const shown = await page.$$eval('#category-tree button[data-category]', (b) => b.map((x) => x.dataset.category));
    const listed = shown.filter((name) => expected.includes(name));
    equal('listed items in the list order', expected.join(','), listed.join(','));
    const fold = '#category-tree button.fold';
    equal('A folded at first', 'false', await page.getAttribute(fold, 'aria-expanded'));
    check('course categories hidden when folded', await page.isHidden('#category-tree button[data-category="部定必修-數學"]'));
    await page.click(fold);
    equal('A unfolds', 'true', await page.getAttribute(fold, 'aria-expanded'));
    check('course categories shown', await page.isVisible('#category-tree button[data-category="部定必修-數學"]'));

    // --- keyboard: focus kept, arrows scroll -----------------------------------------------
    await page.click('#category-tree button[data-category="部定必修-數學"]');
    await page.waitForFunction(() => document.querySelector('#category-tree button.current').dataset.category === '部定必修-數學');
    await page.keyboard.press('j');
    await page.waitForFunction(() => document.querySelector('#category-tree button.current').dataset.category !== '部定必修-數學');
    equal('j: next category, focus stays on the tree', await current(),
      await page.evaluate(() => document.activeElement.dataset.category));
    const inView = await page.$eval('#category-tree button.current', (b) => {
      const r = b.getBoundingClientRect(), t = b.closest('nav').getBoundingClientRect();
      return r.top >= t.top - 1 && r.bottom <= t.bottom + 1;
    });
    check('the current category is scrolled into view', inView);
    await page.click('#category-tree button[data-category="部定必修-數學"]');
    await page.waitForFunction(() => document.querySelectorAll('#records .record.course').length === 3);
    await page.setViewportSize({ width: 1280, height: 360 });
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.click('#records h3');   /* focus off the tree, whose own list would scroll */
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(200);
    equal('arrow keys do not switch categories', '部定必修-數學', await current());
    check('arrow keys scroll', await page.evaluate(() => window.scrollY > 0));
    const headTop = await page.$eval('#applicant-view .applicant-head', (h) => h.getBoundingClientRect().top);
    check('the applicant header stays on screen', headTop >= 0 && headTop < 5, headTop);
    await page.setViewportSize({ width: 1280, height: 700 });
    check('no whole-panel live region', (await page.getAttribute('#records', 'aria-live')) === null);
    const chart = await page.$eval('#records svg.chart', (s) => ({ label: s.getAttribute('aria-label'), role: s.getAttribute('role') }));
    check('charts have a text alternative', chart.role === 'img' && /分布|PR/.test(chart.label || ''), chart);
    const fill = await page.$eval('#records svg.chart rect.bar', (r) => getComputedStyle(r).fill);
    check('chart bars have 3:1 contrast', contrastOnWhite(fill) >= 3, { fill, ratio: contrastOnWhite(fill) });

    // --- attachments beside the record --------------------------------------------------------
    await page.click('#category-tree button[data-category="B 書面報告"]');
    await page.waitForFunction(() => document.querySelector('#category-tree button.current').dataset.category === 'B 書面報告');
    const fileButton = await text('#records button.file');
    check('blind: attachment renamed', fileButton.startsWith('附件 1'), fileButton);
    await page.click('#records button.file');
    await page.waitForSelector('#viewer', { state: 'visible' });
    const boxes = await page.evaluate(() => [document.getElementById('records'), document.getElementById('viewer')]
      .map((e) => e.getBoundingClientRect()).map((r) => ({ left: r.left, right: r.right })));
    check('the attachment opens beside the record, not over it', boxes[1].left >= boxes[0].right - 1, boxes);
    await page.keyboard.press('Escape');
    await page.waitForSelector('#viewer', { state: 'hidden' });
    check('Esc closes the attachment', await page.isVisible('#records'));

    // --- notes ------------------------------------------------------------------------------
    await page.click('#category-tree button[data-category="擇要檢視"]');
    await page.waitForSelector('#records .notes');
    // The notes arrive by a request of their own after the panel is drawn:
    // wait for them (up to 10 s; the check below fails if they never come).
    await page.waitForFunction(() => document.querySelector('#records .notes').textContent.includes('reader2 的共享註記'),
      null, { timeout: 10000 }).catch(() => {});
    const overviewNotes = await text('#records .notes');
    check("another reviewer's shared note is shown", overviewNotes.includes('reader2 的共享註記'));
    check("another reviewer's private note is not", !overviewNotes.includes('reader2 的個人註記'));
    await page.click('#category-tree button[data-category="B 書面報告"]');
    await page.waitForSelector('#records .note-form');
    const recordKey = await page.$eval('#records .record.item', (r) => r.dataset.record);
    await page.fill('#records .note-form textarea', '瀏覽器的註記：論證清楚');
    await page.selectOption('#records .note-form select.note-target', recordKey);
    await page.check('#records .note-form input.note-shared');
    await page.click('#records .note-form button.note-add');
    await page.waitForSelector('#records .record.item .note');
    check('a note on a record shows beside the record', (await text('#records .record.item .note')).includes('瀏覽器的註記'));
    check('marked shared', (await text('#records .record.item .note .badge')).includes('共享'));
    await page.click('#records .record.item .note button.note-edit');
    await page.fill('#records .note-form.editing textarea', '瀏覽器的註記：論證清楚，引用完整');
    await page.click('#records .note-form.editing button.note-save');
    await page.waitForFunction(() => document.querySelector('#records .record.item .note')?.textContent.includes('引用完整'));
    check('a note is edited in place', true);
    await page.fill('#records .note-form textarea', '要刪除的註記');
    await page.click('#records .note-form button.note-add');
    await page.waitForFunction(() => [...document.querySelectorAll('#records .note')].some((n) => n.textContent.includes('要刪除的註記')));
    const toDelete = page.locator('#records .note', { hasText: '要刪除的註記' });
    await toDelete.locator('button.note-delete').click();
    equal('delete asks once more', '確定刪除？', await toDelete.locator('button.note-delete').innerText());
    await toDelete.locator('button.note-delete').click();
    await page.waitForFunction(() => ![...document.querySelectorAll('#records .note')].some((n) => n.textContent.includes('要刪除的註記')));
    check('a note is deleted', true);

    // --- back to the list: scroll and the last viewed ------------------------------------------
    await page.keyboard.press('Escape');
    await page.waitForSelector('#list-view', { state: 'visible' });
    check('Esc leaves the applicant for the list', await page.isVisible('#portfolio-table'));
    check('the last viewed applicant is marked',
      await page.$eval(`#portfolio-table tr[data-id="${first}"]`, (r) => r.classList.contains('last-viewed')));
    equal('focus returns to its row', first, await page.evaluate(() => document.activeElement.dataset.id));

    // --- errors where the reader looks, no stale view -----------------------------------------
    await page.goto(base + '/#/a/001022-10000002');
    await page.waitForFunction(() => !document.getElementById('status').hidden);
    check('a forbidden link is explained at the top', (await text('#status')).includes('找不到'));
    check('and leaves no stale view', await page.isHidden('#applicant-view') && await page.isHidden('#list-view'));
    const statusBox = await page.$eval('#status', (s) => s.getBoundingClientRect().top);
    check('the message is where the reader looks', statusBox < 150, statusBox);

    // --- 390 px wide -------------------------------------------------------------------------
    await page.setViewportSize({ width: 390, height: 800 });
    await page.goto(base + '/#/a/' + first);
    await page.waitForSelector('#applicant-view', { state: 'visible' });
    check('390 px: nothing wider than the window (applicant)', await page.evaluate(() => document.documentElement.scrollWidth <= 390));
    await page.goto(base + '/#/d/001012');
    await page.waitForSelector('#list-view', { state: 'visible' });
    check('390 px: nothing wider than the window (list)', await page.evaluate(() => document.documentElement.scrollWidth <= 390));
    await page.setViewportSize({ width: 1280, height: 700 });
    equal('no page errors as reviewer', 0, errors.length);
    await page.click('#logout');

    // --- the office: the full view, human words, links, competency names -----------------------
    await login(page, process.env.BEISHEN_OFFICE, process.env.BEISHEN_OFFICE_PASSWORD);
    await page.goto(base + '/#/a/' + first + '/' + encodeURIComponent('基本資料'));
    await page.waitForFunction(() => document.querySelector('#category-tree button.current')?.dataset.category === '基本資料');
    const basic = await text('#records');
    check('office: the real name (no blind view)', basic.includes('王小明'));
    check('human words: 性別 男, not M', /性別\s*男/.test(basic) && !/性別\s*M/.test(basic), basic.slice(0, 200));
    await page.goto(base + '/#/a/' + first + '/' + encodeURIComponent('部定必修-數學'));
    await page.waitForSelector('#records .record.course');
    await page.locator('#records .record.course >> nth=0 >> button.plan-toggle').click();
    await page.waitForSelector('#records .plan');
    check('competency names beside codes', (await text('#records .plan')).includes('A2 系統思考與解決問題'));
    await page.goto(base + '/#/a/001012-10000003/' + encodeURIComponent('J 競賽表現'));
    await page.waitForSelector('#records .record.item');
    const links = await page.$$eval('#records .links a', (as) => as.map((a) => ({ href: a.href, rel: a.rel, target: a.target })));
    check('links are clickable, opened apart', links.length === 2 && links.every((l) => l.rel.includes('noopener') && l.target === '_blank'), links);
    const item = await text('#records .record.item');
    check('human words: the kind of record', item.includes('競賽'));
    check('times without ISO marks', /上傳時間\s*2024-03-10 20:00/.test(item), item);
    await page.click('#logout');

    // --- the admin page -------------------------------------------------------------------------
    await login(page, process.env.BEISHEN_ADMIN, process.env.BEISHEN_ADMIN_PASSWORD);
    await page.waitForSelector('#users-view', { state: 'visible' });
    const pattern = await page.getAttribute('#new-user', 'pattern');
    let compiles = true;
    try { new RegExp(pattern, 'v'); } catch (e) { compiles = false; }
    check('the username pattern is valid as Chromium reads it (v flag)', compiles, pattern);
    await page.fill('#new-user', 'bad name!');
    check('a bad username is flagged by the browser', await page.$eval('#new-user', (i) => i.validity.patternMismatch));
    await page.fill('#new-user', 'good.name-1');
    check('a good username passes', await page.$eval('#new-user', (i) => i.validity.valid));
    equal('the password rule is the server\'s (8)', '8', await page.getAttribute('#new-password', 'minlength'));
    await page.fill('#new-password', 'long-enough-1');
    await page.selectOption('#new-role', 'reviewer');
    await page.fill('#new-departments', '009999');
    await page.click('#user-add');
    await page.waitForFunction(() => document.getElementById('user-error').textContent.length > 0);
    check('an unknown department is refused', (await text('#user-error')).includes('009999'));
    await page.waitForSelector('#audit-table tbody tr');
    const auditRows = await page.locator('#audit-table tbody tr').count();
    check('the audit view lists rows', auditRows > 5, auditRows);
    await page.fill('#audit-user', 'browser');
    await page.click('#audit-apply');
    await page.waitForFunction(() => [...document.querySelectorAll('#audit-table tbody tr td:nth-child(2)')].every((td) => td.textContent === 'browser'));
    check('the audit view filters by account', true);
    equal('no page errors', 0, errors.length);
  } catch (error) {
    check('reading test ran to the end', false, String(error && error.stack || error));
  } finally {
    await browser.close();
  }
  finish();
}

main();
