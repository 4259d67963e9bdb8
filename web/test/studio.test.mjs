// Browser tests of the studio: the real `decree serve`, the real bundle in
// web/dist (embedded in the binary), real headless Chromium driven by
// playwright-core. Run from web/: `node --test test/` (web/ci.sh does it all).
//
//   DECREE_BIN          the decree binary (default ../target/debug/decree)
//   CHROMIUM            the browser (default /usr/bin/chromium)
//   UPDATE_SCREENSHOTS=1  also copy the screenshots to docs/studio/*.png
//   STUDIO_DIST_FROM_DISK=1  serve /, /assets/* from web/dist on disk rather
//                       than the copy embedded in the binary (to iterate on the
//                       bundle without rebuilding decree; CI does not set it)
//
// Screenshots always go to a fresh temp dir (printed); nothing is written into
// the working tree unless UPDATE_SCREENSHOTS=1.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const web = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const repo = path.resolve(web, '..');
const bin = path.resolve(web, process.env.DECREE_BIN || '../target/debug/decree');
const shots = fs.mkdtempSync(path.join(os.tmpdir(), 'decree-studio-shots-'));
const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'decree-studio-profile-'));
const TIMEOUT = 30_000;

let server, base, context, page;
const serverLog = [];

function startServer() {
  const args = [
    'serve',
    '../policies/shenzhen-manufacturing-2020.decree',
    '../examples/revisions/1-tighter-tech-upgrade.decree',
    '../policies/district-rules-illustration.decree',
    '../policies/rd-tax-relief-illustration.decree',
    '--facts', '../examples/enterprises',
    '--facts', '../examples/district',
    '--facts', '../examples/tax',
    '--population', '../examples/enterprises',
    '--bind', '127.0.0.1:0',
  ];
  server = spawn(bin, args, { cwd: web, stdio: ['ignore', 'pipe', 'pipe'] });
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no "listening on" line from ${bin} in 60 s:\n${serverLog.join('')}`)), 60_000);
    const read = (chunk) => {
      serverLog.push(String(chunk));
      const m = serverLog.join('').match(/listening on (http:\/\/[^\s]+)/);
      if (m) {
        clearTimeout(timer);
        resolve(m[1].replace(/\/$/, ''));
      }
    };
    server.stdout.on('data', read);
    server.stderr.on('data', read);
    server.on('error', (e) => { clearTimeout(timer); reject(e); });
    server.on('exit', (code) => { clearTimeout(timer); reject(new Error(`decree serve exited (${code}):\n${serverLog.join('')}`)); });
  });
}

async function shot(name, { fullPage = false } = {}) {
  const file = path.join(shots, `${name}.png`);
  await page.screenshot({ path: file, fullPage });
  if (process.env.UPDATE_SCREENSHOTS === '1') {
    const dir = path.join(repo, 'docs/studio');
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(file, path.join(dir, `${name}.png`));
  }
}

/** Double-clicks the first occurrence of `word` in the rendered editor line containing `lineText`. */
async function dblclickWord(lineText, word) {
  const line = page.locator('.cm-line', { hasText: lineText }).first();
  await line.waitFor({ timeout: TIMEOUT });
  const box = await line.evaluate((el, w) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    let text = '', nodes = [];
    for (let n; (n = walker.nextNode()); ) { nodes.push([n, text.length]); text += n.data; }
    const at = text.indexOf(w);
    const mid = at + Math.floor(w.length / 2);
    const [node, off] = nodes.filter(([, o]) => o <= mid).pop();
    const r = document.createRange();
    r.setStart(node, mid - off);
    r.setEnd(node, mid - off + 1);
    const b = r.getBoundingClientRect();
    return { x: b.left + b.width / 2, y: b.top + b.height / 2 };
  }, word);
  return box;
}

before(async () => {
  assert.ok(fs.existsSync(bin), `no decree binary at ${bin} (set DECREE_BIN)`);
  base = await startServer();
  context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
    locale: 'zh-CN',
  });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  if (process.env.STUDIO_DIST_FROM_DISK === '1') {
    const types = { html: 'text/html; charset=utf-8', js: 'text/javascript; charset=utf-8', css: 'text/css; charset=utf-8' };
    await page.route(/\/(assets\/.*)?(#.*)?$/, (route) => {
      const url = new URL(route.request().url());
      const file = path.join(web, 'dist', url.pathname === '/' ? 'index.html' : url.pathname);
      if (!url.pathname.startsWith('/assets/') && url.pathname !== '/') return route.continue();
      route.fulfill({ body: fs.readFileSync(file), contentType: types[path.extname(file).slice(1)] });
    });
  }
  page.on('pageerror', (e) => console.error('page error:', e));
  console.log(`# screenshots in ${shots}`);
});

after(async () => {
  await context?.close();
  server?.kill('SIGTERM');
  fs.rmSync(profile, { recursive: true, force: true });
});

test('the studio opens with the policy in the editor and its measures with their cites', async () => {
  await page.goto(`${base}/`);
  await page.locator('#policy option').first().waitFor({ state: 'attached' });
  await page.locator('.cm-content', { hasText: '关于推动制造业高质量发展' }).waitFor();
  await page.locator('#measures .mcard blockquote').first().waitFor();
  const cites = await page.locator('#measures blockquote').count();
  assert.ok(cites > 10, `only ${cites} cites beside the editor`);
  assert.equal(await page.locator('#tab-editor').textContent(), '政策编辑');
  await page.locator('#diag-summary', { hasText: '没有问题' }).waitFor();
  await shot('editor');
});

test('a misspelt fact gets a diagnostic in the editor; hover and completion answer', async () => {
  // Go to measure 8 from the side panel, as a drafter would.
  await page.locator('#measures .mcard[data-measure="8"] .mtitle').click();
  const at = await dblclickWord('min(20% * tech_upgrade_investment', 'tech_upgrade_investment');
  await page.mouse.dblclick(at.x, at.y);
  await page.keyboard.type('tech_upgrade_investmnt');
  await page.locator('#diag-summary.errs').waitFor();
  assert.match(await page.locator('#diag-summary').textContent(), /1 个错误/);
  await page.locator('.cm-lintRange-error').first().waitFor();
  await page.locator('#edited', { hasText: '已修改' }).waitFor();
  // Hover the misspelt name: the diagnostic (lint) or the service's hover shows.
  const bad = await dblclickWord('tech_upgrade_investmnt', 'tech_upgrade_investmnt');
  await page.mouse.move(bad.x, bad.y);
  await page.locator('.cm-tooltip-hover, .cm-tooltip-lint').first().waitFor();
  assert.match(await page.locator('.cm-tooltip-hover, .cm-tooltip-lint').first().textContent(), /tech_upgrade_investmnt|unknown|未知/i);
  await shot('editor-diagnostic');
  // Completion: the misspelt name, retyped, is offered the fact.
  await page.mouse.dblclick(bad.x, bad.y);
  await page.keyboard.type('tech_upgrade_inv');
  await page.locator('.cm-tooltip-autocomplete', { hasText: 'tech_upgrade_investment' }).waitFor();
  await page.keyboard.press('Escape');
  await page.locator('#revert').click();
  await page.locator('#edited', { hasText: '与文件一致' }).waitFor();
  await page.locator('#diag-summary', { hasText: '没有问题' }).waitFor();
  // Hover a fact of the checked text: the language service's markdown (POST /api/hover).
  const fact = await dblclickWord('fixed_asset_loan_interest + equipment_lease_interest', 'equipment_lease_interest');
  await page.mouse.click(fact.x, fact.y);
  await page.mouse.move(fact.x + 1, fact.y);
  await page.locator('.cm-tooltip-hover', { hasText: '设备融资租赁利息' }).waitFor();
});

test('choosing an example fills the form and the results show amounts in 万元', async () => {
  await page.locator('#tab-enterprise').click();
  await page.locator('#example option[value="huaxin-electronics"]').waitFor({ state: 'attached' });
  await page.selectOption('#example', 'huaxin-electronics');
  await page.locator('#results tr[data-item="tech_upgrade"]').waitFor();
  const row = await page.locator('#results tr[data-item="tech_upgrade"]').textContent();
  assert.match(row, /2,400万元/);
  assert.match(row, /给予/);
  assert.match(await page.locator('#total').textContent(), /[万亿]元/);
  assert.equal(await page.locator('#enterprise-form input[name="tech_upgrade_investment"]').inputValue(), '1.2亿');
  // an undetermined item with its tbd param marked
  const expansion = await page.locator('#results tr[data-item="expansion"]').textContent();
  assert.match(expansion, /未定/);
  assert.match(expansion, /待定/);
  await shot('enterprise');
});

test('an item’s explanation tree opens beside the results', async () => {
  await page.locator('#results tr[data-item="tech_upgrade"] button.explain').click();
  await page.locator('#explanation.open .tree').waitFor();
  const text = await page.locator('#explanation').textContent();
  assert.match(text, /min\(20% × 技术改造项目投资额, 5000万\)/);
  assert.match(text, /对企业实施的技术改造项目/); // the cite
  await shot('explanation');
  await page.locator('#explanation .dhead button').click();
});

test('two scenarios saved and compared, with the delta per item and in total', async () => {
  await page.fill('#scenario-name', '华芯电子 现状');
  await page.click('#save-scenario');
  await page.locator('#saved-note', { hasText: '华芯电子 现状' }).waitFor();
  const input = page.locator('#enterprise-form input[name="tech_upgrade_investment"]');
  await input.fill('2亿');
  await input.press('Tab');
  await page.click('#evaluate');
  await page.locator('#results tr[data-item="tech_upgrade"]', { hasText: '4,000万元' }).waitFor();
  await page.fill('#scenario-name', '华芯电子 技改投资2亿');
  await page.click('#save-scenario');
  await page.locator('#tab-scenarios').click();
  await page.locator('#compare').waitFor();
  const row = await page.locator('#compare tr[data-item="tech_upgrade"]').textContent();
  assert.match(row, /\+1,600万元/);
  assert.match(await page.locator('#total-delta').textContent(), /\+1,600万元/);
  await shot('scenarios', { fullPage: true });
});

test('a revision shows its semantic diff and the fiscal impact in ECharts charts', async () => {
  await page.locator('#tab-revision').click();
  await page.selectOption('#diff-new', '1-tighter-tech-upgrade');
  await page.click('#run-diff');
  await page.locator('#changes').waitFor();
  assert.match(await page.locator('#changes').textContent(), /rate 20% → 15%/);
  await page.locator('#chart-total canvas').waitFor();
  await page.locator('#chart-items canvas').waitFor();
  await page.locator('#chart-winners canvas').waitFor();
  // the canvas has been drawn on: some pixel is not blank
  const drawn = await page.locator('#chart-items canvas').evaluate((c) => {
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    for (let i = 3; i < d.length; i += 4) if (d[i] !== 0) return true;
    return false;
  });
  assert.ok(drawn, 'the chart canvas is blank');
  assert.match(await page.locator('#impact-delta').textContent(), /-7,340万元/);
  await shot('revision', { fullPage: true });
});

test('a population upload runs to done with a progress bar and a summary', async () => {
  await page.locator('#tab-population').click();
  const csv = path.join(shots, 'register.csv');
  fs.writeFileSync(csv, 'is_industrial_enterprise,annual_output,prior_peak_output,tech_upgrade_investment\ntrue,620亿,480亿,1.2亿\ntrue,30亿,28亿,5000万\nfalse,1亿,1亿,0\n');
  await page.setInputFiles('#pop-file', csv);
  await page.click('#pop-start');
  await page.locator('#pop-state', { hasText: '完成' }).waitFor();
  await page.locator('#pop-summary', { hasText: '3' }).waitFor();
  assert.equal(await page.locator('.progress').getAttribute('aria-valuenow'), '100');
  await shot('population');
});

test('the English switch relabels the studio', async () => {
  await page.locator('#lang').click();
  assert.equal(await page.locator('#tab-editor').textContent(), 'Editor');
  await page.locator('#tab-enterprise').click();
  assert.match(await page.locator('#results').textContent(), /Results/);
  await shot('enterprise-en');
  await page.locator('#lang').click();
  assert.equal(await page.locator('#tab-editor').textContent(), '政策编辑');
});

test('filling the tbd params of the draft decides the item they held undetermined', async () => {
  await page.locator('#tab-enterprise').click();
  assert.match(await page.locator('#results tr[data-item="expansion"]').textContent(), /未定/);
  for (const [name, value] of [['growth_rate_threshold', '10%'], ['expansion_award', '100万']]) {
    const input = page.locator(`#enterprise-form input[name="param.${name}"]`);
    await input.fill(value);
    await input.press('Tab');
  }
  await page.click('#evaluate');
  const row = page.locator('#results tr[data-item="expansion"]', { hasText: '100万元' });
  await row.waitFor();
  assert.match(await row.textContent(), /给予/);
});

test('the district rules: a superseded subsidy, a cap cut before → after, per-project results, the fund; tax relief in the total', async () => {
  await page.locator('#tab-enterprise').click();
  await page.selectOption('#policy', 'district-rules-illustration');
  await page.locator('#enterprise-form textarea[name="projects"]').waitFor();
  await page.selectOption('#example', 'hengtong-machinery');
  // The example's facts arrive from the server: wait until the form has them.
  await page.waitForFunction(
    () => document.querySelector('#enterprise-form textarea[name="projects"]')?.value.includes('智能产线改造')
  );
  // The project list is in the form as the facts file holds it.
  assert.match(await page.locator('#enterprise-form textarea[name="projects"]').inputValue(), /智能产线改造/);
  // In force from 2023-01-01 for 3 years, the per-project cap 3000万 from 2023-07-01.
  await page.fill('#at', '2023-08-01');
  await page.locator('#at').dispatchEvent('change');
  await page.click('#evaluate');
  const city = page.locator('#results tr[data-item="city_tech_upgrade"]');
  await city.locator('.superseded-by').waitFor();
  const cityText = await city.textContent();
  assert.match(cityText, /被替代/);
  assert.match(cityText, /被「区级技术改造资助」替代（就高不重复）/);
  // Each project's own result: superseded project by project (就高不重复
  // per project), the warehouse one not eligible.
  assert.match(cityText, /智能产线改造：被替代/);
  assert.match(cityText, /仓储系统：不符合/);
  const district = await page.locator('#results tr[data-item="district_tech_upgrade"]').textContent();
  assert.match(district, /累计上限「同一企业年度累计资助不超过3000万元」：2,750万元 → 2,391.30434800万元|累计上限「同一企业年度累计资助不超过3000万元」：2,750万元 → 2,391.304348万元/);
  assert.match(district, /由「区级产业发展专项资金」（1亿元）支付：申报总额超过资金时按比例核减/);
  assert.match(district, /数字化车间：给予 2,000万元/);
  // The capped 3000万, the rent at 30元 per 平方米 and the land award per 亩.
  assert.match(await page.locator('#total').textContent(), /3,186万元/);
  await shot('district', { fullPage: true });
  // A tax relief: the total split into outlays and revenue forgone.
  await page.selectOption('#policy', 'rd-tax-relief-illustration');
  await page.locator('#example option[value="hnte-rd-1000wan"]').waitFor({ state: 'attached' });
  await page.selectOption('#example', 'hnte-rd-1000wan');
  await page.locator('#total-split').waitFor();
  assert.match(await page.locator('#total-split').textContent(), /其中财政支出 0元，税收优惠（放弃的收入）550万元/);
  await shot('tax-relief');
  await page.selectOption('#policy', 'shenzhen-manufacturing-2020');
});
