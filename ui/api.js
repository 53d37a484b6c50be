// Every call to the host: the key lives in this tab's sessionStorage only (never in a URL or
// a cookie) and travels as `Authorization: Bearer` on each request.
const KEY_NAME = "hookhost.key";

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export function storedKey() { return sessionStorage.getItem(KEY_NAME); }
export function storeKey(key) { sessionStorage.setItem(KEY_NAME, key); }
export function forgetKey() { sessionStorage.removeItem(KEY_NAME); }

function headers(withBody) {
  const out = { Authorization: "Bearer " + (storedKey() || "") };
  if (withBody) out["Content-Type"] = "application/json";
  return out;
}

// The host's JSON error ({"error": {"code", "message"}}) as an ApiError, whatever went wrong.
async function failure(response) {
  let code = "http_" + response.status;
  let message = response.statusText || "request failed";
  try {
    const body = await response.json();
    if (body && body.error) ({ code, message } = body.error);
  } catch (ignored) { /* not JSON: keep the status line */ }
  return new ApiError(response.status, code, message);
}

export async function api(path, { method = "GET", body } = {}) {
  const withBody = body !== undefined;
  const response = await fetch(path, { method, headers: headers(withBody), body: withBody ? JSON.stringify(body) : undefined });
  if (!response.ok) throw await failure(response);
  return response.json();
}

export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== "") search.append(name, String(value));
  }
  const text = search.toString();
  return text ? "?" + text : "";
}

// Follows GET /v1/jobs/{id}/output?follow=1 (Server-Sent Events) with fetch, since
// EventSource cannot send the key: `onLine` for each output line as it comes, `onEnd` with
// the end event's data. Stops when `signal` aborts.
export async function followOutput(jobId, { onLine, onEnd, signal }) {
  const response = await fetch(`/v1/jobs/${encodeURIComponent(jobId)}/output?follow=1`, { headers: headers(false), signal });
  if (!response.ok) throw await failure(response);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buffered += value;
    let boundary;
    while ((boundary = buffered.indexOf("\n\n")) >= 0) {
      const message = parseEvent(buffered.slice(0, boundary));
      buffered = buffered.slice(boundary + 2);
      if (message.event === "output") onLine(message.data);
      if (message.event === "end") {
        onEnd(message.data ? JSON.parse(message.data) : {});
        return;
      }
    }
  }
}

// One SSE message: its event name and its data lines joined by newlines.
function parseEvent(block) {
  const message = { event: "message", data: [] };
  for (const line of block.split("\n")) {
    if (line.startsWith("event:")) message.event = line.slice(6).trim();
    else if (line.startsWith("data:")) message.data.push(line.slice(line.startsWith("data: ") ? 6 : 5));
  }
  message.data = message.data.join("\n");
  return message;
}

// A text answer (GET /v1/jobs/{id}/output without follow).
export async function apiText(path) {
  const response = await fetch(path, { headers: headers(false) });
  if (!response.ok) throw await failure(response);
  return response.text();
}
