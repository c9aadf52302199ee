/* The annotation pass: finds the cards, asks the service worker for their annotations (the page once,
 * with the cards it found), and gives every card an annotation root that the features fill in.
 *
 * Cards are matched to answers only by key (shared/paper-links.js cardKey): the backend answers every
 * card under the key it was sent, so nothing here recognizes papers. A revisited page renders what the
 * worker remembers at once (marked data-pl-stale), then the fresh answer replaces it.
 *
 * A dismissal, a mute or a new for-you seed (here or in another tab: the worker says "triage-changed")
 * changes related lists, marks and dims: the cards on the page are asked for again and every root gets
 * an "update" with its new paper, drawn in place (nothing re-rendered, so focus and open lists stay).
 * Whether a paper was new is kept as the page first heard it: asking again records the visit, and a
 * paper must not turn "seen today on this page" because the reader dismissed another one.
 *
 * Events it emits on ctx (features listen): "papers" {papers, fresh} when answers arrive (before they
 * are rendered); "annotation" {root, card, paper} for every root it renders; "update" {root, card, paper}
 * for every root whose paper was asked for again; "navigated" when the URL changed; "problem" {res} /
 * "ok" after each backend answer. Listens: "triage-changed". */
(function () {
  "use strict";

  const Sel = globalThis.PaperLensSelectors;
  const Triage = globalThis.PaperLensTriage;
  const { el, isOnScreen } = globalThis.PaperLensDom;

  const DEBOUNCE_MS = 120;
  const FLASH_MS = 1600;
  const SEEN_FIELDS = ["seen_before", "first_seen", "first_seen_page"];
  // page URL + card key -> the seen fields of the first fresh answer on that page, for the document's
  // lifetime (outside init: a restart after a settings change must not turn new papers into seen ones).
  const firstHeard = new Map();
  const flashTimers = new WeakMap(); // card -> the timer that takes its jump outline off

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
    let refreshAfter = false; // a refresh asked for while a pass ran
    let refreshTimer = 0;

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
          el("div", { className: "pl-meta" }), // seen label, muted reason, "more like this"
          el("div", { className: "pl-row" }), // star, chips, dismiss
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
        cards: unique.map((c) => {
          const card = { key: c.key, id: c.id, title: c.title, summary: c.summary || null };
          if (c.authors && c.authors.length) card.authors = c.authors; // for author mutes
          return card;
        }),
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
      const page = location.href.split("#", 1)[0];
      for (const p of papers) {
        if (!p || typeof p.key !== "string") continue;
        const heard = `${page}\n${p.key}`;
        if (firstHeard.has(heard)) Object.assign(p, firstHeard.get(heard));
        else firstHeard.set(heard, Object.fromEntries(SEEN_FIELDS.map((f) => [f, p[f]])));
        // Still computing: keep showing the keyphrases shown so far until the new ones come (the chips
        // feature polls for them because `pending` stays true).
        const before = answers.get(p.key) || stale.get(p.key);
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
        settle();
      }
    }

    /** After a pass or a refresh: run what was asked for meanwhile. */
    function settle() {
      running = false;
      if (signal.aborted) return;
      if (rerun !== null) {
        const forced = rerun;
        rerun = null;
        schedule(forced);
      } else if (refreshAfter) {
        refreshAfter = false;
        scheduleRefresh();
      }
    }

    function schedule(force) {
      clearTimeout(timer);
      timer = setTimeout(() => pass(force), DEBOUNCE_MS);
    }

    /** Ask again for every card shown with a fresh answer, and update each root in place. */
    async function refresh() {
      if (signal.aborted) return;
      if (running) {
        refreshAfter = true;
        return;
      }
      running = true;
      try {
        const cards = Sel.findCards(document).filter((c) => hasRoot(c) && !rootOf(c).dataset.plStale);
        if (!cards.length) return;
        const papers = await request(cards);
        if (papers === null) return;
        for (const c of cards) {
          const root = rootOf(c);
          if (root && rendered.has(root) && answers.has(c.key)) ctx.emit("update", { root, card: c.card, paper: answers.get(c.key) });
        }
      } finally {
        settle();
      }
    }

    function scheduleRefresh() {
      clearTimeout(refreshTimer);
      refreshTimer = setTimeout(refresh, DEBOUNCE_MS);
    }

    /** The paper each rendered root shows (fresh, else remembered), one per paper id, in page order. */
    function pagePapers() {
      const out = [];
      for (const root of roots()) {
        const { key } = rendered.get(root);
        const p = answers.get(key) || stale.get(key);
        if (p) out.push(p);
      }
      return Triage.uniqueById(out);
    }

    /** Bring paper `id`'s card into view and, unless `focus` is false, the keyboard focus onto it (its
     * star), outlined a moment. Returns false when the page shows no card of it. */
    function jump(id, { focus = true } = {}) {
      const root = roots(id).find((r) => r.getClientRects().length);
      if (!root) return false;
      const card = cardOf(root) || root;
      card.scrollIntoView({ block: "center" });
      const target = root.querySelector(".pl-star") || root.querySelector("button, a[href]");
      if (target && focus) target.focus({ preventScroll: true });
      card.classList.add("pl-flash");
      clearTimeout(flashTimers.get(card));
      flashTimers.set(card, setTimeout(() => card.classList.remove("pl-flash"), FLASH_MS));
      return true;
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
        counts: Triage.pageCounts(pagePapers()),
      };
    }

    ctx.on("triage-changed", scheduleRefresh);

    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      clearTimeout(refreshTimer);
      for (const node of document.querySelectorAll(".pl-annot")) node.remove();
      for (const node of document.querySelectorAll(".pl-flash")) node.classList.remove("pl-flash");
      delete docEl().dataset.plReady;
    });

    Object.assign(ctx, {
      papers: { forId, all: () => [...answers.values(), ...stale.values()], onPage: pagePapers },
      roots,
      cardOf,
      jump,
      refresh: scheduleRefresh,
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
