// Building the page: every piece of data goes in as text (textContent, attributes set one by
// one); nothing here parses HTML, so a handler named "<img onerror=…>" stays a name.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "class") node.className = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function replaceChildren(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

export function link(href, text) { return el("a", { href }, text); }

export function stateBadge(state) {
  return el("span", { class: "state state-" + String(state).toLowerCase(), "data-state": state }, state);
}

export function errorBox(error) {
  const code = error && error.code ? error.code + ": " : "";
  return el("p", { class: "error", role: "alert" }, code + (error && error.message ? error.message : String(error)));
}

export function when(text) {
  if (!text) return "—";
  const date = new Date(text);
  return Number.isNaN(date.getTime()) ? text : date.toLocaleString();
}

export function json(value) { return JSON.stringify(value, null, 2); }

export function table(headings, rows) {
  return el("div", { class: "table-wrap" },
    el("table", {},
      el("thead", {}, el("tr", {}, headings.map((heading) => el("th", {}, heading)))),
      el("tbody", {}, rows)));
}

export function section(title, ...children) {
  return el("section", { class: "card" }, el("h2", {}, title), ...children);
}

export const TERMINAL = new Set(["SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED"]);

// Runs `work` now and then every `ms` until `signal` aborts (the screen was left) or `work`
// returns false. Errors are shown by `work` itself; the next round still comes.
export function every(ms, signal, work) {
  const round = async () => {
    if (signal.aborted) return;
    let again = true;
    try { again = (await work()) !== false; } catch (ignored) { /* shown by work */ }
    if (again && !signal.aborted) setTimeout(round, ms);
  };
  return round();
}

// A traceback's last line names the exception; its first only says a traceback follows.
export function lastLine(text) {
  const lines = (text || "").split("\n").filter((line) => line.trim());
  return lines.length ? lines[lines.length - 1] : "";
}
