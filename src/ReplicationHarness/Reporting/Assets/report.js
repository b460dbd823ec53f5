// Draws report.html's charts from the JSON embedded in the page, with Chart.js (inlined above).
(function () {
  const data = JSON.parse(document.getElementById('report-data').textContent);
  let rendered = 0;

  // Alert intervals as shaded bands behind the lag lines.
  const alertShading = {
    id: 'alertShading',
    beforeDatasetsDraw(chart, args, options) {
      const { ctx, chartArea, scales } = chart;
      for (const alert of options.alerts || []) {
        const start = scales.x.getPixelForValue(alert.from);
        const end = scales.x.getPixelForValue(alert.to ?? scales.x.max);
        ctx.save();
        ctx.fillStyle = alert.kind === 'bytes' ? 'rgba(220, 53, 69, 0.12)' : alert.kind === 'time' ? 'rgba(255, 159, 64, 0.18)' : 'rgba(111, 66, 193, 0.15)';
        ctx.fillRect(Math.max(start, chartArea.left), chartArea.top, Math.min(end, chartArea.right) - Math.max(start, chartArea.left), chartArea.bottom - chartArea.top);
        ctx.restore();
      }
    }
  };

  // Injected faults as labelled dotted lines, so a lag spike reads against its cause.
  const faultMarkers = {
    id: 'faultMarkers',
    afterDatasetsDraw(chart, args, options) {
      const { ctx, chartArea, scales } = chart;
      (options.faults || []).forEach((fault, i) => {
        const x = scales.x.getPixelForValue(fault.at);
        if (x < chartArea.left || x > chartArea.right) return;
        ctx.save();
        ctx.strokeStyle = '#6c757d';
        ctx.setLineDash([2, 3]);
        ctx.beginPath();
        ctx.moveTo(x, chartArea.top);
        ctx.lineTo(x, chartArea.bottom);
        ctx.stroke();
        ctx.fillStyle = '#495057';
        ctx.font = '10px sans-serif';
        // Staggered, so faults injected close together keep readable labels.
        ctx.fillText(fault.label, x + 3, chartArea.top + 10 + (i % 3) * 11);
        ctx.restore();
      });
    }
  };

  // Thresholds far above the data are left off the scale (it would flatten the data) and named at its top edge.
  const edgeThresholds = {
    id: 'edgeThresholds',
    afterDraw(chart, args, options) {
      const { ctx, chartArea } = chart;
      ctx.save();
      ctx.font = '10px sans-serif';
      ctx.fillStyle = '#495057';
      if (options.left) ctx.fillText(options.left, chartArea.left + 4, chartArea.top - 4);
      if (options.right) {
        ctx.textAlign = 'right';
        ctx.fillText(options.right, chartArea.right - 4, chartArea.top - 4);
      }
      ctx.restore();
    }
  };

  data.scenarios.forEach((scenario, index) => {
    const lagCanvas = document.getElementById('lag-' + index);
    const series = scenario.series.filter(s => s.points.length > 0);
    if (lagCanvas && series.length > 0) {
      const last = Math.max(...series.map(s => s.points[s.points.length - 1].t));
      const line = (value) => [{ x: 0, y: value }, { x: last, y: value }];
      // One standby: bytes blue, ms orange. Several: one colour per standby, bytes solid and ms dotted.
      const palette = ['#0d6efd', '#198754', '#6f42c1', '#d63384'];
      const datasets = series.flatMap((s, i) => series.length === 1
        ? [
            { label: 'replay lag (bytes)', data: s.points.map(p => ({ x: p.t, y: p.bytes })), yAxisID: 'bytes', borderColor: '#0d6efd', pointRadius: 0, borderWidth: 1.5 },
            { label: 'replay lag (ms)', data: s.points.map(p => ({ x: p.t, y: p.ms })), yAxisID: 'ms', borderColor: '#fd7e14', pointRadius: 0, borderWidth: 1.5 }
          ]
        : [
            { label: s.standby + ' lag (bytes)', data: s.points.map(p => ({ x: p.t, y: p.bytes })), yAxisID: 'bytes', borderColor: palette[i % palette.length], pointRadius: 0, borderWidth: 1.5 },
            { label: s.standby + ' lag (ms)', data: s.points.map(p => ({ x: p.t, y: p.ms })), yAxisID: 'ms', borderColor: palette[i % palette.length], borderDash: [2, 2], pointRadius: 0, borderWidth: 1.5 }
          ]);
      if (scenario.alertBytes !== null && scenario.bytesAxis.thresholdOnChart) datasets.push({ label: 'byte alert threshold', data: line(scenario.alertBytes), yAxisID: 'bytes', borderColor: '#0d6efd', borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
      if (scenario.alertMs !== null && scenario.msAxis.thresholdOnChart) datasets.push({ label: 'time alert threshold', data: line(scenario.alertMs), yAxisID: 'ms', borderColor: '#fd7e14', borderDash: [6, 4], pointRadius: 0, borderWidth: 1 });
      new Chart(lagCanvas, {
        type: 'line',
        data: { datasets },
        plugins: [alertShading, faultMarkers, edgeThresholds],
        options: {
          animation: false,
          parsing: false,
          scales: {
            x: { type: 'linear', title: { display: true, text: 'seconds since the scenario started' } },
            bytes: { type: 'linear', position: 'left', min: 0, max: scenario.bytesAxis.max, title: { display: true, text: 'bytes' } },
            ms: { type: 'linear', position: 'right', min: 0, max: scenario.msAxis.max, grid: { drawOnChartArea: false }, title: { display: true, text: 'ms' } }
          },
          plugins: {
            alertShading: { alerts: scenario.alerts },
            faultMarkers: { faults: scenario.faults },
            edgeThresholds: {
              left: scenario.bytesAxis.offScale,
              right: scenario.msAxis.offScale
            },
            title: { display: true, text: 'Replay lag, thresholds dashed, alerts shaded, faults dotted' }
          }
        }
      });
      rendered++;
    }

    // Each answered read at the moment it was sent, by how stale it was (0: it missed nothing), one colour per standby.
    const readsCanvas = document.getElementById('reads-' + index);
    const reads = (scenario.reads || []).filter(r => r.points.length > 0);
    if (readsCanvas && reads.length > 0) {
      const palette = ['#0d6efd', '#198754', '#6f42c1', '#d63384'];
      new Chart(readsCanvas, {
        type: 'scatter',
        data: { datasets: reads.map((r, i) => ({ label: 'reads on ' + r.node, data: r.points.map(p => ({ x: p.t, y: p.ms })), backgroundColor: palette[i % palette.length], pointRadius: 2 })) },
        plugins: [faultMarkers],
        options: {
          animation: false,
          parsing: false,
          scales: {
            x: { type: 'linear', title: { display: true, text: 'seconds since the scenario started' } },
            y: { type: 'linear', min: 0, title: { display: true, text: 'staleness (ms)' } }
          },
          plugins: {
            faultMarkers: { faults: scenario.faults },
            title: { display: true, text: 'Reads: how long before each read its oldest missed append was acknowledged' }
          }
        }
      });
      rendered++;
    }

    const ttvCanvas = document.getElementById('ttv-' + index);
    if (ttvCanvas && scenario.histogram.length > 0) {
      new Chart(ttvCanvas, {
        type: 'bar',
        data: { labels: scenario.histogram.map(b => b.label), datasets: [{ label: 'writes', data: scenario.histogram.map(b => b.count), backgroundColor: '#198754' }] },
        options: {
          animation: false,
          scales: { x: { title: { display: true, text: 'time to visible on the standby' } }, y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: 'writes' } } },
          plugins: { legend: { display: false }, title: { display: true, text: 'Time to visible' } }
        }
      });
      rendered++;
    }
  });
  document.body.dataset.chartsRendered = String(rendered);
})();
