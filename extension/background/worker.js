/* The service worker (a background script in Firefox): the only part of the extension that calls
 * the backend. Content scripts on huggingface.co cannot reach loopback (Chrome's Local Network Access
 * blocks them), so they, the popup and the options page send messages here.
 *
 * Message: {type, ...} -> reply {ok: true, data} | {ok: false, error, down, status, command, backendUrl}. */
"use strict";

if (typeof importScripts === "function" && typeof PaperLensApi === "undefined") {
  // Chrome: a classic service worker. Firefox lists these files in background.scripts instead.
  importScripts("/extension/shared/settings.js", "/extension/background/api.js");
}

const api = globalThis.PaperLensApi;
const settingsStore = globalThis.PaperLensSettings;
const EXPORT_FORMATS = { json: "json", bibtex: "bib", csv: "csv" };
const ID_RE = /^(\d{4}\.\d{4,5}|t-[0-9a-f]{16})$/;

function checkId(id) {
  if (typeof id !== "string" || !ID_RE.test(id)) throw new api.ApiError(`not a paper id: ${String(id)}`);
  return id;
}

/* Last known annotation per paper id, for the browser session (chrome.storage.session survives the
 * worker being stopped). A revisited page renders from it at once while the backend is asked again. */
const CACHE_KEY = "plAnnotations";
const CACHE_MAX = 3000;
let cache = null; // Map id -> paper
let persistTimer = 0;

async function loadCache() {
  if (cache) return cache;
  let stored = {};
  try {
    stored = (await chrome.storage.session.get(CACHE_KEY))[CACHE_KEY] || {};
  } catch (e) {
    stored = {}; // no session storage (old browser): memory only
  }
  cache = cache || new Map(Object.entries(stored));
  return cache;
}

function persistCache() {
  clearTimeout(persistTimer);
  persistTimer = setTimeout(() => {
    while (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value);
    chrome.storage.session.set({ [CACHE_KEY]: Object.fromEntries(cache) }).catch(() => {});
  }, 500);
}

async function remember(papers) {
  const c = await loadCache();
  for (const p of Array.isArray(papers) ? papers : []) {
    if (!p || typeof p.id !== "string") continue;
    c.delete(p.id); // re-insert: most recent last, evicted last
    c.set(p.id, p);
  }
  persistCache();
}

async function rememberSaved(id, saved) {
  const c = await loadCache();
  for (const p of c.values()) {
    if (p.id === id) p.saved = saved;
    for (const rel of Array.isArray(p.related) ? p.related : []) if (rel.id === id) rel.saved = saved;
  }
  persistCache();
}

const handlers = {
  async health(msg, base) {
    return api.health(base);
  },
  async annotate(msg, base) {
    if (typeof msg.html !== "string" || !msg.html) throw new api.ApiError("nothing to annotate");
    const data = await api.annotate(base, String(msg.url || ""), msg.html);
    remember(data.papers);
    return data;
  },
  async cached(msg) {
    const c = await loadCache();
    const ids = Array.isArray(msg.ids) ? msg.ids : [];
    return { papers: ids.filter((id) => c.has(id)).map((id) => c.get(id)) };
  },
  async keyphrases(msg, base) {
    const ids = (Array.isArray(msg.ids) ? msg.ids : []).filter((id) => ID_RE.test(id)).slice(0, 200);
    if (!ids.length) return { ok: true, keyphrases: {}, pending: [] };
    const data = await api.keyphrases(base, ids);
    const c = await loadCache();
    const still = new Set(Array.isArray(data.pending) ? data.pending : []);
    for (const id of ids) {
      const p = c.get(id);
      if (p && !still.has(id) && Array.isArray((data.keyphrases || {})[id])) {
        p.keyphrases = data.keyphrases[id];
        p.pending = false;
      }
    }
    persistCache();
    return data;
  },
  async related(msg, base) {
    return api.related(base, checkId(msg.id), msg.k || 5);
  },
  async save(msg, base) {
    const fields = {};
    if (Array.isArray(msg.tags)) fields.tags = msg.tags.map(String);
    if (typeof msg.note === "string") fields.note = msg.note;
    const data = await api.save(base, checkId(msg.id), fields);
    await rememberSaved(msg.id, true);
    return data;
  },
  async patchSaved(msg, base) {
    return api.patchSaved(base, checkId(msg.id), msg.changes || {});
  },
  async unsave(msg, base) {
    try {
      const data = await api.unsave(base, checkId(msg.id));
      await rememberSaved(msg.id, false);
      return data;
    } catch (e) {
      if (e.status === 404) await rememberSaved(msg.id, false); // it was not saved: say so everywhere
      throw e;
    }
  },
  async listSaved(msg, base) {
    const q = msg.query || {};
    return api.listSaved(base, { q: q.q, tag: q.tag, limit: q.limit || 200, offset: q.offset, sort: q.sort });
  },
  async exportSaved(msg, base) {
    const format = String(msg.format || "");
    if (!EXPORT_FORMATS[format]) throw new api.ApiError(`unknown export format: ${format}`);
    const file = await api.exportSaved(base, format);
    return Object.assign(file, { filename: file.filename || `paperlens-saved.${EXPORT_FORMATS[format]}` });
  },
};

async function handle(msg) {
  const settings = await settingsStore.load();
  try {
    const data = await handlers[msg.type](msg, settings.backendUrl);
    return { ok: true, data };
  } catch (e) {
    return {
      ok: false,
      error: (e && e.message) || String(e),
      down: Boolean(e && e.down),
      status: (e && e.status) || 0,
      command: settingsStore.START_COMMAND,
      backendUrl: settings.backendUrl,
    };
  }
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!msg || typeof msg.type !== "string" || !Object.hasOwn(handlers, msg.type)) return false;
  // Only our own content scripts and pages can message us (no externally_connectable), so the
  // sender is trusted; inputs are still checked above before they reach a URL.
  handle(msg).then(sendResponse);
  return true; // the answer comes asynchronously
});

/** Forward a keyboard command to the content script of the active tab. */
async function runCommand(name, tab) {
  let target = tab;
  if (!target || target.id === undefined) {
    [target] = await chrome.tabs.query({ active: true, currentWindow: true });
  }
  if (!target || target.id === undefined) return { ok: false, error: "no active tab" };
  try {
    return await chrome.tabs.sendMessage(target.id, { type: "command", name });
  } catch (e) {
    return { ok: false, error: "this tab is not a Hugging Face papers page" };
  }
}

chrome.commands.onCommand.addListener((name, tab) => {
  runCommand(name, tab);
});

// For the e2e tests (and debugging from the worker console): the same path a shortcut takes.
globalThis.paperLensRunCommand = runCommand;
