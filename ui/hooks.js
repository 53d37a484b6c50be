// The hook catalog: each hook's description and payload schema, and for the roles that may
// fire, a form whose payload the host checks against the schema (its error shown in place).
import { api } from "./api.js";
import { el, errorBox, json, link, replaceChildren, section } from "./dom.js";

function fireForm(hook) {
  const slug = hook.name.replace(/[^a-z0-9]+/gi, "-");
  const payload = el("textarea", { id: `payload-${slug}`, class: "payload", rows: 6, spellcheck: "false", "aria-label": "payload (JSON)" }, "{}");
  const tags = el("input", { id: `tags-${slug}`, type: "text", placeholder: "tags, comma separated", "aria-label": "tags" });
  const outcome = el("div", { class: "fire-outcome", "aria-live": "polite" });
  const form = el("form", { class: "fire", "data-hook": hook.name },
    el("label", { for: payload.id }, "Payload (JSON)"), payload,
    el("label", { for: tags.id }, "Tags"), tags,
    el("button", { type: "submit" }, "Fire"), outcome);
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    let body;
    try {
      body = { hook: hook.name, payload: JSON.parse(payload.value), tags: tags.value.split(",").map((t) => t.trim()).filter(Boolean) };
    } catch (error) {
      return replaceChildren(outcome, errorBox({ code: "malformed_json", message: "the payload is not valid JSON: " + error.message }));
    }
    try {
      const fired = await api("/v1/events", { method: "POST", body });
      replaceChildren(outcome, el("p", {}, "Fired event ", link(`#/chains/${fired.event_id}`, `#${fired.event_id}`), "; jobs:"),
        el("ul", { class: "fired-jobs" }, fired.jobs.map((job) => el("li", {}, link(`#/jobs/${job.job_id}`, `#${job.job_id}`), " ", job.handler))));
    } catch (error) {
      replaceChildren(outcome, errorBox(error));
    }
  });
  return form;
}

export async function render(page, { can }) {
  const hooks = await api("/v1/hooks");
  replaceChildren(page, el("h1", {}, "Hooks"),
    hooks.map((hook) => section(hook.name,
      el("p", {}, hook.description),
      el("details", {}, el("summary", {}, "Payload schema"), el("pre", {}, json(hook.payload_schema))),
      can("fire") ? fireForm(hook) : null)));
}
