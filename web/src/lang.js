// Highlighting of decree, both keyword surfaces, from the generated keyword
// table (keywords.js ← src/syntax/keywords.rs): a simple stream tokenizer.
import { StreamLanguage, HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { tags } from '@lezer/highlight';
import { KEYWORDS } from './keywords.js';

const GROUPS = {
  decl: ['policy', 'issued', 'valid', 'fact', 'param', 'enum', 'chapter', 'measure', 'cite', 'test', 'facts', 'expect', 'include', 'set', 'at', 'record', 'exclusive', 'cap', 'budget'],
  kind: ['subsidy', 'award', 'interest_subsidy', 'matching', 'benefit', 'eligibility', 'target', 'commitment', 'tax_relief'],
  clause: ['when', 'by', 'concerns', 'at_most', 'at_least', 'soft', 'if', 'then', 'else', 'for_each', 'from', 'until', 'dated', 'for', 'covers', 'in_order', 'pro_rata', 'first_come'],
  op: ['and', 'or', 'not', 'in'],
  atom: ['tbd', 'true', 'false', 'granted', 'ineligible', 'undetermined', 'not_in_force', 'met', 'not_met', 'listed', 'superseded'],
  fn: ['min', 'max', 'clamp', 'round', 'sum', 'tiers', 'first_reaching', 'over', 'schedule', 'above', 'amount_of', 'years_between', 'round_down', 'round_up', 'today'],
  type: ['money', 'rate', 'count', 'area', 'duration', 'date', 'bool', 'text', 'set_of', 'list_of'],
};
const groupOf = {};
for (const [g, rules] of Object.entries(GROUPS)) for (const r of rules) groupOf[r] = g;

// spelling → group; a multi-word English spelling keyed by its first word.
const single = new Map();
const multi = []; // [regex, group]
for (const k of KEYWORDS) {
  const g = groupOf[k.rule] || 'decl';
  for (const sp of [k.english, k.chinese]) {
    if (sp.includes(' ')) multi.push([new RegExp('^' + sp.split(' ').join('[ \\t]+') + '(?![\\p{L}\\p{N}_])', 'u'), g]);
    else single.set(sp, g);
  }
}
export const keywordSpellings = [...single.keys()];

const IDENT = /^[\p{L}_][\p{L}\p{N}_]*/u;
const NUMBER = /^\d[\d,]*(\.\d+)?(%|‰|万元|亿元|万|亿|元|平方公里|平方米|m2|个月|年|月|日|天|years?|months?|days?)?/u;

export const decreeLanguage = StreamLanguage.define({
  name: 'decree',
  startState: () => ({}),
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match('#')) {
      stream.skipToEnd();
      return 'comment';
    }
    const ch = stream.peek();
    if (ch === '"' || ch === '“') {
      const close = ch === '"' ? '"' : '”';
      stream.next();
      while (!stream.eol()) {
        const c = stream.next();
        if (c === '\\' && close === '"') stream.next();
        else if (c === close) break;
      }
      return 'string';
    }
    if (/\d/.test(ch) && stream.match(/^\d{4}-\d{2}-\d{2}/)) return 'number';
    if (/\d/.test(ch) && stream.match(NUMBER)) return 'number';
    for (const [re, g] of multi) if (stream.match(re)) return g;
    const m = stream.match(IDENT);
    if (m) {
      const g = single.get(m[0]);
      return g || 'variableName';
    }
    stream.next();
    return /[{}()\[\]｛｝（）【】]/.test(ch) ? 'bracket' : /[=<>+\-*/×÷≥≤：:,，]/.test(ch) ? 'operator' : null;
  },
  tokenTable: {
    decl: tags.definitionKeyword,
    kind: tags.className,
    clause: tags.controlKeyword,
    op: tags.operatorKeyword,
    atom: tags.atom,
    fn: tags.standard(tags.function(tags.variableName)),
    type: tags.typeName,
  },
  languageData: { commentTokens: { line: '#' } },
});

export const decreeHighlight = syntaxHighlighting(
  HighlightStyle.define([
    { tag: tags.definitionKeyword, color: '#8b1a1a', fontWeight: '600' },
    { tag: tags.className, color: '#0b6e4f', fontWeight: '600' },
    { tag: tags.controlKeyword, color: '#7a3e9d' },
    { tag: tags.operatorKeyword, color: '#7a3e9d' },
    { tag: tags.atom, color: '#b35c00' },
    { tag: tags.standard(tags.function(tags.variableName)), color: '#1f5fa8' },
    { tag: tags.typeName, color: '#0e7c86' },
    { tag: tags.string, color: '#5b6b00' },
    { tag: tags.number, color: '#b35c00' },
    { tag: tags.comment, color: '#7d7d7d', fontStyle: 'italic' },
    { tag: tags.variableName, color: '#1d1d1d' },
    { tag: tags.operator, color: '#555' },
  ])
);
