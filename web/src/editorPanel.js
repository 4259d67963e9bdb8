// 政策编辑: the source in CodeMirror, the status of its checks, and beside it
// every measure with its clause text (cite).
import { h, clear, errorBox } from './dom.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { S, edited, update } from './state.js';
import { createEditor } from './editor.js';

let editor = null;
let editorHost = null;
let statusEl, sideEl, root;
let checkErr = null;
let formatErr = null;

export function mountEditor(el) {
  root = el;
  editorHost = h('div', { class: 'cm-host', id: 'editor' });
  editor = createEditor(editorHost, {
    onChange(text) {
      S.text = text;
      formatErr = null;
      redrawStatus();
      update('text');
    },
    onDiagnostics(d) {
      checkErr = d.error || null;
      if (!d.error) S.diag = { errors: d.errors, warnings: d.warnings };
      redrawStatus();
    },
  });
  render();
}

export function setSource(text) {
  editor?.setText(text);
}
export const editorText = () => editor?.text() ?? '';

export function render() {
  if (!root) return;
  statusEl = h('div', { class: 'status-bar', id: 'editor-status' });
  sideEl = h('aside', { class: 'side', id: 'measures' });
  clear(root, h('div', { class: 'editor-split' }, h('div', { class: 'editor-main' }, statusEl, editorHost), sideEl));
  redrawStatus();
  redrawSide();
}

function redrawStatus() {
  if (!statusEl) return;
  clear(statusEl,
    S.source === null ? h('span', {}, t('loading')) : null,
    checkErr ? errorBox(checkErr) : h('span', { class: S.diag.errors ? 'errs' : S.diag.warnings ? 'warn' : 'ok', id: 'diag-summary' }, t('diag_summary', S.diag.errors, S.diag.warnings)),
    h('span', { class: edited() ? 'warn' : 'muted', id: 'edited' }, edited() ? t('edited') : t('unedited')),
    h('span', { class: 'spacer' }),
    formatErr ? h('span', { class: 'errs' }, formatErr) : null,
    h('button', { onclick: format, disabled: S.source === null ? 'disabled' : null }, t('format')),
    h('button', { onclick: () => S.source && setSource(S.source.text), disabled: edited() ? null : 'disabled', id: 'revert' }, t('revert')));
}

async function format() {
  try {
    const r = await api.format(editor.text());
    if (r?.text !== undefined && r.text !== editor.text()) {
      editor.view.dispatch({ changes: { from: 0, to: editor.view.state.doc.length, insert: r.text } });
    }
    formatErr = null;
  } catch (e) {
    formatErr = e.status === 422 ? t('format_failed') : e.message;
  }
  redrawStatus();
}

export function redrawSide() {
  if (!sideEl) return;
  if (S.metaErr) return clear(sideEl, errorBox(S.metaErr));
  if (!S.meta) return clear(sideEl, t('loading'));
  let chapter = null;
  const out = [h('h2', {}, t('measures_and_cites'))];
  for (const m of S.meta.measures || []) {
    if (m.chapter && m.chapter.number !== chapter) {
      chapter = m.chapter.number;
      out.push(h('h3', { class: 'chapter' }, t('chapter', m.chapter.number, m.chapter.title)));
    }
    out.push(h('div', { class: 'mcard', dataset: { measure: m.number } },
      h('button', { class: 'link mtitle', title: t('tab_editor'), onclick: () => editor.reveal(new RegExp(`^\\s*(measure|措施)\\s+${m.number}(?!\\d)`)) }, t('measure', m.number, m.title)),
      (m.cites || []).length ? m.cites.map((c) => h('blockquote', {}, c)) : h('p', { class: 'muted' }, t('no_cites')),
      (m.items || []).length ? h('div', { class: 'mitems' }, m.items.map((it) => h('span', { class: `chip kind-${it.kind}`, title: it.name }, it.label || it.name))) : null));
  }
  clear(sideEl, out);
}
