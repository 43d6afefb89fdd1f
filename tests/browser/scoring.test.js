// Browser test of review scoring: a reviewer opens the queue, scores the
// next application in the docked panel by keyboard, reloads (the draft is
// kept: saved on the server, and typed-but-unsaved input from this
// browser's backup), meets a conflicting save from a second session without
// losing input, submits; the office then sees the 差分 flag, orders a
// third reading and downloads the CSV.
// Environment: BASE_URL, BEISHEN_USER/BEISHEN_PASSWORD (a reviewer),
// BEISHEN_OFFICE/BEISHEN_OFFICE_PASSWORD, ITEMS (JSON [{code, weight}] of
// the department's list in order), OTHER_TOTAL (the co-reader's submitted
// total), THIRD_READER (the reviewer the office's third reading goes to).
// Prints one line per check and ends with "N passed, N failed".
'use strict';
const { check, equal, launch, login: loginAt, finish } = require('./harness');

const base = process.env.BASE_URL;
const items = JSON.parse(process.env.ITEMS);
const otherTotal = Number(process.env.OTHER_TOTAL);
const application = '001012-10000001';

async function newPage(context, problems) {
  const page = await context.newPage();
  page.setDefaultTimeout(15000);
  page.on('pageerror', (error) => problems.push(String(error)));
  return page;
}

const login = (page, user, password) => loginAt(page, base, user, password);

/* The sheet as the server has it, fetched with the page's session. */
function serverSheet(page) {
  return page.evaluate(async (id) => (await fetch('/api/scoring/sheets/' + id)).json(), application);
}

const saved = (page) => page.waitForFunction(() =>
  /已儲存|已送出/.test(document.querySelector('#score-panel .save-state').textContent));

async function main() {
  const browser = await launch();
  const problems = [];
  const context = await browser.newContext();
  const page = await newPage(context, problems);
  const unloadDialogs = [];
  page.on('dialog', (dialog) => {
    if (dialog.type() === 'beforeunload') { unloadDialogs.push(dialog.type()); dialog.accept(); }
    else dialog.dismiss();
  });
  const text = (selector) => page.locator(selector).first().innerText();
  try {
    // --- the reviewer's queue --------------------------------------------------------
    await login(page, process.env.BEISHEN_USER, process.env.BEISHEN_PASSWORD);
    await page.click('#scoring-link');
    await page.waitForSelector('#queue-view', { state: 'visible' });
    const count = await text('#queue-count');
    check('queue shows progress: 0 submitted of 4 assigned', count.includes('已送出 0 / 分派 4'), count);
    equal('queue lists the four assignments', 4, await page.locator('#queue-table tbody tr').count());
    await page.click('#queue-next');
    await page.waitForSelector('#score-panel fieldset');
    equal('next unscored opens the first application', '#/a/' + application, new URL(page.url()).hash);

    // --- the panel follows the department's list ----------------------------------------
    const codes = await page.$$eval('#score-panel fieldset.score-item', (f) => f.map((x) => x.dataset.code));
    equal('items in the list order', items.map((i) => i.code).join(','), codes.join(','));
    const legend = await text('#score-panel fieldset.score-item[data-code="' + items[0].code + '"] legend');
    check('weight shown', legend.includes('權重 ' + items[0].weight + '%'), legend);
    check('審查重點 shown', (await text('#score-panel .focus')).startsWith('審查重點：'));
    equal('five levels per item', 5 * items.length, await page.locator('#score-panel .levels input[type=radio]').count());
    check('levels show their bands', (await text('#score-panel .levels')).includes('90–100'));

    // --- keyboard entry: a score picks its level, Enter goes on --------------------------------
    const scores = {};
    items.forEach((item, i) => { scores[item.code] = 60 + i; });
    await page.focus('#score-' + items[0].code);
    for (const item of items) {
      await page.keyboard.type(String(scores[item.code]));
      await page.keyboard.press('Enter');
    }
    check('Enter after the last item reaches the submit button',
      await page.evaluate(() => document.activeElement.classList.contains('submit-scores')));
    equal('the typed score chose 待加強', true,
      await page.isChecked(`#score-panel input[name="level-${items[0].code}"][value="待加強"]`));
    const expected = Math.round(items.reduce((sum, item) => sum + item.weight * scores[item.code], 0)) / 100;
    const total = await text('#score-panel .panel-total');
    check('running total Σ weight × score / 100', total.includes('總分 ' + expected.toFixed(2)), { expected, total });

    // a level whose band does not hold the score clears it and asks for one
    await page.check(`#score-panel input[name="level-${items[0].code}"][value="傑出"]`);
    equal('a level outside the score clears the score', '', await page.inputValue('#score-' + items[0].code));
    check('the problem is named beside the item',
      (await text(`#score-panel fieldset[data-code="${items[0].code}"] .score-problem`)).includes('90–100'));
    check('submit disabled while an item is unscored', await page.isDisabled('#score-panel .submit-scores'));
    await page.fill('#score-' + items[0].code, '150');
    check('an impossible score is refused on screen',
      (await text(`#score-panel fieldset[data-code="${items[0].code}"] .score-problem`)).includes('0–100'));
    await page.fill('#score-' + items[0].code, String(scores[items[0].code]));
    await saved(page);
    let sheet = await serverSheet(page);
    equal('autosave: the server holds a draft', 'draft', sheet.status);
    equal('autosave: with the scores typed', scores[items[1].code], sheet.items[items[1].code].score);

    // --- reload: the draft is kept ------------------------------------------------------
    await page.reload();
    await page.waitForSelector('#score-panel fieldset');
    equal('after reload the score is still there', String(scores[items[1].code]), await page.inputValue('#score-' + items[1].code));
    check('after reload the total is still there', (await text('#score-panel .panel-total')).includes(expected.toFixed(2)));
    // typed and reloaded at once, before the autosave: the browser's backup
    await page.fill('#score-' + items[2].code, '70');
    await page.reload();
    await page.waitForSelector('#score-panel fieldset');
    equal('unsaved input survives a reload', '70', await page.inputValue('#score-' + items[2].code));
    check('leaving with unsaved input asks first', unloadDialogs.length >= 1, unloadDialogs);
    await saved(page);
    sheet = await serverSheet(page);
    equal('the restored input is then saved', 70, sheet.items[items[2].code].score);
    scores[items[2].code] = 70;

    // --- a conflicting save from a second session ------------------------------------------
    const context2 = await browser.newContext();
    const other = await newPage(context2, problems);
    await login(other, process.env.BEISHEN_USER, process.env.BEISHEN_PASSWORD);
    await other.goto(base + '/#/a/' + application);
    await other.waitForSelector('#score-panel fieldset');
    await other.fill('#score-' + items[3].code, '61');
    await saved(other);
    await page.fill('#score-' + items[4].code, '69');
    await page.waitForSelector('#score-panel .conflict');
    check('the conflict is shown', (await text('#score-panel .conflict')).includes('其他視窗'));
    equal('the input is still on screen', '69', await page.inputValue('#score-' + items[4].code));
    check('no submit during a conflict', await page.isDisabled('#score-panel .submit-scores'));
    await page.click('#score-panel .keep-mine');
    await saved(page);
    sheet = await serverSheet(page);
    equal('keeping mine saves my input', 69, sheet.items[items[4].code].score);
    equal('keeping mine saves the whole sheet on screen', scores[items[3].code], sheet.items[items[3].code].score);
    scores[items[4].code] = 69;
    await context2.close();

    // --- submit ---------------------------------------------------------------------
    await page.click('#score-panel .submit-scores');
    equal('submit asks once more', '確定送出？送出後鎖定', await text('#score-panel .submit-scores'));
    await page.click('#score-panel .submit-scores');
    await page.waitForFunction(() => document.querySelector('#score-panel .sheet-status').textContent === '已送出');
    check('a submitted sheet is locked', await page.isDisabled('#score-' + items[0].code));
    sheet = await serverSheet(page);
    equal('the server has it submitted', 'submitted', sheet.status);
    const mine = Math.round(items.reduce((sum, item) => sum + item.weight * scores[item.code], 0)) / 100;
    equal('the submitted total', mine, sheet.total);
    await page.goto(base + '/#/q/001012');
    await page.waitForSelector('#queue-view', { state: 'visible' });
    await page.waitForFunction(() => document.getElementById('queue-count').textContent.includes('已送出 1'));
    check('the queue counts it', (await text('#queue-count')).includes('已送出 1 / 分派 4'));
    equal('no page errors as reviewer', 0, problems.length);
    await page.click('#logout');
    await page.waitForSelector('#login-form', { state: 'visible' });

    // --- the office sees the flag -----------------------------------------------------------
    await login(page, process.env.BEISHEN_OFFICE, process.env.BEISHEN_OFFICE_PASSWORD);
    await page.click('#scoring-link');
    await page.waitForSelector('#scoring-view', { state: 'visible' });
    const row = `#scoring-body tr[data-id="${application}"]`;
    await page.waitForSelector(row);
    const spread = (Math.round((otherTotal - mine) * 100) / 100).toFixed(2);
    const rowText = await text(row);
    check('the 差分 queue lists it as pending', rowText.includes('待處理'), rowText);
    check('with the spread of the two totals', rowText.includes(spread), { spread, rowText });
    check('the tab counts one pending', (await text('#scoring-tabs button[data-tab="flags"]')).includes('1'));
    await page.click(row + ' button.next-reader');
    await page.waitForFunction((id) => {
      const r = document.querySelector(`#scoring-body tr[data-id="${id}"]`);
      return r && r.textContent.includes('等待');
    }, application);
    check('a third reader is assigned', (await text(row)).includes(process.env.THIRD_READER));
    await page.click('#scoring-tabs button[data-tab="finals"]');
    const finalText = await text(row);
    check('the final table waits for the third reading', finalText.includes('差分待處理'), finalText);
    await page.click('#scoring-tabs button[data-tab="reviewers"]');
    check('reviewer statistics shown', await page.locator('#scoring-body tr[data-reviewer]').count() >= 2);
    check('with the means chart', await page.locator('#scoring-body svg.means rect.bar').count() >= 2);
    const csv = await page.evaluate(async () => {
      const link = [...document.querySelectorAll('#scoring-summary a')].find((a) => a.textContent.includes('CSV'));
      const reply = await fetch(link.href);
      return { type: reply.headers.get('content-type'), bytes: [...new Uint8Array(await reply.arrayBuffer())].slice(0, 3) };
    });
    equal('the CSV download starts with a BOM', '239,187,191', csv.bytes.join(','));
    equal('no page errors as office', 0, problems.length);
  } catch (error) {
    check('scoring test ran to the end', false, String(error && error.stack || error));
  } finally {
    await browser.close();
  }
  finish();
}

main();
