/* The service worker (a background script in Firefox): the only part of the extension that calls
 * the backend. Content scripts on huggingface.co cannot reach loopback (Chrome's Local Network Access
 * blocks them), so they, the popup and the options page send messages here (shared/messages.js).
 *
 * Message: {type, ...} -> reply {ok: true, data} | {ok: false, error, down, status, command, backendUrl}. */
"use strict";

if (typeof importScripts === "function" && typeof PaperLensApi === "undefined") {
  // Chrome: a classic service worker. Firefox lists these files in background.scripts instead.
  importScripts("/extension/shared/settings.js", "/extension/background/api.js");
}

const api = globalThis.PaperLensApi;
const settingsStore = globalThis.PaperLensSettings;

/* The backend's own settings and limits (GET /api/health), per backend URL, for as long as the worker
 * lives: how many ids one keyphrase poll may carry comes from the backend, never from here. */
const backendInfo = new Map();
// Backend URLs that refuse the authors a card shows (older than author mutes), for the worker's lifetime.
const noCardAuthors = new Set();

async function limits(base) {
  if (!backendInfo.has(base)) {
    const info = api.health(base);
    backendInfo.set(base, info);
    info.catch(() => backendInfo.delete(base)); // not reachable now: ask again next time
  }
  return (await backendInfo.get(base)).limits;
}

/* Last known annotation per card key, for the browser session (chrome.storage.session survives the
 * worker being stopped). A revisited page renders from it at once while the backend is asked again. */
const CACHE_KEY = "plAnnotations";
const CACHE_MAX = 3000;
let cache = null; // Map card key -> paper
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
    if (!p || typeof p.key !== "string") continue;
    c.delete(p.key); // re-insert: most recent last, evicted last
    c.set(p.key, p);
  }
  persistCache();
}

/** Apply `change(paper)` to every remembered paper with id `id`. */
async function rememberChange(change) {
  const c = await loadCache();
  for (const p of c.values()) change(p);
  persistCache();
}

function rememberSaved(id, saved) {
  return rememberChange((p) => {
    if (p.id === id) p.saved = saved;
    for (const rel of Array.isArray(p.related) ? p.related : []) if (rel.id === id) rel.saved = saved;
  });
}

const handlers = {
  async health(msg, base) {
    const data = await api.health(base);
    backendInfo.set(base, Promise.resolve(data));
    return data;
  },
  /** The options page's "Test connection": health at the URL typed there, before it is saved
   * (`handle` has checked that it is a loopback URL, the only kind the extension may call). */
  async checkBackend(msg, base) {
    return api.health(base);
  },
  async annotate(msg, base) {
    if (!Array.isArray(msg.cards) || !msg.cards.length) throw new api.ApiError("no paper cards on this page");
    const page = { url: String(msg.url || ""), cards: msg.cards };
    if (typeof msg.html === "string" && msg.html) page.html = msg.html;
    const withoutAuthors = () => ({ ...page, cards: page.cards.map(({ authors, ...card }) => card) });
    let data;
    try {
      data = await api.annotate(base, noCardAuthors.has(base) ? withoutAuthors() : page);
    } catch (e) {
      // A backend from before author mutes refuses a card's "authors" (a 400 naming the field): the page
      // must still be annotated, so ask again without them, and from then on.
      const refused = e.status === 400 && /\bauthors\b/.test(e.message) && page.cards.some((c) => c.authors);
      if (!refused || noCardAuthors.has(base)) throw e;
      noCardAuthors.add(base);
      data = await api.annotate(base, withoutAuthors());
    }
    remember(data.papers);
    return data;
  },
  async cached(msg) {
    const c = await loadCache();
    const keys = Array.isArray(msg.keys) ? msg.keys : [];
    return { papers: keys.filter((k) => c.has(k)).map((k) => c.get(k)) };
  },
  async keyphrases(msg, base) {
    const ids = [...new Set(Array.isArray(msg.ids) ? msg.ids.map(String) : [])];
    const out = { ok: true, keyphrases: {}, pending: [], unknown: [] };
    const step = (await limits(base)).ids_per_call;
    for (let i = 0; i < ids.length; i += step) {
      const data = await api.keyphrases(base, ids.slice(i, i + step));
      Object.assign(out.keyphrases, data.keyphrases);
      out.pending.push(...data.pending);
      out.unknown.push(...data.unknown);
    }
    const done = out.keyphrases;
    await rememberChange((p) => {
      if (Array.isArray(done[p.id])) {
        p.keyphrases = done[p.id];
        p.pending = false;
      }
    });
    return out;
  },
  async save(msg, base) {
    const fields = {};
    if (Array.isArray(msg.tags)) fields.tags = msg.tags.map(String);
    if (typeof msg.note === "string") fields.note = msg.note;
    const data = await api.save(base, String(msg.id), fields);
    await rememberSaved(msg.id, true);
    return data;
  },
  async patchSaved(msg, base) {
    return api.patchSaved(base, String(msg.id), msg.changes || {});
  },
  async unsave(msg, base) {
    try {
      const data = await api.unsave(base, String(msg.id));
      await rememberSaved(msg.id, false);
      return data;
    } catch (e) {
      if (e.status === 404) await rememberSaved(msg.id, false); // it was not saved: say so everywhere
      throw e;
    }
  },
  async listSaved(msg, base) {
    const q = msg.query || {};
    return api.listSaved(base, { q: q.q, tag: q.tag, limit: q.limit, offset: q.offset, sort: q.sort });
  },
  async exportSaved(msg, base) {
    return api.exportSaved(base, String(msg.format || ""));
  },
  async related(msg, base) {
    return api.related(base, String(msg.id), msg.k);
  },
  async dismiss(msg, base) {
    const data = await api.dismiss(base, String(msg.id));
    await changedTriage({ what: "dismissed", id: data.id, dismissed: true }, (p) => {
      if (p.id === data.id) p.dismissed = true;
      if (Array.isArray(p.related)) p.related = p.related.filter((rel) => rel.id !== data.id);
    });
    return data;
  },
  async undismiss(msg, base) {
    const id = String(msg.id);
    const undone = () => changedTriage({ what: "dismissed", id, dismissed: false }, (p) => p.id === id && (p.dismissed = false));
    try {
      const data = await api.undismiss(base, id);
      await undone();
      return data;
    } catch (e) {
      // Not dismissed (undone elsewhere meanwhile): the pages still show it dismissed, so tell them.
      if (e.status === 404) await undone();
      throw e;
    }
  },
  async listDismissed(msg, base) {
    return api.listDismissed(base);
  },
  async listMuted(msg, base) {
    return api.listMuted(base);
  },
  async mute(msg, base) {
    const data = await api.mute(base, String(msg.term || ""), String(msg.kind || ""));
    await changedTriage({ what: "muted" });
    return data;
  },
  async unmute(msg, base) {
    const data = await api.unmute(base, String(msg.term || ""), String(msg.kind || ""));
    await changedTriage({ what: "muted" });
    return data;
  },
  async forYouSeed(msg, base) {
    return api.forYouSeed(base);
  },
  async setForYouSeed(msg, base) {
    const data = await api.setForYouSeed(base, typeof msg.tag === "string" && msg.tag ? msg.tag : null);
    await changedTriage({ what: "seed" });
    return data;
  },
};

/** A dismissal, a mute or a new for-you seed changes what every open papers page should show (related
 * lists, marks, dims): the remembered answers take `change` now, and every tab is told, so its content
 * script asks the backend again. Sent to all tabs by id (a tab without our content script just does
 * not answer): filtering tabs by URL would need the "tabs" permission, which the extension does not ask
 * for. */
async function changedTriage(detail, change) {
  if (change) await rememberChange(change);
  let tabs = [];
  try {
    tabs = await chrome.tabs.query({});
  } catch (e) {
    tabs = [];
  }
  for (const tab of tabs) {
    if (tab.id === undefined || tab.id < 0) continue;
    chrome.tabs.sendMessage(tab.id, { type: "triage-changed", ...detail }).catch(() => {});
  }
}

async function handle(msg) {
  const settings = await settingsStore.load();
  let base = settings.backendUrl;
  try {
    if (msg.type === "checkBackend") base = settingsStore.normalizeBackendUrl(msg.backendUrl);
    const data = await handlers[msg.type](msg, base);
    return { ok: true, data };
  } catch (e) {
    return {
      ok: false,
      error: (e && e.message) || String(e),
      down: Boolean(e && e.down),
      status: (e && e.status) || 0,
      // The command that starts a backend at this URL (its port), so following it fixes the problem.
      command: settingsStore.startCommand(base),
      backendUrl: base,
    };
  }
}

chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
  if (!msg || typeof msg.type !== "string" || !Object.hasOwn(handlers, msg.type)) return false;
  // Only our own content scripts and pages can message us (no externally_connectable), so the
  // sender is trusted; the backend checks every input again.
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
