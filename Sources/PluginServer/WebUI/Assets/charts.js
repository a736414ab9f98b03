// Charts as inline SVG, drawn from the API's numbers: no library, nothing fetched. Each bar carries its
// label and value (`data-label`, `data-value`, a <title>), and the chart a summary for screen readers.
import { h } from './dom.js';

const svgNamespace = 'http://www.w3.org/2000/svg';

function svg(tag, attributes = {}, ...children) {
  const element = document.createElementNS(svgNamespace, tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, String(value));
  element.append(...children);
  return element;
}

function titled(element, text) {
  element.append(svg('title', {}, text));
  return element;
}

/** A number as people read it: at most two decimals (two significant digits below 1), thousands grouped. */
export function formatNumber(value) {
  const number = Number(value ?? 0);
  if (number !== 0 && Math.abs(number) < 1) return number.toLocaleString('en-US', { maximumSignificantDigits: 2 });
  return number.toLocaleString('en-US', { maximumFractionDigits: 2 });
}

/** The width charts are drawn at: about the page's content width, so their text keeps its size on a phone. */
function chartWidth() {
  const main = document.getElementById('main');
  return Math.round(Math.min(600, Math.max(260, (main?.clientWidth ?? 600) - 64)));
}

function figure(chart, caption, legend) {
  return h('figure', { className: 'chart' }, chart, h('figcaption', {}, caption, legend ?? null));
}

/**
 * Horizontal bars, one row per item (`{label, values: [number…]}`), one bar per series
 * (`[{name, className}]`): fits any width, since the labels sit above their bars.
 */
export function barChart({ items, series, unit = '', caption }) {
  const width = chartWidth();
  const rowHeight = 22 * series.length + 26;
  const highest = Math.max(0, ...items.flatMap((item) => item.values));
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${Math.max(1, items.length) * rowHeight}`, class: 'bar-chart', role: 'img',
    'aria-label': `${caption}: ${items.map((item) => `${item.label} ${item.values.map((value) => `${formatNumber(value)}${unit}`).join(' / ')}`).join('; ') || 'nothing yet'}.`,
  });
  items.forEach((item, row) => {
    const top = row * rowHeight;
    chart.append(svg('text', { x: 0, y: top + 14, class: 'bar-label' }, item.label));
    item.values.forEach((value, index) => {
      const barWidth = highest > 0 ? (value / highest) * (width - 90) : 0;
      const y = top + 20 + index * 22;
      const text = `${formatNumber(value)}${unit}`;
      chart.append(titled(svg('rect', {
        x: 0, y, width: barWidth.toFixed(2), height: 16, rx: 2, class: `bar ${series[index].className}`,
        'data-label': item.label, 'data-series': series[index].name, 'data-value': value,
      }), `${item.label}, ${series[index].name}: ${text}`));
      chart.append(svg('text', { x: barWidth + 6, y: y + 13, class: 'bar-value' }, text));
    });
  });
  const legend = series.length > 1
    ? h('span', { className: 'legend' }, series.map((entry) => h('span', { className: `key ${entry.className}` }, `■ ${entry.name}`)))
    : null;
  return figure(chart, caption, legend);
}

/**
 * Columns over time, one per slot (`{key, label, title, values: [number…]}`), the series stacked
 * (`[{name, className}]`), with the first and last slot's labels under the axis.
 */
export function columnChart({ slots, series, unit = '', caption, className = '' }) {
  const width = chartWidth();
  const height = 120;
  const columnWidth = width / Math.max(1, slots.length);
  const highest = Math.max(0, ...slots.map((slot) => slot.values.reduce((sum, value) => sum + value, 0)));
  const totals = series.map((entry, index) => slots.reduce((sum, slot) => sum + slot.values[index], 0));
  const chart = svg('svg', {
    viewBox: `0 0 ${width} ${height + 18}`, class: `column-chart ${className}`.trim(), role: 'img',
    'aria-label': `${caption}: ${series.map((entry, index) => `${entry.name} ${formatNumber(totals[index])}${unit}`).join(', ')}.`,
  });
  slots.forEach((slot, index) => {
    let top = height;
    slot.values.forEach((value, seriesIndex) => {
      if (!value || highest <= 0) return;
      const columnHeight = (value / highest) * height;
      top -= columnHeight;
      chart.append(titled(svg('rect', {
        x: (index * columnWidth + columnWidth * 0.1).toFixed(2), y: top.toFixed(2), width: (columnWidth * 0.8).toFixed(2),
        height: columnHeight.toFixed(2), class: `bar ${series[seriesIndex].className}`,
        'data-label': slot.label, 'data-key': slot.key ?? slot.label, 'data-series': series[seriesIndex].name, 'data-value': value,
      }), `${slot.title ?? slot.label}: ${formatNumber(value)}${unit} ${series[seriesIndex].name}`));
    });
  });
  chart.append(svg('line', { x1: 0, x2: width, y1: height, y2: height, class: 'axis' }));
  if (slots.length) {
    chart.append(svg('text', { x: 0, y: height + 15, class: 'axis-label' }, slots[0].label));
    chart.append(svg('text', { x: width, y: height + 15, class: 'axis-label', 'text-anchor': 'end' }, slots[slots.length - 1].label));
  }
  const legend = h('span', { className: 'legend' },
    series.map((entry, index) => h('span', { className: `key ${entry.className}` }, `■ ${entry.name} ${formatNumber(totals[index])}${unit}`)));
  return figure(chart, caption, legend);
}
