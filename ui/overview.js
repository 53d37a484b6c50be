// The operator's second screen: jobs by state, the last hour's chart, recent failures, live
// hosts and plugins with their load errors. Refreshed every few seconds while shown.
import { api, query } from "./api.js";
import { statsChart } from "./chart.js";
import { el, errorBox, lastLine, link, replaceChildren, section, stateBadge, table, when, every } from "./dom.js";

const REFRESH_MS = 5000;
const RECENT_FAILURES = 10;
const PAGE = 1000;
const MAX_PAGES = 5;  // the listing runs oldest first: look this far for the newest failures

function stateCounts(stats) {
  const ended = { SUCCEEDED: 0, FAILED: 0, TIMED_OUT: 0 };
  for (const bucket of stats.buckets) {
    ended.SUCCEEDED += bucket.succeeded;
    ended.FAILED += bucket.failed;
    ended.TIMED_OUT += bucket.timed_out;
  }
  const counts = { ...stats.unfinished, ...ended };
  return el("ul", { class: "counts", id: "state-counts" },
    Object.entries(counts).map(([state, n]) => el("li", {}, stateBadge(state), " ", el("strong", {}, String(n)))));
}

async function recentFailures() {
  let after = 0;
  let failed = [];
  for (let page = 0; page < MAX_PAGES; ++page) {
    const answer = await api("/v1/jobs" + query({ state: "FAILED", limit: PAGE, after }));
    failed = failed.concat(answer.jobs).slice(-RECENT_FAILURES);
    if (!answer.next) break;
    after = answer.next;
  }
  return failed.reverse();
}

function failureRows(jobs) {
  if (jobs.length === 0) return el("p", { class: "muted" }, "No failed jobs.");
  return table(["job", "handler", "finished", "error"], jobs.map((job) => el("tr", {},
    el("td", {}, link(`#/jobs/${job.job_id}`, `#${job.job_id}`)),
    el("td", {}, job.handler),
    el("td", {}, when(job.finished_at)),
    el("td", { class: "clip" }, lastLine(job.error)))));
}

function hostRows(health) {
  const hosts = health.hosts || [];
  return table(["host", "address", "plugins", "heartbeat"], hosts.map((host) => el("tr", {},
    el("td", {}, host.id), el("td", {}, host.address), el("td", {}, (host.plugins || []).join(", ")), el("td", {}, when(host.heartbeat_at)))));
}

function pluginRows(plugins) {
  const loaded = table(["plugin", "version", "handlers"], (plugins.plugins || []).map((plugin) => el("tr", {},
    el("td", {}, plugin.name), el("td", {}, plugin.version), el("td", {}, (plugin.handlers || []).map((h) => h.name).join(", ")))));
  const errors = (plugins.errors || []).map((error) => el("li", { class: "error" }, `${error.file}: ${error.code}: ${error.error}`));
  return [loaded, errors.length ? el("ul", { class: "load-errors" }, errors) : el("p", { class: "muted" }, "No load errors.")];
}

// Each part fails on its own: a publisher cannot list jobs, but still sees the rest.
async function part(target, load, draw) {
  try {
    replaceChildren(target, draw(await load()));
  } catch (error) {
    replaceChildren(target, errorBox(error));
  }
}

export async function render(page, { signal, can }) {
  const counts = el("div");
  const chart = el("div", { id: "stats-chart" });
  const failures = el("div", { id: "recent-failures" });
  const hosts = el("div", { id: "live-hosts" });
  const plugins = el("div", { id: "plugins" });
  replaceChildren(page,
    el("h1", {}, "Overview"),
    section("Jobs by state (unfinished now, ended in the last hour)", counts),
    section("Last hour, per minute", chart,
      el("p", { class: "legend" }, el("span", { class: "key-succeeded" }, "succeeded"), " ", el("span", { class: "key-failed" }, "failed"), " ",
        el("span", { class: "key-timed-out" }, "timed out"), " ", el("span", { class: "key-p50" }, "p50"), " ", el("span", { class: "key-p95" }, "p95 run time"))),
    can("list_jobs") ? section("Recent failures", failures) : null,
    section("Live hosts", hosts),
    section("Plugins", plugins));
  await every(REFRESH_MS, signal, async () => {
    const stats = api("/v1/stats" + query({ bucket_s: 60 }));
    await Promise.all([
      part(counts, () => stats, stateCounts),
      part(chart, () => stats, (answer) => statsChart(answer.buckets)),
      can("list_jobs") ? part(failures, recentFailures, failureRows) : null,
      part(hosts, () => api("/health"), hostRows),
      part(plugins, () => api("/v1/plugins"), pluginRows),
    ]);
  });
}
