/* Options page: reads and writes the settings in chrome.storage (validated by PaperLensSettings). How
 * many keyphrases a card can show is the backend's setting: the input's maximum comes from it. */
(function () {
  "use strict";

  const S = globalThis.PaperLensSettings;
  const $ = (id) => document.getElementById(id);

  function fill(settings) {
    $("backendUrl").value = settings.backendUrl;
    $("keyphrasesPerCard").value = settings.keyphrasesPerCard === null ? "" : String(settings.keyphrasesPerCard);
    $("autoAnnotate").checked = settings.autoAnnotate;
    $("showRelated").checked = settings.showRelated;
  }

  /** The backend computes keyphrases_per_paper per paper: a card cannot show more. */
  async function showBackendLimit() {
    const res = await globalThis.PaperLensMessages.send({ type: "health" });
    if (!res.ok) return;
    const n = res.data.settings.keyphrases_per_paper;
    $("keyphrasesPerCard").max = String(n);
    $("pl-kp-hint").textContent = `Empty: all ${n} keyphrases the backend computes per paper (at most ${n}).`;
  }

  async function onSubmit(event) {
    event.preventDefault();
    const msg = $("pl-msg");
    const perCard = $("keyphrasesPerCard").value.trim();
    try {
      const saved = await S.save({
        backendUrl: $("backendUrl").value,
        keyphrasesPerCard: perCard === "" ? null : Number(perCard),
        autoAnnotate: $("autoAnnotate").checked,
        showRelated: $("showRelated").checked,
      });
      fill(saved);
      msg.textContent = "Saved.";
      showBackendLimit();
    } catch (e) {
      msg.textContent = e.message;
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("pl-cmd").textContent = S.START_COMMAND;
    fill(await S.load());
    showBackendLimit();
    $("pl-form").addEventListener("submit", onSubmit);
    $("pl-reset").addEventListener("click", async () => {
      fill(await S.save(S.DEFAULTS));
      $("pl-msg").textContent = "Defaults restored.";
    });
  });
})();
