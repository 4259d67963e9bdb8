// 情景比较: saved scenarios (localStorage), two compared side by side with the
// delta per item and in total.
import { h, clear } from './dom.js';
import { t, statusText } from './i18n.js';
import { S, saveScenarios } from './state.js';
import { pair, signedYuan, dec, itemAmount } from './money.js';

let root;
let a = null, b = null, onlyChanged = true;

export function mountScenarios(el) {
  root = el;
  render();
}

function amountText(it) {
  if (!it) return '—';
  return it.value ?? statusText(it.status);
}

export function render() {
  if (!root) return;
  const names = S.scenarios.map((s) => s.name);
  if (a === null || !names.includes(a)) a = names[0] ?? null;
  if (b === null || !names.includes(b) || b === a) b = names.find((n) => n !== a) ?? null;
  const list = S.scenarios.length
    ? h('ul', { class: 'scenlist', id: 'scenario-list' }, S.scenarios.map((s) =>
        h('li', {},
          h('b', {}, s.name), ' ',
          h('span', { class: 'muted' }, `${s.policy}${s.example ? ` · ${s.example}` : ''}`), ' ',
          h('span', {}, pair(s.total)), ' ',
          h('button', { class: 'link', onclick: () => { S.scenarios = S.scenarios.filter((x) => x !== s); saveScenarios(); render(); } }, t('delete')))))
    : h('p', { class: 'muted' }, t('no_scenarios'));
  const sel = (id, cur, set) => h('select', { id, onchange: (e) => { set(e.target.value); render(); } },
    names.map((n) => h('option', { value: n, selected: n === cur ? 'selected' : null }, n)));
  clear(root,
    h('h2', {}, t('saved_scenarios')),
    list,
    S.scenarios.length >= 2 ? [
      h('div', { class: 'row' },
        h('label', {}, t('scenario_a'), ' ', sel('scen-a', a, (v) => (a = v))),
        h('label', {}, t('scenario_b'), ' ', sel('scen-b', b, (v) => (b = v))),
        h('label', { class: 'muted' }, h('input', { type: 'checkbox', checked: onlyChanged, onchange: (e) => { onlyChanged = e.target.checked; render(); } }), ' ', t('only_changed'))),
      comparison(S.scenarios.find((s) => s.name === a), S.scenarios.find((s) => s.name === b)),
    ] : null);
}

function comparison(A, B) {
  if (!A || !B) return null;
  const bi = new Map(B.items.map((it) => [it.name, it]));
  const ai = new Map(A.items.map((it) => [it.name, it]));
  const order = [...A.items, ...B.items.filter((it) => !ai.has(it.name))];
  const rows = [];
  for (const it of order) {
    const x = ai.get(it.name), y = bi.get(it.name);
    const ax = itemAmount(x), by = itemAmount(y);
    const same = x && y && x.status === y.status && x.value === y.value;
    if (onlyChanged && same) continue;
    let delta = null;
    if (ax || by) {
      const z = { min: 0n, max: 0n };
      const p = ax || z, q = by || z;
      delta = q.min - p.min === q.max - p.max ? signedYuan(q.min - p.min) : `${signedYuan(q.min - p.min)}..${signedYuan(q.max - p.max)}`;
    }
    rows.push(h('tr', { dataset: { item: it.name } },
      h('td', {}, it.measure),
      h('td', {}, it.label || it.name),
      h('td', {}, x ? h('span', { class: `status ${x.status}` }, statusText(x.status)) : '—', ' ', amountText(x)),
      h('td', {}, y ? h('span', { class: `status ${y.status}` }, statusText(y.status)) : '—', ' ', amountText(y)),
      h('td', { class: 'delta' }, delta ?? '')));
  }
  const d = (k) => dec(B.total[k]) - dec(A.total[k]);
  const totalDelta = d('min') === d('max') ? signedYuan(d('min')) : `${signedYuan(d('min'))}..${signedYuan(d('max'))}`;
  const keys = [...new Set([...Object.keys(A.facts), ...Object.keys(B.facts)])].filter((k) => JSON.stringify(A.facts[k]) !== JSON.stringify(B.facts[k]));
  const pkeys = [...new Set([...Object.keys(A.params), ...Object.keys(B.params)])].filter((k) => A.params[k] !== B.params[k]);
  const show = (v) => (v === undefined ? '—' : Array.isArray(v) ? v.join('、') : String(v));
  return [
    h('h3', {}, t('facts_changed')),
    keys.length || pkeys.length
      ? h('ul', { class: 'factdiff' }, keys.map((k) => h('li', {}, h('code', {}, k), `：${show(A.facts[k])} → ${show(B.facts[k])}`)), pkeys.map((k) => h('li', {}, h('code', {}, k), `：${show(A.params[k])} → ${show(B.params[k])}`)))
      : h('p', { class: 'muted' }, t('none')),
    h('table', { class: 'grid compare', id: 'compare' },
      h('thead', {}, h('tr', {}, [t('col_measure'), t('col_item'), A.name, B.name, t('delta')].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows),
      h('tfoot', {}, h('tr', {}, h('td', { colspan: 2 }, t('total')), h('td', {}, pair(A.total)), h('td', {}, pair(B.total)), h('td', { class: 'delta', id: 'total-delta' }, totalDelta)))),
  ];
}
