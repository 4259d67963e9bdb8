// 批量测算: a register uploaded (POST /api/population), its job polled
// (GET /api/population/{job}) with a progress bar, then the summary.
import { h, clear, errorBox } from './dom.js';
import { t } from './i18n.js';
import { api } from './api.js';
import { S } from './state.js';
import { pair } from './money.js';

let root;
// One file input for the page's life: a re-render keeps the chosen file.
const fileInput = h('input', { type: 'file', id: 'pop-file', accept: '.csv,.jsonl,.ndjson,text/csv', onchange: (e) => {
  file = e.target.files[0] || null;
  if (file) format = /\.(jsonl|ndjson)$/i.test(file.name) ? 'jsonl' : 'csv';
  render();
} });
let file = null, format = 'csv', job = null, err = null, timer = null;

export function mountPopulation(el) {
  root = el;
  render();
}

export function render() {
  if (!root) return;
  clear(root,
    h('h2', {}, t('population')),
    h('p', { class: 'muted' }, t('upload_hint')),
    h('div', { class: 'row' },
      fileInput,
      h('label', {}, t('file_format'), ' ', h('select', { id: 'pop-format', onchange: (e) => (format = e.target.value) },
        ['csv', 'jsonl'].map((f) => h('option', { value: f, selected: f === format ? 'selected' : null }, f.toUpperCase())))),
      h('button', { class: 'primary', id: 'pop-start', disabled: !file || job?.state === 'running' ? 'disabled' : null, onclick: start }, t('start'))),
    file ? h('p', { class: 'muted' }, `${file.name} · ${file.size.toLocaleString()} B · ${t('policy')}：${S.policyId}`) : null,
    err ? errorBox(err) : null,
    job ? progress() : null,
    job?.summary ? summary(job.summary) : null);
}

async function start() {
  err = null;
  job = null;
  clearTimeout(timer);
  try {
    const r = await api.population(S.policyId, format, file);
    job = { job: r.job, state: 'running', rows: 0, bytes_read: 0, bytes_total: file.size };
    render();
    poll();
  } catch (e) {
    err = e;
    render();
  }
}

async function poll() {
  try {
    job = await api.job(job.job);
  } catch (e) {
    err = e;
    render();
    return;
  }
  render();
  if (job.state === 'running') timer = setTimeout(poll, 400);
}

function progress() {
  const total = job.bytes_total || 0;
  const pct = job.state === 'done' ? 100 : total ? Math.min(100, Math.floor((job.bytes_read / total) * 100)) : 0;
  return h('div', { class: 'progress-wrap' },
    h('div', { class: 'progress', role: 'progressbar', 'aria-valuenow': pct, 'aria-valuemin': 0, 'aria-valuemax': 100 },
      h('div', { class: `bar ${job.state}`, style: { width: `${pct}%` } })),
    h('span', { id: 'pop-state', class: job.state === 'failed' ? 'errs' : job.state === 'done' ? 'ok' : 'muted' },
      job.state === 'done' ? t('done') : job.state === 'failed' ? t('failed') : t('running'), ' · ', t('rows', job.rows ?? 0), job.rejected ? ` · ${t('rejected', job.rejected)}` : '', ` · ${pct}%`),
    job.error ? errorBox({ message: typeof job.error === 'string' ? job.error : job.error.message || JSON.stringify(job.error) }) : null,
    job.state === 'done' ? h('a', { href: api.jobResultUrl(job.job), download: `${S.policyId}-results.csv`, id: 'pop-download' }, t('download_csv')) : null);
}

function summary(s) {
  const items = (s.measures || []).flatMap((m) => (m.items || []).map((it) => ({ m, it })));
  return [
    h('h3', {}, t('summary')),
    h('div', { class: 'totalbar', id: 'pop-summary' },
      h('span', {}, `${t('enterprises')}：${s.enterprises}`),
      s.total ? h('span', {}, `${t('total')}：${pair(s.total)}`) : null,
      s.incomplete_enterprises !== undefined ? h('span', {}, `${t('incomplete_enterprises')}：${s.incomplete_enterprises}`) : null),
    items.length
      ? h('table', { class: 'grid' },
          h('thead', {}, h('tr', {}, [t('col_measure'), t('col_item'), t('granted_n'), t('ineligible_n'), t('undetermined_n'), t('errors_n'), t('item_total')].map((c) => h('th', {}, c)))),
          h('tbody', {}, items.map(({ m, it }) => h('tr', {},
            h('td', {}, m.number), h('td', {}, it.label || it.name),
            h('td', {}, it.granted), h('td', {}, it.ineligible), h('td', {}, it.undetermined), h('td', {}, it.errors),
            h('td', {}, it.total ? pair(it.total) : '—')))))
      : null,
  ];
}
