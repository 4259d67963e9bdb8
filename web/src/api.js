// The server's API (docs: /work/shared-notes/api-contract.md, GET /openapi.json).
// Every call returns the parsed JSON or throws an ApiError whose message is
// ready to show: a missing route is said plainly, never papered over.
import { t } from './i18n.js';

export class ApiError extends Error {
  constructor(message, { status = 0, body = null, missing = false } = {}) {
    super(message);
    this.status = status;
    this.body = body;
    this.missing = missing;
  }
  get diagnostics() {
    return this.body?.error?.diagnostics ?? [];
  }
}

async function call(method, path, body, { raw = false } = {}) {
  const route = `${method} ${path.replace(/\?.*$/, '')}`;
  let res;
  try {
    res = await fetch(path, {
      method,
      headers: body === undefined ? {} : { 'content-type': raw ? 'application/octet-stream' : 'application/json' },
      body: body === undefined ? undefined : raw ? body : JSON.stringify(body),
    });
  } catch (e) {
    throw new ApiError(t('network_error', e.message));
  }
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {}
  if (!res.ok) {
    if ((res.status === 404 || res.status === 405 || res.status === 501) && !json?.error)
      throw new ApiError(t('no_route', route), { status: res.status, missing: true });
    const err = json?.error;
    throw new ApiError(t('server_error', res.status, err ? `${err.message}${err.help ? ` (${err.help})` : ''}` : text.slice(0, 200)), {
      status: res.status,
      body: json,
    });
  }
  if (json === null && text) throw new ApiError(t('server_error', res.status, text.slice(0, 200)), { status: res.status });
  return json;
}

const enc = encodeURIComponent;
export const api = {
  policies: () => call('GET', '/api/policies'),
  policy: (id) => call('GET', `/api/policies/${enc(id)}`),
  source: (id) => call('GET', `/api/policies/${enc(id)}/source`),
  examples: () => call('GET', '/api/examples'),
  example: (id) => call('GET', `/api/examples/${enc(id)}`),
  evaluate: (id, body) => call('POST', `/api/policies/${enc(id)}/evaluate`, body),
  evaluateText: (body) => call('POST', '/api/evaluate', body),
  check: (text) => call('POST', '/api/check', { text, name: 'draft.decree' }),
  format: (text) => call('POST', '/api/format', { text }),
  hover: (text, position) => call('POST', '/api/hover', { text, position }),
  complete: (text, position) => call('POST', '/api/complete', { text, position }),
  diff: (body) => call('POST', '/api/diff', body),
  population: (policy, format, body) =>
    call('POST', `/api/population?policy=${enc(policy)}&format=${enc(format)}`, body, { raw: true }),
  job: (job) => call('GET', `/api/population/${enc(job)}`),
  jobResultUrl: (job) => `/api/population/${enc(job)}/result`,
};
