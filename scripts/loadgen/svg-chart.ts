/** Line charts as inline SVG text, for a report that needs no script, font or CDN. */

export interface ChartSeries {
  name: string;
  color: string;
  /** One value per x; null leaves a gap. */
  values: readonly (number | null)[];
  dashed?: boolean;
}

export interface LineChartOptions {
  title: string;
  x: readonly number[];
  xLabel: string;
  yLabel: string;
  series: readonly ChartSeries[];
  width?: number;
  height?: number;
  /** Logarithmic y axis (for latencies spanning decades). */
  logY?: boolean;
}

export function escapeXml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

/** 1, 2 or 5 times a power of ten, at least `raw`. */
export function niceStep(raw: number): number {
  if (!(raw > 0)) return 1;
  const p = 10 ** Math.floor(Math.log10(raw));
  for (const m of [1, 2, 5, 10]) if (m * p >= raw) return m * p;
  return 10 * p;
}

const label = (v: number) => (Math.abs(v) >= 10_000 ? `${Math.round(v / 1000)}k` : Math.abs(v) >= 100 || Number.isInteger(v) ? String(Math.round(v)) : v.toPrecision(2));

export function lineChart(o: LineChartOptions): string {
  const W = o.width ?? 900;
  const H = o.height ?? 280;
  const m = { left: 64, right: 16, top: 34, bottom: 42 };
  const pw = W - m.left - m.right;
  const ph = H - m.top - m.bottom;
  const xs = o.x;
  const xMin = xs.length ? xs[0]! : 0;
  const xMax = xs.length > 1 ? xs[xs.length - 1]! : xMin + 1;

  let yMaxData = 0;
  let yMinPos = Infinity;
  for (const s of o.series) for (const v of s.values) if (v !== null && Number.isFinite(v)) {
    if (v > yMaxData) yMaxData = v;
    if (v > 0 && v < yMinPos) yMinPos = v;
  }
  const logY = Boolean(o.logY) && yMaxData > 0;
  let yTicks: number[];
  let yOf: (v: number) => number;
  if (logY) {
    const lo = 10 ** Math.floor(Math.log10(Number.isFinite(yMinPos) ? yMinPos : 1));
    const hi = 10 ** Math.ceil(Math.log10(yMaxData));
    const span = Math.max(1e-9, Math.log10(hi) - Math.log10(lo));
    yTicks = [];
    for (let t = lo; t <= hi * 1.0001; t *= 10) yTicks.push(t);
    yOf = (v) => m.top + ph - ((Math.log10(Math.max(v, lo)) - Math.log10(lo)) / span) * ph;
  } else {
    const step = niceStep((yMaxData || 1) / 5);
    const top = Math.max(step, Math.ceil((yMaxData || 1) / step) * step);
    yTicks = [];
    for (let t = 0; t <= top + step / 2; t += step) yTicks.push(t);
    yOf = (v) => m.top + ph - (v / top) * ph;
  }
  const xOf = (x: number) => m.left + ((x - xMin) / Math.max(1e-9, xMax - xMin)) * pw;

  const parts: string[] = [];
  parts.push(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" role="img" aria-label="${escapeXml(o.title)}" font-family="sans-serif" font-size="11">`);
  parts.push(`<text x="${m.left}" y="18" font-size="14" font-weight="bold">${escapeXml(o.title)}</text>`);
  for (const t of yTicks) {
    const y = yOf(t).toFixed(1);
    parts.push(`<line x1="${m.left}" x2="${m.left + pw}" y1="${y}" y2="${y}" stroke="#e3e3e3"/>`);
    parts.push(`<text x="${m.left - 6}" y="${y}" text-anchor="end" dominant-baseline="middle" fill="#555">${label(t)}</text>`);
  }
  const xStep = niceStep((xMax - xMin) / 10);
  for (let t = Math.ceil(xMin / xStep) * xStep; t <= xMax; t += xStep) {
    const x = xOf(t).toFixed(1);
    parts.push(`<line x1="${x}" x2="${x}" y1="${m.top + ph}" y2="${m.top + ph + 4}" stroke="#888"/>`);
    parts.push(`<text x="${x}" y="${m.top + ph + 16}" text-anchor="middle" fill="#555">${label(t)}</text>`);
  }
  parts.push(`<rect x="${m.left}" y="${m.top}" width="${pw}" height="${ph}" fill="none" stroke="#888"/>`);
  parts.push(`<text x="${m.left + pw / 2}" y="${H - 6}" text-anchor="middle" fill="#333">${escapeXml(o.xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${m.top + ph / 2}) rotate(-90)" text-anchor="middle" fill="#333">${escapeXml(o.yLabel)}</text>`);

  for (const s of o.series) {
    let d = '';
    let pen = false;
    for (let i = 0; i < xs.length; i++) {
      const v = s.values[i];
      if (v === null || v === undefined || !Number.isFinite(v)) {
        pen = false;
        continue;
      }
      d += `${pen ? 'L' : 'M'}${xOf(xs[i]!).toFixed(1)} ${yOf(v).toFixed(1)}`;
      pen = true;
    }
    if (d) parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.6"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
  }
  let lx = m.left + 240;
  for (const s of o.series) {
    parts.push(`<line x1="${lx}" x2="${lx + 18}" y1="14" y2="14" stroke="${s.color}" stroke-width="2"${s.dashed ? ' stroke-dasharray="5 3"' : ''}/>`);
    parts.push(`<text x="${lx + 22}" y="18" fill="#333">${escapeXml(s.name)}</text>`);
    lx += 30 + s.name.length * 6.5;
  }
  parts.push('</svg>');
  return parts.join('');
}
