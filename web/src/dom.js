// A small element builder: h('div', {class: 'x', onclick}, child, …).
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else if (k === 'class') el.className = v;
    else if (k === 'dataset') Object.assign(el.dataset, v);
    else if (k === 'value') el.value = v;
    else if (k === 'checked') el.checked = !!v;
    else if (k === 'style' && typeof v === 'object') Object.assign(el.style, v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  append(el, children);
  return el;
}
function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}
export function clear(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}
export function errorBox(err) {
  return h('div', { class: err?.missing ? 'notice missing' : 'notice error', role: 'alert' }, err?.message ?? String(err));
}

/** Markdown as the language service writes hovers: paragraphs, `code`, **bold**, fenced code, lists. */
export function markdown(md) {
  const root = h('div', { class: 'md' });
  const parts = String(md).split(/(```[^\n]*\n[\s\S]*?```)/);
  for (const part of parts) {
    if (part.startsWith('```')) {
      root.append(h('pre', {}, part.replace(/^```[^\n]*\n/, '').replace(/```$/, '').replace(/\n$/, '')));
      continue;
    }
    for (const para of part.split(/\n{2,}/)) {
      const p = para.trim();
      if (!p) continue;
      if (/^---+$/.test(p)) {
        root.append(h('hr'));
        continue;
      }
      if (/^[-*] /m.test(p) && p.split('\n').every((l) => /^\s*[-*] /.test(l))) {
        root.append(h('ul', {}, p.split('\n').map((l) => h('li', {}, inline(l.replace(/^\s*[-*] /, ''))))));
      } else root.append(h('p', {}, inline(p)));
    }
  }
  return root;
}
function inline(s) {
  const out = [];
  const re = /(`[^`]+`|\*\*[^*]+\*\*|\*[^*]+\*)/g;
  let last = 0;
  for (const m of s.matchAll(re)) {
    if (m.index > last) out.push(s.slice(last, m.index));
    const tok = m[0];
    if (tok.startsWith('`')) out.push(h('code', {}, tok.slice(1, -1)));
    else if (tok.startsWith('**')) out.push(h('strong', {}, tok.slice(2, -2)));
    else out.push(h('em', {}, tok.slice(1, -1)));
    last = m.index + tok.length;
  }
  if (last < s.length) out.push(s.slice(last));
  return out;
}
