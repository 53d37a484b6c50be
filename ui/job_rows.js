// A list of jobs as a table, shared by the jobs screen and a handler's page.
import { el, link, stateBadge, table, when } from "./dom.js";

export function jobTable(jobs) {
  if (jobs.length === 0) return el("p", { class: "muted" }, "No jobs.");
  return table(["job", "state", "handler", "hook", "attempt", "created", "finished"], jobs.map((job) => el("tr", { "data-job-id": job.job_id },
    el("td", {}, link(`#/jobs/${job.job_id}`, `#${job.job_id}`)),
    el("td", {}, stateBadge(job.state)),
    el("td", {}, link(`#/handlers/${job.handler_id}`, job.handler)),
    el("td", {}, job.hook),
    el("td", {}, `${job.attempt}/${job.max_attempts}`),
    el("td", {}, when(job.created_at)),
    el("td", {}, when(job.finished_at)))));
}
