// 企业测算: the form generated from the fact declarations, the results table
// and the explanation of an item.
import { h, clear, errorBox } from './dom.js';
import { t, statusText, kindText } from './i18n.js';
import { api } from './api.js';
import { S, edited, update, saveScenarios } from './state.js';
import { yuan, pair, looksLikeMoney } from './money.js';

let filter = '';
let onlyFilled = false;
let busy = false;

const isSet = (f) => !!f.values && /^(set of\s|集合)/i.test(f.type || '');
const isEnum = (f) => !!f.values && !isSet(f);
const baseType = (f) => String(f.type || '').replace(/^set of\s+|^集合\s*/i, '').trim();
// A list of records (`list of project`): edited as the JSON array a facts file holds.
const isList = (f) => /^(list of\s|列表)/i.test(f.type || '');

function listInput(f, v, has, set) {
  let bad = false;
  const shown = has ? (typeof v === 'string' ? v : JSON.stringify(v, null, 1)) : '';
  if (has && typeof v === 'string') bad = true;
  return h('span', { class: 'textin' },
    h('textarea', {
      name: f.name, rows: 4, class: `records ${bad ? 'bad' : ''}`, placeholder: t('records_hint'),
      onchange: (e) => {
        const s = e.target.value.trim();
        if (s === '') return set(undefined);
        try {
          const parsed = JSON.parse(s);
          set(Array.isArray(parsed) ? parsed : s);
        } catch {
          set(s);
        }
      },
    }, shown),
    bad ? h('span', { class: 'hint bad' }, t('records_bad')) : null);
}

function factField(f) {
  const has = Object.prototype.hasOwnProperty.call(S.facts, f.name);
  const v = S.facts[f.name];
  const set = (val) => {
    if (val === undefined) delete S.facts[f.name];
    else S.facts[f.name] = val;
    redrawForm();
  };
  let input;
  const ty = baseType(f);
  if (isList(f)) {
    input = listInput(f, v, has, set);
  } else if (isSet(f)) {
    const chosen = new Set(Array.isArray(v) ? v : []);
    input = h('div', { class: 'checks' }, f.values.map((ev) =>
      h('label', { class: 'check' },
        h('input', { type: 'checkbox', checked: chosen.has(ev.name), name: `${f.name}.${ev.name}`, onchange: (e) => {
          const next = new Set(Array.isArray(S.facts[f.name]) ? S.facts[f.name] : []);
          e.target.checked ? next.add(ev.name) : next.delete(ev.name);
          set(f.values.map((x) => x.name).filter((n) => next.has(n)));
        } }),
        ev.label || ev.name)));
  } else if (isEnum(f)) {
    input = h('select', { name: f.name, onchange: (e) => set(e.target.value === '' ? undefined : e.target.value) },
      h('option', { value: '' }, `— ${t('not_given')} —`),
      f.values.map((ev) => h('option', { value: ev.name, selected: v === ev.name ? 'selected' : null }, ev.label || ev.name)));
  } else if (ty === 'bool' || ty === '布尔') {
    const state = !has ? 'unset' : v === true || v === 'true' || v === '是' ? 'yes' : 'no';
    input = h('button', {
      type: 'button', role: 'switch', name: f.name, class: `toggle ${state}`, 'aria-checked': state === 'yes' ? 'true' : state === 'no' ? 'false' : 'mixed',
      onclick: () => set(state === 'yes' ? false : true),
    }, h('span', { class: 'knob' }), h('span', { class: 'tlabel' }, state === 'yes' ? t('yes') : state === 'no' ? t('no') : t('not_given')));
  } else if (ty === 'date' || ty === '日期') {
    input = h('input', { type: 'date', name: f.name, value: has ? String(v) : '', onchange: (e) => set(e.target.value || undefined) });
  } else {
    const money = ty === 'money' || ty === '金额';
    const bad = money && has && !looksLikeMoney(String(v));
    input = h('span', { class: 'textin' },
      h('input', {
        type: 'text', name: f.name, value: has ? String(v) : '', class: bad ? 'bad' : null, inputmode: money ? 'decimal' : null,
        placeholder: money ? t('money_hint') : ty === 'rate' || ty === '比率' ? t('rate_hint') : '',
        onchange: (e) => {
          const s = e.target.value.trim();
          set(s === '' ? undefined : ty === 'count' || ty === '数量' ? (/^\d+$/.test(s) ? Number(s) : s) : s);
        },
      }),
      f.unit && !money ? h('span', { class: 'unit' }, f.unit) : null,
      bad ? h('span', { class: 'hint bad' }, t('money_bad')) : null);
  }
  return h('div', { class: `field ${has ? 'filled' : ''}`, dataset: { fact: f.name } },
    h('div', { class: 'flabel' },
      h('span', { class: 'label' }, f.label || f.name),
      h('span', { class: 'fname' }, f.name, ' · ', t(`type_${ty}`) === `type_${ty}` ? f.type : t(`type_${ty}`))),
    h('div', { class: 'finput' }, input, has ? h('button', { type: 'button', class: 'link clear', title: t('clear'), onclick: () => set(undefined) }, '×') : null));
}

function paramField(p) {
  const has = Object.prototype.hasOwnProperty.call(S.params, p.name);
  return h('div', { class: `field ${has ? 'filled' : ''} ${p.tbd ? 'tbd' : ''}`, dataset: { param: p.name } },
    h('div', { class: 'flabel' },
      h('span', { class: 'label' }, p.label || p.name),
      p.tbd ? h('span', { class: 'badge tbd' }, t('tbd_mark')) : null,
      h('span', { class: 'fname' }, p.name, p.value ? ` · ${p.value}` : '')),
    h('div', { class: 'finput' },
      h('input', {
        type: 'text', name: `param.${p.name}`, value: has ? S.params[p.name] : '', placeholder: p.tbd ? t('param_set_hint') : p.value || '',
        onchange: (e) => {
          const s = e.target.value.trim();
          if (s) S.params[p.name] = s;
          else delete S.params[p.name];
          redrawForm();
        },
      })));
}

let formEl, resultEl, drawerEl, root;

export function mountEnterprise(el) {
  root = el;
  render();
}

export function render() {
  if (!root) return;
  formEl = h('section', { class: 'form', id: 'enterprise-form' });
  resultEl = h('section', { class: 'results', id: 'results' });
  drawerEl = h('aside', { class: 'drawer', id: 'explanation' });
  clear(root, h('div', { class: 'split' }, formEl, resultEl), drawerEl);
  redrawForm();
  redrawResults();
  redrawDrawer();
}

function redrawForm() {
  if (!formEl) return;
  if (S.metaErr) return clear(formEl, errorBox(S.metaErr));
  if (!S.meta) return clear(formEl, t('loading'));
  const facts = (S.meta.facts || []).filter((f) => {
    if (onlyFilled && !Object.prototype.hasOwnProperty.call(S.facts, f.name)) return false;
    if (!filter) return true;
    return `${f.label || ''} ${f.name}`.toLowerCase().includes(filter.toLowerCase());
  });
  const filled = Object.keys(S.facts).length;
  const examples = S.examplesErr
    ? errorBox(S.examplesErr)
    : h('select', { id: 'example', onchange: (e) => chooseExample(e.target.value) },
        h('option', { value: '' }, t('choose_example')),
        S.examples.map((x) => h('option', { value: x.id, selected: x.id === S.exampleId ? 'selected' : null }, x.id)));
  const search = h('input', { type: 'search', class: 'filter', placeholder: t('filter_facts'), value: filter, oninput: (e) => {
    filter = e.target.value;
    const pos = e.target.selectionStart;
    redrawForm();
    const s = formEl.querySelector('input.filter');
    s.focus();
    s.setSelectionRange(pos, pos);
  } });
  clear(formEl,
    h('h2', {}, t('enterprise_info')),
    h('div', { class: 'row' }, h('label', {}, t('example'), ' ', examples)),
    h('div', { class: 'row' },
      h('label', {}, t('at_date'), ' ', h('input', { type: 'date', id: 'at', value: S.at, title: t('at_default'), onchange: (e) => (S.at = e.target.value) })),
      h('span', { class: 'muted' }, t('at_default'))),
    h('div', { class: 'row sticky' },
      h('button', { class: 'primary', id: 'evaluate', disabled: busy ? 'disabled' : null, onclick: evaluate }, busy ? t('loading') : t('evaluate')),
      search,
      h('label', { class: 'muted' }, h('input', { type: 'checkbox', checked: onlyFilled, onchange: (e) => { onlyFilled = e.target.checked; redrawForm(); } }), ' ', t('only_filled'), ` (${filled})`)),
    h('div', { class: 'fields' }, facts.map(factField)),
    (S.meta.params || []).length ? [h('h3', {}, t('params')), h('div', { class: 'fields' }, S.meta.params.map(paramField))] : null);
}

async function chooseExample(id) {
  S.exampleId = id;
  if (!id) return;
  try {
    const ex = await api.example(id);
    const known = new Set((S.meta?.facts || []).map((f) => f.name));
    S.facts = {};
    for (const [k, v] of Object.entries(ex.facts || {})) if (known.has(k) && v !== null) S.facts[k] = v;
    S.examplesErr = null;
    redrawForm();
    await evaluate();
  } catch (e) {
    S.resultErr = e;
    redrawResults();
  }
}

export async function evaluate() {
  if (!S.policyId) return;
  busy = true;
  redrawForm();
  const body = { facts: S.facts };
  if (Object.keys(S.params).length) body.params = S.params;
  if (S.at) body.at = S.at;
  try {
    const fromText = edited();
    S.result = fromText ? await api.evaluateText({ text: S.text, ...body }) : await api.evaluate(S.policyId, body);
    S.resultFromText = fromText;
    S.resultErr = null;
    if (S.explain && !findItem(S.explain)) S.explain = null;
  } catch (e) {
    S.resultErr = e;
  }
  busy = false;
  redrawForm();
  redrawResults();
  redrawDrawer();
}

function findItem(name) {
  for (const m of S.result?.measures || []) for (const it of m.items) if (it.name === name) return { m, it };
  return null;
}

const itemLabel = (name) => {
  const found = findItem(name);
  return found ? found.it.label || name : name;
};

// What the rules across items did to an item: which member superseded it
// (就高不重复), a cumulative cap's cut (before → after), the budget that
// pays for it.
function acrossNotes(it) {
  const out = [];
  if (it.superseded_by)
    out.push(h('div', { class: 'across superseded-by' }, t('superseded_by', itemLabel(it.superseded_by))));
  if (it.capped)
    out.push(h('div', { class: 'across capped' }, t('capped_by', it.capped.label || it.capped.cap, yuan(it.capped.before), yuan(it.amount))));
  for (const b of S.meta?.budgets || [])
    if (b.items.includes(it.name))
      out.push(h('div', { class: 'across budgeted' }, t(b.rule === 'first_come' ? 'budgeted_first_come' : 'budgeted_pro_rata', b.label || b.name, b.amount)));
  return out;
}

// An item decided per record (`for each`): each record's own result.
function recordList(it) {
  if (!(it.records || []).length) return null;
  return h('ul', { class: 'records' }, it.records.map((r) =>
    h('li', { class: `st-${r.status}`, dataset: { record: r.index } },
      h('span', { class: 'rkey' }, r.key || t('record_n', r.index + 1)), '：',
      h('span', { class: `status ${r.status}` }, statusText(r.status)),
      r.amount ? [' ', h('span', { class: 'value' }, yuan(r.amount))] : null,
      r.range ? [' ', h('span', { class: 'value' }, pair(r.range))] : null,
      r.reason ? h('span', { class: 'muted' }, ` · ${r.reason}`) : null)));
}

function causes(it) {
  return (it.undetermined_by || []).map((c) =>
    h('span', { class: `chip ${c.kind}` },
      c.kind === 'fact' ? t('missing_fact') : c.kind === 'param' ? t('missing_param') : t('discretion'),
      c.name ? `：${c.label || c.name}` : ''));
}

export function valueCell(it) {
  return [
    it.value !== null && it.value !== undefined ? h('span', { class: 'value' }, it.value) : h('span', { class: 'muted' }, '—'),
    it.soft_cap ? h('span', { class: 'badge soft', title: t('soft_cap_title') }, t('soft_cap')) : null,
    (it.undetermined_by || []).some((c) => c.kind === 'param') ? h('span', { class: 'badge tbd' }, t('tbd_mark')) : null,
  ];
}

function redrawResults() {
  if (!resultEl) return;
  const r = S.result;
  const head = h('h2', {}, t('results'));
  if (S.resultErr) {
    const diags = S.resultErr.diagnostics || [];
    return clear(resultEl, head, errorBox(S.resultErr),
      diags.length ? h('ul', { class: 'diags' }, diags.map((d) => h('li', { class: d.severity }, d.start ? `${d.start.line}:${d.start.column} ` : '', d.message, d.help ? ` — ${d.help}` : ''))) : null);
  }
  if (!r) return clear(resultEl, head, h('p', { class: 'muted' }, t('fill_and_evaluate')));
  const total = r.total || {};
  const rows = [];
  for (const m of r.measures || []) {
    m.items.forEach((it, i) => {
      rows.push(h('tr', { class: `st-${it.status} ${S.explain === it.name ? 'selected' : ''}`, dataset: { item: it.name } },
        i === 0 ? h('td', { class: 'measure', rowspan: m.items.length }, h('b', {}, m.number), ' ', m.title) : null,
        h('td', { class: 'item' }, it.label || it.name, h('div', { class: 'fname' }, it.name)),
        h('td', { class: 'kind' }, kindText(it.kind)),
        h('td', {}, h('span', { class: `status ${it.status}` }, statusText(it.status))),
        h('td', { class: 'val' }, valueCell(it),
          it.explanation ? h('span', {}, ' ', h('button', { class: 'link explain', onclick: () => { S.explain = it.name; redrawDrawer(); resultEl.querySelectorAll('tr.selected').forEach((x) => x.classList.remove('selected')); resultEl.querySelector(`tr[data-item="${it.name}"]`)?.classList.add('selected'); } }, `${t('explain')} ›`)) : null),
        h('td', { class: 'notes' }, acrossNotes(it), recordList(it), it.reason && !(it.notes || []).includes(it.reason) ? h('div', {}, it.reason) : null, (it.notes || []).map((n) => h('div', { class: 'muted' }, n)), causes(it))));
    });
  }
  const incomplete = (total.undetermined || []).length;
  clear(resultEl,
    head,
    h('div', { class: 'totalbar' },
      h('span', { class: 'tlabel' }, t('total')),
      h('span', { class: 'total', id: 'total' }, pair(total)),
      total.revenue_forgone ? h('span', { class: 'muted', id: 'total-split' }, t('total_split', pair(total.outlays), pair(total.revenue_forgone))) : null,
      h('span', { class: incomplete ? 'warn' : 'muted' }, incomplete ? t('total_incomplete', incomplete) : t('total_complete')),
      h('span', { class: 'muted' }, S.resultFromText ? t('evaluated_text') : t('evaluated_file')),
      r.window ? h('span', { class: 'muted' }, `${t('window')}：${r.window.note}`) : null),
    (r.diagnostics || []).length ? h('ul', { class: 'diags' }, r.diagnostics.map((d) => h('li', { class: d.severity }, d.message, d.help ? ` — ${d.help}` : ''))) : null,
    h('div', { class: 'save' },
      h('input', { type: 'text', id: 'scenario-name', placeholder: t('scenario_name') }),
      h('button', { id: 'save-scenario', onclick: saveScenario }, t('save_scenario')),
      h('span', { class: 'muted', id: 'saved-note' })),
    h('table', { class: 'grid' },
      h('thead', {}, h('tr', {}, [t('col_measure'), t('col_item'), t('col_kind'), t('col_status'), t('col_value'), t('col_notes')].map((c) => h('th', {}, c)))),
      h('tbody', {}, rows)));
}

function saveScenario() {
  const input = resultEl.querySelector('#scenario-name');
  const name = input.value.trim() || `${S.exampleId || t('scenario_a')} ${S.scenarios.length + 1}`;
  const items = [];
  for (const m of S.result.measures || [])
    for (const it of m.items)
      items.push({ measure: m.number, name: it.name, label: it.label || null, kind: it.kind, status: it.status, amount: it.amount, range: it.range, value: it.value, soft_cap: it.soft_cap });
  S.scenarios = S.scenarios.filter((s) => s.name !== name);
  S.scenarios.push({
    name, policy: S.policyId, example: S.exampleId || null, facts: { ...S.facts }, params: { ...S.params }, at: S.at || null,
    text: S.resultFromText ? S.text : null, total: S.result.total, items,
  });
  saveScenarios();
  input.value = '';
  resultEl.querySelector('#saved-note').textContent = t('scenario_saved', name);
  update('scenarios');
}

function tree(node) {
  return h('li', {},
    h('div', { class: 'node' },
      h('code', { class: 'expr' }, node.expr),
      h('span', { class: 'arrow' }, ' → '),
      h('span', { class: 'nval' }, node.value),
      node.note ? h('span', { class: 'note' }, node.note === 'condition' ? t('condition_note') : node.note) : null),
    node.children?.length ? h('ul', {}, node.children.map(tree)) : null);
}

function redrawDrawer() {
  if (!drawerEl) return;
  const found = S.explain && findItem(S.explain);
  drawerEl.classList.toggle('open', !!found);
  if (!found) return clear(drawerEl);
  const { m, it } = found;
  clear(drawerEl,
    h('div', { class: 'dhead' },
      h('h2', {}, t('explanation'), '：', it.label || it.name),
      h('button', { class: 'link', onclick: () => { S.explain = null; redrawDrawer(); }, title: '×' }, '×')),
    h('p', {}, t('measure', m.number, m.title)),
    h('p', {}, h('span', { class: `status ${it.status}` }, statusText(it.status)), ' ', valueCell(it)),
    it.reason ? h('p', { class: 'muted' }, it.reason) : null,
    (it.cites || []).length ? [h('h3', {}, t('cites')), it.cites.map((c) => h('blockquote', {}, c))] : null,
    h('ul', { class: 'tree' }, tree(it.explanation)));
}

export { redrawForm, redrawResults };
