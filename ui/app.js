// The console's shell: sign-in, the navigation its role may use, and a hash router that
// gives each screen a fresh main element and stops the previous screen's timers and streams.
import { api, ApiError, forgetKey, storedKey, storeKey } from "./api.js";
import { el, errorBox, link, replaceChildren } from "./dom.js";
import * as overview from "./overview.js";
import * as hooks from "./hooks.js";
import * as handlers from "./handlers.js";
import * as handlerPage from "./handler_page.js";
import * as jobs from "./jobs.js";
import * as jobPage from "./job_page.js";
import * as chains from "./chains.js";

const ROUTES = [
  { pattern: /^#\/overview$/, screen: overview },
  { pattern: /^#\/hooks$/, screen: hooks },
  { pattern: /^#\/handlers$/, screen: handlers },
  { pattern: /^#\/handlers\/(\d+)$/, screen: handlerPage },
  { pattern: /^#\/jobs(?:\?(.*))?$/, screen: jobs },
  { pattern: /^#\/jobs\/(\d+)$/, screen: jobPage },
  { pattern: /^#\/chains(?:\/(\d+))?$/, screen: chains },
];

let me = null;
let leaving = null;  // the current screen's AbortController

// What each role may do, as the host's route table decides it (the host refuses the rest).
export function can(caller, action, ownerName) {
  if (!caller) return false;
  const admin = caller.role === "admin";
  if (action === "fire") return admin || caller.role === "publisher";
  if (action === "repair") return admin || caller.name === ownerName;
  if (action === "list_jobs") return caller.role !== "publisher";
  return admin;
}

function renderNav() {
  const nav = document.getElementById("nav");
  const who = document.getElementById("who");
  if (!me) {
    replaceChildren(nav);
    replaceChildren(who);
    return;
  }
  const items = [["#/overview", "Overview"], ["#/hooks", "Hooks"], ["#/handlers", "Handlers"], ["#/jobs", "Jobs"], ["#/chains", "Chains"]];
  replaceChildren(nav, items.map(([href, text]) => link(href, text)));
  replaceChildren(who, el("span", { "data-role": me.role }, `${me.name} (${me.role})`), " ",
    el("button", { type: "button", class: "link", onclick: signOut }, "Sign out"));
}

function signOut() {
  forgetKey();
  me = null;
  location.hash = "#/signin";
  route();
}

function renderSignIn(main, problem) {
  const key = el("input", { type: "password", id: "api-key", name: "key", autocomplete: "off", required: true, "aria-label": "API key" });
  const form = el("form", { id: "signin", class: "card narrow" },
    el("h1", {}, "Sign in"),
    el("p", {}, "Paste your API key (from `hookhost user add`). It stays in this tab only."),
    el("label", { for: "api-key" }, "API key"), key,
    el("button", { type: "submit" }, "Sign in"),
    problem ? errorBox(problem) : null);
  form.addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    storeKey(key.value.trim());
    await identify(main);
    if (me && location.hash === "#/signin") location.hash = "#/overview";
    else if (me) route();
  });
  replaceChildren(main, form);
  key.focus();
}

// Who the stored key belongs to; a refused key is forgotten and asked for again.
async function identify(main) {
  try {
    me = await api("/v1/me");
  } catch (error) {
    me = null;
    if (error instanceof ApiError && error.status === 401) forgetKey();
    renderSignIn(main, error);
  }
  renderNav();
}

async function route() {
  if (leaving) leaving.abort();
  leaving = new AbortController();
  const main = document.getElementById("main");
  if (!storedKey()) return renderSignIn(main);
  if (!me) {
    await identify(main);
    if (!me) return;
  }
  const hash = location.hash && location.hash !== "#/signin" ? location.hash : "#/overview";
  for (const { pattern, screen } of ROUTES) {
    const match = hash.match(pattern);
    if (!match) continue;
    const page = el("div", { class: "page" });
    replaceChildren(main, page);
    try {
      await screen.render(page, { me, signal: leaving.signal, can: (action, owner) => can(me, action, owner) }, match.slice(1));
    } catch (error) {
      if (error.name !== "AbortError") replaceChildren(page, errorBox(error));
    }
    return;
  }
  replaceChildren(main, errorBox(new Error("no such page: " + hash)));
}

window.addEventListener("hashchange", route);
route();
