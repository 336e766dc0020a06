// A uPlot chart that follows its container's width and the light/dark palette.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';

export const palette = ['#5b5bd6', '#e5484d', '#12a594', '#f76b15', '#8e4ec6'];

function cssVar(name, fallback) {
  const value = getComputedStyle(document.documentElement).getPropertyValue(name).trim();
  return value || fallback;
}

function axis(overrides = {}) {
  const text = cssVar('--text-muted', '#666');
  const grid = cssVar('--grid', 'rgba(0,0,0,0.08)');
  return {
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
    font: '12px system-ui, sans-serif',
    ...overrides,
  };
}

// `options(axis)` builds uPlot options except width/height; `data` is uPlot's column data.
export function Chart({ options, data, height = 220, label }) {
  const box = useRef(null);
  const plot = useRef(null);
  useEffect(() => {
    const el = box.current;
    const make = () => {
      if (plot.current) plot.current.destroy();
      plot.current = new uPlot({ ...options(axis), width: Math.max(200, el.clientWidth), height }, data, el);
    };
    make();
    const resize = new ResizeObserver(() => {
      if (plot.current) plot.current.setSize({ width: Math.max(200, el.clientWidth), height });
    });
    resize.observe(el);
    const scheme = window.matchMedia('(prefers-color-scheme: dark)');
    scheme.addEventListener('change', make);
    return () => {
      resize.disconnect();
      scheme.removeEventListener('change', make);
      if (plot.current) plot.current.destroy();
      plot.current = null;
    };
  }, [options]);
  useEffect(() => {
    if (plot.current) plot.current.setData(data);
  }, [data]);
  return <div class="chart" ref={box} role="img" aria-label={label} />;
}

export { uPlot };
