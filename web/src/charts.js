// The parts of Apache ECharts the studio uses: bar charts on a canvas.
import * as echarts from 'echarts/core';
import { BarChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent, TitleComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, GridComponent, TooltipComponent, LegendComponent, TitleComponent, CanvasRenderer]);

const FONT = '-apple-system, "PingFang SC", "Noto Sans CJK SC", "Microsoft YaHei", "Source Han Sans SC", sans-serif';
const charts = new Set();

export function chart(el, option) {
  const c = echarts.init(el, null, { renderer: 'canvas' });
  c.setOption({ textStyle: { fontFamily: FONT }, animation: false, ...option });
  charts.add(c);
  return c;
}
export function disposeAll() {
  for (const c of charts) c.dispose();
  charts.clear();
}
window.addEventListener('resize', () => charts.forEach((c) => c.resize()));
