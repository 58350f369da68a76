/* global document, HTMLElement, window */
/**
 * The hub dashboard's charts, drawn by Chart.js over the tables the server rendered: each figure
 * carries its chart's figures as numbers in `data-chart` (the same figures as its table, from the
 * same rows). The chart is one labelled image for screen readers; the table stays, and is the
 * whole figure when this script or Chart.js does not run.
 */

/**
 * @typedef {import('chart.js').ChartConfiguration} ChartConfiguration
 * @typedef {{ label: string, colour: string, data: (number | null)[], texts?: string[] }} Series
 *   `texts` are the figures in words, for the tooltip, where the number drawn alone would
 *   mislead (an overflow drawn at its bound)
 * @typedef {{ type: 'bar' | 'line', horizontal?: boolean, stacked?: boolean, percent?: boolean,
 *   axis: string, labels: string[], series: Series[] }} ChartSpec as the server writes it
 *   (web/hub/view.ts `ChartSpec`)
 */

/** GOV.UK Frontend's palette, in an order whose neighbours differ for most colour vision. */
const colours = /** @type {Record<string, string>} */ ({
  blue: '#1d70b8',
  orange: '#f47738',
  green: '#00703c',
  purple: '#4c2c92',
  grey: '#505a5f',
  red: '#d4351c',
  yellow: '#ffdd00',
});

// Chart.js is /assets/chart.js/chart.umd.min.js, a deferred script that runs before this one.
const ChartJs = /** @type {typeof import('chart.js').Chart | undefined} */ (
  /** @type {{ Chart?: typeof import('chart.js').Chart }} */ (window).Chart
);

/**
 * A label as lines of at most `width` characters, so long names fit beside a bar.
 * @param {string} label
 * @returns {string | string[]}
 */
function wrapLabel(label, width = 26) {
  /** @type {string[]} */
  const lines = [];
  for (const word of label.split(' ')) {
    const last = lines.at(-1);
    if (last !== undefined && `${last} ${word}`.length <= width) {
      lines[lines.length - 1] = `${last} ${word}`;
    } else lines.push(word);
  }
  return lines.length > 1 ? lines : label;
}

/**
 * The tooltip's words for a point: the figure's own words when it has them.
 * @param {Series[]} series
 * @param {boolean} percent
 */
function tooltipLabel(series, percent) {
  return (
    /** @type {import('chart.js').TooltipItem<keyof import('chart.js').ChartTypeRegistry>} */ context,
  ) => {
    const text = series[context.datasetIndex]?.texts?.[context.dataIndex];
    const name = context.dataset.label ?? '';
    if (text !== undefined) return `${name}: ${text}`;
    const value = context.raw;
    if (value === null || value === undefined) return `${name}: no data`;
    return `${name}: ${String(value)}${percent ? '%' : ''}`;
  };
}

/**
 * The Chart.js configuration of a figure's chart.
 * @param {ChartSpec} spec
 * @returns {ChartConfiguration}
 */
function configurationOf(spec) {
  const { series, percent = false, stacked = false, horizontal = false } = spec;
  const title = { display: true, text: spec.axis };
  if (spec.type === 'line') {
    return {
      type: 'line',
      data: {
        labels: spec.labels,
        datasets: series.map(({ label, data, colour }, index) => ({
          label,
          data,
          borderColor: colours[colour],
          backgroundColor: colours[colour],
          borderWidth: 3,
          // A second line is dashed with square points, so it is told apart without colour.
          borderDash: index % 2 === 1 ? [8, 4] : [],
          pointStyle: index % 2 === 1 ? 'rect' : 'circle',
          pointRadius: 4,
        })),
      },
      options: {
        scales: { y: { beginAtZero: true, ticks: { precision: 0 }, title } },
        plugins: {
          legend: { display: true, position: 'bottom', labels: { usePointStyle: true } },
          tooltip: { callbacks: { label: tooltipLabel(series, false) } },
        },
      },
    };
  }
  const valueAxis = {
    beginAtZero: true,
    stacked,
    ...(percent ? { max: 100 } : {}),
    title,
    ticks: percent
      ? { callback: (/** @type {string | number} */ value) => `${value}%` }
      : { precision: 0 },
  };
  const categoryAxis = { stacked, ticks: { autoSkip: false } };
  return {
    type: 'bar',
    data: {
      labels: spec.labels.map((label) => wrapLabel(label)),
      datasets: series.map(({ label, data, colour }) => ({
        label,
        data,
        backgroundColor: colours[colour],
        borderColor: colours[colour],
      })),
    },
    options: {
      indexAxis: horizontal ? 'y' : 'x',
      scales: horizontal ? { x: valueAxis, y: categoryAxis } : { x: categoryAxis, y: valueAxis },
      plugins: {
        legend: { display: series.length > 1, position: 'bottom' },
        tooltip: { callbacks: { label: tooltipLabel(series, percent) } },
      },
    },
  };
}

/**
 * Draws the chart of one figure above its table.
 * @param {HTMLElement} figure a section with `data-chart`
 */
function draw(figure) {
  if (!ChartJs) return;
  const spec = /** @type {ChartSpec} */ (JSON.parse(figure.dataset.chart ?? 'null'));
  const table = figure.querySelector('.app-table-scroll');
  if (!spec || !table) return;
  const box = document.createElement('div');
  box.className = figure.hasAttribute('data-chart-tall')
    ? 'app-chart app-chart--tall'
    : 'app-chart';
  const canvas = document.createElement('canvas');
  canvas.id = `${figure.id}-chart`;
  canvas.setAttribute('role', 'img');
  canvas.setAttribute(
    'aria-label',
    figure.dataset.chartLabel ?? 'The figures are in the table below.',
  );
  const fallback = document.createElement('p');
  fallback.textContent = 'The figures are in the table below.';
  canvas.append(fallback);
  box.append(canvas);
  table.before(box);
  new ChartJs(canvas, configurationOf(spec));
}

if (ChartJs) {
  ChartJs.defaults.font.family = 'arial, sans-serif';
  ChartJs.defaults.font.size = 14;
  ChartJs.defaults.color = '#0b0c0c';
  // Figures appear at once: no motion, and a canvas that is finished when the chart is made.
  ChartJs.defaults.animation = false;
  ChartJs.defaults.maintainAspectRatio = false;
  for (const figure of document.querySelectorAll('[data-chart]')) {
    if (figure instanceof HTMLElement) draw(figure);
  }
}
