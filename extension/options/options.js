/* Options page: reads and writes the settings in chrome.storage (validated by PaperLensSettings). How
 * many keyphrases a card can show is the backend's setting: the input's maximum comes from it. The
 * backend URL is checked as it is typed, and "Test connection" asks the worker for health at the URL
 * in the field, before it is saved. */
(function () {
  "use strict";

  const S = globalThis.PaperLensSettings;
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
      });
      fill(saved);
      say(msg, "Saved.", "");
      showBackendLimit();
    } catch (e) {
      say(msg, e.message, "error");
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    fill(await S.load());
    showBackendLimit();
    $("pl-form").addEventListener("submit", onSubmit);
    $("backendUrl").addEventListener("input", checkUrl);
    $("pl-test").addEventListener("click", testConnection);
    $("pl-reset").addEventListener("click", async () => {
      fill(await S.save(S.DEFAULTS));
      say($("pl-msg"), "Defaults restored.", "");
    });
  });
})();
