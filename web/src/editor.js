// The editor: CodeMirror 6 with decree highlighting, live diagnostics from
// POST /api/check, hovers from POST /api/hover, completion from POST /api/complete.
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine, highlightActiveLineGutter, drawSelection, hoverTooltip } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { bracketMatching, indentOnInput } from '@codemirror/language';
import { linter, lintGutter, lintKeymap, forceLinting } from '@codemirror/lint';
import { autocompletion, completionKeymap } from '@codemirror/autocomplete';
import { decreeLanguage, decreeHighlight } from './lang.js';
import { api } from './api.js';
import { t } from './i18n.js';
import { markdown } from './dom.js';

export function toPos(doc, offset) {
  const line = doc.lineAt(offset);
  return { line: line.number - 1, character: offset - line.from };
}
export function fromPos(doc, p) {
  const n = Math.min(Math.max(p.line + 1, 1), doc.lines);
  const line = doc.line(n);
  return Math.min(line.from + p.character, line.to);
}

const KIND_TYPES = { 14: 'keyword', 6: 'variable', 5: 'property', 3: 'function', 20: 'enum', 21: 'constant', 13: 'enum', 12: 'variable', 7: 'class', 15: 'text' };
function completionType(kind) {
  if (typeof kind === 'number') return KIND_TYPES[kind] || 'text';
  const k = String(kind || '').toLowerCase();
  if (/keyword/.test(k)) return 'keyword';
  if (/fact|variable|field/.test(k)) return 'variable';
  if (/param|constant/.test(k)) return 'constant';
  if (/enum/.test(k)) return 'enum';
  if (/func|builtin/.test(k)) return 'function';
  if (/item|class|measure/.test(k)) return 'class';
  return k || 'text';
}

/**
 * Creates the editor. `onChange(text)` on every edit; `onDiagnostics({errors,
 * warnings, error})` after every check.
 */
export function createEditor(parent, { onChange, onDiagnostics }) {
  let routeMissing = { check: false, hover: false, complete: false };
  let lastNames = [];
  /** Asks for the names of a text that checks: at the first `when ` of it. */
  async function primeNames(text) {
    const lines = text.split('\n');
    const line = lines.findIndex((l) => /^\s*(when|条件)\s/.test(l));
    if (line < 0 || routeMissing.complete) return;
    const character = lines[line].search(/(when|条件)\s/) + lines[line].match(/(when|条件)\s/)[0].length;
    try {
      const items = await api.complete(text, { line, character });
      const names = Array.isArray(items) ? items.filter((c) => c.kind !== 'keyword') : [];
      if (names.length) lastNames = names;
    } catch (e) {
      if (e.missing) routeMissing.complete = true;
    }
  }

  const lint = linter(
    async (view) => {
      const text = view.state.doc.toString();
      if (routeMissing.check) return [];
      let answer;
      try {
        answer = await api.check(text);
      } catch (e) {
        if (e.missing) routeMissing.check = true;
        onDiagnostics({ errors: 0, warnings: 0, error: e });
        return [];
      }
      if (view.state.doc.toString() !== text) return [];
      const doc = view.state.doc;
      const diags = (answer?.diagnostics || []).map((d) => {
        const from = fromPos(doc, d.range.start);
        let to = fromPos(doc, d.range.end);
        if (to <= from) to = Math.min(from + 1, doc.length);
        const msg = `${d.message}${d.code ? `  [${d.code}]` : ''}${d.help ? `\n${t('help')}：${d.help}` : ''}`;
        return { from, to, severity: d.severity === 'error' ? 'error' : d.severity === 'warning' ? 'warning' : 'info', message: msg, source: d.code };
      });
      onDiagnostics({
        errors: diags.filter((d) => d.severity === 'error').length,
        warnings: diags.filter((d) => d.severity === 'warning').length,
        list: answer?.diagnostics || [],
      });
      return diags;
    },
    { delay: 500 }
  );

  const hover = hoverTooltip(async (view, pos) => {
    if (routeMissing.hover) return null;
    let answer;
    try {
      answer = await api.hover(view.state.doc.toString(), toPos(view.state.doc, pos));
    } catch (e) {
      if (e.missing) routeMissing.hover = true;
      return null;
    }
    if (!answer || !answer.markdown) return null;
    const doc = view.state.doc;
    const from = answer.range ? fromPos(doc, answer.range.start) : pos;
    const to = answer.range ? fromPos(doc, answer.range.end) : pos;
    return {
      pos: from,
      end: to,
      above: true,
      create: () => ({ dom: Object.assign(markdown(answer.markdown), { className: 'md hover' }) }),
    };
  }, { hoverTime: 350 });

  const complete = async (context) => {
    const word = context.matchBefore(/[\p{L}\p{N}_]+/u);
    if (!context.explicit && (!word || word.from === word.to)) return null;
    if (routeMissing.complete) return null;
    let items;
    try {
      items = await api.complete(context.state.doc.toString(), toPos(context.state.doc, context.pos));
    } catch (e) {
      if (e.missing) routeMissing.complete = true;
      return null;
    }
    if (!Array.isArray(items)) return null;
    // The server offers names (facts, params, items …) only for a text that
    // checks; while a name is half typed it offers keywords alone. Like the
    // language server's last good analysis, keep the names of the last answer
    // that had them and offer them too.
    const names = items.filter((c) => c.kind !== 'keyword');
    if (names.length) lastNames = names;
    else items = [...items, ...lastNames];
    if (!items.length) return null;
    return {
      from: word ? word.from : context.pos,
      options: items.map((c) => ({ label: c.label, type: completionType(c.kind), detail: c.detail || undefined })),
      validFor: /^[\p{L}\p{N}_]*$/u,
    };
  };

  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc: '',
      extensions: [
        lineNumbers(),
        highlightActiveLineGutter(),
        highlightActiveLine(),
        drawSelection(),
        history(),
        indentOnInput(),
        bracketMatching(),
        decreeLanguage,
        decreeHighlight,
        lintGutter(),
        lint,
        hover,
        autocompletion({ override: [complete], activateOnTyping: true }),
        keymap.of([indentWithTab, ...defaultKeymap, ...historyKeymap, ...completionKeymap, ...lintKeymap]),
        EditorView.lineWrapping,
        EditorView.updateListener.of((u) => {
          if (u.docChanged) onChange(u.state.doc.toString());
        }),
      ],
    }),
  });

  return {
    view,
    setText(text) {
      view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
      forceLinting(view);
      lastNames = [];
      primeNames(text);
    },
    text: () => view.state.doc.toString(),
    /** Scrolls to and selects the first line matching `re`. */
    reveal(re) {
      const doc = view.state.doc;
      for (let i = 1; i <= doc.lines; i++) {
        const line = doc.line(i);
        if (re.test(line.text)) {
          view.dispatch({ selection: { anchor: line.from, head: line.to }, effects: EditorView.scrollIntoView(line.from, { y: 'start', yMargin: 40 }) });
          view.focus();
          return true;
        }
      }
      return false;
    },
  };
}
