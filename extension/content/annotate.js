/* The annotation pass: finds the cards, asks the service worker for their annotations (the page once,
 * with the cards it found), and gives every card an annotation root that the features fill in.
 *
 * Cards are matched to answers only by key (shared/paper-links.js cardKey): the backend answers every
 * card under the key it was sent, so nothing here recognizes papers. A revisited page renders what the
 * worker remembers at once (marked data-pl-stale), then the fresh answer replaces it.
 *
 * Events it emits on ctx (features listen): "papers" {papers, fresh} when answers arrive (before they
 * are rendered); "annotation" {root, card, paper} for every root it renders; "navigated" when the URL
 * changed; "problem" {res} / "ok" after each backend answer. */
(function () {
  "use strict";

  const Sel = globalThis.PaperLensSelectors;
  const { el, isOnScreen } = globalThis.PaperLensDom;

  const DEBOUNCE_MS = 120;

  function docEl() {
    return document.documentElement;
  }

  function init(signal, ctx) {
    const answers = new Map(); // card key -> the backend's paper for it (this page's lifetime)
    const stale = new Map(); // card key -> the worker's remembered paper, until the fresh one comes
    const failed = new Set(); // card keys the backend did not answer; asked again on Retry or navigation
    const rendered = new WeakMap(); // annotation root -> {key, card}
    const annotatedCards = new WeakSet(); // cards that got a root
    let lastUrl = location.href;
    let timer = 0;
    let running = false;
    let rerun = null; // a pass asked for while one ran: null, or whether it was forced

    const hasRoot = (c) => {
      const next = c.anchor.nextElementSibling;
      return Boolean(next && next.matches("[data-pl-key]"));
    };
    const rootOf = (c) => (hasRoot(c) ? c.anchor.nextElementSibling : null);

    /** Every paper object this page holds for `id` (fresh and remembered). */
    function forId(id) {
      return [...answers.values(), ...stale.values()].filter((p) => p.id === id);
    }

    function roots(id) {
      const all = document.querySelectorAll("[data-pl-key]");
      return [...all].filter((r) => rendered.has(r) && (id === undefined || r.dataset.plPaper === id));
    }

    function cardOf(root) {
      const info = rendered.get(root);
      return info ? info.card : null;
    }

    /** A short message on a card's annotation; `error` styles it as one. Cleared after `ms` (0: kept). */
    function flash(root, text, ms, error) {
      const msg = root.querySelector(".pl-msg");
      if (!msg) return;
      msg.textContent = text;
      msg.classList.toggle("pl-msg-error", Boolean(error));
      clearTimeout(msg._plTimer);
      if (ms) msg._plTimer = setTimeout(() => (msg.textContent = ""), ms);
    }

    function render(c, paper, isStale) {
      const old = rootOf(c);
      if (old) old.remove();
      const root = el(
        "div",
        {
          className: "pl-annot",
          attrs: { role: "group", "aria-label": "Paper Lens" },
          dataset: { plPaper: paper.id, plKey: c.key },
        },
        [
          el("div", { className: "pl-row" }),
          el("span", { className: "pl-msg", attrs: { role: "status", "aria-live": "polite" } }),
        ]
      );
      if (isStale) root.dataset.plStale = "1";
      c.anchor.after(root);
      rendered.set(root, { key: c.key, card: c.card });
      annotatedCards.add(c.card);
      ctx.emit("annotation", { root, card: c.card, paper });
    }

    /** Roots whose card the page reused for another paper (a keyed re-render changes the link and title
     * in place), or that lost their card: removed, so this pass annotates the card afresh. */
    function dropReused(cards) {
      for (const c of cards) {
        const root = rootOf(c);
        if (root && (!rendered.has(root) || root.dataset.plKey !== c.key)) root.remove();
      }
    }

    async function request(cards) {
      const unique = [...new Map(cards.map((c) => [c.key, c])).values()];
      performance.mark("pl-request");
      const res = await ctx.send({
        type: "annotate",
        url: location.href,
        html: docEl().outerHTML,
        cards: unique.map((c) => ({ key: c.key, id: c.id, title: c.title, summary: c.summary || null })),
        // The cards on screen get their keyphrases first.
        visible: [...new Set(cards.filter((c) => isOnScreen(c.anchor)).map((c) => c.key))],
      });
      performance.mark("pl-response");
      if (signal.aborted) return null;
      if (!res.ok) {
        ctx.emit("problem", { res });
        return null;
      }
      ctx.emit("ok", {});
      const papers = (res.data && res.data.papers) || [];
      for (const p of papers) {
        if (!p || typeof p.key !== "string") continue;
        // Still computing: keep showing the remembered keyphrases until the new ones come (the chips
        // feature polls for them because `pending` stays true).
        const before = stale.get(p.key);
        if (p.pending && !(p.keyphrases || []).length && before && (before.keyphrases || []).length) {
          p.keyphrases = before.keyphrases;
        }
        answers.set(p.key, p);
      }
      ctx.emit("papers", { papers, fresh: true });
      return papers;
    }

    /** Stale-while-revalidate: what the worker remembers from earlier visits, rendered at once. */
    async function renderRemembered(cards) {
      performance.mark("pl-cache-request");
      const res = await ctx.send({ type: "cached", keys: [...new Set(cards.map((c) => c.key))] });
      performance.mark("pl-cache-response");
      if (signal.aborted || !res.ok) return;
      const papers = res.data.papers || [];
      if (!papers.length) return;
      for (const p of papers) stale.set(p.key, p);
      ctx.emit("papers", { papers, fresh: false });
      for (const c of cards) if (!hasRoot(c) && stale.has(c.key)) render(c, stale.get(c.key), true);
    }

    /** One pass over the cards: render what is known, ask for the rest. `force` (Retry, a new backend)
     * also asks again for cards showing remembered data. */
    async function pass(force) {
      if (signal.aborted) return;
      if (running) {
        rerun = Boolean(rerun) || force === true; // a Retry during a pass must not lose its force
        return;
      }
      running = true;
      performance.mark("pl-pass");
      try {
        if (location.href !== lastUrl) {
          lastUrl = location.href;
          failed.clear();
          ctx.emit("navigated", {});
        }
        const cards = Sel.findCards(document);
        dropReused(cards);
        let missing = [];
        for (const c of cards) {
          if (hasRoot(c) && !(force === true && rootOf(c).dataset.plStale)) continue;
          if (answers.has(c.key) && !hasRoot(c)) render(c, answers.get(c.key), false);
          else if (!answers.has(c.key) && (!failed.has(c.key) || force === true)) missing.push(c);
        }
        if (force === true) failed.clear();
        if (missing.length) {
          delete docEl().dataset.plReady;
          await renderRemembered(missing.filter((c) => !hasRoot(c)));
          performance.mark("pl-cache-rendered");
          const papers = await request(missing);
          if (papers === null) {
            // Not again on every DOM change: Retry, a new backend URL or a navigation asks again.
            for (const c of missing) failed.add(c.key);
            if (!signal.aborted) docEl().dataset.plReady = "error";
            return;
          }
          for (const c of missing) {
            if (!c.anchor.isConnected) continue;
            if (answers.has(c.key)) {
              stale.delete(c.key);
              render(c, answers.get(c.key), false);
            } else failed.add(c.key);
          }
        }
        if (!signal.aborted) {
          performance.mark("pl-done");
          docEl().dataset.plReady = "done";
        }
      } finally {
        running = false;
        if (rerun !== null && !signal.aborted) {
          const forced = rerun;
          rerun = null;
          schedule(forced);
        }
      }
    }

    function schedule(force) {
      clearTimeout(timer);
      timer = setTimeout(() => pass(force), DEBOUNCE_MS);
    }

    function stats() {
      const cards = Sel.findCards(document);
      const keys = new Set(cards.map((c) => c.key));
      return {
        ok: true,
        url: location.href,
        cards: keys.size,
        annotated: [...keys].filter((k) => cards.some((c) => c.key === k && hasRoot(c))).length,
        saved: new Set([...answers.values()].filter((p) => p.saved).map((p) => p.id)).size,
      };
    }

    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      for (const node of document.querySelectorAll(".pl-annot")) node.remove();
      delete docEl().dataset.plReady;
    });

    Object.assign(ctx, {
      papers: { forId, all: () => [...answers.values(), ...stale.values()] },
      roots,
      cardOf,
      isCard: (node) => annotatedCards.has(node),
      flash,
      requestPass: schedule,
      retry: () => pass(true),
      stats,
    });
    return { pass, stats };
  }

  globalThis.PaperLensAnnotate = Object.freeze({ init });
})();
