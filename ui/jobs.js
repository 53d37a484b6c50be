// Jobs, filtered by the host (state, handler, hook, creation time) and paged with the API's
// cursor.
import { api, query } from "./api.js";
import { el, errorBox, every, link, replaceChildren } from "./dom.js";
import { jobTable } from "./job_rows.js";

const STATES = ["", "PENDING", "QUEUED", "RUNNING", "WAITING", "SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"];
const PAGE = 50;
const REFRESH_MS = 2000;

function select(name, label, options, chosen) {
  return [el("label", { for: `filter-${name}` }, label),
    el("select", { id: `filter-${name}`, name }, options.map(([value, text]) => el("option", { value, selected: value === chosen }, text)))];
}

function filterForm(filters, handlers) {
  const hooks = [...new Set(handlers.map((handler) => handler.hook))].sort();
  const form = el("form", { id: "job-filters", class: "filters" },
    select("state", "State", STATES.map((state) => [state, state || "any"]), filters.state || ""),
    select("handler_id", "Handler", [["", "any"], ...handlers.map((h) => [String(h.id), `${h.name} (${h.hook})`])], filters.handler_id || ""),
    select("hook", "Hook", [["", "any"], ...hooks.map((hook) => [hook, hook])], filters.hook || ""),
    el("label", { for: "filter-since" }, "Created after"),
    el("input", { id: "filter-since", name: "since", type: "datetime-local", value: filters.since || "" }),
    el("button", { type: "submit" }, "Filter"));
  form.addEventListener("submit", (submitted) => {
    submitted.preventDefault();
    const chosen = Object.fromEntries(new FormData(form).entries());
    location.hash = "#/jobs" + query(chosen);
  });
  return form;
}

// The form's local time as the API's RFC 3339 UTC time.
function utc(local) {
  return local ? new Date(local).toISOString() : undefined;
}

export async function render(page, { signal, can }, [search]) {
  if (!can("list_jobs")) return replaceChildren(page, el("h1", {}, "Jobs"), el("p", {}, "Your role fires events; open a fired job from the Hooks page."));
  const filters = Object.fromEntries(new URLSearchParams(search || ""));
  const handlers = await api("/v1/handlers");
  const list = el("div", { id: "job-list" });
  const pager = el("p", { class: "pager" });
  replaceChildren(page, el("h1", {}, "Jobs"), filterForm(filters, handlers), list, pager);
  await every(REFRESH_MS, signal, async () => {
    try {
      const answer = await api("/v1/jobs" + query({ state: filters.state, handler_id: filters.handler_id, hook: filters.hook,
        since: utc(filters.since), limit: PAGE, after: filters.after }));
      replaceChildren(list, jobTable(answer.jobs));
      replaceChildren(pager,
        filters.after ? link("#/jobs" + query({ ...filters, after: undefined }), "First page") : null, " ",
        answer.next ? link("#/jobs" + query({ ...filters, after: answer.next }), "Next page") : null);
    } catch (error) {
      replaceChildren(list, errorBox(error));
    }
  });
}
