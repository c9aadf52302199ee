/* Options page: reads and writes the settings in chrome.storage (validated by PaperLensSettings). How
 * many keyphrases a card can show is the backend's setting: the input's maximum comes from it. The
 * backend URL is checked as it is typed, and "Test connection" asks the worker for health at the URL
 * in the field, before it is saved. Muted terms and the for-you seed are the backend's (GET/PUT/DELETE
 * /api/muted, /api/for-you/seed, through the worker): they change at once, not with Save. */
(function () {
  "use strict";

  const S = globalThis.PaperLensSettings;
  const { el } = globalThis.PaperLensDom;
  const { send } = globalThis.PaperLensMessages;
  const $ = (id) => document.getElementById(id);
  let testRun = 0; // a newer test (or an edit) makes an older answer stale

  /** A message next to a field: `kind` "error", "ok" or "" (plain). */
  function say(node, text, kind) {
    node.textContent = text;
    node.classList.toggle("pl-error", kind === "error");
    node.classList.toggle("pl-ok-msg", kind === "ok");
  }

  function fill(settings) {
    $("backendUrl").value = settings.backendUrl;
    $("keyphrasesPerCard").value = settings.keyphrasesPerCard === null ? "" : String(settings.keyphrasesPerCard);
    $("autoAnnotate").checked = settings.autoAnnotate;
    $("showRelated").checked = settings.showRelated;
    for (const key of ["dimSeen", "hideDismissed", "sortByRelevance"]) $(key).checked = settings[key];
    $("relevanceCutoff").value = String(settings.relevanceCutoff);
    checkUrl();
  }

  /** The field's URL normalized, or null with the reason shown next to it. The start command shown
   * follows the URL's port. */
  function checkUrl() {
    const input = $("backendUrl");
    testRun++;
    try {
      const url = S.normalizeBackendUrl(input.value);
      input.removeAttribute("aria-invalid");
      say($("pl-url-msg"), "", "");
      $("pl-cmd").textContent = S.startCommand(url);
      return url;
    } catch (e) {
      input.setAttribute("aria-invalid", "true");
      say($("pl-url-msg"), e.message, "error");
      return null;
    }
  }

  async function testConnection() {
    const url = checkUrl();
    if (url === null) return;
    const run = testRun;
    const msg = $("pl-url-msg");
    say(msg, `Testing ${url}…`, "");
    const res = await send({ type: "checkBackend", backendUrl: url });
    if (run !== testRun) return; // the URL changed meanwhile: this answer is about another one
    if (res.ok) {
      const h = res.data;
      say(msg, `Connected: Paper Lens ${h.version}, ${h.papers} papers (${h.saved} saved)`, "ok");
    } else if (res.down) {
      say(msg, `Nothing answers at ${url}: the backend is not running there. Start it with: ${res.command}`, "error");
    } else {
      say(msg, `Not a working Paper Lens backend: ${res.error}`, "error");
    }
  }

  /** The backend computes keyphrases_per_paper per paper: a card cannot show more. */
  async function showBackendLimit() {
    const res = await send({ type: "health" });
    if (!res.ok) return;
    const n = res.data.settings.keyphrases_per_paper;
    $("keyphrasesPerCard").max = String(n);
    $("pl-kp-hint").textContent = `Empty: all ${n} keyphrases the backend computes per paper (at most ${n}).`;
  }

  async function onSubmit(event) {
    event.preventDefault();
    const msg = $("pl-msg");
    if (checkUrl() === null) {
      say(msg, `Not saved: ${$("pl-url-msg").textContent}`, "error");
      $("backendUrl").focus();
      return;
    }
    const perCard = $("keyphrasesPerCard").value.trim();
    try {
      const saved = await S.save({
        backendUrl: $("backendUrl").value,
        keyphrasesPerCard: perCard === "" ? null : Number(perCard),
        autoAnnotate: $("autoAnnotate").checked,
        showRelated: $("showRelated").checked,
        dimSeen: $("dimSeen").checked,
        hideDismissed: $("hideDismissed").checked,
        sortByRelevance: $("sortByRelevance").checked,
        relevanceCutoff: Number($("relevanceCutoff").value || 0),
      });
      fill(saved);
      say(msg, "Saved.", "");
      showBackendLimit();
    } catch (e) {
      say(msg, e.message, "error");
    }
  }

  function backendProblem(res) {
    return res.down ? "the backend is not running" : res.error;
  }

  function mutedItem(m) {
    const remove = el("button", {
      text: "Unmute",
      attrs: { type: "button", "aria-label": `Unmute the ${m.kind} “${m.term}”` },
    });
    remove.addEventListener("click", async () => {
      remove.disabled = true;
      const res = await send({ type: "unmute", term: m.term, kind: m.kind });
      if (!res.ok && res.status !== 404) {
        remove.disabled = false;
        say($("pl-mute-msg"), `Could not unmute: ${backendProblem(res)}`, "error");
        return;
      }
      say($("pl-mute-msg"), `Unmuted “${m.term}”.`, "");
      loadMuted();
    });
    return el("li", { className: "pl-muted-item", dataset: { plMuted: `${m.kind}:${m.term}` } }, [
      el("span", { className: "pl-muted-term", text: m.term }),
      el("span", { className: "pl-kind", text: m.kind }),
      remove,
    ]);
  }

  async function loadMuted() {
    const res = await send({ type: "listMuted" });
    const list = $("pl-muted-list");
    if (!res.ok) {
      list.replaceChildren();
      say($("pl-mute-msg"), `Muted terms cannot be listed: ${backendProblem(res)}`, "error");
      return;
    }
    const muted = Array.isArray(res.data.muted) ? res.data.muted : [];
    list.replaceChildren(...muted.map(mutedItem));
    if (!muted.length) list.append(el("li", { className: "pl-muted pl-hint", text: "Nothing muted." }));
  }

  async function onMute(event) {
    event.preventDefault();
    const term = $("pl-mute-term").value.trim();
    const kind = $("pl-mute-kind").value;
    if (!term) {
      say($("pl-mute-msg"), "Type a word, a phrase or an author's name first.", "error");
      $("pl-mute-term").focus();
      return;
    }
    const res = await send({ type: "mute", term, kind });
    if (!res.ok) {
      say($("pl-mute-msg"), `Not muted: ${backendProblem(res)}`, "error");
      return;
    }
    $("pl-mute-term").value = "";
    say($("pl-mute-msg"), `Muted the ${kind} “${res.data.muted.term}”: open papers pages dim matching cards.`, "ok");
    loadMuted();
  }

  /** The tags the seed can be (every tag of a saved paper) and the seed the backend uses now. */
  async function loadSeed() {
    const select = $("pl-seed");
    const [seed, saved] = await Promise.all([send({ type: "forYouSeed" }), send({ type: "listSaved", query: { limit: 1000 } })]);
    if (!seed.ok) {
      select.disabled = true;
      say($("pl-seed-msg"), `The seed cannot be read: ${backendProblem(seed)}`, "error");
      return;
    }
    select.disabled = false;
    const tags = saved.ok ? [...new Set(saved.data.saved.flatMap((r) => (Array.isArray(r.tags) ? r.tags : [])))].sort() : [];
    const current = seed.data.seed.tag;
    if (current && !tags.includes(current)) tags.unshift(current);
    select.replaceChildren(el("option", { text: "All saved papers", attrs: { value: "" } }), ...tags.map((t) => el("option", { text: `Papers tagged “${t}”`, attrs: { value: t } })));
    select.value = current || "";
    describeSeed(seed.data.seed, "");
  }

  function describeSeed(seed, kind) {
    const n = `${seed.papers} paper${seed.papers === 1 ? "" : "s"}`;
    say($("pl-seed-msg"), seed.tag ? `For you follows the ${n} tagged “${seed.tag}”.` : `For you follows all ${n} you saved.`, kind);
  }

  async function onSeed() {
    const select = $("pl-seed");
    const tag = select.value || null;
    select.disabled = true;
    const res = await send({ type: "setForYouSeed", tag });
    select.disabled = false;
    if (!res.ok) {
      say($("pl-seed-msg"), `Not changed: ${backendProblem(res)}`, "error");
      loadSeed();
      return;
    }
    describeSeed(res.data.seed, "ok");
  }

  document.addEventListener("DOMContentLoaded", async () => {
    fill(await S.load());
    showBackendLimit();
    loadMuted();
    loadSeed();
    $("pl-mute-form").addEventListener("submit", onMute);
    $("pl-seed").addEventListener("change", onSeed);
    $("pl-form").addEventListener("submit", onSubmit);
    $("backendUrl").addEventListener("input", checkUrl);
    $("pl-test").addEventListener("click", testConnection);
    $("pl-reset").addEventListener("click", async () => {
      fill(await S.save(S.DEFAULTS));
      say($("pl-msg"), "Defaults restored.", "");
    });
  });
})();
