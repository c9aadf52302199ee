/* Options page: reads and writes the settings in chrome.storage (validated by PaperLensSettings). */
(function () {
  "use strict";

  const S = globalThis.PaperLensSettings;
  const $ = (id) => document.getElementById(id);

  function fill(settings) {
    $("backendUrl").value = settings.backendUrl;
    $("keyphrasesPerCard").value = String(settings.keyphrasesPerCard);
    $("autoAnnotate").checked = settings.autoAnnotate;
    $("showRelated").checked = settings.showRelated;
  }

  async function onSubmit(event) {
    event.preventDefault();
    const msg = $("pl-msg");
    try {
      const saved = await S.save({
        backendUrl: $("backendUrl").value,
        keyphrasesPerCard: Number($("keyphrasesPerCard").value),
        autoAnnotate: $("autoAnnotate").checked,
        showRelated: $("showRelated").checked,
      });
      fill(saved);
      msg.textContent = "Saved.";
    } catch (e) {
      msg.textContent = e.message;
    }
  }

  document.addEventListener("DOMContentLoaded", async () => {
    $("pl-cmd").textContent = S.START_COMMAND;
    fill(await S.load());
    $("pl-form").addEventListener("submit", onSubmit);
    $("pl-reset").addEventListener("click", async () => {
      fill(await S.save(S.DEFAULTS));
      $("pl-msg").textContent = "Defaults restored.";
    });
  });
})();
