// 修订对比: the semantic diff of two versions (POST /api/diff) and its fiscal
// impact over the configured population, charted with ECharts.
import { h, clear, errorBox } from './dom.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { S } from './state.js';
import { pair, signedPair, yuan, toWanFloat, dec } from './money.js';
import { chart, disposeAll } from './charts.js';

let root;
let oldChoice = 'file';
let newChoice = null;
let pasted = '';
let answer = null, err = null, busy = false;

export function mountRevision(el) {
  root = el;
  render();
}

export function render() {
  if (!root) return;
  disposeAll();
  const others = S.policies.filter((p) => p.id !== S.policyId);
  if (newChoice === null || (newChoice !== 'paste' && !S.policies.some((p) => p.id === newChoice))) newChoice = others[0]?.id ?? 'paste';
  const cur = S.policies.find((p) => p.id === S.policyId);
  clear(root,
    h('h2', {}, t('revision')),
    h('div', { class: 'row' },
      h('label', {}, t('old_version'), ' ',
        h('select', { id: 'diff-old', onchange: (e) => (oldChoice = e.target.value) },
          h('option', { value: 'file', selected: oldChoice === 'file' ? 'selected' : null }, cur ? `${cur.id}` : '—'),
          h('option', { value: 'editor', selected: oldChoice === 'editor' ? 'selected' : null }, t('current_editor')))),
      h('label', {}, t('new_version'), ' ',
        h('select', { id: 'diff-new', onchange: (e) => { newChoice = e.target.value; render(); } },
          others.map((p) => h('option', { value: p.id, selected: newChoice === p.id ? 'selected' : null }, `${p.id}${p.title ? ` — ${p.title}` : ''}`)),
          h('option', { value: 'paste', selected: newChoice === 'paste' ? 'selected' : null }, t('paste_text')))),
      h('button', { class: 'primary', id: 'run-diff', disabled: busy ? 'disabled' : null, onclick: run }, busy ? t('loading') : t('run_diff'))),
    newChoice === 'paste' ? h('textarea', { id: 'diff-paste', rows: 8, placeholder: t('paste_here'), oninput: (e) => (pasted = e.target.value) }, pasted) : null,
    h('div', { id: 'diff-result' }, result()));
  drawCharts();
}

async function run() {
  busy = true;
  render();
  const body = {
    old: oldChoice === 'editor' ? { text: S.text } : { policy: S.policyId },
    new: newChoice === 'paste' ? { text: pasted } : { policy: newChoice },
    population: 'configured',
  };
  try {
    try {
      answer = await api.diff(body);
    } catch (e) {
      // No --population at the server's start: 409. The diff alone, then;
      // the impact section says why there is none.
      if (e.status !== 409) throw e;
      delete body.population;
      answer = await api.diff(body);
    }
    err = null;
  } catch (e) {
    err = e;
    answer = null;
  }
  busy = false;
  render();
}

function result() {
  if (err) return [errorBox(err), (err.diagnostics || []).length ? h('ul', { class: 'diags' }, err.diagnostics.map((d) => h('li', { class: d.severity }, d.start ? `${d.start.line}:${d.start.column} ` : '', d.message))) : null];
  if (!answer) return null;
  const kinds = t('change_kind');
  const out = [];
  if (answer.same) out.push(h('p', { class: 'ok' }, t('same_meaning')));
  else
    out.push(h('h3', {}, t('changes')),
      h('table', { class: 'grid', id: 'changes' },
        h('tbody', {}, answer.changes.map((c) => h('tr', {},
          h('td', {}, h('span', { class: `change ${c.kind}` }, kinds[c.kind] || c.kind)),
          h('td', {}, h('code', {}, c.path)),
          h('td', {}, (c.details || []).map((d) => h('div', {}, d))))))));
  const im = answer.impact;
  out.push(h('h3', {}, t('impact')));
  if (!im) {
    out.push(h('p', { class: 'notice missing' }, t('no_impact')));
    return out;
  }
  out.push(
    h('p', {}, t('impact_enterprises', im.enterprises, im.incomplete_enterprises)),
    h('div', { class: 'totalbar' },
      h('span', {}, `${t('before')}：${pair(im.total_before)}`),
      h('span', {}, `${t('after')}：${pair(im.total_after)}`),
      h('span', { class: dec(im.delta.min) < 0n ? 'errs' : dec(im.delta.max) > 0n ? 'ok' : 'muted', id: 'impact-delta' }, `${t('delta')}：${signedPair(im.delta)}`)),
    h('div', { class: 'charts' },
      h('div', { class: 'chart', id: 'chart-total' }),
      h('div', { class: 'chart wide', id: 'chart-items' }),
      h('div', { class: 'chart wide', id: 'chart-winners' })),
    im.items.length
      ? h('table', { class: 'grid', id: 'impact-items' },
          h('thead', {}, h('tr', {}, [t('col_measure'), t('col_item'), `${t('granted_n')} ${t('before')}→${t('after')}`, `${t('undetermined_n')} ${t('before')}→${t('after')}`, t('before'), t('after'), t('delta')].map((c) => h('th', {}, c)))),
          h('tbody', {}, im.items.map((it) => h('tr', {},
            h('td', {}, it.measure), h('td', {}, h('code', {}, it.item)),
            h('td', {}, `${it.granted_before} → ${it.granted_after}`),
            h('td', {}, `${it.undetermined_before} → ${it.undetermined_after}`),
            h('td', {}, pair(it.total_before)), h('td', {}, pair(it.total_after)), h('td', { class: 'delta' }, signedPair(it.delta))))))
      : h('p', { class: 'muted' }, t('no_item_changes')));
  return out;
}

const wanAxis = { type: 'value', axisLabel: { formatter: (v) => `${v.toLocaleString()}万` } };
// Bars are drawn on a float scale of 万元; labels and tooltips show the exact amount.
const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]);
const bar = (exact, color) => ({ value: toWanFloat(exact), text: yuan(exact), itemStyle: { color } });
const tip = {
  trigger: 'axis',
  axisPointer: { type: 'shadow' },
  formatter: (ps) => [].concat(ps).map((p) => `${p.marker}${esc(p.seriesName && !/^series/.test(p.seriesName) ? `${p.seriesName} ` : '')}${esc(p.name)}：${esc(p.data.text)}`).join('<br>'),
};

function drawCharts() {
  const im = answer?.impact;
  if (!im) return;
  const el = (id) => root.querySelector(`#${id}`);
  chart(el('chart-total'), {
    title: { text: t('chart_total'), textStyle: { fontSize: 14 } },
    tooltip: tip,
    grid: { left: 90, right: 20, top: 50, bottom: 30 },
    xAxis: { type: 'category', data: [t('before'), t('after')] },
    yAxis: wanAxis,
    series: [{ type: 'bar', barWidth: '40%', data: [
      bar(im.total_before.min, '#8a9bb0'),
      bar(im.total_after.min, '#b8322a'),
    ], label: { show: true, position: 'top', fontSize: 11, formatter: (p) => pair(p.dataIndex === 0 ? im.total_before : im.total_after).replace('..', '\n..') } }],
  });
  // Amounts per measure: the impact's items summed by measure.
  const byMeasure = new Map();
  for (const it of im.items) {
    const m = byMeasure.get(it.measure) || { before: 0n, after: 0n };
    m.before += dec(it.total_before.min);
    m.after += dec(it.total_after.min);
    byMeasure.set(it.measure, m);
  }
  const ms = [...byMeasure.keys()].sort((x, y) => x - y);
  chart(el('chart-items'), {
    title: { text: t('chart_items'), textStyle: { fontSize: 14 } },
    tooltip: tip,
    legend: { top: 4, right: 10, data: [t('before'), t('after')] },
    grid: { left: 90, right: 20, top: 50, bottom: 30 },
    xAxis: { type: 'category', data: ms.map((n) => t('measure', n, '').trim()) },
    yAxis: wanAxis,
    series: [
      { name: t('before'), type: 'bar', itemStyle: { color: '#8a9bb0' }, data: ms.map((n) => bar(byMeasure.get(n).before, '#8a9bb0')) },
      { name: t('after'), type: 'bar', itemStyle: { color: '#b8322a' }, data: ms.map((n) => bar(byMeasure.get(n).after, '#b8322a')) },
    ],
  });
  const movers = [...im.most_down.map((e) => ({ e: e.enterprise, d: e.delta.min })), ...im.most_up.map((e) => ({ e: e.enterprise, d: e.delta.max }))]
    .sort((x, y) => (dec(x.d) < dec(y.d) ? -1 : 1));
  chart(el('chart-winners'), {
    title: { text: movers.length ? t('chart_winners') : t('no_winners'), textStyle: { fontSize: 14 } },
    tooltip: tip,
    grid: { left: 200, right: 40, top: 40, bottom: 30 },
    // room beyond the longest bars for their labels
    xAxis: { ...wanAxis, min: (v) => (v.min < 0 ? Math.floor(v.min * 1.3) : 0), max: (v) => (v.max > 0 ? Math.ceil(v.max * 1.3) : 0) },
    yAxis: { type: 'category', data: movers.map((m) => m.e) },
    series: [{ type: 'bar', data: movers.map((m) => ({ ...bar(m.d, dec(m.d) < 0n ? '#b8322a' : '#2f7d4f'), label: { position: dec(m.d) < 0n ? 'left' : 'right' } })),
      label: { show: true, fontSize: 11, formatter: (p) => signedPair({ min: movers[p.dataIndex].d, max: movers[p.dataIndex].d }) } }],
  });
}
