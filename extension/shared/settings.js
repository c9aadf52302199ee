/* Paper Lens settings: defaults, validation and chrome.storage access.
 * A classic script shared by the service worker (importScripts), the content scripts (listed first
 * in the manifest), the popup and the options page, so every part reads the same defaults. */
(function () {
  "use strict";

  const DEFAULTS = Object.freeze({
    backendUrl: "http://127.0.0.1:7435",
    keyphrasesPerCard: null, // null: every keyphrase the backend computes (its keyphrases_per_paper)
    autoAnnotate: true,
    showRelated: true,
    // The daily triage view (the page bar's toggles write these, so a choice holds on every page):
    dimSeen: false, // dim papers the library had before this page
    hideDismissed: false, // hide dismissed papers (else they are dimmed)
    sortByRelevance: false, // list pages in for_you order (visual order only)
    relevanceCutoff: 0, // 0..1: dim papers whose for_you is under it (0 = off)
  });

  // Settings the page applies in place (no new annotation pass): main.js tells the features.
  const VIEW_KEYS = Object.freeze(["dimSeen", "hideDismissed", "sortByRelevance", "relevanceCutoff"]);
  const CUTOFF_STEP = 0.05;

  // The README's backend command (tests/e2e/test_static.py keeps the two identical): what we tell a
  // reader whose backend is not running (startCommand adds the port the options name).
  const START_COMMAND = "python3 -m venv .venv && .venv/bin/pip install -e . && .venv/bin/paperlens serve";

  const LOOPBACK_HOSTS = ["127.0.0.1", "localhost", "[::1]"];

  /** A backend URL the extension may call, normalized to "http://host:port"; throws Error with a
   * readable message otherwise (host permissions only cover loopback). */
  function normalizeBackendUrl(value) {
    const text = String(value === undefined || value === null ? "" : value).trim();
    if (!text) throw new Error("Enter a URL like " + DEFAULTS.backendUrl);
    // "127.0.0.1:7435" or "localhost:7435" parse as a URL with a made-up scheme (or not at all): say
    // what is missing instead of a puzzling "must start with http://" about a scheme nobody typed.
    if (!/^[a-z][a-z\d+.-]*:\/\//i.test(text)) {
      let guess = null;
      try {
        guess = new URL("http://" + text);
      } catch (e) {
        guess = null;
      }
      if (guess && LOOPBACK_HOSTS.includes(guess.hostname)) {
        throw new Error(`Start the URL with http:// (${guess.origin})`);
      }
      throw new Error(`Enter a URL like ${DEFAULTS.backendUrl} (it starts with http://)`);
    }
    let url;
    try {
      url = new URL(text);
    } catch (e) {
      throw new Error("Enter a URL like " + DEFAULTS.backendUrl);
    }
    if (url.protocol !== "http:") throw new Error("The backend URL must start with http://");
    if (!LOOPBACK_HOSTS.includes(url.hostname)) {
      throw new Error("The backend must run on this machine: use 127.0.0.1 or localhost");
    }
    return url.origin;
  }

  /** The command that starts a backend answering at `backendUrl`: START_COMMAND, plus `--port N` when
   * the URL's port is not the default one and `--host ::1` for an IPv6 URL (`paperlens serve` listens
   * on 127.0.0.1:7435 otherwise). A URL that is not valid gets the plain command. */
  function startCommand(backendUrl) {
    let url;
    try {
      url = new URL(normalizeBackendUrl(backendUrl));
    } catch (e) {
      return START_COMMAND;
    }
    const flags = [];
    if (url.hostname === "[::1]") flags.push("--host ::1");
    const port = url.port || "80"; // URL drops a port that is the scheme's default
    if (port !== new URL(DEFAULTS.backendUrl).port) flags.push(`--port ${port}`);
    return [START_COMMAND, ...flags].join(" ");
  }

  /** Clamp and type-check stored values; returns a full settings object. */
  function sanitize(raw) {
    const out = Object.assign({}, DEFAULTS);
    if (!raw || typeof raw !== "object") return out;
    try {
      if (raw.backendUrl) out.backendUrl = normalizeBackendUrl(raw.backendUrl);
    } catch (e) {
      out.backendUrl = DEFAULTS.backendUrl;
    }
    // No upper bound here: a card shows at most what the backend computes (its keyphrases_per_paper).
    const n = raw.keyphrasesPerCard === null || raw.keyphrasesPerCard === "" ? NaN : Number(raw.keyphrasesPerCard);
    if (Number.isFinite(n)) out.keyphrasesPerCard = Math.max(0, Math.round(n));
    if (typeof raw.autoAnnotate === "boolean") out.autoAnnotate = raw.autoAnnotate;
    if (typeof raw.showRelated === "boolean") out.showRelated = raw.showRelated;
    for (const key of ["dimSeen", "hideDismissed", "sortByRelevance"]) if (typeof raw[key] === "boolean") out[key] = raw[key];
    const cut = raw.relevanceCutoff === null || raw.relevanceCutoff === "" ? NaN : Number(raw.relevanceCutoff);
    // On the slider's steps, so a stored value is one the slider can show.
    if (Number.isFinite(cut)) out.relevanceCutoff = Math.min(1, Math.max(0, Math.round(cut / CUTOFF_STEP) * CUTOFF_STEP));
    out.relevanceCutoff = Number(out.relevanceCutoff.toFixed(2));
    return out;
  }

  /** Promise of the current settings ({backendUrl, keyphrasesPerCard, autoAnnotate, showRelated, dimSeen,
   * hideDismissed, sortByRelevance, relevanceCutoff}). */
  async function load() {
    const raw = await chrome.storage.local.get(Object.keys(DEFAULTS));
    return sanitize(raw);
  }

  /** Store a partial settings object (validated); resolves to the full new settings. */
  async function save(partial) {
    const merged = sanitize(Object.assign(await load(), partial));
    if (partial && partial.backendUrl !== undefined) merged.backendUrl = normalizeBackendUrl(partial.backendUrl);
    await chrome.storage.local.set(merged);
    return merged;
  }

  globalThis.PaperLensSettings = Object.freeze({
    DEFAULTS,
    VIEW_KEYS,
    CUTOFF_STEP,
    START_COMMAND,
    normalizeBackendUrl,
    startCommand,
    sanitize,
    load,
    save,
  });
})();
