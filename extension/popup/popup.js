/* Toolbar popup: backend status, annotate now, the current page's counts and today's summary (new, close
 * to your library), the saved list, the dismissed list with Undo, and exports.
 * Talks to the backend only through the service worker (shared/messages.js), like the content script. */
(function () {
  "use strict";

  const { copyButton, el } = globalThis.PaperLensDom;
  const { safeHref } = globalThis.PaperLensLinks;
  const { send } = globalThis.PaperLensMessages;
  const $ = (id) => document.getElementById(id);
  // How many saved papers the popup lists (the backend counts them all in `total`).
  const LISTED = 200;
  let searchTimer = 0;

  /** A message in `node`, styled as an error when `error` (a failure must not read like a status). */
  function say(node, text, error) {
    node.textContent = text;
    node.classList.toggle("pl-error", Boolean(error));
  }

  async function tabMessage(msg) {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    if (!tab || tab.id === undefined) return null;
    try {
      return await chrome.tabs.sendMessage(tab.id, msg);
    } catch (e) {
      return null; // no content script: not a huggingface.co/papers page
    }
  }

  let lastHealth = null; // the last health reply, for the saved list's empty state

  /** Backend status; resolves to the health answer, or null when the backend is not usable. */
  async function showStatus() {
    const box = $("pl-status");
    const res = await send({ type: "health" });
    lastHealth = res;
    box.replaceChildren();
    box.classList.toggle("pl-ok", res.ok);
    box.classList.toggle("pl-down", !res.ok);
    if (res.ok) {
      const h = res.data;
      box.append(el("strong", { text: "Connected" }), ` · ${h.papers} papers in your library, ${h.saved} saved`);
      return h;
    }
    if (res.down) {
      const code = el("code", { text: res.command });
      box.append(
        el("strong", { text: "Backend not running" }),
        ` (nothing answers at ${res.backendUrl}). Start it from the Paper Lens folder with:`,
        el("div", { className: "pl-cmd-row" }, [code, copyButton(code, "pl-copy")])
      );
    } else {
      box.append(el("strong", { text: "Backend problem: " }), res.error);
    }
    return null;
  }

  function showPageCount(stats) {
    $("pl-page-count").textContent = stats
      ? `This page: ${stats.annotated}/${stats.cards} cards annotated`
      : "Open huggingface.co/papers to annotate.";
    showSummary(stats);
  }

  /** Today's triage of the current page: how many papers are new to the library and how many are close
   * to it (the page bar's numbers, from the content script). */
  function showSummary(stats) {
    const box = $("pl-page-summary");
    const c = stats && stats.counts;
    box.hidden = !c || !c.total;
    if (box.hidden) return;
    box.replaceChildren(
      el("strong", { text: `${c.new} new` }),
      ` of ${c.total} · `,
      el("strong", { text: `${c.close} close to your library` }),
      c.dismissed ? ` · ${c.dismissed} dismissed` : ""
    );
  }

  function dismissedItem(p) {
    const label = p.title || p.id;
    const href = safeHref(p.url);
    const undo = el("button", {
      className: "pl-undo",
      text: "Undo",
      attrs: { type: "button", "aria-label": `Undo dismissing ${label}`, title: "Show it again and let it back into related lists" },
    });
    undo.addEventListener("click", () => undismiss(p, undo));
    const title = el(href ? "a" : "span", {
      className: "pl-saved-title",
      text: label,
      attrs: { href, target: href ? "_blank" : null, rel: href ? "noopener" : null },
    });
    return el("li", { className: "pl-saved-item", dataset: { plDismissed: p.id } }, [el("div", { className: "pl-saved-main" }, [title]), undo]);
  }

  /** The dismissed papers, newest first, each with Undo. */
  async function loadDismissed() {
    const res = await send({ type: "listDismissed" });
    const papers = res.ok && Array.isArray(res.data.papers) ? res.data.papers : [];
    $("pl-dismissed-total").textContent = res.ok ? `(${papers.length})` : "";
    $("pl-dismissed-list").replaceChildren(...papers.slice(0, LISTED).map(dismissedItem));
    const empty = $("pl-dismissed-empty");
    empty.hidden = papers.length > 0;
    if (!res.ok) say(empty, `Could not list dismissed papers: ${res.down ? "the backend is not running" : res.error}`, true);
    else say(empty, "Nothing dismissed: × on a paper card sets it aside.");
  }

  async function undismiss(p, button) {
    button.disabled = true;
    const res = await send({ type: "undismiss", id: p.id });
    if (!res.ok && res.status !== 404) {
      button.disabled = false;
      say($("pl-dismissed-empty"), `Could not undo: ${res.error}`, true);
      $("pl-dismissed-empty").hidden = false;
      return;
    }
    // The worker tells the open pages, which ask for their cards again; the counts follow.
    await loadDismissed();
    tabMessage({ type: "stats" }).then((stats) => stats && showPageCount(stats));
  }

  async function annotateNow() {
    const button = $("pl-annotate");
    button.disabled = true;
    $("pl-page-count").textContent = "Annotating…";
    showPageCount(await tabMessage({ type: "annotate-now" }));
    button.disabled = false;
    showStatus();
  }

  function renderTags(records) {
    const select = $("pl-tag");
    const current = select.value;
    const tags = [...new Set(records.flatMap((r) => (Array.isArray(r.tags) ? r.tags : [])))].sort();
    select.replaceChildren(el("option", { text: "All tags", attrs: { value: "" } }));
    for (const t of tags) select.append(el("option", { text: t, attrs: { value: t } }));
    select.value = tags.includes(current) ? current : "";
  }

  function savedItem(r) {
    const label = r.title || r.id;
    const href = safeHref(r.url);
    const tags = el("div", { className: "pl-tags" }, (Array.isArray(r.tags) ? r.tags : []).map((t) => el("span", { className: "pl-tag", text: t })));
    tags.append(
      el("button", {
        className: "pl-edit-tags",
        text: "tags…",
        attrs: { type: "button", "aria-label": `Edit tags of ${label}` },
        on: { click: () => editTags(r, tags) },
      })
    );
    const unsave = el("button", {
      className: "pl-unsave",
      text: "★",
      attrs: { type: "button", "aria-label": `Unsave ${label}`, title: "Remove from your library" },
      on: { click: () => unsaveRecord(r, unsave) },
    });
    const title = el(href ? "a" : "span", {
      className: "pl-saved-title",
      text: label,
      attrs: { href, target: href ? "_blank" : null, rel: href ? "noopener" : null },
    });
    return el("li", { className: "pl-saved-item", dataset: { plSaved: r.id } }, [
      unsave,
      el("div", { className: "pl-saved-main" }, [title, tags]),
    ]);
  }

  /** What the saved list says when it shows nothing: why, truthfully (a failed call is not "nothing
   * saved", a search without a match is not an empty library). */
  function emptyState(res, q, tag) {
    if (!res.ok && res.down) return { text: "Your saved papers cannot be listed: the backend is not running.", error: true };
    if (!res.ok) return { text: `Could not load your saved papers: ${res.error}`, error: true };
    if (q && tag) return { text: `No saved paper tagged “${tag}” matches “${q}”.` };
    if (q) return { text: `No saved paper matches “${q}”.` };
    if (tag) return { text: `No saved paper is tagged “${tag}”.` };
    return { text: "Nothing saved yet: click ☆ on a paper card." };
  }

  function showEmpty(res, q, tag) {
    const empty = $("pl-saved-empty");
    const state = emptyState(res, q, tag);
    say(empty, state.text, state.error);
    empty.hidden = false;
  }

  /** The saved list, filtered by the backend (search words, tag). */
  async function loadSaved() {
    const q = $("pl-search").value.trim();
    const tag = $("pl-tag").value;
    const res = await send({ type: "listSaved", query: { q, tag, limit: LISTED } });
    const records = res.ok && Array.isArray(res.data.saved) ? res.data.saved : [];
    $("pl-saved-total").textContent = res.ok ? `(${res.data.total})` : "";
    if (res.ok && !q && !tag) renderTags(records);
    $("pl-saved-list").replaceChildren(...records.map(savedItem));
    if (records.length) $("pl-saved-empty").hidden = true;
    else showEmpty(res, q, tag);
  }

  async function unsaveRecord(r, button) {
    button.disabled = true;
    const res = await send({ type: "unsave", id: r.id });
    if (!res.ok && res.status !== 404) {
      button.disabled = false;
      say($("pl-export-msg"), `Could not unsave: ${res.error}`, true);
      return;
    }
    await loadSaved();
    showStatus();
  }

  /** Swap the tag chips for a comma-separated input; Enter stores the tags, Escape cancels. */
  function editTags(r, holder) {
    const input = el("input", {
      className: "pl-tags-input",
      attrs: { "aria-label": "Tags, separated by commas", maxlength: 300 },
    });
    input.value = (r.tags || []).join(", ");
    holder.replaceChildren(input);
    input.focus();
    input.addEventListener("keydown", async (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        loadSaved();
      } else if (e.key === "Enter") {
        e.preventDefault();
        const tags = [...new Set(input.value.split(",").map((t) => t.trim()).filter(Boolean))];
        const res = await send({ type: "patchSaved", id: r.id, changes: { tags } });
        if (!res.ok) {
          say($("pl-export-msg"), `Could not store the tags: ${res.error}`, true);
          return;
        }
        await loadSaved();
      }
    });
  }

  async function exportAs(format) {
    const msg = $("pl-export-msg");
    say(msg, "Exporting…");
    const res = await send({ type: "exportSaved", format });
    if (!res.ok) {
      say(msg, `Export failed: ${res.error}`, true);
      return;
    }
    const url = URL.createObjectURL(new Blob([res.data.text], { type: res.data.contentType }));
    const a = el("a", { attrs: { href: url, download: res.data.filename } });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    say(msg, `Saved ${res.data.filename}`);
  }

  /** One button per format the backend exports (its registry decides which there are). */
  function renderExports(formats) {
    const box = $("pl-export-buttons");
    box.replaceChildren(
      ...formats
        .filter((f) => f.export)
        .map((f) => el("button", { text: f.label, attrs: { type: "button" }, dataset: { format: f.name }, on: { click: () => exportAs(f.name) } }))
    );
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("pl-annotate").addEventListener("click", annotateNow);
    $("pl-search").addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(loadSaved, 200);
    });
    $("pl-tag").addEventListener("change", loadSaved);
    tabMessage({ type: "stats" }).then(showPageCount);
    const health = await showStatus();
    if (health) {
      renderExports(health.formats);
      loadSaved();
      loadDismissed();
    } else {
      showEmpty(lastHealth, "", "");
    }
  });
})();
