/* The only file that talks to the Paper Lens backend (the API contract is in the README).
 * Every request carries the X-PaperLens-Client header; state changes send JSON bodies.
 * Errors are ApiError: `down` = nothing answered at the URL (backend not running),
 * otherwise `status` and the backend's own message. */
(function () {
  "use strict";

  const CLIENT_HEADER = "X-PaperLens-Client";
  const CLIENT_NAME = "paperlens-extension/" + chrome.runtime.getManifest().version;
  const TIMEOUT_MS = 8000;
  // The first annotate of a big page may compute keyphrases on the CPU before the backend can answer.
  const ANNOTATE_TIMEOUT_MS = 180000;

  class ApiError extends Error {
    constructor(message, { status = 0, down = false } = {}) {
      super(message);
      this.name = "ApiError";
      this.status = status;
      this.down = down;
    }
  }

  function buildUrl(base, path, query) {
    const url = new URL(path, base);
    for (const [k, v] of Object.entries(query || {})) {
      if (v !== undefined && v !== null && v !== "") url.searchParams.set(k, String(v));
    }
    return url;
  }

  function filenameFrom(disposition, fallback) {
    const m = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition || "");
    return m ? decodeURIComponent(m[1]) : fallback;
  }

  /** fetch + JSON (or text with `raw`), mapping every failure to ApiError. */
  async function request(base, method, path, { query, body, raw = false, timeout = TIMEOUT_MS } = {}) {
    const headers = { [CLIENT_HEADER]: CLIENT_NAME };
    const init = { method, headers, cache: "no-store", credentials: "omit", signal: AbortSignal.timeout(timeout) };
    if (body !== undefined) {
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body);
    }
    let res;
    try {
      res = await fetch(buildUrl(base, path, query), init);
    } catch (e) {
      if (e && e.name === "TimeoutError") {
        throw new ApiError(`the backend at ${base} did not answer within ${Math.round(timeout / 1000)} s`);
      }
      throw new ApiError(`the Paper Lens backend is not running at ${base}`, { down: true });
    }
    if (raw && res.ok) {
      return {
        text: await res.text(),
        contentType: res.headers.get("Content-Type") || "application/octet-stream",
        filename: filenameFrom(res.headers.get("Content-Disposition"), ""),
      };
    }
    let data = null;
    try {
      data = await res.json();
    } catch (e) {
      data = null;
    }
    if (!res.ok || !data || data.ok === false) {
      const message = (data && data.error) || `the backend at ${base} answered HTTP ${res.status}`;
      throw new ApiError(message, { status: res.status });
    }
    return data;
  }

  globalThis.PaperLensApi = Object.freeze({
    ApiError,
    /** {ok, version, papers, saved, model, settings, limits, formats} */
    health: (base) => request(base, "GET", "/api/health", { timeout: 3000 }),
    /** page {url, html, cards: [{key, id, title, summary, authors?}]} ->
     * {ok, page: {kind, url}, papers: [{key, id, title, url, keyphrases: [{phrase, score, key}], pending, related,
     * saved, for_you, for_you_mark, for_you_because, first_seen, seen_before, first_seen_page, dismissed, muted}]}
     * (tests/contract/triage.json) */
    annotate: (base, page) => request(base, "POST", "/api/annotate", { body: page, timeout: ANNOTATE_TIMEOUT_MS }),
    /** {ok, keyphrases: {id: [{phrase, score}]}, pending: [id], unknown: [id]} */
    keyphrases: (base, ids) => request(base, "GET", "/api/keyphrases", { query: { ids: ids.join(",") } }),
    /** {ok, saved: record} */
    save: (base, id, fields) => request(base, "PUT", `/api/saved/${encodeURIComponent(id)}`, { body: fields || {} }),
    /** {ok, saved: record} */
    patchSaved: (base, id, fields) =>
      request(base, "PATCH", `/api/saved/${encodeURIComponent(id)}`, { body: fields || {} }),
    /** {ok, id, saved: false} */
    unsave: (base, id) => request(base, "DELETE", `/api/saved/${encodeURIComponent(id)}`),
    /** {ok, total, saved: [record]} */
    listSaved: (base, query) => request(base, "GET", "/api/saved", { query }),
    /** {ok, id, related: [{id, title, url, score, saved, why}]}: the closest library papers to one paper */
    related: (base, id, k) => request(base, "GET", `/api/papers/${encodeURIComponent(id)}/related`, { query: { k } }),
    /** {ok, id, dismissed: true}: "not for me" (idempotent) */
    dismiss: (base, id) => request(base, "PUT", `/api/papers/${encodeURIComponent(id)}/dismissed`, { body: {} }),
    /** {ok, id, dismissed: false}; 404 when it was not dismissed */
    undismiss: (base, id) => request(base, "DELETE", `/api/papers/${encodeURIComponent(id)}/dismissed`),
    /** {ok, papers: [{id, title, url, dismissed_at}]}, newest first */
    listDismissed: (base) => request(base, "GET", "/api/dismissed"),
    /** {ok, muted: [{term, kind, added_at}]} */
    listMuted: (base) => request(base, "GET", "/api/muted"),
    /** {ok, muted: {term, kind, added_at}} (idempotent) */
    mute: (base, term, kind) => request(base, "PUT", "/api/muted", { body: { term, kind } }),
    /** {ok, term, kind, muted: false}; 404 when it was not muted */
    unmute: (base, term, kind) => request(base, "DELETE", "/api/muted", { query: { kind, term } }),
    /** {ok, seed: {tag: string|null, papers: N}}: what for_you is computed from */
    forYouSeed: (base) => request(base, "GET", "/api/for-you/seed"),
    /** {ok, seed: {tag, papers}}; tag null = every saved paper; 400 for a tag no saved paper has */
    setForYouSeed: (base, tag) => request(base, "PUT", "/api/for-you/seed", { body: { tag } }),
    /** {text, contentType, filename} of the export file */
    exportSaved: (base, format) =>
      request(base, "GET", "/api/saved/export", { query: { format }, raw: true, timeout: 30000 }),
  });
})();
