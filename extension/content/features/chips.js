/* Keyphrase chips: the paper's keyphrases as buttons under its title. Papers whose keyphrases are still
 * being computed show "keyphrases…" and fill in as the backend finishes them (polled by paper id).
 * Listens: "annotation" (adds the chips), "papers" (starts polling for pending ones).
 * Emits: "chip" {phrase, root} on a click (phrase-highlight.js acts on it). */
(function () {
  "use strict";

  const { el } = globalThis.PaperLensDom;

  const POLL_MS = 1500;
  const POLL_MAX = 120; // three minutes of polling for pending keyphrases

  function phrasesOf(paper, perCard) {
    return (Array.isArray(paper.keyphrases) ? paper.keyphrases : [])
      .map((k) => (k && typeof k === "object" ? k.phrase : k))
      .filter((p) => typeof p === "string" && p.trim())
      .slice(0, perCard === null ? undefined : perCard);
  }

  function init(signal, ctx) {
    const perCard = ctx.settings.keyphrasesPerCard;
    const pending = new Set(); // paper ids
    let polling = false;

    function fill(root, paper) {
      let group = root.querySelector(".pl-chips");
      if (!group) {
        group = el("div", { className: "pl-chips", attrs: { role: "group", "aria-label": "Keyphrases" } });
        root.querySelector(".pl-row").append(group);
      }
      group.replaceChildren();
      // Still being computed: busy, showing the remembered phrases if the session has them, else a note.
      if (paper.pending) group.setAttribute("aria-busy", "true");
      else group.removeAttribute("aria-busy");
      const phrases = phrasesOf(paper, perCard);
      if (!phrases.length && paper.pending) {
        group.append(el("span", { className: "pl-pending", text: "keyphrases…" }));
        return;
      }
      for (const phrase of phrases) {
        group.append(
          el("button", {
            className: "pl-chip",
            text: phrase,
            attrs: {
              type: "button",
              "aria-pressed": "false",
              "aria-label": `Keyphrase ${phrase}: highlight papers on this page that share it`,
              title: "Highlight papers on this page that share this keyphrase",
            },
            dataset: { plPhrase: phrase.toLowerCase() },
            on: { click: () => ctx.emit("chip", { phrase, root }) },
          })
        );
      }
    }

    /** New keyphrases (or none, `[]`) for paper `id`: into every paper object and root of it. */
    function settle(id, keyphrases) {
      pending.delete(id);
      const papers = ctx.papers.forId(id);
      for (const p of papers) {
        p.keyphrases = keyphrases === undefined ? p.keyphrases || [] : keyphrases;
        p.pending = false;
      }
      if (papers.length) for (const root of ctx.roots(id)) fill(root, papers[0]);
    }

    async function poll() {
      if (polling) return;
      polling = true;
      try {
        for (let i = 0; i < POLL_MAX && pending.size && !signal.aborted; i++) {
          await new Promise((r) => setTimeout(r, POLL_MS));
          if (signal.aborted) return;
          const res = await ctx.send({ type: "keyphrases", ids: [...pending] });
          if (signal.aborted) return;
          if (!res.ok) continue; // the backend may be restarting: ask again next round
          const got = res.data.keyphrases || {};
          const still = new Set(Array.isArray(res.data.pending) ? res.data.pending : []);
          for (const id of [...pending]) if (!still.has(id)) settle(id, Array.isArray(got[id]) ? got[id] : []);
        }
        // Whatever is still pending gets a plain "no keyphrases" instead of a spinner.
        for (const id of [...pending]) settle(id, undefined);
      } finally {
        polling = false;
      }
    }

    ctx.on("annotation", ({ root, paper }) => fill(root, paper));
    ctx.on("papers", ({ papers, fresh }) => {
      if (!fresh) return;
      for (const p of papers) if (p.pending) pending.add(p.id);
      if (pending.size) poll();
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { chips: { init } });
})();
