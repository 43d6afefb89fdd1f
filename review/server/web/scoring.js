/* scoring.js — review scoring in the workstation: the reviewer's docked score
 * panel and queue, and the admissions office's pages (assignments, the 差分
 * queue, reviewer statistics, the final table and the downloads).  Loaded
 * after app.js and built from its helpers (el, api, state, go, show).
 *
 * The panel never loses input: every keystroke is kept in localStorage
 * until the server has it; saves carry the sheet's version, and a 409
 * (the sheet moved on in another window) keeps what is on screen and asks
 * which one to keep. */
'use strict';

const LEVELS = ['傑出', '優良', '普通', '待加強', '不佳'];
const AUTOSAVE_MS = 700;

const scoring = {
  sheet: null,          /* the sheet as the server last answered it */
  entries: {},          /* code -> {level, score, comment} as on screen */
  dirty: false,         /* entries differ from what the server has */
  saving: null,         /* the save in flight (a promise) */
  timer: null,
  conflict: null,       /* the server's sheet after a 409 */
  message: '',
};

const sheetPath = (application) => '/api/scoring/sheets/' + enc(application);
const backupKey = (application) => 'beishen-score:' + state.session.user + ':' + application;
const number2 = (value) => (typeof value === 'number' ? value.toFixed(2) : '—');
const statusName = (status) => ({ unscored: '未評', draft: '草稿', submitted: '已送出' }[status] || status);

/* ---- the reviewer's docked panel ---------------------------------------------- */

/* Shows the panel for a reviewer assigned to this application; hides it
 * for anyone else.  Pending input of the previous applicant is saved first. */
async function openScorePanel(application) {
  const panel = $('score-panel');
  if (state.session.role !== 'reviewer') { hideScorePanel(); return; }
  if (scoring.sheet && scoring.sheet.application === application) return;
  await flushScores();
  let sheet;
  try {
    sheet = await api(sheetPath(application));
  } catch (e) {
    if (e.status === 404) { hideScorePanel(); return; }
    if (e.status === 401) return;
    scoring.sheet = null;
    clear(panel);
    panel.appendChild(el('p', { class: 'error' }, '無法評分：' + e.message));
    showScorePanel();
    return;
  }
  loadSheet(sheet);
  restoreBackup();
  renderPanel();
  showScorePanel();
}

function showScorePanel() {
  $('score-panel').hidden = false;
  document.querySelector('#applicant-view .split').classList.add('scoring');
}

function hideScorePanel() {
  scoring.sheet = null;
  $('score-panel').hidden = true;
  document.querySelector('#applicant-view .split').classList.remove('scoring');
}

function loadSheet(sheet) {
  scoring.sheet = sheet;
  scoring.entries = {};
  for (const item of sheet.rubric) {
    const saved = (sheet.items || {})[item.code] || {};
    scoring.entries[item.code] = { level: saved.level || null, score: saved.score ?? null,
      comment: saved.comment || '' };
  }
  scoring.dirty = false;
  scoring.conflict = null;
  scoring.message = sheet.version ? '已儲存（第 ' + sheet.version + ' 版）' : '';
}

/* Input kept in this browser but not yet on the server: taken back when the
 * server still has the version it was typed on, else offered as a conflict. */
function restoreBackup() {
  const sheet = scoring.sheet;
  let backup = null;
  try { backup = JSON.parse(localStorage.getItem(backupKey(sheet.application)) || 'null'); } catch (e) { backup = null; }
  if (!backup || sheet.status === 'submitted') {
    localStorage.removeItem(backupKey(sheet.application));
    return;
  }
  if (backup.version === sheet.version) {
    scoring.entries = backup.entries;
    scoring.dirty = true;
    scoring.message = '已還原本機尚未儲存的輸入';
    scheduleSave();
  } else {
    scoring.conflict = sheet;
    scoring.entries = backup.entries;
    scoring.dirty = true;
  }
}

function keepBackup() {
  const sheet = scoring.sheet;
  localStorage.setItem(backupKey(sheet.application),
    JSON.stringify({ version: sheet.version, entries: scoring.entries }));
}

function itemByCode(code) { return scoring.sheet.rubric.find((item) => item.code === code); }

function levelOf(item, name) { return item.levels.find((level) => level.name === name); }

/* The level whose band holds the score, so typing a score picks its level. */
function levelForScore(item, score) {
  const level = item.levels.find((l) => score >= l.low && score <= l.high);
  return level ? level.name : null;
}

function entryValid(item, entry) {
  const level = levelOf(item, entry.level);
  return level && Number.isInteger(entry.score) && entry.score >= level.low && entry.score <= level.high;
}

/* The sheet as the API takes it: an item goes with its level and score
 * only when both are valid (a half-entered item stays on screen and in the
 * backup); comments always. */
function sheetItems() {
  const items = {};
  for (const item of scoring.sheet.rubric) {
    const entry = scoring.entries[item.code];
    const out = {};
    if (entryValid(item, entry)) { out.level = entry.level; out.score = entry.score; }
    if (entry.comment) out.comment = entry.comment;
    if (Object.keys(out).length) items[item.code] = out;
  }
  return items;
}

/* Σ weight × score / 100 over the valid items, and how many those are. */
function runningTotal() {
  let sum = 0, scored = 0;
  for (const item of scoring.sheet.rubric) {
    const entry = scoring.entries[item.code];
    if (!entryValid(item, entry)) continue;
    sum += item.weight * entry.score;
    scored++;
  }
  return { total: Math.round(sum) / 100, scored, all: scored === scoring.sheet.rubric.length };
}

function renderPanel() {
  const panel = $('score-panel');
  const sheet = scoring.sheet;
  const locked = sheet.status === 'submitted';
  clear(panel);
  const reading = sheet.reading > 2 ? '第 ' + sheet.reading + ' 位評閱（第三位）' : '第 ' + sheet.reading + ' 位評閱';
  panel.appendChild(el('div', { class: 'panel-head' },
    el('h3', {}, '評分'), el('span', { class: 'muted' }, reading),
    el('span', { class: 'sheet-status ' + sheet.status }, statusName(sheet.status))));
  if (sheet.changed_after_scoring)
    panel.appendChild(el('p', { class: 'warning' }, '申請資料在評分後有更新，請重新檢視。'));
  if (scoring.conflict) panel.appendChild(conflictNotice());
  if (!locked)
    panel.appendChild(el('p', { class: 'muted hint' }, '輸入分數即對應等第；Enter 跳下一項。自動儲存草稿。'));
  sheet.rubric.forEach((item, index) => panel.appendChild(itemFieldset(item, index, locked)));
  const foot = el('div', { class: 'panel-foot' },
    el('div', { class: 'panel-total', 'aria-live': 'polite' }), el('p', { class: 'save-state muted', role: 'status' }));
  const actions = el('div', { class: 'panel-actions' });
  if (!locked) {
    const submit = el('button', { type: 'button', class: 'submit-scores' }, '送出評分');
    submit.addEventListener('click', () => submitScores(submit));
    actions.appendChild(submit);
  } else {
    actions.appendChild(el('p', { class: 'muted' }, '已送出並鎖定；如需修改請洽招生單位。'));
  }
  const next = el('button', { type: 'button', class: 'next-unscored' }, '下一位未評 ›');
  next.addEventListener('click', () => goNextUnscored());
  actions.appendChild(next);
  foot.appendChild(actions);
  panel.appendChild(foot);
  updateTotals();
}

function itemFieldset(item, index, locked) {
  const entry = scoring.entries[item.code];
  const id = 'score-' + item.code;
  const fieldset = el('fieldset', { class: 'score-item', 'data-code': item.code, disabled: locked });
  fieldset.appendChild(el('legend', {}, item.code + ' ' + item.name, el('span', { class: 'weight' }, '權重 ' + item.weight + '%')));
  if (item.focus) fieldset.appendChild(el('p', { class: 'focus' }, '審查重點：' + item.focus));
  const levels = el('div', { class: 'levels', role: 'radiogroup', 'aria-label': item.name + ' 等第' });
  for (const level of item.levels) {
    const radio = el('input', { type: 'radio', name: 'level-' + item.code, value: level.name,
      checked: entry.level === level.name });
    radio.addEventListener('change', () => chooseLevel(item, level.name));
    levels.appendChild(el('label', { title: level.text || '' }, radio,
      level.name, el('span', { class: 'band' }, level.low + '–' + level.high)));
  }
  fieldset.appendChild(levels);
  fieldset.appendChild(el('p', { class: 'level-text muted' }));
  const score = el('input', { id, type: 'number', class: 'score', inputmode: 'numeric', step: 1, min: 0, max: 100,
    value: entry.score ?? '', 'aria-label': item.name + ' 分數' });
  score.addEventListener('input', () => typeScore(item, score.value));
  score.addEventListener('keydown', (event) => {
    if (event.key !== 'Enter') return;
    event.preventDefault();
    const inputs = [...document.querySelectorAll('#score-panel input.score')];
    const following = inputs[index + 1] || document.querySelector('#score-panel .submit-scores');
    if (following) following.focus();
  });
  const comment = el('textarea', { class: 'comment', rows: 2, maxlength: 2000, placeholder: '評語（選填）',
    'aria-label': item.name + ' 評語' });
  comment.value = entry.comment || '';
  comment.addEventListener('input', () => { entry.comment = comment.value; changed(); });
  fieldset.appendChild(el('div', { class: 'score-line' }, el('label', { for: id }, '分數'), score,
    el('span', { class: 'score-problem error' })));
  fieldset.appendChild(comment);
  return fieldset;
}

function chooseLevel(item, name) {
  const entry = scoring.entries[item.code];
  entry.level = name;
  const level = levelOf(item, name);
  if (!(Number.isInteger(entry.score) && entry.score >= level.low && entry.score <= level.high)) {
    entry.score = null;
    const input = document.getElementById('score-' + item.code);
    input.value = '';
    input.focus();
  }
  changed();
}

function typeScore(item, text) {
  const entry = scoring.entries[item.code];
  const score = text.trim() === '' ? null : Number(text);
  entry.score = Number.isInteger(score) ? score : null;
  if (entry.score !== null) {
    const level = levelForScore(item, entry.score);
    if (level) {
      entry.level = level;
      const radio = document.querySelector(`#score-panel input[name="level-${CSS.escape(item.code)}"][value="${level}"]`);
      if (radio) radio.checked = true;
    }
  }
  changed();
}

function updateTotals() {
  if (!scoring.sheet) return;
  const panel = $('score-panel');
  for (const item of scoring.sheet.rubric) {
    const fieldset = panel.querySelector(`fieldset[data-code="${CSS.escape(item.code)}"]`);
    const entry = scoring.entries[item.code];
    const level = levelOf(item, entry.level);
    fieldset.querySelector('.level-text').textContent = level && level.text ? level.name + '：' + level.text : '';
    let problem = '';
    if (entry.level && entry.score === null) problem = '請輸入 ' + level.low + '–' + level.high + ' 的整數';
    else if (entry.score !== null && !levelForScore(item, entry.score)) problem = '分數須在 0–100';
    else if (entry.score !== null && level && !entryValid(item, entry)) problem = level.name + ' 的分數須在 ' + level.low + '–' + level.high;
    fieldset.querySelector('.score-problem').textContent = problem;
    fieldset.querySelector('input.score').setAttribute('aria-invalid', problem ? 'true' : 'false');
  }
  const { total, scored, all } = runningTotal();
  panel.querySelector('.panel-total').textContent = '總分 ' + (scored ? total.toFixed(2) : '—') +
    '（已評 ' + scored + ' / ' + scoring.sheet.rubric.length + ' 項' + (all ? '' : '，未完成') + '）';
  panel.querySelector('.save-state').textContent = scoring.saving ? '儲存中…'
    : scoring.dirty ? (scoring.conflict ? '尚未儲存（版本衝突）' : '尚未儲存') : scoring.message;
  const submit = panel.querySelector('.submit-scores');
  if (submit) submit.disabled = !all || !!scoring.conflict;
}

function changed() {
  scoring.dirty = true;
  keepBackup();
  updateTotals();
  scheduleSave();
}

function scheduleSave() {
  clearTimeout(scoring.timer);
  if (scoring.conflict) return;
  scoring.timer = setTimeout(() => saveScores(false), AUTOSAVE_MS);
}

/* Saves now whatever is pending (before leaving the applicant). */
async function flushScores() {
  clearTimeout(scoring.timer);
  if (scoring.saving) await scoring.saving;
  if (scoring.sheet && scoring.dirty && !scoring.conflict) await saveScores(false);
}

async function saveScores(submit) {
  if (scoring.saving) await scoring.saving;
  const sheet = scoring.sheet;
  if (!sheet || (!submit && !scoring.dirty) || scoring.conflict) return false;
  const body = { version: sheet.version, items: sheetItems() };
  const sentEntries = JSON.stringify(scoring.entries);
  let ok = false;
  scoring.saving = (async () => {
    try {
      const saved = await api(sheetPath(sheet.application) + (submit ? '/submit' : ''),
        { method: submit ? 'POST' : 'PUT', body });
      if (scoring.sheet !== sheet) return;           /* the reader moved on */
      scoring.sheet = saved;
      scoring.dirty = JSON.stringify(scoring.entries) !== sentEntries;
      if (!scoring.dirty) localStorage.removeItem(backupKey(sheet.application));
      else keepBackup();
      scoring.message = (submit ? '已送出' : '已儲存') + '（第 ' + saved.version + ' 版，' +
        new Date().toLocaleTimeString('zh-TW', { hour12: false }) + '）';
      ok = true;
    } catch (e) {
      if (scoring.sheet !== sheet || e.status === 401) return;
      if (e.status === 409 && e.data && e.data.sheet) {
        scoring.conflict = e.data.sheet;
      } else {
        scoring.message = (submit ? '無法送出：' : '無法儲存：') + e.message;
      }
    }
  })();
  updateTotals();
  await scoring.saving;
  scoring.saving = null;
  if (scoring.sheet === sheet || (scoring.sheet && scoring.sheet.application === sheet.application)) {
    if (submit || scoring.conflict || scoring.sheet.status === 'submitted') renderPanel();
    else updateTotals();
    if (scoring.dirty && !scoring.conflict && !submit) scheduleSave();
  }
  return ok;
}

/* The sheet moved on elsewhere (another window, or the office reopened it):
 * what is on screen stays; the reviewer keeps theirs or takes the server's. */
function conflictNotice() {
  const server = scoring.conflict;
  const box = el('div', { class: 'conflict', role: 'alert' },
    el('p', {}, '此評分表已在其他視窗更新（伺服器為第 ' + server.version + ' 版，' + statusName(server.status) +
      '，總分 ' + number2(server.total) + '）。畫面上的輸入仍保留。'));
  if (server.status !== 'submitted') {
    const mine = el('button', { type: 'button', class: 'keep-mine' }, '以我的輸入儲存');
    mine.addEventListener('click', () => {
      scoring.sheet = Object.assign({}, scoring.sheet, { version: server.version, status: server.status });
      scoring.conflict = null;
      scoring.dirty = true;
      keepBackup();
      renderPanel();
      saveScores(false);
    });
    box.appendChild(mine);
  }
  const theirs = el('button', { type: 'button', class: 'take-server' }, '改用伺服器版本');
  theirs.addEventListener('click', () => {
    localStorage.removeItem(backupKey(server.application));
    loadSheet(server);
    renderPanel();
  });
  box.appendChild(theirs);
  return box;
}

/* Two steps, no confirm() dialog: the first click arms the button. */
async function submitScores(button) {
  if (button.dataset.armed !== 'yes') {
    button.dataset.armed = 'yes';
    button.textContent = '確定送出？送出後鎖定';
    return;
  }
  clearTimeout(scoring.timer);
  button.disabled = true;
  await saveScores(true);
}

async function goNextUnscored() {
  await flushScores();
  const queue = await api('/api/scoring/queue?department=' + enc(state.department));
  if (queue.next) go('#/a/' + enc(queue.next));
  else go('#/q/' + enc(state.department));
}

window.addEventListener('beforeunload', (event) => {
  if (scoring.sheet && (scoring.dirty || scoring.saving)) {
    keepBackup();
    event.preventDefault();
    event.returnValue = '';
  }
});

/* ---- the reviewer's queue --------------------------------------------------------- */

async function openQueue(department) {
  if (state.listKey !== [state.department, state.sort, state.categoryFilter].join('|')) await loadList();
  const queue = await api('/api/scoring/queue?department=' + enc(department));
  const names = new Map((state.list || []).map((a) => [a.id, a]));
  $('queue-title').textContent = '我的評分　' + department + ' ' + departmentName(department);
  $('queue-progress').max = Math.max(1, queue.assigned);
  $('queue-progress').value = queue.submitted;
  $('queue-count').textContent = '已送出 ' + queue.submitted + ' / 分派 ' + queue.assigned + '　草稿 ' + queue.drafts;
  $('queue-next').disabled = !queue.next;
  $('queue-next').onclick = () => go('#/a/' + enc(queue.next));
  $('queue-sheet').href = '/api/scoring/scoresheet.pdf?department=' + enc(department);
  const body = $('queue-table').tBodies[0];
  clear(body);
  for (const item of queue.items) {
    const applicant = names.get(item.application) || {};
    const row = el('tr', { 'data-id': item.application, class: item.application === queue.next ? 'next' : null,
      tabindex: 0, onclick: () => go('#/a/' + enc(item.application)) },
      el('td', {}, item.application_no, applicant.self_made ? el('span', { class: 'badge self-made' }, '自行上傳PDF') : null),
      el('td', {}, applicant.name || ''), el('td', { class: 'number' }, item.reading),
      el('td', {}, el('span', { class: 'sheet-status ' + item.status }, statusName(item.status))),
      el('td', { class: 'number' }, number2(item.total)));
    row.addEventListener('keydown', (e) => { if (e.key === 'Enter') go('#/a/' + enc(item.application)); });
    body.appendChild(row);
  }
  if (!queue.items.length) body.appendChild(el('tr', {}, el('td', { colspan: 5, class: 'muted' }, '尚未分派評閱。')));
  show('queue-view');
}

function departmentName(code) {
  const d = state.departments.find((x) => x.code === code);
  return d ? d.name : '';
}

/* ---- the office's pages ----------------------------------------------------------- */

const OFFICE_TABS = [
  ['flags', '差分待處理'], ['assignments', '分派概況'], ['reviewers', '評閱者統計'], ['finals', '書審成績'],
];

async function openScoring(department, tab) {
  if (state.session.role !== 'office') return openQueue(department);
  scoring.tab = tab || scoring.tab || 'flags';
  if (state.listKey !== [state.department, state.sort, state.categoryFilter].join('|')) await loadList();
  const [results, assignments] = await Promise.all([
    api('/api/scoring/results?department=' + enc(department)),
    api('/api/scoring/queue?department=' + enc(department)),
  ]);
  scoring.results = results;
  scoring.assignments = assignments.items;
  $('scoring-title').textContent = '評分管理　' + department + ' ' + departmentName(department);
  renderScoringSummary(department, results);
  const tabs = $('scoring-tabs');
  clear(tabs);
  for (const [key, label] of OFFICE_TABS) {
    const count = key === 'flags' ? results.counts.pending : null;
    const button = el('button', { type: 'button', 'data-tab': key, 'aria-current': scoring.tab === key ? 'page' : null },
      label, count ? el('span', { class: 'count-badge' }, count) : null);
    button.addEventListener('click', () => { scoring.tab = key; renderScoringTab(); });
    tabs.appendChild(button);
  }
  renderScoringTab();
  show('scoring-view');
}

function renderScoringSummary(department, results) {
  const c = results.counts;
  const box = $('scoring-summary');
  clear(box);
  const plan = results.plan;
  append(box, [
    el('span', {}, '申請 ' + c.applications + '　完成評閱 ' + c.complete + '　差分 ' + c.flagged +
      '（待處理 ' + c.pending + '）　已有書審成績 ' + c.final),
    el('span', { class: 'muted' }, '每件 ' + plan.readers + ' 位評閱・差分門檻 ' + plan.threshold + ' 分・' +
      { mean: '平均', 'closest-two': '最接近兩位平均', normalized: '標準化' }[plan.final_rule]),
    el('span', { class: 'spacer' }),
    el('a', { href: '/api/scoring/results.csv?department=' + enc(department), download: '' }, '書審成績 CSV'),
    el('a', { href: '/api/scoring/summary.pdf?department=' + enc(department), target: '_blank', rel: 'noopener' }, '成績總表 PDF'),
  ]);
}

function renderScoringTab() {
  for (const button of document.querySelectorAll('#scoring-tabs button')) {
    if (button.dataset.tab === scoring.tab) button.setAttribute('aria-current', 'page');
    else button.removeAttribute('aria-current');
  }
  const body = $('scoring-body');
  clear(body);
  const views = { flags: flagsTab, assignments: assignmentsTab, reviewers: reviewersTab, finals: finalsTab };
  body.appendChild(views[scoring.tab]());
}

function applicantName(application) {
  const a = (state.list || []).find((x) => x.id === application);
  return a ? a.name : '';
}

function readersText(row, normalized) {
  return row.readers.map((r) => r.reviewer + ' ' + (r.status === 'submitted' ? number2(r.total) : statusName(r.status)) +
    (normalized && typeof r.normalized === 'number' ? '（標 ' + number2(r.normalized) + '）' : '')).join('、');
}

/* An office action, then the pages again with the answer or the error. */
async function officeAction(path, body, done) {
  try {
    await api(path, { method: 'POST', body: body || {} });
    status(done);
  } catch (e) {
    if (e.status === 401) return;
    status('無法完成：' + e.message);
  }
  await openScoring(state.department, scoring.tab);
}

function flagsTab() {
  const rows = scoring.results.applications.filter((r) => r.flagged);
  const table = el('table', { class: 'applicants flags' }, el('thead', {}, el('tr', {},
    el('th', {}, '應試號碼'), el('th', {}, '姓名'), el('th', {}, '評閱者總分'), el('th', {}, '差分'),
    el('th', {}, '狀態'), el('th', {}, '處理'))));
  const body = el('tbody');
  for (const row of rows) {
    const actions = el('td', { class: 'actions' });
    const extra = row.readers.slice(scoring.results.plan.readers).filter((r) => r.status !== 'submitted');
    if (row.pending && extra.length) {
      actions.appendChild(el('span', { class: 'muted' }, '等待 ' + extra.map((r) => r.reviewer).join('、') + ' 評閱'));
    } else if (row.pending) {
      const third = el('button', { type: 'button', class: 'next-reader' }, '指派第三位評閱');
      third.addEventListener('click', () => officeAction('/api/scoring/applications/' + enc(row.application) + '/next-reader',
        {}, row.application + ' 已指派下一位評閱。'));
      actions.appendChild(third);
      for (const reader of row.readers.filter((r) => r.status === 'submitted')) {
        const revise = el('button', { type: 'button', class: 'revise' }, '請 ' + reader.reviewer + ' 修正');
        revise.addEventListener('click', () => officeAction(sheetPath(row.application) + '/reopen',
          { reviewer: reader.reviewer, revision: true }, row.application + ' 已退回 ' + reader.reviewer + ' 修正。'));
        actions.appendChild(revise);
      }
    }
    const history = el('button', { type: 'button', class: 'history' }, '歷程');
    history.addEventListener('click', () => showHistory(row.application, actions));
    actions.appendChild(history);
    body.appendChild(el('tr', { 'data-id': row.application, class: row.pending ? 'pending' : null },
      el('td', {}, el('a', { href: '#/a/' + enc(row.application) }, row.application_no)),
      el('td', {}, row.name || applicantName(row.application)),
      el('td', {}, readersText(row, false)),
      el('td', { class: 'number' }, number2(row.spread)),
      el('td', {}, row.pending ? '待處理' : row.resolution && row.resolution.method === 'third_reading' ? '已由第三位評閱處理' : '已處理'),
      actions));
  }
  if (!rows.length) body.appendChild(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, '沒有超過門檻的差分。')));
  table.appendChild(body);
  return el('div', {}, el('p', { class: 'muted' }, '所有評閱者送出後，總分最高與最低之差超過門檻 ' +
    scoring.results.plan.threshold + ' 分者列於此處；可指派第三位評閱或退回評閱者修正。'), table);
}

async function showHistory(application, container) {
  const existing = container.querySelector('.history-list');
  if (existing) { existing.remove(); return; }
  try {
    const history = await api('/api/scoring/applications/' + enc(application) + '/history');
    const list = el('ol', { class: 'history-list' });
    for (const h of history)
      list.appendChild(el('li', {}, h.at.replace('T', ' ').replace(/\.\d+Z$|Z$/, '') + '　' + h.user + '　' +
        h.action + '　' + h.reviewer + '：' + number2(h.old && h.old.total) + ' → ' + number2(h.new && h.new.total) +
        '（' + statusName(h.new && h.new.status) + '）'));
    container.appendChild(list);
  } catch (e) {
    if (e.status !== 401) status('無法讀取歷程：' + e.message);
  }
}

function assignmentsTab() {
  const byReviewer = new Map();
  for (const a of scoring.assignments) {
    const r = byReviewer.get(a.reviewer) || { assigned: 0, submitted: 0, draft: 0, unscored: 0 };
    r.assigned++;
    r[a.status]++;
    byReviewer.set(a.reviewer, r);
  }
  const reviewers = [...byReviewer.keys()].sort();
  const loads = el('table', { class: 'applicants loads' }, el('thead', {}, el('tr', {},
    el('th', {}, '評閱者'), el('th', {}, '分派'), el('th', {}, '已送出'), el('th', {}, '草稿'), el('th', {}, '未評'),
    el('th', {}, '進度'), el('th', {}, '評分表'))));
  const loadBody = el('tbody');
  for (const name of reviewers) {
    const r = byReviewer.get(name);
    loadBody.appendChild(el('tr', { 'data-reviewer': name }, el('td', {}, name),
      el('td', { class: 'number' }, r.assigned), el('td', { class: 'number' }, r.submitted),
      el('td', { class: 'number' }, r.draft), el('td', { class: 'number' }, r.unscored),
      el('td', {}, el('progress', { value: r.submitted, max: Math.max(1, r.assigned) })),
      el('td', {}, el('a', { href: '/api/scoring/scoresheet.pdf?department=' + enc(state.department) + '&reviewer=' + enc(name),
        target: '_blank', rel: 'noopener' }, 'PDF'))));
  }
  loads.appendChild(loadBody);
  if (!reviewers.length)
    loadBody.appendChild(el('tr', {}, el('td', { colspan: 7, class: 'muted' }, '尚未分派：以 beishen assign 分派評閱。')));

  const table = el('table', { class: 'applicants assignments' }, el('thead', {}, el('tr', {},
    el('th', {}, '應試號碼'), el('th', {}, '姓名'), el('th', {}, '評閱者'), el('th', {}, '改派'))));
  const body = el('tbody');
  for (const row of scoring.results.applications) {
    const from = el('select', { 'aria-label': row.application_no + ' 原評閱者' });
    for (const r of row.readers.filter((x) => x.status !== 'submitted')) from.appendChild(el('option', { value: r.reviewer }, r.reviewer));
    const to = el('select', { 'aria-label': row.application_no + ' 改派給' });
    for (const name of reviewers) if (!row.readers.some((r) => r.reviewer === name)) to.appendChild(el('option', { value: name }, name));
    const move = el('button', { type: 'button', class: 'reassign' }, '改派');
    move.addEventListener('click', () => officeAction('/api/scoring/applications/' + enc(row.application) + '/reassign',
      { from: from.value, to: to.value }, row.application + ' 已由 ' + from.value + ' 改派給 ' + to.value + '。'));
    const possible = from.options.length && to.options.length;
    body.appendChild(el('tr', { 'data-id': row.application },
      el('td', {}, el('a', { href: '#/a/' + enc(row.application) }, row.application_no)),
      el('td', {}, row.name || applicantName(row.application)),
      el('td', {}, readersText(row, false)),
      el('td', { class: 'actions' }, possible ? [from, '→', to, move] : el('span', { class: 'muted' }, '—'))));
  }
  table.appendChild(body);
  return el('div', {}, el('h3', {}, '評閱者負荷'), loads, el('h3', {}, '各申請人評閱者'), table);
}

function reviewersTab() {
  const results = scoring.results;
  const table = el('table', { class: 'applicants reviewers' }, el('thead', {}, el('tr', {},
    el('th', {}, '評閱者'), el('th', {}, '已送出'), el('th', {}, '平均'), el('th', {}, '標準差'),
    el('th', {}, '與共同評閱者平均差'), el('th', {}, '一致性（Pearson r）'), el('th', {}, '共同評閱件數'))));
  const body = el('tbody');
  for (const r of results.reviewers)
    body.appendChild(el('tr', { 'data-reviewer': r.reviewer }, el('td', {}, r.reviewer), el('td', { class: 'number' }, r.count),
      el('td', { class: 'number' }, number2(r.mean)), el('td', { class: 'number' }, number2(r.sd)),
      el('td', { class: 'number' }, number2(r.mad)), el('td', { class: 'number' }, number2(r.agreement)),
      el('td', { class: 'number' }, r.shared)));
  table.appendChild(body);
  const overall = results.agreement && typeof results.agreement.pearson === 'number'
    ? '第一與第二位評閱總分 Pearson r = ' + results.agreement.pearson.toFixed(2) + '（' + results.agreement.pairs + ' 對）'
    : '評閱配對不足，尚無一致性指標。';
  return el('div', {}, el('p', { class: 'muted' }, '全系已送出總分：平均 ' + number2(results.totals.mean) +
    '，標準差 ' + number2(results.totals.sd) + '。' + overall), table, meansChart(results));
}

/* Each reviewer's mean with ±1 SD against the department's mean: a lenient
 * or strict reader shows as a bar away from the line. */
function meansChart(results) {
  const rows = results.reviewers.filter((r) => typeof r.mean === 'number');
  const rowHeight = 22, left = 90, width = 520, plotWidth = width - left - 20;
  const height = rows.length * rowHeight + 30;
  const x = (v) => left + Math.max(0, Math.min(100, v)) / 100 * plotWidth;
  const chart = svg('svg', { class: 'chart means', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const title = svg('title', {});
  title.textContent = '評閱者平均與標準差：' + rows.map((r) => r.reviewer + ' ' + number2(r.mean) + '±' + number2(r.sd)).join('；');
  chart.appendChild(title);
  rows.forEach((r, i) => {
    const y = 10 + i * rowHeight;
    const label = svg('text', { x: 4, y: y + 12 });
    label.textContent = r.reviewer;
    chart.appendChild(label);
    chart.appendChild(svg('rect', { class: 'bar', x: left, y: y + 3, width: x(r.mean) - left, height: 12 }));
    const sd = r.sd || 0;
    chart.appendChild(svg('line', { class: 'marker', x1: x(r.mean - sd), y1: y + 9, x2: x(r.mean + sd), y2: y + 9 }));
    const value = svg('text', { x: x(r.mean) + 4, y: y + 12 });
    value.textContent = number2(r.mean);
    chart.appendChild(value);
  });
  if (typeof results.totals.mean === 'number') {
    const m = x(results.totals.mean);
    chart.appendChild(svg('line', { class: 'axis', x1: m, y1: 4, x2: m, y2: height - 18 }));
  }
  for (const tick of [0, 50, 100]) {
    const t = svg('text', { x: x(tick) - 6, y: height - 4 });
    t.textContent = String(tick);
    chart.appendChild(t);
  }
  return chart;
}

function finalsTab() {
  const rows = scoring.results.applications.slice().sort((a, b) =>
    (a.rank ?? Infinity) - (b.rank ?? Infinity) || a.application_no.localeCompare(b.application_no));
  const normalizedRule = scoring.results.plan.final_rule === 'normalized';
  const table = el('table', { class: 'applicants finals' }, el('thead', {}, el('tr', {},
    el('th', {}, '名次'), el('th', {}, '應試號碼'), el('th', {}, '姓名'), el('th', {}, '評閱者總分（標準化）'),
    el('th', {}, '差分'), el('th', {}, '平均'), el('th', {}, '標準化平均'),
    el('th', {}, '書審成績' + (normalizedRule ? '（標準化）' : '')), el('th', {}, '備註'))));
  const body = el('tbody');
  for (const row of rows) {
    const notes = [];
    if (row.flagged) notes.push(row.pending ? '差分待處理' : '差分已處理');
    if (row.changed_after_scoring) notes.push('評分後資料有更新');
    if (!row.complete) notes.push('評閱未完成');
    body.appendChild(el('tr', { 'data-id': row.application, class: row.flagged && row.pending ? 'pending' : null },
      el('td', { class: 'number' }, row.rank ?? '—'),
      el('td', {}, el('a', { href: '#/a/' + enc(row.application) }, row.application_no),
        row.self_made ? el('span', { class: 'badge self-made' }, '自行上傳PDF') : null),
      el('td', {}, row.name || applicantName(row.application)),
      el('td', {}, readersText(row, true)),
      el('td', { class: 'number' }, number2(row.spread)),
      el('td', { class: 'number' }, number2(row.mean)),
      el('td', { class: 'number' }, number2(row.mean_normalized)),
      el('td', { class: 'number final' }, number2(row.final)),
      el('td', {}, notes.join('、'))));
  }
  table.appendChild(body);
  return el('div', {}, el('p', { class: 'muted' }, '名次依書審成績，同分同名次。原始平均與標準化平均並列。'), table);
}
