// The studio: header (policy, language), five tabs, each panel in its module.
import './style.css';
import { h, clear, errorBox } from './dom.js';
import { t, getLang, setLang } from './i18n.js';
import { api } from './api.js';
import { S, onUpdate } from './state.js';
import { mountEditor, setSource, render as renderEditor } from './editorPanel.js';
import { mountEnterprise, render as renderEnterprise } from './enterprise.js';
import { mountScenarios, render as renderScenarios } from './scenarios.js';
import { mountRevision, render as renderRevision } from './revision.js';
import { mountPopulation, render as renderPopulation } from './population.js';

const TABS = ['editor', 'enterprise', 'scenarios', 'revision', 'population'];
const panels = Object.fromEntries(TABS.map((id) => [id, h('section', { class: 'panel', id: `panel-${id}` })]));
const renders = { editor: renderEditor, enterprise: renderEnterprise, scenarios: renderScenarios, revision: renderRevision, population: renderPopulation };
const header = h('header', { class: 'top' });
const nav = h('nav', { class: 'tabs', role: 'tablist' });
const banner = h('div', { class: 'banner' });
let current = TABS.includes(location.hash.slice(1)) ? location.hash.slice(1) : 'editor';

function drawChrome() {
  document.title = t('app_title');
  clear(header,
    h('h1', {}, t('app_title')),
    h('label', { class: 'policy-pick' }, t('policy'), ' ',
      h('select', { id: 'policy', onchange: (e) => choosePolicy(e.target.value) },
        S.policies.map((p) => h('option', { value: p.id, selected: p.id === S.policyId ? 'selected' : null }, p.title ? `${p.title}（${p.id}）` : p.id)))),
    h('button', { class: 'lang', id: 'lang', onclick: () => { setLang(getLang() === 'zh' ? 'en' : 'zh'); drawChrome(); TABS.forEach((id) => renders[id]()); } }, t('language')));
  clear(nav, TABS.map((id) => h('button', {
    role: 'tab', id: `tab-${id}`, 'aria-selected': id === current ? 'true' : 'false', class: id === current ? 'active' : null,
    onclick: () => show(id),
  }, t(`tab_${id}`))));
}

function show(id) {
  current = id;
  history.replaceState(null, '', `#${id}`);
  for (const [k, el] of Object.entries(panels)) el.hidden = k !== id;
  drawChrome();
  if (id === 'scenarios' || id === 'revision') renders[id]();
}

async function choosePolicy(id) {
  S.policyId = id;
  S.meta = null; S.metaErr = null; S.source = null; S.result = null; S.resultErr = null; S.explain = null;
  try { localStorage.setItem('decree.policy', id); } catch {}
  drawChrome();
  TABS.forEach((k) => renders[k]());
  const [meta, source] = await Promise.allSettled([api.policy(id), api.source(id)]);
  if (meta.status === 'fulfilled') {
    S.meta = meta.value;
    // Params typed for another policy are not this one's: the server
    // would refuse the evaluation for them.
    const declared = new Set((S.meta.params || []).map((p) => p.name));
    for (const name of Object.keys(S.params)) if (!declared.has(name)) delete S.params[name];
  } else S.metaErr = meta.reason;
  if (source.status === 'fulfilled') {
    S.source = source.value;
    S.text = source.value.text;
    setSource(source.value.text);
  } else {
    S.source = null;
    clear(banner, errorBox(source.reason));
  }
  TABS.forEach((k) => renders[k]());
}

async function start() {
  setLang(getLang());
  document.body.append(header, nav, banner, ...Object.values(panels));
  mountEditor(panels.editor);
  mountEnterprise(panels.enterprise);
  mountScenarios(panels.scenarios);
  mountRevision(panels.revision);
  mountPopulation(panels.population);
  show(current);
  try {
    S.policies = await api.policies();
  } catch (e) {
    clear(banner, errorBox(e));
    return;
  }
  if (!S.policies.length) return clear(banner, h('div', { class: 'notice' }, t('no_policies')));
  api.examples().then((x) => { S.examples = x; renderEnterprise(); }, (e) => { S.examplesErr = e; renderEnterprise(); });
  let saved = null;
  try { saved = localStorage.getItem('decree.policy'); } catch {}
  await choosePolicy(S.policies.some((p) => p.id === saved) ? saved : S.policies[0].id);
}

onUpdate((what) => {
  if (what === 'scenarios') renderScenarios();
});

start();
