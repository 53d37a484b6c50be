// The overview's chart, drawn as inline SVG from GET /v1/stats: per bucket a stacked bar of
// outcomes and the p50/p95 run times as two lines on a second scale.
const SVG = "http://www.w3.org/2000/svg";
const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 40, right: 60, top: 22, bottom: 24 };
const OUTCOMES = [["succeeded", "bar-succeeded"], ["failed", "bar-failed"], ["timed_out", "bar-timed-out"]];

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

function niceMax(value) { return value <= 0 ? 1 : Math.ceil(value); }

function label(x, y, text, anchor = "start") {
  return svg("text", { x, y, class: "axis", "text-anchor": anchor }, text);
}

function runTimeLine(buckets, key, x, yMs, className) {
  const points = buckets.map((bucket, i) => (bucket[key] === null ? null : `${x(i)},${yMs(bucket[key])}`)).filter(Boolean);
  if (points.length === 0) return [];
  // A dot per bucket as well: a lone bucket with runs has no line to draw.
  const dots = points.map((point) => {
    const [cx, cy] = point.split(",");
    return svg("circle", { cx, cy, r: 2.5, class: className + "-dot" });
  });
  return [svg("polyline", { points: points.join(" "), class: className, fill: "none" }), ...dots];
}

export function statsChart(buckets) {
  const chart = svg("svg", { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, class: "chart", role: "img", "aria-label": "jobs per bucket by outcome, with p50 and p95 run time" });
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const maxJobs = niceMax(Math.max(0, ...buckets.map((b) => b.succeeded + b.failed + b.timed_out)));
  const maxMs = niceMax(Math.max(0, ...buckets.map((b) => b.p95_ms || 0)));
  const x = (i) => PAD.left + slot * i + slot / 2;
  const yJobs = (n) => PAD.top + plotH - (n / maxJobs) * plotH;
  const yMs = (ms) => PAD.top + plotH - (ms / maxMs) * plotH;
  chart.append(svg("line", { x1: PAD.left, y1: PAD.top + plotH, x2: WIDTH - PAD.right, y2: PAD.top + plotH, class: "axis-line" }));
  buckets.forEach((bucket, i) => {
    let base = 0;
    for (const [key, className] of OUTCOMES) {
      if (!bucket[key]) continue;
      const bar = svg("rect", { x: PAD.left + slot * i + 1, y: yJobs(base + bucket[key]), width: Math.max(1, slot - 2), height: yJobs(base) - yJobs(base + bucket[key]), class: className });
      bar.append(svg("title", {}, `${bucket.at}: ${bucket[key]} ${key.replace("_", " ")}`));
      chart.append(bar);
      base += bucket[key];
    }
  });
  chart.append(...runTimeLine(buckets, "p50_ms", x, yMs, "line-p50"), ...runTimeLine(buckets, "p95_ms", x, yMs, "line-p95"));
  chart.append(label(4, 12, `${maxJobs} jobs`), label(WIDTH - 4, 12, `${Math.round(maxMs)} ms`, "end"));
  if (buckets.length) {
    const time = (text) => new Date(text).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
    chart.append(label(PAD.left, HEIGHT - 6, time(buckets[0].at)), label(WIDTH - PAD.right, HEIGHT - 6, time(buckets[buckets.length - 1].at), "end"));
  }
  return chart;
}
