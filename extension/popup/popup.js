/* Toolbar popup: backend status, annotate now, counts, the saved list and exports.
 * Talks to the backend only through the service worker (messages), like the content script. */
(function () {
  "use strict";

  const $ = (id) => document.getElementById(id);
  let savedRecords = [];
  let searchTimer = 0;

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = String(text);
    return node;
  }

  async function send(msg) {
    try {
      return (await chrome.runtime.sendMessage(msg)) || { ok: false, error: "no answer" };
    } catch (e) {
      return { ok: false, error: String((e && e.message) || e) };
    }
  }

  async function activeTab() {
    const [tab] = await chrome.tabs.query({ active: true, currentWindow: true });
    return tab;
  }

  async function tabMessage(msg) {
    const tab = await activeTab();
    if (!tab || tab.id === undefined) return null;
    try {
      return await chrome.tabs.sendMessage(tab.id, msg);
    } catch (e) {
      return null; // no content script: not a huggingface.co/papers page
    }
  }

  async function showStatus() {
    const box = $("pl-status");
    const res = await send({ type: "health" });
    box.replaceChildren();
    box.classList.toggle("pl-ok", res.ok);
    box.classList.toggle("pl-down", !res.ok);
    if (res.ok) {
      const h = res.data;
      box.append(el("strong", "", "Connected"), ` · ${h.papers} papers in your library, ${h.saved} saved`);
      return true;
    }
    if (res.down) {
      box.append(
        el("strong", "", "Backend not running"),
        ` (nothing answers at ${res.backendUrl}). Start it from the Paper Lens folder with:`,
        el("code", "", res.command)
      );
    } else {
      box.append(el("strong", "", "Backend problem: "), res.error);
    }
    return false;
  }

  function showPageCount(stats) {
    const out = $("pl-page-count");
    if (!stats) {
      out.textContent = "Open huggingface.co/papers to annotate.";
      return;
    }
    out.textContent = `This page: ${stats.annotated}/${stats.cards} cards annotated`;
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
    select.replaceChildren(el("option", "", "All tags"));
    select.firstChild.value = "";
    for (const t of tags) {
      const o = el("option", "", t);
      o.value = t;
      select.append(o);
    }
    select.value = tags.includes(current) ? current : "";
  }

  function matches(r, q, tag) {
    if (tag && !(Array.isArray(r.tags) && r.tags.includes(tag))) return false;
    if (!q) return true;
    const hay = [r.title, r.id, (r.authors || []).join(" "), (r.tags || []).join(" "), r.note].join(" ").toLowerCase();
    return q
      .toLowerCase()
      .split(/\s+/)
      .every((w) => hay.includes(w));
  }

  function safeHref(r) {
    try {
      const u = new URL(String(r.url || ""), "https://huggingface.co");
      if (u.protocol === "https:" && u.hostname === "huggingface.co") return u.href;
    } catch (e) {
      /* fall through */
    }
    return /^\d{4}\.\d{4,5}$/.test(r.id) ? `https://huggingface.co/papers/${r.id}` : "https://huggingface.co/papers";
  }

  function renderSaved() {
    const q = $("pl-search").value.trim();
    const tag = $("pl-tag").value;
    const list = $("pl-saved-list");
    // The backend filters too (q, tag); filtering here as well keeps the list right on older backends.
    const shown = savedRecords.filter((r) => matches(r, q, tag));
    list.replaceChildren();
    for (const r of shown) {
      const item = el("li", "pl-saved-item");
      item.dataset.plSaved = r.id;
      const main = el("div", "pl-saved-main");
      const link = el("a", "pl-saved-title", r.title || r.id);
      link.href = safeHref(r);
      link.target = "_blank";
      link.rel = "noopener";
      main.append(link);
      const tags = el("div", "pl-tags");
      for (const t of Array.isArray(r.tags) ? r.tags : []) tags.append(el("span", "pl-tag", t));
      const edit = el("button", "pl-edit-tags", "tags…");
      edit.type = "button";
      edit.setAttribute("aria-label", `Edit tags of ${r.title || r.id}`);
      edit.addEventListener("click", () => editTags(r, tags));
      tags.append(edit);
      main.append(tags);
      const unsave = el("button", "pl-unsave", "★");
      unsave.type = "button";
      unsave.setAttribute("aria-label", `Unsave ${r.title || r.id}`);
      unsave.title = "Remove from your library";
      unsave.addEventListener("click", () => unsaveRecord(r, unsave));
      item.append(unsave, main);
      list.append(item);
    }
    $("pl-saved-empty").hidden = shown.length > 0;
    $("pl-saved-empty").textContent = savedRecords.length
      ? "No saved paper matches."
      : "Nothing saved yet: click ☆ on a paper card.";
  }

  async function loadSaved() {
    const res = await send({ type: "listSaved", query: { q: $("pl-search").value.trim(), tag: $("pl-tag").value } });
    if (!res.ok) {
      savedRecords = [];
      $("pl-saved-total").textContent = "";
      renderSaved();
      return;
    }
    savedRecords = Array.isArray(res.data.saved) ? res.data.saved : [];
    $("pl-saved-total").textContent = `(${res.data.total ?? savedRecords.length})`;
    if (!$("pl-search").value && !$("pl-tag").value) renderTags(savedRecords);
    renderSaved();
  }

  async function unsaveRecord(r, button) {
    button.disabled = true;
    const res = await send({ type: "unsave", id: r.id });
    if (!res.ok && res.status !== 404) {
      button.disabled = false;
      $("pl-export-msg").textContent = `Could not unsave: ${res.error}`;
      return;
    }
    await loadSaved();
    showStatus();
  }

  /** Swap the tag chips for a comma-separated input; Enter stores the tags, Escape cancels. */
  function editTags(r, holder) {
    const input = el("input", "pl-tags-input");
    input.value = (r.tags || []).join(", ");
    input.setAttribute("aria-label", "Tags, separated by commas");
    input.maxLength = 300;
    holder.replaceChildren(input);
    input.focus();
    input.addEventListener("keydown", async (e) => {
      if (e.key === "Escape") {
        e.preventDefault();
        renderSaved();
      } else if (e.key === "Enter") {
        e.preventDefault();
        const tags = [...new Set(input.value.split(",").map((t) => t.trim()).filter(Boolean))];
        let res = await send({ type: "patchSaved", id: r.id, changes: { tags } });
        if (!res.ok && res.status === 405) res = await send({ type: "save", id: r.id, tags }); // older backend
        if (!res.ok) {
          $("pl-export-msg").textContent = `Could not store the tags: ${res.error}`;
          return;
        }
        await loadSaved();
      }
    });
  }

  async function exportAs(format) {
    const msg = $("pl-export-msg");
    msg.textContent = "Exporting…";
    const res = await send({ type: "exportSaved", format });
    if (!res.ok) {
      msg.textContent = res.status === 404 || res.status === 405 ? "This backend cannot export yet." : `Export failed: ${res.error}`;
      return;
    }
    const blob = new Blob([res.data.text], { type: res.data.contentType });
    const url = URL.createObjectURL(blob);
    const a = el("a");
    a.href = url;
    a.download = res.data.filename;
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
    msg.textContent = `Saved ${res.data.filename}`;
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("pl-annotate").addEventListener("click", annotateNow);
    $("pl-search").addEventListener("input", () => {
      clearTimeout(searchTimer);
      searchTimer = setTimeout(loadSaved, 200);
    });
    $("pl-tag").addEventListener("change", loadSaved);
    for (const b of document.querySelectorAll(".pl-export button")) {
      b.addEventListener("click", () => exportAs(b.dataset.format));
    }
    tabMessage({ type: "stats" }).then(showPageCount);
    if (await showStatus()) loadSaved();
    else renderSaved();
  });
})();
