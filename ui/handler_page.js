// One handler: its settings, its versions with a rollback for its owner or an admin, and its
// latest jobs.
import { api, query } from "./api.js";
import { el, errorBox, json, link, replaceChildren, section, table, when } from "./dom.js";
import { jobTable } from "./job_rows.js";

const RECENT_JOBS = 20;

function settings(handler) {
  const rows = [["hook", handler.hook], ["owner", handler.created_by], ["version", handler.version], ["runtime", handler.runtime],
    ["tags", (handler.tags || []).join(", ") || "all"], ["timeout", `${handler.timeout_s} s`], ["attempts", handler.max_attempts],
    ["concurrency", handler.max_concurrency || "unlimited"], ["on success", handler.notify_on_success], ["on failure", handler.notify_on_failure],
    ["updated", `${when(handler.updated_at)} by ${handler.updated_by}`]];
  return el("dl", { class: "facts" }, rows.map(([name, value]) => [el("dt", {}, name), el("dd", {}, String(value ?? "—"))]),
    el("dt", {}, "filter"), el("dd", {}, el("pre", {}, json(handler.filter))),
    el("dt", {}, "coalesce"), el("dd", {}, el("pre", {}, json(handler.coalesce))));
}

function versionTable(handler, versions, rerender) {
  const problem = el("div");
  const rows = versions.map((version) => {
    const current = version.version === handler.version;
    const rollback = async () => {
      try {
        await api(`/v1/handlers/${handler.id}/rollback`, { method: "POST", body: { version: version.version } });
        await rerender();
      } catch (error) {
        replaceChildren(problem, errorBox(error));
      }
    };
    return el("tr", { "data-version": version.version },
      el("td", {}, String(version.version)), el("td", {}, version.runtime), el("td", { class: "clip" }, version.code_sha256 || "—"),
      el("td", {}, when(version.updated_at)), el("td", {}, version.updated_by),
      el("td", {}, current ? "current" : el("button", { type: "button", class: "rollback", onclick: rollback }, `Roll back to ${version.version}`)));
  });
  return [table(["version", "runtime", "code sha256", "registered", "by", ""], rows), problem];
}

async function recentJobs(handlerId) {
  const answer = await api("/v1/jobs" + query({ handler_id: handlerId, limit: 1000 }));
  return answer.jobs.slice(-RECENT_JOBS).reverse();
}

export async function render(page, context, [id]) {
  const handler = await api(`/v1/handlers/${id}`);
  const rerender = () => render(page, context, [id]);
  const versions = context.can("repair", handler.created_by) ? await api(`/v1/handlers/${id}/versions`) : null;
  const jobs = context.can("list_jobs") ? await recentJobs(id) : null;
  replaceChildren(page,
    el("h1", {}, "Handler ", el("span", { id: "handler-name" }, handler.name)),
    section("Settings", settings(handler)),
    versions ? section("Versions", versionTable(handler, versions, rerender)) : null,
    jobs ? section("Recent jobs", jobTable(jobs), link(`#/jobs?handler_id=${handler.id}`, "All its jobs")) : null);
}
