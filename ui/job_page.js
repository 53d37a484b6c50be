// One job: its state (kept current without a reload), history as a timeline, result or error
// with the traceback, its output following live while it runs, and re-run / cancel for those
// who may.
import { api, apiText, followOutput } from "./api.js";
import { el, errorBox, every, json, link, replaceChildren, section, stateBadge, when, TERMINAL } from "./dom.js";

const REFRESH_MS = 1000;

function facts(job) {
  return el("dl", { class: "facts" },
    el("dt", {}, "state"), el("dd", { id: "job-state" }, stateBadge(job.state)),
    el("dt", {}, "handler"), el("dd", {}, link(`#/handlers/${job.handler_id}`, job.handler), ` v${job.handler_version}`),
    el("dt", {}, "hook"), el("dd", {}, job.hook),
    el("dt", {}, "event"), el("dd", {}, link(`#/chains/${job.event_id}`, `#${job.event_id} (its chain)`)),
    el("dt", {}, "attempt"), el("dd", {}, `${job.attempt} of ${job.max_attempts}`),
    el("dt", {}, "created"), el("dd", {}, when(job.created_at)),
    el("dt", {}, "started"), el("dd", {}, when(job.started_at)),
    el("dt", {}, "finished"), el("dd", {}, when(job.finished_at)));
}

function rerunOf(job) {
  const created = (job.history || []).find((entry) => entry.kind === "CREATE" && entry.data && entry.data.rerun_of);
  return created ? el("p", { id: "rerun-of" }, "A re-run of ", link(`#/jobs/${created.data.rerun_of}`, `job #${created.data.rerun_of}`)) : null;
}

function timeline(history) {
  return el("ol", { class: "timeline", id: "job-history" }, (history || []).map((entry) => el("li", { "data-kind": entry.kind },
    el("span", { class: "kind" }, entry.kind), " ", el("time", { datetime: entry.at }, when(entry.at)),
    entry.data && Object.keys(entry.data).length ? el("pre", {}, json(entry.data)) : null)));
}

function outcome(job) {
  if (job.error) return el("pre", { id: "job-error", class: "traceback" }, job.error);
  if (job.result !== null && job.result !== undefined) return el("pre", { id: "job-result" }, job.result);
  return el("p", { class: "muted" }, TERMINAL.has(job.state) ? "No result." : "Not finished yet.");
}

function actions(job, owner, can, problem) {
  const buttons = el("div", { class: "actions" });
  if (job.state === "QUEUED" || job.state === "PENDING") {
    buttons.append(el("button", { type: "button", id: "cancel", onclick: async () => {
      try { await api(`/v1/jobs/${job.job_id}/cancel`, { method: "POST" }); } catch (error) { replaceChildren(problem, errorBox(error)); }
    } }, "Cancel"));
  }
  if (TERMINAL.has(job.state) && can("repair", owner)) {
    const pin = el("input", { type: "checkbox", id: "pin-version" });
    buttons.append(el("label", { for: pin.id }, pin, ` pinned to version ${job.handler_version}`),
      el("button", { type: "button", id: "rerun", onclick: async () => {
        try {
          const body = pin.checked ? { version: job.handler_version } : {};
          const rerun = await api(`/v1/jobs/${job.job_id}/rerun`, { method: "POST", body });
          location.hash = `#/jobs/${rerun.job_id}`;
        } catch (error) {
          replaceChildren(problem, errorBox(error));
        }
      } }, "Re-run"));
  }
  return buttons;
}

// Output lines are appended one by one as text; a finished job's kept output is read once.
async function showOutput(job, target, signal) {
  const addLine = (line) => target.append(el("div", { class: "line" }, line));
  if (TERMINAL.has(job.state)) {
    const text = await apiText(`/v1/jobs/${job.job_id}/output`);
    for (const line of text.split("\n").filter((line, i, all) => line || i < all.length - 1)) addLine(line);
    return;
  }
  await followOutput(job.job_id, { onLine: addLine, onEnd: () => {}, signal });
}

async function ownerOf(job) {
  try {
    return (await api(`/v1/handlers/${job.handler_id}`)).created_by;
  } catch (ignored) {
    return null;  // deregistered: only an admin may repair it, and `can` knows admins
  }
}

export async function render(page, { signal, can }, [id]) {
  let job;
  try {
    job = await api(`/v1/jobs/${id}`);
  } catch (error) {
    return replaceChildren(page, el("h1", {}, `Job #${id}`), errorBox(error));
  }
  const owner = await ownerOf(job);
  const top = el("div");
  const problem = el("div");
  const output = el("div", { id: "job-output", class: "output", "aria-live": "polite" });
  replaceChildren(page, el("h1", {}, `Job #${job.job_id}`), top, problem, section("Output", output));
  const draw = (current) => replaceChildren(top, facts(current), rerunOf(current), actions(current, owner, can, problem),
    section("Result", outcome(current)), section("History", timeline(current.history)));
  draw(job);
  showOutput(job, output, signal).catch((error) => {
    if (error.name !== "AbortError") output.append(errorBox(error));
  });
  let last = JSON.stringify(job);
  await every(REFRESH_MS, signal, async () => {
    if (TERMINAL.has(job.state)) return false;
    job = await api(`/v1/jobs/${id}`);
    const now = JSON.stringify(job);
    if (now !== last) draw(job);  // redrawn only on change, so a ticked checkbox stays ticked
    last = now;
    return !TERMINAL.has(job.state);
  });
}
