/* notes.js — reviewers' notes (註記) in the applicant view: the notes of the
 * category shown (and of the whole application on 擇要檢視) at the top of
 * the records, a note on one record beside that record, and a form to add
 * one, private or shared with the committee.  Only the author edits or
 * deletes (two steps, no dialog).  Loaded after app.js, built from its
 * helpers. */
'use strict';

const notesState = { application: null, notes: [] };

const notesPath = (application) => '/api/applicants/' + enc(application) + '/notes';

/* Fetches the application's notes (once per applicant) and draws those of
 * category (null: the whole application) into the records panel. */
async function showNotes(application, category, records) {
  try {
    if (notesState.application !== application) {
      notesState.notes = await api(notesPath(application));
      notesState.application = application;
    }
  } catch (e) {
    if (e.status !== 401) status('無法讀取註記：' + e.message);
    return;
  }
  drawNotes(application, category, records);
}

function drawNotes(application, category, records) {
  const panel = $('records');
  for (const old of panel.querySelectorAll('.notes')) old.remove();
  const here = notesState.notes.filter((n) => (n.category || null) === category);
  const box = el('section', { class: 'notes', 'aria-label': '註記' },
    el('h4', {}, category ? '本類別註記' : '整體註記'));
  for (const note of here.filter((n) => !n.record)) box.appendChild(noteView(note, application, category, records));
  if (state.session.role === 'reviewer') box.appendChild(noteForm(application, category, records));
  else if (!here.length) box.appendChild(el('p', { class: 'muted' }, '沒有共享的註記。'));
  const heading = panel.querySelector('h3');
  panel.insertBefore(box, heading ? heading.nextSibling : panel.firstChild);
  /* A record's notes beside the record. */
  for (const note of here.filter((n) => n.record)) {
    const record = panel.querySelector(`.record[data-record="${CSS.escape(note.record)}"]`);
    if (!record) continue;
    let list = record.querySelector(':scope > .notes');
    if (!list) { list = el('div', { class: 'notes record-notes', 'aria-label': '此筆註記' }); record.appendChild(list); }
    list.appendChild(noteView(note, application, category, records));
  }
}

function noteView(note, application, category, records) {
  const view = el('div', { class: 'note' + (note.shared ? ' shared' : ''), 'data-note': note.id },
    el('div', { class: 'note-head' },
      el('span', { class: 'badge ' + (note.shared ? 'certified' : 'uncertified') }, note.shared ? '共享' : '個人'),
      el('span', { class: 'muted' }, '　' + note.author + '　' + humanTime(note.updated_at.replace('Z', '')) + ' UTC')),
    el('p', { class: 'text' }, note.text));
  if (note.mine) {
    const edit = el('button', { type: 'button', class: 'note-edit' }, '編輯');
    edit.addEventListener('click', () => view.replaceWith(noteEditor(note, application, category, records)));
    const remove = el('button', { type: 'button', class: 'note-delete' }, '刪除');
    remove.addEventListener('click', () => deleteNote(note, remove, application, category, records));
    view.querySelector('.note-head').append(' ', edit, ' ', remove);
  }
  return view;
}

function noteForm(application, category, records) {
  const text = el('textarea', { class: 'note-text', rows: 2, maxlength: 4000, 'aria-label': '新註記',
    placeholder: category ? '對本類別或其中一筆的註記' : '對此申請人的整體註記' });
  const shared = el('input', { type: 'checkbox', class: 'note-shared' });
  const target = el('select', { class: 'note-target', 'aria-label': '註記對象' },
    el('option', { value: '' }, category ? '整個類別' : '整體'));
  for (const r of records || []) {
    const key = recordKey(r);
    if (key) target.appendChild(el('option', { value: key }, (r.title || r.name || key) + (r.year ? '（' + term(r) + '）' : '')));
  }
  const add = el('button', { type: 'submit', class: 'note-add' }, '新增註記');
  const problem = el('span', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'note-form' }, text,
    el('div', { class: 'note-options' }, records && records.length ? target : null,
      el('label', {}, shared, '與委員會共享'), add, problem));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const body = { text: text.value, shared: shared.checked };
    if (category) body.category = category;
    if (target.value) body.record = target.value;
    try {
      const note = await api(notesPath(application), { method: 'POST', body });
      notesState.notes.push(note);
      drawNotes(application, category, records);
    } catch (e) {
      if (e.status !== 401) problem.textContent = '無法新增：' + e.message;
    }
  });
  return form;
}

function noteEditor(note, application, category, records) {
  const text = el('textarea', { class: 'note-text', rows: 3, maxlength: 4000, 'aria-label': '編輯註記' });
  text.value = note.text;
  const shared = el('input', { type: 'checkbox', class: 'note-shared', checked: note.shared });
  const save = el('button', { type: 'submit', class: 'note-save' }, '儲存');
  const cancel = el('button', { type: 'button' }, '取消');
  const problem = el('span', { class: 'error', role: 'alert' });
  const form = el('form', { class: 'note-form editing', 'data-note': note.id }, text,
    el('div', { class: 'note-options' }, el('label', {}, shared, '與委員會共享'), save, cancel, problem));
  cancel.addEventListener('click', () => drawNotes(application, category, records));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    try {
      const changed = await api(notesPath(application) + '/' + note.id,
        { method: 'PUT', body: { version: note.version, text: text.value, shared: shared.checked } });
      notesState.notes = notesState.notes.map((n) => (n.id === note.id ? changed : n));
      drawNotes(application, category, records);
    } catch (e) {
      if (e.status === 409) problem.textContent = '此註記已在其他視窗修改；請取消後重新編輯。';
      else if (e.status !== 401) problem.textContent = '無法儲存：' + e.message;
    }
  });
  setTimeout(() => text.focus(), 0);
  return form;
}

async function deleteNote(note, button, application, category, records) {
  if (button.dataset.armed !== 'yes') {
    button.dataset.armed = 'yes';
    button.textContent = '確定刪除？';
    return;
  }
  try {
    await api(notesPath(application) + '/' + note.id, { method: 'DELETE' });
    notesState.notes = notesState.notes.filter((n) => n.id !== note.id);
    drawNotes(application, category, records);
  } catch (e) {
    if (e.status !== 401) status('無法刪除註記：' + e.message);
  }
}
