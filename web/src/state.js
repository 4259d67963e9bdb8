// The studio's state, shared by the panels. Everything in it came from the API
// or from the drafter's own input.
export const S = {
  policies: [],
  policyId: null,
  meta: null,
  metaErr: null,
  source: null,
  text: '',
  examples: [],
  examplesErr: null,
  exampleId: '',
  facts: {},
  params: {},
  at: '',
  result: null,
  resultErr: null,
  resultFromText: false,
  explain: null,
  diag: { errors: 0, warnings: 0 },
  scenarios: loadScenarios(),
};

export const edited = () => S.source !== null && S.text !== S.source.text;

function loadScenarios() {
  try {
    return JSON.parse(localStorage.getItem('decree.scenarios') || '[]');
  } catch {
    return [];
  }
}
export function saveScenarios() {
  try {
    localStorage.setItem('decree.scenarios', JSON.stringify(S.scenarios));
  } catch {}
}

const listeners = new Set();
export const onUpdate = (f) => listeners.add(f);
export const update = (what) => listeners.forEach((f) => f(what));
