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
  lists: {},            /* department -> its required-item list (or null) */
  foldCourses: true,    /* A 修課紀錄's course categories folded in the tree */
  lastViewed: null,     /* the applicant last opened, marked in the list */
  listScroll: 0,        /* the list's scroll position when it was left */
  search: '',
};

const OVERVIEW = '擇要檢視';

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
  if (!$('list-view').hidden && view !== 'list-view') state.listScroll = window.scrollY;
  for (const id of ['login-view', 'list-view', 'applicant-view', 'users-view', 'queue-view', 'scoring-view'])
    $(id).hidden = id !== view;
  $('bar').hidden = view === 'login-view';
}

/* A message at the top of the page, under the bar, where the reader looks
 * (and announced); an empty message hides it. */
function status(message) {
  $('status').textContent = message || '';
  $('status').hidden = !message;
}

/* A route that cannot be shown (a forbidden or mistyped link): nothing of
 * the previous view stays on screen, only the error and the way back. */
function showError(message) {
  show(null);
  status(message);
  $('status').appendChild(el('a', { href: '#/d/' + enc(state.department || (state.departments[0] || {}).code || '') }, '　回名單'));
  window.scrollTo(0, 0);
}

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
 * with each account's recent failed logins and lockout (and a button that
 * ends it), a form to add one and a two-step delete (no confirm() dialog). */
async function openUsers() {
  show('users-view');
  $('users-notice').textContent = '';
  const users = await api('/api/users');
  const body = $('users-table').tBodies[0];
  clear(body);
  for (const u of users) {
    const remove = el('button', { type: 'button', class: 'remove' }, '刪除');
    remove.addEventListener('click', () => removeUser(u.name, remove));
    /* data-label: the column's name, shown before the value when a narrow
     * window lays each account out as a card. */
    const row = el('tr', {},
      el('td', {}, u.name), el('td', { 'data-label': '角色' }, roleName(u.role)),
      el('td', { 'data-label': '可檢視學系' }, (u.departments || []).join(' ')),
      el('td', { 'data-label': '大學代碼' }, u.university || ''),
      el('td', { 'data-label': '建立時間' }, (u.created_at || '').replace('T', ' ').replace(/\.\d+Z$/, '')),
      el('td', { class: 'login-state' }, loginState(u)),
      el('td', { class: 'actions' }, u.name === state.session.user ? '' : remove));
    row.dataset.user = u.name;
    if (u.locked_until) row.classList.add('locked');
    body.appendChild(row);
  }
  await openAudit();
}

/* An account's failed logins of the last minutes, and until when (local
 * time) a client that failed is refused for it, with the button that ends
 * that at once. */
function loginState(u) {
  const failures = u.failed_logins || 0;
  if (!u.locked_until) return failures ? el('span', { class: 'muted' }, '最近登入失敗 ' + failures + ' 次') : '';
  /* to the minute, rounded up: "until 09:22" is never before it ends */
  const until = new Date(Math.ceil(Date.parse(u.locked_until) / 60000) * 60000);
  const pad = (n) => String(n).padStart(2, '0');
  const unlock = el('button', { type: 'button', class: 'unlock' }, '解除鎖定');
  unlock.addEventListener('click', () => unlockUser(u.name, unlock));
  return [
    el('span', { class: 'lock', title: '鎖定至 ' + u.locked_until + '（UTC）' },
      '鎖定至 ' + pad(until.getHours()) + ':' + pad(until.getMinutes())),
    el('span', { class: 'muted' }, '登入失敗 ' + failures + ' 次'
      + (u.locked_clients > 1 ? '，' + u.locked_clients + ' 個來源' : '')),
    unlock,
  ];
}

/* Ends an account's lockout: its failed logins are forgotten.  The answer
 * says how many; the list is read again. */
async function unlockUser(name, button) {
  button.disabled = true;
  let result;
  try {
    result = await api('/api/users/' + enc(name) + '/unlock', { method: 'POST', body: {} });
  } catch (e) {
    button.disabled = false;
    if (e.status !== 401) status('無法解除鎖定：' + e.message);
    return;
  }
  status('');
  try {
    await openUsers();
  } catch (e) {
    if (e.status !== 401) status('已解除鎖定，但無法重新讀取帳號：' + e.message);
  }
  $('users-notice').textContent = '已解除 ' + name + ' 的鎖定，清除 ' + result.cleared + ' 次登入失敗紀錄。';
}

/* The audit log, newest first (200 rows), filtered by account or applicant. */
async function openAudit() {
  const query = new URLSearchParams({ limit: '200' });
  if ($('audit-user').value.trim()) query.set('user', $('audit-user').value.trim());
  if ($('audit-application').value.trim()) query.set('application', $('audit-application').value.trim());
  const body = $('audit-table').tBodies[0];
  clear(body);
  try {
    const rows = await api('/api/audit?' + query.toString());
    for (const r of rows)
      body.appendChild(el('tr', {}, el('td', {}, humanTime(r.at)), el('td', {}, r.user || ''), el('td', {}, r.action),
        el('td', {}, r.application || ''), el('td', {}, r.detail || ''), el('td', {}, r.remote || '')));
    if (!rows.length) body.appendChild(el('tr', {}, el('td', { colspan: 6, class: 'muted' }, '沒有紀錄。')));
  } catch (e) {
    if (e.status !== 401) body.appendChild(el('tr', {}, el('td', { colspan: 6, class: 'error' }, '無法讀取：' + e.message)));
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
    if (e.status === 401) return;
    if (e.status === 404 || e.status === 403) showError('找不到，或此帳號無權檢視：' + e.message);
    else showError('錯誤：' + e.message);
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

/* A list row: focusable, opened by click, Enter or Space; the applicant
 * last opened is marked. */
function listRow(a, ...cells) {
  const row = el('tr', { 'data-id': a.id, tabindex: 0, class: a.id === state.lastViewed ? 'last-viewed' : null,
    'aria-label': a.application_no + ' ' + a.name + (a.id === state.lastViewed ? '（上次檢視）' : ''),
    onclick: () => go('#/a/' + enc(a.id)) }, ...cells);
  row.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' || event.key === ' ') { event.preventDefault(); go('#/a/' + enc(a.id)); }
  });
  return row;
}

/* Search by name (or pseudonym) or exam number: rows that do not match hide. */
function applySearch() {
  const needle = state.search.trim().toLowerCase();
  let shown = 0;
  for (const row of document.querySelectorAll('#list-view tbody tr')) {
    const a = (state.list || []).find((x) => x.id === row.dataset.id);
    const match = !needle || (a && (a.application_no.includes(needle) || (a.name || '').toLowerCase().includes(needle)));
    row.hidden = !match;
    shown += match ? 1 : 0;
  }
  $('search-count').textContent = needle ? '符合 ' + shown + ' 位' : '';
}

async function openList(code) {
  setDepartment(code);
  const { list, portfolio, selfMade } = await loadList();
  const count = (a, group) => (a.counts && a.counts[group]) || 0;
  const body = $('portfolio-table').tBodies[0];
  clear(body);
  for (const a of portfolio) {
    body.appendChild(listRow(a,
      el('td', {}, a.application_no), el('td', {}, a.name), el('td', { hidden: !!a.blind }, a.school),
      el('td', { class: 'number' }, a.average === null ? '—' : a.average.toFixed(2)),
      el('td', { class: 'number' }, count(a, '修課紀錄')), el('td', { class: 'number' }, count(a, '課程學習成果')),
      el('td', { class: 'number' }, count(a, '多元表現')), el('td', { class: 'number' }, a.certified_outcomes)));
  }
  const blind = list.some((a) => a.blind);
  document.querySelector('#portfolio-table th:nth-child(3)').hidden = blind;
  document.querySelector('#self-made-table th:nth-child(3)').hidden = blind;
  const selfBody = $('self-made-table').tBodies[0];
  clear(selfBody);
  for (const a of selfMade) {
    selfBody.appendChild(listRow(a,
      el('td', {}, a.application_no, el('span', { class: 'badge self-made' }, '自行上傳PDF')),
      el('td', {}, a.name), el('td', { hidden: blind }, a.school),
      el('td', {}, Object.entries(a.counts || {}).map(([g, n]) => g + ' ' + n).join('、'))));
  }
  $('self-made-section').hidden = selfMade.length === 0;
  for (const th of document.querySelectorAll('th[data-sort]')) {
    th.classList.toggle('sorted', th.dataset.sort === state.sort);
    th.setAttribute('aria-sort', th.dataset.sort === state.sort ? (state.sort === 'average' ? 'descending' : 'ascending') : 'none');
  }
  $('category-filter').value = state.categoryFilter;
  $('list-count').textContent = list.length + ' 位（學習歷程檔案 ' + portfolio.length + '、自行上傳PDF ' + selfMade.length + '）' +
    (blind ? '　盲審：以審查代號顯示' : '');
  $('search').value = state.search;
  show('list-view');
  applySearch();
  /* Back from an applicant: where the reader was, on the row they left. */
  window.scrollTo(0, state.listScroll);
  const last = state.lastViewed && document.querySelector(`#list-view tr[data-id="${CSS.escape(state.lastViewed)}"]`);
  if (last) last.focus({ preventScroll: true });
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

/* The department's newest required-item list (null when none is loaded). */
async function departmentList(department) {
  if (!(department in state.lists)) {
    try { state.lists[department] = await api('/api/requirements/' + enc(department)); }
    catch (e) { if (e.status === 404) state.lists[department] = null; else throw e; }
  }
  return state.lists[department];
}

async function openApplicant(id, category) {
  const department = id.split('-')[0];
  if (department !== state.department) setDepartment(department);
  if (state.listKey !== [state.department, state.sort, state.categoryFilter].join('|')) await loadList();
  const [list, categories] = await Promise.all([departmentList(department),
    state.applicant === id ? state.categories : api(applicantPath(id) + '/categories')]);
  state.categories = categories;
  if (state.applicant !== id) closeViewer();
  state.applicant = id;
  state.lastViewed = id;
  fillCategoryNames();
  const names = state.categories.map((c) => c.category);
  state.category = category && names.includes(category) ? category : OVERVIEW;
  const course = state.categories.find((c) => c.category === state.category && c.group === '修課紀錄');
  if (course) state.foldCourses = false;
  const treeHadFocus = $('category-tree').contains(document.activeElement);
  const data = state.category === OVERVIEW
    ? await api(applicantPath(id) + '/overview')
    : await api(applicantPath(id) + '/categories/' + enc(state.category));
  renderHeader(data);
  renderTree(list, treeHadFocus);
  if (state.category === OVERVIEW) { renderOverview(data); showNotes(id, null, []); } else renderRecords(data);
  show('applicant-view');
  status('');
  await openScorePanel(id);
}

function renderHeader(data) {
  const student = data.student || {};
  $('applicant-title').textContent = data.id + '　' + (student.name || '') + (student.school_name ? '　' + student.school_name : '');
  const badges = $('applicant-badges');
  clear(badges);
  append(badges, [el('span', { class: 'muted' }, data.department + ' ' + (data.department_name || ''))]);
  if (data.blind) append(badges, [el('span', { class: 'badge blind' }, '盲審')]);
  if (data.average !== null && data.average !== undefined)
    append(badges, [el('span', { class: 'muted' }, '　學業平均 ' + data.average.toFixed(2))]);
  if (data.self_made)
    append(badges, [el('span', { class: 'badge self-made' }, '自行上傳PDF：無教師認證、無時點歷程紀錄')]);
  $('packet-link').href = applicantPath(data.id) + '/packet.pdf';
  const index = state.order.indexOf(data.id);
  $('previous-applicant').disabled = index <= 0;
  $('next-applicant').disabled = index < 0 || index >= state.order.length - 1;
}

function categoryButton(name, count, extra) {
  const current = name === state.category;
  return el('button', Object.assign({
    type: 'button', class: current ? 'current' : null, 'data-category': name, 'aria-current': current ? 'page' : null,
    onclick: () => go('#/a/' + enc(state.applicant) + '/' + enc(name)),
  }, extra || {}), el('span', {}, name), count === null ? null : el('span', { class: 'count' }, count));
}

/* The tree in the order of the department's list: 擇要檢視, 基本資料, then
 * each listed item (A's course categories folded under one toggle), then
 * what the list does not ask for.  Without a list, the export's order. */
function renderTree(list, keepFocus) {
  const tree = $('category-tree');
  clear(tree);
  tree.appendChild(categoryButton(OVERVIEW, null, { class: state.category === OVERVIEW ? 'current overview' : 'overview' }));
  const placed = new Set();
  const courses = state.categories.filter((c) => c.group === '修課紀錄');
  const add = (c) => { placed.add(c.category); tree.appendChild(categoryButton(c.category, c.count)); };
  const addCourses = () => {
    const total = courses.reduce((n, c) => n + c.count, 0);
    const toggle = el('button', { type: 'button', class: 'fold', 'aria-expanded': String(!state.foldCourses),
      'aria-controls': 'course-categories' }, el('span', {}, (state.foldCourses ? '▸ ' : '▾ ') + 'A 修課紀錄'),
      el('span', { class: 'count' }, total));
    toggle.addEventListener('click', () => { state.foldCourses = !state.foldCourses; renderTree(list, true); toggle.focus(); });
    tree.appendChild(toggle);
    const group = el('div', { id: 'course-categories', hidden: state.foldCourses });
    for (const c of courses) { placed.add(c.category); group.appendChild(categoryButton(c.category, c.count, { class: c.category === state.category ? 'current nested' : 'nested' })); }
    tree.appendChild(group);
  };
  tree.appendChild(el('h3', {}, '基本資料'));
  state.categories.filter((c) => c.group === '基本資料').forEach(add);
  const items = list && Array.isArray(list.items) ? list.items.map((i) => i.code) : null;
  if (items) {
    tree.appendChild(el('h3', {}, '參採項目（依學系順序）'));
    for (const code of items) {
      if (code === 'A') { if (courses.length) addCourses(); continue; }
      state.categories.filter((c) => c.group !== '修課紀錄' && c.item === code).forEach(add);
    }
    const rest = state.categories.filter((c) => !placed.has(c.category) && c.group !== '修課紀錄');
    if (rest.length || (courses.length && !items.includes('A'))) tree.appendChild(el('h3', {}, '未列入參採項目'));
    if (courses.length && !items.includes('A')) addCourses();
    rest.forEach(add);
  } else {
    if (courses.length) addCourses();
    let group = null;
    for (const c of state.categories.filter((x) => !placed.has(x.category))) {
      if (c.group !== group) { group = c.group; tree.appendChild(el('h3', {}, group)); }
      add(c);
    }
  }
  const current = tree.querySelector('button.current');
  if (current) {
    current.scrollIntoView({ block: 'nearest' });
    if (keepFocus) current.focus({ preventScroll: true });
  }
}

/* 擇要檢視: what the reader should know before reading. */
function renderOverview(data) {
  const records = $('records');
  clear(records);
  records.appendChild(el('h3', {}, OVERVIEW));
  if (data.self_made)
    records.appendChild(el('p', { class: 'warning' }, '自行上傳PDF申請：無教師認證、無時點歷程紀錄，不與學習歷程檔案申請者排序比較。'));
  if (Array.isArray(data.items)) {
    const missing = data.items.filter((i) => i.missing);
    records.appendChild(el('p', { class: missing.length ? 'error' : 'muted' }, missing.length
      ? '缺少參採項目：' + missing.map((i) => i.code + ' ' + i.name).join('、') : '學系參採項目皆有資料。'));
    const table = el('table', { class: 'overview-items' }, el('thead', {}, el('tr', {},
      el('th', { scope: 'col' }, '參採項目'), el('th', { scope: 'col' }, '權重'), el('th', { scope: 'col' }, '筆數'))));
    const body = el('tbody');
    for (const item of data.items) {
      const link = item.code === 'A' ? null : state.categories.find((c) => c.item === item.code && c.group !== '修課紀錄');
      body.appendChild(el('tr', { class: item.missing ? 'missing' : null, 'data-item': item.code },
        el('td', {}, link ? el('a', { href: '#/a/' + enc(data.id) + '/' + enc(link.category) }, item.code + ' ' + item.name)
          : item.code + ' ' + item.name),
        el('td', { class: 'number' }, item.weight + '%'),
        el('td', { class: 'number' }, item.missing ? el('strong', {}, '0（缺）') : item.count)));
    }
    table.appendChild(body);
    records.appendChild(table);
  } else {
    records.appendChild(el('p', { class: 'muted' }, '本學系尚未載入參採項目。'));
  }
  const averages = el('dl', { class: 'fields averages' });
  append(averages, [el('dt', {}, '學業平均'), el('dd', {}, typeof data.average === 'number' ? data.average.toFixed(2) : '—')]);
  for (const d of data.domain_averages || [])
    append(averages, [el('dt', {}, d.name + '領域'), el('dd', {}, typeof d.average === 'number' ? d.average.toFixed(2) : '—')]);
  records.appendChild(el('h4', {}, '各領域學期成績加權平均'));
  records.appendChild(averages);
  const c = data.certification || {};
  records.appendChild(el('h4', {}, '認證'));
  records.appendChild(fields([
    ['課程學習成果（教師認證）', c.outcomes_certified], ['課程學習成果（未認證）', c.outcomes_uncertified],
    ['多元表現（學生登錄，無教師認證）', c.performances_uncertified]]));
  const zero = state.categories.filter((x) => x.count === 0);
  if (zero.length) records.appendChild(el('p', { class: 'muted' }, '沒有紀錄的類別：' + zero.map((x) => x.category).join('、')));
}

function renderRecords(data) {
  const records = $('records');
  clear(records);
  const category = (data.categories || [])[0];
  if (!category) return;
  records.appendChild(el('h3', {}, category.category));
  if (!category.records.length) records.appendChild(el('p', { class: 'muted' }, '（沒有紀錄）'));
  for (const record of category.records) records.appendChild(renderRecord(record, data));
  showNotes(data.id, category.category, category.records);
}

/* Human words for the export's codes (docs/export-format.md). */
const WORDS = {
  gender: { M: '男', F: '女' },
  cadreLevel: { 1: '校級', 2: '班級', 3: '社團' },
  kind: { cadre: '幹部經歷', competition: '競賽', certificate: '檢定證照', service: '服務學習',
    flexible_learning: '彈性學習', group_activity: '團體活動', workplace: '職場學習', work: '作品',
    advanced_course: '大學及技專校院先修課程', other: '其他' },
  recordType: { regular: null, makeup: '補修', retake: '重修', reread: '重讀', transfer: '轉學轉科抵免' },
  type: { outcome: '課程學習成果', performance: '多元表現', statement: '學習歷程自述', upload: '自行上傳PDF' },
};
const word = (table, code) => (code in WORDS[table] ? WORDS[table][code] : code);

/* 2025-12-15T13:28:00+08:00 → 2025-12-15 13:28 (the time as exported, Taiwan). */
function humanTime(text) {
  const m = typeof text === 'string' && text.match(/^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})/);
  return m ? m[1] + ' ' + m[2] : text;
}

/* Links as links, opened apart from the workstation; only http(s). */
function linkList(links) {
  const box = el('span', { class: 'links' });
  for (const url of links) {
    if (/^https?:\/\//i.test(url)) box.appendChild(el('a', { href: url, target: '_blank', rel: 'noopener noreferrer' }, url));
    else box.appendChild(el('span', {}, url));
    box.appendChild(document.createTextNode(' '));
  }
  return box;
}

function fields(pairs) {
  const list = el('dl', { class: 'fields' });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === '') continue;
    append(list, [el('dt', {}, label), el('dd', {}, value instanceof Node ? value : String(value))]);
  }
  return list;
}

function renderRecord(r, data) {
  switch (r.type) {
  case 'student':
    return el('div', { class: 'record' }, fields([
      [data.blind ? '審查代號' : '姓名', r.name], ['身分證號', r.national_id], ['性別', r.gender && word('gender', r.gender)],
      ['出生日期', r.birth_date], ['學校', r.school_name ? r.school_code + ' ' + r.school_name : null], ['學程', r.program],
      ['班級座號', r.class_name ? r.class_name + ' 班 ' + r.seat_no + ' 號' : null],
      ['入學／畢業', r.entry_year + '／' + r.graduation_year + ' 學年度'], ['學籍狀態', r.status],
      ['盲審', data.blind ? '已隱去姓名、身分證號、學校、性別與出生日期' : null]]));
  case 'cadre':
    return el('div', { class: 'record' }, el('span', { class: 'title' }, '幹部　' + r.unit + '　' + r.title),
      el('span', { class: 'muted' }, '　' + r.start + ' ～ ' + r.end + '　' + word('cadreLevel', r.level)));
  case 'course':
    return renderCourse(r, data);
  default:
    return renderItem(r);
  }
}

function term(r) { return r.year + '-' + r.semester; }

/* The key a note on one record carries: an item's id, or a course as
 * code/year-semester. */
function recordKey(r) { return r.type === 'course' ? r.code + '/' + term(r) : r.id || null; }

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
    word('recordType', r.record_type) ? el('span', { class: 'badge' }, word('recordType', r.record_type)) : null,
    r.passed === false ? el('span', { class: 'error' }, '未通過') : null,
    r.cohort_rank_pct !== null ? el('span', {}, '校排前 ' + r.cohort_rank_pct + '%（' + r.cohort_rank + '/' + r.cohort_size + '，小者佳）') : null,
    poolText(r) ? el('span', {}, poolText(r)) : null,
    r.remark ? el('span', { class: 'muted' }, r.remark) : null);
  const extra = el('div', { class: 'extra' });
  const planButton = el('button', { type: 'button', class: 'plan-toggle' }, '課程計畫');
  const poolButton = el('button', { type: 'button', class: 'pool-toggle' }, '全系分布');
  planButton.addEventListener('click', () => toggle(extra, 'plan', () => coursePlan(r)));
  poolButton.addEventListener('click', () => toggle(extra, 'pool', () => poolChart(r, data)));
  return el('div', { class: 'record course', 'data-code': r.code, 'data-record': recordKey(r) },
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
    ['跨領域', k.cross_domain], ['來源', k.origin],
    ['核心素養', (k.competencies || []).map((code, i) => code + ((k.competency_names || [])[i] ? ' ' + k.competency_names[i] : '')).join('、')],
    ['課程大綱', k.syllabus]]));
}

/* The course's small chart: the school cohort's histogram (10 bins, the
 * applicant's bin dark, a red line at the score) and, under it, the
 * department pool's percentile rank as a dot on a 0–100 track. */
function courseChart(r) {
  const width = 190, height = 62, plot = 36;
  const chart = svg('svg', { class: 'chart', width, height, viewBox: `0 0 ${width} ${height}`, role: 'img', focusable: 'false' });
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
  chart.setAttribute('aria-label', title.textContent);
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
  chart.setAttribute('aria-label', '本系分布（每 10 分一組）：' + d.histogram.join(','));
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
    ['類型', r.kind ? word('kind', r.kind) : null], ['主辦單位', r.organizer],
    ['期間', r.start ? r.start + ' ～ ' + (r.end || '') : null], ['時數', r.hours], ['層級', r.level], ['獎項', r.award],
    ['認證時間', humanTime(r.certified_at)], ['上傳時間', humanTime(r.uploaded_at)],
    ['連結', Array.isArray(r.links) && r.links.length ? linkList(r.links) : null]]);
  const files = el('div', { class: 'files' });
  for (const f of r.files || [])
    files.appendChild(el('button', { type: 'button', class: 'file',
      onclick: (event) => { state.viewerOpener = event.currentTarget; openViewer(f); } },
      f.name + '（' + Math.ceil(f.size / 1024) + ' KB）'));
  return el('div', { class: 'record item', 'data-record': r.id || null },
    el('div', {}, el('span', { class: 'title' }, r.title || ''), badges,
      r.type && WORDS.type[r.type] ? el('span', { class: 'muted record-type' }, '　' + WORDS.type[r.type]) : null),
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
  document.querySelector('#applicant-view .split').classList.add('viewing');
  $('viewer-close').focus();
}

function closeViewer() {
  const wasOpen = !$('viewer').hidden;
  $('viewer').hidden = true;
  clear($('viewer-body'));
  document.querySelector('#applicant-view .split').classList.remove('viewing');
  if (wasOpen && state.viewerOpener && document.body.contains(state.viewerOpener)) state.viewerOpener.focus();
}

/* ---- keyboard --------------------------------------------------------------------------- */

function stepCategory(delta) {
  const names = [OVERVIEW, ...[...document.querySelectorAll('#category-tree button[data-category]')]
    .map((b) => b.dataset.category).filter((name) => name !== OVERVIEW)];
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
    /* Arrow keys are left to scroll the page. */
    j: () => stepCategory(1),
    k: () => stepCategory(-1),
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
  $('search').addEventListener('input', () => { state.search = $('search').value; applySearch(); });
  $('audit-apply').addEventListener('click', openAudit);
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
