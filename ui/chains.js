// An event's chain (GET /v1/events/{id}/tree): its jobs and, under each, the events it
// emitted, with each step's state.
import { api } from "./api.js";
import { el, errorBox, every, lastLine, link, replaceChildren, stateBadge, TERMINAL } from "./dom.js";

const REFRESH_MS = 2000;

function eventNode(tree) {
  return el("li", { class: "chain-event", "data-event-id": tree.event_id },
    el("span", {}, "event ", link(`#/chains/${tree.event_id}`, `#${tree.event_id}`), " ", tree.hook, " "), stateBadge(tree.state),
    el("ul", {}, (tree.jobs || []).map((job) => el("li", { class: "chain-job" },
      link(`#/jobs/${job.job_id}`, `job #${job.job_id}`), " ", job.handler, " ", stateBadge(job.state),
      job.error ? el("span", { class: "error-line" }, " " + lastLine(job.error)) : null,
      job.emitted && job.emitted.length ? el("ul", {}, job.emitted.map(eventNode)) : null))));
}

function pickForm() {
  const id = el("input", { id: "chain-event", type: "number", min: 1, required: true, "aria-label": "event id" });
  const form = el("form", { class: "filters" }, el("label", { for: id.id }, "Event id"), id, el("button", { type: "submit" }, "Show chain"));
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    location.hash = `#/chains/${id.value}`;
  });
  return form;
}

export async function render(page, { signal }, [eventId]) {
  const tree = el("ul", { class: "chain", id: "chain" });
  replaceChildren(page, el("h1", {}, "Chains"), pickForm(), eventId ? tree : el("p", { class: "muted" }, "Give a root event id (the fire's event_id)."));
  if (!eventId) return;
  await every(REFRESH_MS, signal, async () => {
    try {
      const answer = await api(`/v1/events/${eventId}/tree`);
      replaceChildren(tree, eventNode(answer));
      return !TERMINAL.has(answer.state);
    } catch (error) {
      replaceChildren(tree, el("li", {}, errorBox(error)));
      return false;
    }
  });
}
