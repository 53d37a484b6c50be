// Every handler the caller may list, with what shapes which events reach it.
import { api } from "./api.js";
import { el, json, link, replaceChildren, table } from "./dom.js";

function compact(value) { return value === null || value === undefined ? "—" : JSON.stringify(value); }

export async function render(page) {
  const handlers = await api("/v1/handlers");
  const rows = handlers.map((handler) => el("tr", { "data-handler-id": handler.id },
    el("td", {}, link(`#/handlers/${handler.id}`, handler.name)),
    el("td", {}, handler.hook),
    el("td", {}, handler.created_by),
    el("td", {}, String(handler.version)),
    el("td", {}, handler.runtime),
    el("td", {}, (handler.tags || []).join(", ") || "all"),
    el("td", { class: "clip", title: json(handler.filter) }, compact(handler.filter)),
    el("td", { class: "clip" }, compact(handler.coalesce))));
  replaceChildren(page, el("h1", {}, "Handlers"),
    handlers.length ? table(["name", "hook", "owner", "version", "runtime", "tags", "filter", "coalesce"], rows)
      : el("p", { class: "muted" }, "No handlers registered yet (see the README: register one from Python)."));
}
