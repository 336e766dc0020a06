// Charts of an action's traffic: requests per minute, errors by kind, latency over time.
import { useMemo, useState } from 'preact/hooks';
import { get } from '../lib/api.js';
import { Chart, palette, uPlot } from '../lib/chart.jsx';
import { count, lastHour, ms } from '../lib/format.js';
import { Notice, usePolling } from '../lib/ui.jsx';
import { Tile } from './Action.jsx';

const SAMPLE_KEY = (name) => `wa.latency.${name}`;
const MAX_SAMPLES = 720;

// The stats give latency percentiles as of now; until the API has them per minute, the
// page samples them while it is open to draw their course.
function recordSample(name, stats) {
  let samples = [];
  try {
    samples = JSON.parse(sessionStorage.getItem(SAMPLE_KEY(name)) || '[]');
  } catch {
    samples = [];
  }
  const l = stats.latency_ms;
  const last = samples[samples.length - 1];
  if (stats.requests > 0 && (!last || Date.now() - last.t > 2000)) {
    samples.push({ t: Date.now(), n: stats.requests, p50: l.p50, p95: l.p95, p99: l.p99, avg: l.avg });
    samples = samples.slice(-MAX_SAMPLES);
    sessionStorage.setItem(SAMPLE_KEY(name), JSON.stringify(samples));
  }
  return samples;
}

function latencySeries(name, stats) {
  const perMinute = stats.per_minute || [];
  if (perMinute.some((p) => p.latency_ms)) {
    const points = perMinute.filter((p) => p.latency_ms && p.requests > 0);
    return {
      source: 'minute',
      data: [points.map((p) => p.t / 1000), ...['p50', 'p95', 'p99', 'avg'].map((k) => points.map((p) => p.latency_ms[k]))],
    };
  }
  const samples = recordSample(name, stats);
  return {
    source: 'samples',
    data: [samples.map((s) => s.t / 1000), ...['p50', 'p95', 'p99', 'avg'].map((k) => samples.map((s) => s[k]))],
  };
}

// Time range from the data itself: uPlot stretches a lone point over a day of
// milliseconds (years in seconds); keep a few minutes around short series instead.
const timeRange = (u) => {
  const xs = u.data[0] || [];
  if (!xs.length) return [Date.now() / 1000 - 300, Date.now() / 1000];
  const first = xs[0];
  const last = xs[xs.length - 1];
  return last - first < 120 ? [first - 150, last + 30] : [first, last];
};

const requestsOptions = (axis) => ({
  legend: { show: true },
  cursor: { points: { size: 6 } },
  scales: { x: { time: true, range: (u, min, max) => [min - 30, max + 30] }, y: { range: (u, min, max) => [0, Math.max(4, max * 1.15)] } },
  axes: [axis(), axis({ label: 'per minute', labelSize: 18, size: 48 })],
  series: [
    { label: 'Time' },
    { label: 'Requests', stroke: palette[0], fill: `${palette[0]}99`, width: 0, paths: uPlot.paths.bars({ size: [0.7, 14], align: 0 }), points: { show: false } },
    { label: 'Errors', stroke: palette[1], fill: `${palette[1]}dd`, width: 0, paths: uPlot.paths.bars({ size: [0.35, 7], align: 0 }), points: { show: false } },
  ],
});

const latencyOptions = (axis) => ({
  legend: { show: true },
  scales: { x: { time: true, range: timeRange }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.15)] } },
  axes: [axis(), axis({ label: 'ms', labelSize: 18, size: 56, values: (u, splits) => splits.map((v) => (v < 10 ? v.toFixed(1) : Math.round(v))) })],
  series: [
    { label: 'Time' },
    { label: 'p50', stroke: palette[2], width: 2, value: (u, v) => ms(v) },
    { label: 'p95', stroke: palette[3], width: 2, value: (u, v) => ms(v) },
    { label: 'p99', stroke: palette[1], width: 2, value: (u, v) => ms(v) },
    { label: 'avg', stroke: palette[0], width: 2, dash: [6, 4], value: (u, v) => ms(v) },
  ],
});

function errorKindOptions(kinds) {
  return (axis) => ({
    legend: { show: false },
    cursor: { show: false },
    scales: { x: { time: false, range: [-0.6, Math.max(1, kinds.length) - 0.4] }, y: { range: (u, min, max) => [0, Math.max(4, max * 1.2)] } },
    axes: [
      axis({ splits: () => kinds.map((_, i) => i), values: (u, splits) => splits.map((i) => kinds[i] ?? ''), grid: { show: false } }),
      axis({ size: 48 }),
    ],
    series: [{}, { label: 'Errors', stroke: palette[1], fill: `${palette[1]}bb`, width: 0, paths: uPlot.paths.bars({ size: [0.55, 80] }), points: { show: false } }],
  });
}

export function AnalyticsView({ action }) {
  const [stats, setStats] = useState(null);
  const [error, setError] = useState(null);
  const [latency, setLatency] = useState(null);
  usePolling(
    async () => {
      try {
        const fresh = await get(`/actions/${encodeURIComponent(action.name)}/stats`);
        setStats(fresh);
        setLatency(latencySeries(action.name, fresh));
        setError(null);
      } catch (e) {
        setError(e);
      }
    },
    5000,
    [action.name],
  );

  const kinds = useMemo(() => (stats ? Object.keys(stats.errors_by_kind || {}).sort() : []), [stats && JSON.stringify(stats.errors_by_kind)]);
  const kindOptions = useMemo(() => errorKindOptions(kinds), [kinds.join(',')]);

  if (error && !stats) return <Notice tone="error">Could not load the statistics: {error.message}</Notice>;
  if (!stats) return null;
  const perMinute = stats.per_minute || [];
  const requestData = [perMinute.map((p) => p.t / 1000), perMinute.map((p) => p.requests), perMinute.map((p) => p.errors)];
  const kindData = [kinds.map((_, i) => i), kinds.map((k) => stats.errors_by_kind[k])];
  const errorRate = stats.requests ? `${((stats.errors / stats.requests) * 100).toFixed(1)}%` : '—';
  const l = stats.latency_ms;

  return (
    <div class="analytics">
      <div class="tiles">
        <Tile label="Requests (1 h)" value={count(lastHour(stats))} />
        <Tile label="Error rate" value={errorRate} tone={stats.errors ? 'bad' : undefined} />
        <Tile label="p50" value={stats.requests ? ms(l.p50) : '—'} />
        <Tile label="p95" value={stats.requests ? ms(l.p95) : '—'} />
        <Tile label="p99" value={stats.requests ? ms(l.p99) : '—'} />
        <Tile label="Average" value={stats.requests ? ms(l.avg) : '—'} />
        {stats.chained_calls > 0 && <Tile label="Chained calls" value={count(stats.chained_calls)} />}
      </div>
      <section class="card" aria-labelledby="chart-requests">
        <h2 id="chart-requests">Requests per minute</h2>
        <p class="hint">The last 60 minutes ({count(stats.requests)} requests since the server started). Errors are part of the requests.</p>
        <Chart options={requestsOptions} data={requestData} label="Requests and errors per minute over the last hour" />
      </section>
      <div class="columns">
        <section class="card column" aria-labelledby="chart-errors">
          <h2 id="chart-errors">Errors by kind</h2>
          <p class="hint">Since the server started.</p>
          {kinds.length === 0 ? (
            <p class="chart-empty">No errors. Timeouts, traps and invalid responses would show here.</p>
          ) : (
            <Chart options={kindOptions} data={kindData} label={`Errors by kind: ${kinds.map((k) => `${k} ${stats.errors_by_kind[k]}`).join(', ')}`} />
          )}
        </section>
        <section class="card column" aria-labelledby="chart-latency">
          <h2 id="chart-latency">Duration over time</h2>
          <p class="hint">
            {latency && latency.source === 'minute'
              ? 'p50, p95, p99 and average per minute.'
              : 'Percentiles since the server started, sampled every 5 s while this page is open.'}
          </p>
          {latency && latency.data[0].length > 0 ? (
            <Chart options={latencyOptions} data={latency.data} label="Request duration percentiles over time" />
          ) : (
            <p class="chart-empty">No requests yet. Send one from the request tester.</p>
          )}
        </section>
      </div>
    </div>
  );
}
