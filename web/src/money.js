// Exact decimal amounts (the API's yuan strings, "24000000", "838591999.2"):
// parsed to BigInt at a fixed scale, never to binary floats.
const SCALE = 12n;
const ONE = 10n ** SCALE;

export function dec(s) {
  if (s === null || s === undefined) return null;
  const m = String(s).trim().match(/^(-?)(\d*)(?:\.(\d*))?$/);
  if (!m) return null;
  const frac = (m[3] || '').slice(0, Number(SCALE)).padEnd(Number(SCALE), '0');
  const v = BigInt(m[2] || '0') * ONE + BigInt(frac || '0');
  return m[1] ? -v : v;
}

/** A scaled BigInt as a plain decimal string with `digits` places at most. */
function plain(v, unit) {
  const neg = v < 0n;
  let a = neg ? -v : v;
  const whole = a / unit;
  let frac = ((a % unit) * ONE) / unit; // in units of 1/ONE
  let fs = frac.toString().padStart(Number(SCALE), '0').replace(/0+$/, '');
  const ws = whole.toString().replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return (neg ? '-' : '') + ws + (fs ? '.' + fs : '');
}

/** Yuan as drafters read them: 2,400万元, 1.2亿元, 860元 (exact; no rounding). */
export function yuan(v) {
  if (typeof v === 'string') v = dec(v);
  if (v === null || v === undefined) return '—';
  const a = v < 0n ? -v : v;
  const wan = 10000n * ONE, yi = 100000000n * ONE;
  // 亿 when it reads short (1.2亿元, 3.0456亿元), else 万 (83,859.19992万元).
  if (a >= yi && (a % (yi / 10000n)) === 0n) return plain(v, yi) + '亿元';
  if (a >= wan) return plain(v, wan) + '万元';
  return plain(v, ONE) + '元';
}

export function signedYuan(v) {
  if (v === null || v === undefined) return '—';
  return (v > 0n ? '+' : '') + yuan(v);
}

/** A `{min, max}` pair of decimal strings as text: one amount, or min..max. */
export function pair(p) {
  if (!p) return '—';
  return p.min === p.max ? yuan(p.min) : `${yuan(p.min)}..${yuan(p.max)}`;
}
export function signedPair(p) {
  if (!p) return '—';
  const a = dec(p.min), b = dec(p.max);
  return a === b ? signedYuan(a) : `${signedYuan(a)}..${signedYuan(b)}`;
}

/** A number of yuan in 万 as a float, only for chart scales (labels use yuan()). */
export function toWanFloat(s) {
  const v = typeof s === 'bigint' ? s : dec(s);
  if (v === null) return 0;
  return Number((v * 100n) / (10000n * ONE)) / 100;
}

/** Whether a money input is written as decree reads money: 1.2亿, 5000万, 860万元, 1,200元. */
export function looksLikeMoney(s) {
  return /^\s*-?[\d,]+(\.\d+)?\s*(万|亿|万元|亿元|元)?\s*$/.test(s);
}

/** The amount of an evaluated item as {min, max} scaled BigInts, or null. */
export function itemAmount(item) {
  if (!item || item.status !== 'granted') return null;
  if (item.amount != null) return { min: dec(item.amount), max: dec(item.amount) };
  if (item.range) return { min: dec(item.range.min), max: dec(item.range.max) };
  return null;
}
