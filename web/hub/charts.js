/* global Chart */
/**
 * The dashboard's figures: a heading, a chart drawn by Chart.js on a canvas that screen readers
 * read as one labelled image, and right below it a GOV.UK table with the same figures, which is
 * the accessible alternative (and what is left if Chart.js fails to load).
 */
import { h } from '../assets/dom.js';

// Chart.js is /hub/vendor/chart.umd.min.js, a classic script that runs before this module.
const ChartJs = typeof Chart === 'function' ? Chart : undefined;

/** GOV.UK Frontend's palette, in an order whose neighbours differ for most colour vision. */
export const colours = {
  blue: '#1d70b8',
  orange: '#f47738',
  green: '#00703c',
  purple: '#4c2c92',
  turquoise: '#28a197',
  pink: '#d53880',
  grey: '#505a5f',
  red: '#d4351c',
  yellow: '#ffdd00',
};

if (ChartJs) {
  ChartJs.defaults.font.family = 'arial, sans-serif';
  ChartJs.defaults.font.size = 14;
  ChartJs.defaults.color = '#0b0c0c';
  // Figures appear at once: no motion, and a canvas that is finished when the chart is made.
  ChartJs.defaults.animation = false;
  ChartJs.defaults.maintainAspectRatio = false;
}

/** The charts on the page, destroyed before the next figures replace them. */
let drawn = [];

export function clearCharts() {
  for (const chart of drawn) chart.destroy();
  drawn = [];
}

/**
 * One figure as a section of the page. Its chart is drawn by `draw()`, once the section is in
 * the document (Chart.js sizes the canvas from its container).
 * @param {{ id: string, title: string, intro?: unknown, label: string, table: HTMLElement,
 *   chart?: Record<string, unknown>, tall?: boolean, empty?: string }} options
 * @returns {{ element: HTMLElement, draw: () => void }}
 */
export function figure({ id, title, intro, label, table, chart, tall = false, empty }) {
  const canvas =
    chart && !empty
      ? h(
          'canvas',
          { id: `${id}-chart`, role: 'img', 'aria-label': label },
          h('p', {}, 'The figures are in the table below.'),
        )
      : undefined;
  const element = h(
    'section',
    { class: 'app-figure', id, 'aria-labelledby': `${id}-heading` },
    h('h2', { class: 'govuk-heading-m', id: `${id}-heading` }, title),
    intro ? h('p', { class: 'govuk-body' }, intro) : undefined,
    empty
      ? h('p', { class: 'govuk-inset-text', id: `${id}-empty` }, empty)
      : [
          canvas
            ? h('div', { class: tall ? 'app-chart app-chart--tall' : 'app-chart' }, canvas)
            : undefined,
          table,
        ],
  );
  return {
    element,
    draw: () => {
      if (ChartJs && canvas && chart) drawn.push(new ChartJs(canvas, chart));
    },
  };
}

/**
 * A GOV.UK table whose first column heads each row and whose other columns are figures.
 * @param {{ id: string, caption: string, head: string[], rows: unknown[][] }} options
 */
export function figuresTable({ id, caption, head, rows }) {
  const numeric = (index) => (index === 0 ? '' : ' govuk-table__header--numeric');
  return h(
    'div',
    { class: 'app-table-scroll', role: 'region', 'aria-label': caption, tabindex: '0' },
    h(
      'table',
      { class: 'govuk-table', id: `${id}-table` },
      h('caption', { class: 'govuk-table__caption govuk-table__caption--s' }, caption),
      h(
        'thead',
        { class: 'govuk-table__head' },
        h(
          'tr',
          { class: 'govuk-table__row' },
          head.map((text, index) =>
            h('th', { scope: 'col', class: `govuk-table__header${numeric(index)}` }, text),
          ),
        ),
      ),
      h(
        'tbody',
        { class: 'govuk-table__body' },
        rows.map(([first, ...rest]) =>
          h(
            'tr',
            { class: 'govuk-table__row' },
            h('th', { scope: 'row', class: 'govuk-table__header' }, first),
            rest.map((cell) =>
              h('td', { class: 'govuk-table__cell govuk-table__cell--numeric' }, cell),
            ),
          ),
        ),
      ),
    ),
  );
}

/**
 * A label as lines of at most `width` characters, so long names fit beside a bar.
 * @param {string} label
 */
export function wrapLabel(label, width = 26) {
  const lines = [];
  for (const word of label.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} ${word}`.length <= width)
      lines[lines.length - 1] = `${last} ${word}`;
    else lines.push(word);
  }
  return lines.length > 1 ? lines : label;
}

/**
 * @typedef {{ label: string, data: (number | null)[], colour: string, texts?: string[] }} Series
 *   `texts` are the figures as words, for the tooltip, where the plotted number alone would
 *   mislead (an overflow drawn at its bound, say)
 */

/**
 * A Chart.js bar chart configuration.
 * @param {{ labels: string[], series: Series[], horizontal?: boolean, stacked?: boolean,
 *   percent?: boolean, axis?: string, legend?: boolean }} options
 */
export function barChart({
  labels,
  series,
  horizontal = false,
  stacked = false,
  percent = false,
  axis,
  legend = series.length > 1,
}) {
  const valueAxis = {
    beginAtZero: true,
    stacked,
    ...(percent ? { max: 100 } : {}),
    title: axis ? { display: true, text: axis } : { display: false },
    ticks: percent ? { callback: (value) => `${value}%` } : { precision: 0 },
  };
  const categoryAxis = { stacked, ticks: { autoSkip: false } };
  return {
    type: 'bar',
    data: {
      labels: labels.map((label) => wrapLabel(label)),
      datasets: series.map(({ label, data, colour }) => ({
        label,
        data,
        backgroundColor: colour,
        borderColor: colour,
      })),
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: { display: legend, position: 'bottom' },
        tooltip: { callbacks: { label: tooltipLabel(series, percent) } },
      },
    },
  };
}

/**
 * A Chart.js line chart configuration.
 * @param {{ labels: string[], series: Series[], axis?: string }} options
 */
export function lineChart({ labels, series, axis }) {
  return {
    type: 'line',
    data: {
      labels,
      datasets: series.map(({ label, data, colour }, index) => ({
        label,
        data,
        borderColor: colour,
        backgroundColor: colour,
        borderWidth: 3,
        // A second line is dashed with square points, so it is told apart without colour.
        borderDash: index % 2 === 1 ? [8, 4] : [],
        pointStyle: index % 2 === 1 ? 'rect' : 'circle',
        pointRadius: 4,
      })),
    },
    options: {
      scales: {
        y: {
          beginAtZero: true,
          ticks: { precision: 0 },
          title: axis ? { display: true, text: axis } : { display: false },
        },
      },
      plugins: {
        legend: { display: true, position: 'bottom', labels: { usePointStyle: true } },
        tooltip: { callbacks: { label: tooltipLabel(series, false) } },
      },
    },
  };
}

function tooltipLabel(series, percent) {
  return (context) => {
    const { texts } = series[context.datasetIndex] ?? {};
    const text = texts?.[context.dataIndex];
    if (text !== undefined) return `${context.dataset.label}: ${text}`;
    const value = context.raw;
    if (value === null || value === undefined) return `${context.dataset.label}: no data`;
    return `${context.dataset.label}: ${value}${percent ? '%' : ''}`;
  };
}
