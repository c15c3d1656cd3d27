// The console's charts: each figure.chart holds its numbers as a table (Charts.java); this draws
// them with ECharts into the figure's box. Without script the tables and summaries stay as they are.
(function () {
  'use strict';
  if (typeof echarts === 'undefined') return;
  var number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 6 });
  var shown = function (value) { return number.format(value); };
  var charts = [];
  // Tooltips drawn on the canvas: ECharts' HTML tooltips use style attributes, which the page's policy refuses.

  function cells(row, role) {
    return Array.prototype.filter.call(row.cells, function (cell) { return cell.dataset.role === role; });
  }

  function value(cell) {
    return Number(cell.dataset.v);
  }

  function stacked(table) {
    var names = Array.prototype.filter.call(table.tHead.rows[0].cells, function (cell) {
      return cell.dataset.role === 'series';
    }).map(function (cell) { return cell.textContent; });
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var categories = rows.map(function (row) { return row.cells[0].textContent; });
    var series = names.map(function (name, index) {
      return {
        name: name, type: 'bar', stack: 'all', emphasis: { focus: 'series' },
        data: rows.map(function (row) { return value(cells(row, 'value')[index]); })
      };
    });
    return {
      legend: names.length > 1 ? { type: 'scroll', top: 0 } : undefined,
      tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: shown, renderMode: 'richText' },
      grid: { left: 8, right: 16, top: names.length > 1 ? 36 : 12, bottom: 8, containLabel: true },
      xAxis: { type: 'category', data: categories },
      yAxis: { type: 'value', axisLabel: { formatter: shown } },
      series: series
    };
  }

  function allocation(table) {
    var used = value(table.querySelector('[data-role=used]'));
    var marks = Array.prototype.map.call(table.querySelectorAll('[data-role=mark]'), function (cell) {
      return { xAxis: value(cell), name: cell.parentElement.cells[0].textContent.split(' (')[0] };
    });
    var allocated = marks.length ? marks[marks.length - 1].xAxis : used;
    return {
      tooltip: { valueFormatter: shown, renderMode: 'richText' },
      grid: { left: 8, right: 24, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: 'value', max: Math.max(used, allocated * 1.2), axisLabel: { formatter: shown } },
      yAxis: { type: 'category', data: ['This period'] },
      series: [{
        name: 'Used', type: 'bar', barWidth: 28, data: [used],
        itemStyle: { color: used >= allocated ? '#a4161a' : used >= (marks[0] || {}).xAxis ? '#c77700' : '#2450c8' },
        markLine: {
          symbol: 'none', silent: true, lineStyle: { color: '#1d2330', type: 'dashed' },
          label: { formatter: '{b}', position: 'end' },
          data: marks
        }
      }]
    };
  }

  document.querySelectorAll('figure.chart').forEach(function (figure) {
    var table = figure.querySelector('table.chart-data');
    var box = figure.querySelector('.chart-box');
    if (!table || !box) return;
    var option = table.dataset.kind === 'allocation' ? allocation(table) : stacked(table);
    option.animation = false;
    box.hidden = false;
    if (table.dataset.kind === 'allocation') box.classList.add('short');
    var chart = echarts.init(box, null, { renderer: 'canvas' });
    chart.setOption(option);
    charts.push(chart);
  });
  window.addEventListener('resize', function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
