/* app.js — the workstation's browser side: login, the department's applicant
 * lists, and the applicant view (category tree, records, charts, attachments).
 * It only calls the JSON API of `beishen serve`.  Scoring (the reviewer's
 * panel and queue, the office's pages) is scoring.js, loaded after this file
 * and sharing its helpers.
 *
 * Rule: text from applications is only ever inserted with text nodes
 * (el() below turns every string child into a text node); no innerHTML. */
'use strict';

const state = {
  session: null,        /* GET /api/session: user, role, csrf, departments */
  departments: [],      /* GET /api/departments */
  department: null,
  sort: 'application_no',
  categoryFilter: '',
  order: [],            /* applicant ids in list order, for next/previous */
  applicant: null,      /* id shown in the applicant view */
  categories: [],       /* that applicant's categories */
  category: null,
  listKey: null,        /* department|sort|filter the order was loaded for */
};

const $ = (id) => document.getElementById(id);

/* Builds an element; string and number children become text nodes. */
function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name === 'onclick') node.addEventListener('click', value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  append(node, children);
  return node;
}

function append(node, children) {
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.appendChild(typeof child === 'string' || typeof child === 'number'
      ? document.createTextNode(String(child)) : child);
  }
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS('http://www.w3.org/2000/svg', tag);
  for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, String(value));
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

function show(view) {
  for (const id of ['login-view', 'list-view', 'applicant-view', 'users-view', 'queue-view', 'scoring-view'])
    $(id).hidden = id !== view;
  $('bar').hidden = view === 'login-view';
}

function status(message) { $('status').textContent = message || ''; }

/* ---- the API ---------------------------------------------------------------- */

/* status is the HTTP status; data the reply's JSON (a 409 carries the
 * current state there). */
class ApiError extends Error {
  constructor(status, message, data) { super(message); this.status = status; this.data = data; }
}

async function api(path, options) {
  const init = Object.assign({ credentials: 'same-origin', headers: {} }, options || {});
  if (init.body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(init.body);
  }
  if (init.method && init.method !== 'GET' && state.session) init.headers['X-CSRF-Token'] = state.session.csrf;
  const response = await fetch(path, init);
  let data = null;
  try { data = await response.json(); } catch (e) { data = null; }
  if (response.status === 401 && path !== '/api/login') {
    state.session = null;
    showLogin('登入已逾時，請重新登入。');
    throw new ApiError(401, 'not logged in');
  }
  if (!response.ok) throw new ApiError(response.status, (data && data.error) || response.statusText, data);
  return data;
}

const enc = encodeURIComponent;
const applicantPath = (id) => '/api/applicants/' + enc(id);

/* ---- login ---------------------------------------------------------------------- */

function showLogin(message) {
  show('login-view');
  $('login-error').textContent = message || '';
  $('login-password').value = '';
  $('login-user').focus();
}

async function login(event) {
  event.preventDefault();
  $('login-error').textContent = '';
  try {
    state.session = await api('/api/login', {
      method: 'POST', body: { user: $('login-user').value, password: $('login-password').value },
    });
    $('login-password').value = '';
    await start();
  } catch (e) {
    $('login-error').textContent = e.status === 429 ? '登入失敗次數過多，請稍後再試。'
      : e.status === 401 ? '帳號或密碼錯誤。' : '無法登入：' + e.message;
  }
}

async function logout() {
  try { await api('/api/logout', { method: 'POST', body: {} }); } catch (e) { /* already out */ }
  state.session = null;
  location.hash = '';
  showLogin('已登出。');
}

/* ---- accounts (admin) ------------------------------------------------------------- */

/* Admin accounts see no application data: their page is the account list,
 * with a form to add one and a two-step delete (no confirm() dialog). */
async function openUsers() {
  show('users-view');
  const users = await api('/api/users');
  const body = $('users-table').tBodies[0];
  clear(body);
  for (const u of users) {
    const remove = el('button', { type: 'button', class: 'remove' }, '刪除');
    remove.addEventListener('click', () => removeUser(u.name, remove));
    const row = el('tr', {},
      el('td', {}, u.name), el('td', {}, roleName(u.role)),
      el('td', {}, (u.departments || []).join(' ')), el('td', {}, u.university || ''),
      el('td', {}, (u.created_at || '').replace('T', ' ').replace(/\.\d+Z$/, '')),
      el('td', {}, u.name === state.session.user ? '' : remove));
    row.dataset.user = u.name;
    body.appendChild(row);
  }
}

async function removeUser(name, button) {
  if (button.dataset.armed !== 'yes') {
    button.dataset.armed = 'yes';
    button.textContent = '確定刪除 ' + name + '？';
    return;
  }
  try {
    await api('/api/users/' + enc(name), { method: 'DELETE' });
    await openUsers();
  } catch (e) {
    if (e.status !== 401) status('無法刪除：' + e.message);
  }
}

async function addUser(event) {
  event.preventDefault();
  $('user-error').textContent = '';
  const departments = $('new-departments').value.split(/[\s,，、]+/).filter((code) => code);
  const body = { user: $('new-user').value, password: $('new-password').value, role: $('new-role').value,
                 departments };
  if ($('new-university').value.trim()) body.university = $('new-university').value.trim();
  try {
    await api('/api/users', { method: 'POST', body });
    $('user-form').reset();
    await openUsers();
  } catch (e) {
    if (e.status !== 401) $('user-error').textContent = '無法新增：' + e.message;
  }
}

/* ---- start and routing ---------------------------------------------------------- */

async function start() {
  $('who').textContent = state.session.user + '（' + roleName(state.session.role) + '）';
  state.departments = await api('/api/departments');
  const select = $('department');
  clear(select);
  for (const d of state.departments)
    select.appendChild(el('option', { value: d.code }, d.code + ' ' + d.name + '（' + d.applications + '）'));
  const admin = state.session.role === 'admin';
  $('compare-link').hidden = admin;
  $('scoring-link').hidden = admin;
  $('scoring-link').textContent = state.session.role === 'office' ? '評分管理' : '我的評分';
  document.querySelector('.department-choice').hidden = admin;
  if (admin) {
    await openUsers();
    return;
  }
  if (!state.departments.length) {
    show('list-view');
    status('此帳號沒有可檢視的學系。');
    return;
  }
  await route();
}

function roleName(role) {
  return { reviewer: '審查委員', office: '招生單位', admin: '管理者' }[role] || role;
}

/* #/d/<department>, #/a/<application>/<category>, #/q/<department> (a
 * reviewer's queue) or #/s/<department> (the office's scoring pages). */
async function route() {
  if (!state.session) return;
  if (state.session.role === 'admin') return openUsers();
  const parts = location.hash.replace(/^#\/?/, '').split('/').map(decodeURIComponent);
  try {
    status('');
    if (parts[0] === 'a' && parts[1]) {
      await openApplicant(parts[1], parts[2] || null);
    } else if ((parts[0] === 'q' || parts[0] === 's') && parts[1]) {
      setDepartment(parts[1]);
      await (parts[0] === 'q' ? openQueue(parts[1]) : openScoring(parts[1]));
    } else {
      const code = parts[0] === 'd' && parts[1] ? parts[1] : (state.department || state.departments[0].code);
      await openList(code);
    }
  } catch (e) {
    if (e.status !== 401) status(e.status === 404 ? '找不到：' + e.message : '錯誤：' + e.message);
  }
}

function go(hash) {
  if (location.hash === hash) route(); else location.hash = hash;
}

/* ---- the applicant list -------------------------------------------------------------- */

function setDepartment(code) {
  state.department = code;
  $('department').value = code;
  $('compare-link').href = '/api/compare.pdf?department=' + enc(code);
  $('scoring-link').href = (state.session.role === 'office' ? '#/s/' : '#/q/') + enc(code);
}

async function loadList() {
  const query = new URLSearchParams({ department: state.department, sort: state.sort });
  if (state.categoryFilter) query.set('category', state.categoryFilter);
  const list = await api('/api/applicants?' + query.toString());
  state.listKey = [state.department, state.sort, state.categoryFilter].join('|');
  state.list = list;
  const portfolio = list.filter((a) => !a.self_made);
  const selfMade = list.filter((a) => a.self_made);
  state.order = portfolio.concat(selfMade).map((a) => a.id);
  return { list, portfolio, selfMade };
}

async function openList(code) {
  setDepartment(code);
  const { list, portfolio, selfMade } = await loadList();
  const count = (a, group) => (a.counts && a.counts[group]) || 0;
  const body = $('portfolio-table').tBodies[0];
  clear(body);
  for (const a of portfolio) {
    body.appendChild(el('tr', { 'data-id': a.id, onclick: () => go('#/a/' + enc(a.id)) },
      el('td', {}, a.application_no), el('td', {}, a.name), el('td', {}, a.school),
      el('td', { class: 'number' }, a.average === null ? '—' : a.average.toFixed(2)),
      el('td', { class: 'number' }, count(a, '修課紀錄')), el('td', { class: 'number' }, count(a, '課程學習成果')),
      el('td', { class: 'number' }, count(a, '多元表現')), el('td', { class: 'number' }, a.certified_outcomes)));
  }
  const selfBody = $('self-made-table').tBodies[0];
  clear(selfBody);
  for (const a of selfMade) {
    selfBody.appendChild(el('tr', { 'data-id': a.id, onclick: () => go('#/a/' + enc(a.id)) },
      el('td', {}, a.application_no, el('span', { class: 'badge self-made' }, '自行上傳PDF')),
      el('td', {}, a.name), el('td', {}, a.school),
      el('td', {}, Object.entries(a.counts || {}).map(([g, n]) => g + ' ' + n).join('、'))));
  }
  $('self-made-section').hidden = selfMade.length === 0;
  for (const th of document.querySelectorAll('th[data-sort]'))
    th.classList.toggle('sorted', th.dataset.sort === state.sort);
  $('category-filter').value = state.categoryFilter;
  $('list-count').textContent = list.length + ' 位（學習歷程檔案 ' + portfolio.length + '、自行上傳PDF ' + selfMade.length + '）';
  show('list-view');
}

function fillCategoryNames() {
  const names = new Set(['B 書面報告', 'C 實作作品', 'D 自然科學領域探究', 'E 社會領域探究', 'F 自主學習計畫與成果',
    'G 社團活動經驗', 'H 擔任幹部經驗', 'I 服務學習經驗', 'J 競賽表現', 'K 非修課紀錄之成果作品',
    'L 檢定證照', 'M 特殊優良表現', 'N 多元表現綜整心得', 'O 高中學習歷程反思', 'P 就讀動機', 'Q 未來學習計畫與生涯規劃']);
  for (const c of state.categories) names.add(c.category);
  const list = $('category-names');
  clear(list);
  for (const name of names) list.appendChild(el('option', { value: name }));
}

/* ---- the applicant view ---------------------------------------------------------------- */

async function openApplicant(id, category) {
  const department = id.split('-')[0];
  if (department !== state.department) setDepartment(department);
  if (state.listKey !== [state.department, state.sort, state.categoryFilter].join('|')) await loadList();
  if (state.applicant !== id) {
    state.categories = await api(applicantPath(id) + '/categories');
    state.applicant = id;
    fillCategoryNames();
  }
  const names = state.categories.map((c) => c.category);
  state.category = category && names.includes(category) ? category : names[0];
  const data = await api(applicantPath(id) + '/categories/' + enc(state.category));
  renderHeader(data);
  renderTree();
  renderRecords(data);
  closeViewer();
  show('applicant-view');
  await openScorePanel(id);
}

function renderHeader(data) {
  const student = data.student || {};
  $('applicant-title').textContent = data.id + '　' + (student.name || '') + '　' + (student.school_name || '');
  const badges = $('applicant-badges');
  clear(badges);
  append(badges, [el('span', { class: 'muted' }, data.department + ' ' + (data.department_name || ''))]);
  if (data.average !== null && data.average !== undefined)
    append(badges, [el('span', { class: 'muted' }, '　學業平均 ' + data.average.toFixed(2))]);
  if (data.self_made)
    append(badges, [el('span', { class: 'badge self-made' }, '自行上傳PDF：無教師認證、無時點歷程紀錄')]);
  $('packet-link').href = applicantPath(data.id) + '/packet.pdf';
  const index = state.order.indexOf(data.id);
  $('previous-applicant').disabled = index <= 0;
  $('next-applicant').disabled = index < 0 || index >= state.order.length - 1;
}

function renderTree() {
  const tree = $('category-tree');
  clear(tree);
  let group = null;
  for (const c of state.categories) {
    if (c.group !== group) {
      group = c.group;
      tree.appendChild(el('h3', {}, group));
    }
    const button = el('button', {
      type: 'button', class: c.category === state.category ? 'current' : null, 'data-category': c.category,
      onclick: () => go('#/a/' + enc(state.applicant) + '/' + enc(c.category)),
    }, el('span', {}, c.category), el('span', { class: 'count' }, c.count));
    tree.appendChild(button);
  }
}

function renderRecords(data) {
  const records = $('records');
  clear(records);
  const category = (data.categories || [])[0];
  if (!category) return;
  records.appendChild(el('h3', {}, category.category));
  if (!category.records.length) records.appendChild(el('p', { class: 'muted' }, '（沒有紀錄）'));
  for (const record of category.records) records.appendChild(renderRecord(record, data));
}

function fields(pairs) {
  const list = el('dl', { class: 'fields' });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    append(list, [el('dt', {}, label), el('dd', {}, String(value))]);
  }
  return list;
}

function renderRecord(r, data) {
  switch (r.type) {
  case 'student':
    return el('div', { class: 'record' }, fields([
      ['姓名', r.name], ['身分證號', r.national_id], ['性別', r.gender], ['出生日期', r.birth_date],
      ['學校', r.school_code + ' ' + r.school_name], ['學程', r.program], ['班級座號', r.class_name + ' 班 ' + r.seat_no + ' 號'],
      ['入學／畢業', r.entry_year + '／' + r.graduation_year], ['學籍狀態', r.status]]));
  case 'cadre':
    return el('div', { class: 'record' }, el('span', { class: 'title' }, '幹部　' + r.unit + '　' + r.title),
      el('span', { class: 'muted' }, '　' + r.start + ' ～ ' + r.end + '　層級 ' + r.level));
  case 'course':
    return renderCourse(r, data);
  default:
    return renderItem(r);
  }
}

function term(r) { return r.year + '-' + r.semester; }

/* The course's standing in the department's pool (the same subject, grade
 * and semester): a PR, larger is better, or "n過少" for a pool too small. */
function poolText(r) {
  if (r.pool_percentile === null || r.pool_percentile === undefined) return null;
  if (r.pool_too_small) return '本系PR n過少（n=' + r.pool_n + '）';
  return '本系PR ' + r.pool_percentile + '（n=' + r.pool_n + '，大者佳）';
}

function renderCourse(r, data) {
  const facts = el('div', { class: 'facts' },
    el('span', { class: 'title' }, term(r) + '　' + r.name),
    el('span', {}, r.credits + ' 學分'),
    el('span', { class: 'score' }, r.score === null ? (r.in_progress ? '修課中' : '—') : '分數 ' + r.score),
    r.makeup_score !== null ? el('span', {}, '補考 ' + r.makeup_score) : null,
    r.passed === false ? el('span', { class: 'error' }, '未通過') : null,
    r.cohort_rank_pct !== null ? el('span', {}, '校排前 ' + r.cohort_rank_pct + '%（' + r.cohort_rank + '/' + r.cohort_size + '，小者佳）') : null,
    poolText(r) ? el('span', {}, poolText(r)) : null,
    r.remark ? el('span', { class: 'muted' }, r.remark) : null);
  const extra = el('div', { class: 'extra' });
  const planButton = el('button', { type: 'button', class: 'plan-toggle' }, '課程計畫');
  const poolButton = el('button', { type: 'button', class: 'pool-toggle' }, '全系分布');
  planButton.addEventListener('click', () => toggle(extra, 'plan', () => coursePlan(r)));
  poolButton.addEventListener('click', () => toggle(extra, 'pool', () => poolChart(r, data)));
  return el('div', { class: 'record course', 'data-code': r.code },
    el('div', {}, facts, el('div', { class: 'files' }, planButton, poolButton)),
    courseChart(r), extra);
}

/* Shows the block made by build() in extra, or hides it when it is shown. */
async function toggle(extra, kind, build) {
  const existing = extra.querySelector('.' + kind);
  if (existing) { existing.remove(); return; }
  try {
    const block = await build();
    block.classList.add(kind);
    extra.appendChild(block);
  } catch (e) {
    if (e.status !== 401) status('錯誤：' + e.message);
  }
}

function coursePlan(r) {
  const k = r.catalog || {};
  return el('div', { class: 'plan' }, fields([
    ['課程代碼', r.code], ['英文名稱', k.name_en], ['授課教師來源', (k.teacher_source || []).join('、')],
    ['必修', k.required === true ? '是' : k.required === false ? '否' : null], ['領域', k.domain],
    ['跨領域', k.cross_domain], ['來源', k.origin], ['核心素養', (k.competencies || []).join('、')],
    ['課程大綱', k.syllabus]]));
}

/* The course's small chart: the school cohort's histogram (10 bins, the
 * applicant's bin dark, a red line at the score) and, under it, the
 * department pool's percentile rank as a dot on a 0–100 track. */
function courseChart(r) {
  const width = 190, height = 62, plot = 36;
  const chart = svg('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const counts = Array.isArray(r.cohort_histogram) ? r.cohort_histogram : null;
  const label = [];
  if (counts && counts.length === 10) {
    const max = Math.max(1, ...counts);
    const mine = typeof r.score === 'number' ? Math.min(9, Math.max(0, Math.floor(r.score / 10))) : -1;
    counts.forEach((n, i) => {
      const h = Math.round((n / max) * (plot - 2));
      chart.appendChild(svg('rect', { class: i === mine ? 'bar mine' : 'bar', x: 5 + i * 18, y: plot - h, width: 16, height: h }));
    });
    chart.appendChild(svg('line', { class: 'axis', x1: 4, y1: plot + 0.5, x2: 186, y2: plot + 0.5 }));
    if (typeof r.score === 'number') {
      const x = 5 + Math.min(100, Math.max(0, r.score)) * 1.8;
      chart.appendChild(svg('line', { class: 'marker', x1: x, y1: 0, x2: x, y2: plot }));
    }
    label.push('校內同課程分布（n=' + r.cohort_size + '，0–100 分每 10 分一組）' + counts.join(','));
  } else {
    const t = svg('text', { x: 5, y: 22 });
    t.textContent = '無校內分布';
    chart.appendChild(t);
  }
  chart.appendChild(svg('rect', { class: 'track', x: 5, y: 46, width: 180, height: 6, rx: 3 }));
  if (typeof r.pool_percentile === 'number' && !r.pool_too_small) {
    chart.appendChild(svg('circle', { class: 'dot', cx: 5 + r.pool_percentile * 1.8, cy: 49, r: 4 }));
    label.push('本系PR ' + r.pool_percentile);
  }
  const title = svg('title', {});
  title.textContent = label.join('；') || '無資料';
  chart.insertBefore(title, chart.firstChild);
  return chart;
}

async function poolChart(r, data) {
  /* The pool of the course's PR: the same subject, grade and semester. */
  const query = new URLSearchParams({ department: data.department, subject: r.subject,
    grade: String(r.grade), semester: String(r.semester) });
  const d = await api('/api/distributions?' + query.toString());
  const width = 360, height = 120, plot = 90;
  const chart = svg('svg', { class: 'chart pool', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img' });
  const max = Math.max(1, ...d.histogram);
  const mine = typeof r.score === 'number' ? Math.min(9, Math.max(0, Math.floor(r.score / 10))) : -1;
  d.histogram.forEach((n, i) => {
    const h = Math.round((n / max) * (plot - 12));
    chart.appendChild(svg('rect', { class: i === mine ? 'bar mine' : 'bar', x: 10 + i * 34, y: plot - h, width: 30, height: h }));
    const count = svg('text', { x: 18 + i * 34, y: plot - h - 2 });
    count.textContent = String(n);
    chart.appendChild(count);
    const tick = svg('text', { x: 10 + i * 34, y: plot + 12 });
    tick.textContent = String(i * 10);
    chart.appendChild(tick);
  });
  chart.appendChild(svg('line', { class: 'axis', x1: 8, y1: plot + 0.5, x2: 350, y2: plot + 0.5 }));
  const summary = d.n < d.min_pool ? `n=${d.n}（n過少，不計百分等級）`
    : `n=${d.n}　平均 ${d.mean}　標準差 ${d.sd}　中位數 ${d.median}　Q1 ${d.q1}　Q3 ${d.q3}`;
  return el('div', {}, el('div', { class: 'muted' },
    '本系申請人 ' + r.grade + ' 年級第 ' + r.semester + ' 學期「' + r.subject + '」：' + summary), chart);
}

function renderItem(r) {
  const badges = [];
  if (r.certified === true) badges.push(el('span', { class: 'badge certified' }, '教師認證'));
  if (r.certified === false) badges.push(el('span', { class: 'badge uncertified' }, '未認證'));
  const details = fields([
    ['課程', r.course_name ? term(r) + ' ' + r.course_name : null],
    ['類型', r.kind], ['主辦單位', r.organizer],
    ['期間', r.start ? r.start + ' ～ ' + (r.end || '') : null], ['時數', r.hours], ['層級', r.level], ['獎項', r.award],
    ['認證時間', r.certified_at], ['上傳時間', r.uploaded_at],
    ['連結', Array.isArray(r.links) && r.links.length ? r.links.join('  ') : null]]);
  const files = el('div', { class: 'files' });
  for (const f of r.files || [])
    files.appendChild(el('button', { type: 'button', class: 'file', onclick: () => openViewer(f) },
      '📎 ' + f.name + '（' + Math.ceil(f.size / 1024) + ' KB）'));
  return el('div', { class: 'record item' },
    el('div', {}, el('span', { class: 'title' }, r.title || ''), badges),
    details,
    r.summary ? el('p', { class: 'text' }, r.summary) : null,
    r.text ? el('p', { class: 'text' }, r.text) : null,
    files);
}

/* ---- attachments, in place ------------------------------------------------------------- */

function openViewer(file) {
  const url = '/api/files/' + enc(file.sha256);
  const body = $('viewer-body');
  clear(body);
  $('viewer-title').textContent = file.name;
  $('viewer-open').href = url;
  const type = file.media_type || '';
  if (type.startsWith('image/')) body.appendChild(el('img', { src: url, alt: file.name }));
  else if (type.startsWith('audio/')) body.appendChild(el('audio', { src: url, controls: true }));
  else if (type.startsWith('video/')) body.appendChild(el('video', { src: url, controls: true }));
  else body.appendChild(el('iframe', { src: url, title: file.name }));
  $('viewer').hidden = false;
}

function closeViewer() {
  $('viewer').hidden = true;
  clear($('viewer-body'));
}

/* ---- keyboard --------------------------------------------------------------------------- */

function stepCategory(delta) {
  const names = state.categories.map((c) => c.category);
  const next = names.indexOf(state.category) + delta;
  if (next >= 0 && next < names.length) go('#/a/' + enc(state.applicant) + '/' + enc(names[next]));
}

function stepApplicant(delta) {
  const index = state.order.indexOf(state.applicant) + delta;
  if (index >= 0 && index < state.order.length) go('#/a/' + enc(state.order[index]));
}

function onKey(event) {
  if (event.ctrlKey || event.metaKey || event.altKey) return;
  const target = event.target;
  if (target && (target.tagName === 'INPUT' || target.tagName === 'SELECT' || target.tagName === 'TEXTAREA')) return;
  if ($('applicant-view').hidden) return;
  const actions = {
    j: () => stepCategory(1), ArrowDown: () => stepCategory(1),
    k: () => stepCategory(-1), ArrowUp: () => stepCategory(-1),
    n: () => stepApplicant(1), ']': () => stepApplicant(1),
    p: () => stepApplicant(-1), '[': () => stepApplicant(-1),
    Escape: () => ($('viewer').hidden ? go('#/d/' + enc(state.department)) : closeViewer()),
  };
  const action = actions[event.key];
  if (action) {
    event.preventDefault();
    action();
  }
}

/* ---- wiring ----------------------------------------------------------------------------- */

function sortBy(key) {
  state.sort = key;
  state.listKey = null;
  route();
}

document.addEventListener('DOMContentLoaded', async () => {
  $('login-form').addEventListener('submit', login);
  $('user-form').addEventListener('submit', addUser);
  $('logout').addEventListener('click', logout);
  $('department').addEventListener('change', () => {
    state.categoryFilter = '';
    const view = location.hash.match(/^#\/([qs])\//);
    go('#/' + (view ? view[1] : 'd') + '/' + enc($('department').value));
  });
  $('filter-apply').addEventListener('click', () => {
    state.categoryFilter = $('category-filter').value.trim();
    state.listKey = null;
    route();
  });
  $('filter-clear').addEventListener('click', () => {
    state.categoryFilter = '';
    state.listKey = null;
    route();
  });
  for (const th of document.querySelectorAll('th[data-sort]')) {
    th.addEventListener('click', () => sortBy(th.dataset.sort));
    th.addEventListener('keydown', (e) => { if (e.key === 'Enter') sortBy(th.dataset.sort); });
  }
  $('back').addEventListener('click', () => go('#/d/' + enc(state.department)));
  $('previous-applicant').addEventListener('click', () => stepApplicant(-1));
  $('next-applicant').addEventListener('click', () => stepApplicant(1));
  $('viewer-close').addEventListener('click', closeViewer);
  document.addEventListener('keydown', onKey);
  window.addEventListener('hashchange', route);
  try {
    state.session = await api('/api/session');
    await start();
  } catch (e) {
    if (e.status !== 401) showLogin('無法連線：' + e.message);
  }
});
