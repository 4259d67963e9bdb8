// The TextMate grammar is written by hand, but the keywords are defined once,
// in src/syntax/keywords.rs. This test reads that table and tokenizes every
// spelling of every keyword, English and Chinese, so that a keyword added to
// the language and not to syntaxes/decree.tmLanguage.json fails here.
'use strict';

const test = require('node:test');
const assert = require('node:assert');
const fs = require('fs');
const path = require('path');
const vt = require('vscode-textmate');
const onig = require('vscode-oniguruma');

const here = __dirname;
const table = fs.readFileSync(path.join(here, '../../../src/syntax/keywords.rs'), 'utf8');

// `rule = "english", "中文",` then its two lines of docs and `;`, inside the
// keywords! { … } macro.
const KEYWORDS = [...table.matchAll(/^\s*(\w+)\s*=\s*"([^"]+)",\s*"([^"]+)",\s*"[^"]*",\s*"[^"]*";/gm)].map((m) => ({
  rule: m[1],
  english: m[2],
  chinese: m[3],
}));
const contextualList = table.match(/pub const CONTEXTUAL: &\[&str\] = &\[([^\]]*)\]/);
const CONTEXTUAL = new Set([...contextualList[1].matchAll(/"(\w+)"/g)].map((m) => m[1]));

async function loadGrammar() {
  const wasm = fs.readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm')).buffer;
  await onig.loadWASM(wasm);
  const registry = new vt.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns) => new onig.OnigScanner(patterns),
      createOnigString: (s) => new onig.OnigString(s),
    }),
    loadGrammar: async () =>
      vt.parseRawGrammar(
        fs.readFileSync(path.join(here, '../syntaxes/decree.tmLanguage.json'), 'utf8'),
        'decree.tmLanguage.json'
      ),
  });
  return registry.loadGrammar('source.decree');
}

/** The scopes of the token(s) covering `word` in `line`, or undefined if `word` spans several tokens. */
function scopesOf(grammar, line, word) {
  const start = line.indexOf(word);
  const { tokens } = grammar.tokenizeLine(line, vt.INITIAL);
  const covering = tokens.filter((t) => t.startIndex < start + word.length && t.endIndex > start);
  if (covering.length !== 1) return undefined;
  return covering[0].scopes.join(' ');
}

// A keyword standing where it means something: reserved keywords anywhere,
// the contextual words of tests only in their lines (elsewhere they are names).
function lineFor(rule, spelling) {
  if (rule === 'set') return `${spelling} growth = 1`;
  if (rule === 'at') return `${spelling} 2026-01-01`;
  // `cap` and `budget` start declarations; the statuses stand after `expect … =`.
  if (rule === 'cap' || rule === 'budget') return `${spelling} k "l" = 1万`;
  // `per RECORD` in a group, `against PARAM` after a budget's `pro rata`.
  if (rule === 'per') return `exclusive g "l" ${spelling} project { a, b }`;
  if (rule === 'against') return `budget f "l" = 1亿 for { a } pro rata ${spelling} expected`;
  if (CONTEXTUAL.has(rule)) return `expect item = ${spelling}`;
  return `x ${spelling} y`;
}

test('the keyword table was read', () => {
  assert.ok(KEYWORDS.length >= 60, `only ${KEYWORDS.length} keywords read from keywords.rs`);
  assert.ok(CONTEXTUAL.has('listed'));
});

test('every keyword of both surfaces has a keyword scope', async () => {
  const grammar = await loadGrammar();
  const missed = [];
  for (const k of KEYWORDS) {
    for (const spelling of [k.english, k.chinese]) {
      const line = lineFor(k.rule, spelling);
      const scopes = scopesOf(grammar, line, spelling);
      // Names are variable.*/entity.name.*; every keyword gets a scope of
      // its own kind (keyword, storage, support, constant).
      if (!scopes || !/\b(keyword|storage|support|constant)\./.test(scopes)) {
        missed.push(`${k.rule}: ${JSON.stringify(spelling)} in ${JSON.stringify(line)} -> ${scopes}`);
      }
    }
  }
  assert.deepStrictEqual(missed, []);
});

test('contextual words are names outside their lines', async () => {
  const grammar = await loadGrammar();
  for (const rule of CONTEXTUAL) {
    const k = KEYWORDS.find((k) => k.rule === rule);
    for (const spelling of [k.english, k.chinese]) {
      const scopes = scopesOf(grammar, `  when ${spelling} >= 1`, spelling);
      assert.match(scopes || '', /variable\.other\.decree/, `${spelling} outside a test line`);
    }
  }
});
