/* Content script entry: finds the cards, asks the service worker for annotations, renders them and
 * keeps them in step with the single-page app. Features start with init(signal) and undo everything
 * they did when the signal aborts, so a disabled extension leaves no trace on the page. */
(function () {
  "use strict";

  const Sel = globalThis.PaperLensSelectors;
  const Dom = globalThis.PaperLensDom;
  const Render = globalThis.PaperLensRender;
  const Settings = globalThis.PaperLensSettings;

  const DEBOUNCE_MS = 120;
  const POLL_MS = 1500;
  const POLL_MAX = 120; // three minutes of polling for pending keyphrases
  const FOR_YOU_MIN = 0.3; // below this nothing is "close to your library"
  const FOR_YOU_SHARE = 0.1; // highlight at most the top 10% of a page

  let settings = Settings.DEFAULTS;
  let controller = null;
  let annotator = null;

  /** Message the service worker; never throws (a reloaded extension invalidates this script). */
  async function send(msg) {
    try {
      const res = await chrome.runtime.sendMessage(msg);
      return res || { ok: false, error: "no answer from the extension" };
    } catch (e) {
      if (!chrome.runtime || !chrome.runtime.id) stop(); // extension reloaded or removed: clean up
      return { ok: false, error: String((e && e.message) || e) };
    }
  }

  function docEl() {
    return document.documentElement;
  }

  /** The annotation feature. Returns {pass, stats, saveFocused}. */
  function initAnnotator(signal) {
    const byId = new Map(); // paper id -> annotation data from the backend
    const byTitle = new Map(); // normalized title -> same
    const staleById = new Map(); // paper id -> the worker's cached annotation, until the fresh one comes
    const cardIds = new Map(); // card element -> paper id (cards we annotated)
    const failed = new Set(); // card keys the backend did not return; retried after navigation
    const pendingIds = new Set();
    let lastUrl = location.href;
    let timer = 0;
    let running = false;
    let rerun = false;
    let polling = false;
    let activePhrase = null;
    let lastPointerCard = null;
    let bannerNode = null;
    const opts = { perCard: settings.keyphrasesPerCard, showRelated: settings.showRelated };
    const handlers = { onChip, onStar: (id, root) => toggleSaved(id, root) };

    const keyOf = (c) => c.id || "title:" + Dom.normalizeTitle(c.title);
    const hasAnnotation = (card) => Boolean(card.querySelector("[data-pl-paper]"));
    const renderedFor = new WeakMap(); // annotation root -> keyOf(card) when it was rendered

    /** Cards whose nodes the page reused for another paper (a keyed re-render changes the link and
     * title in place): drop the old annotation so this pass annotates the card afresh. */
    function dropReused(cards) {
      for (const c of cards) {
        const root = c.card.querySelector("[data-pl-paper]");
        if (root && renderedFor.has(root) && renderedFor.get(root) !== keyOf(c)) {
          root.remove();
          c.card.classList.remove("pl-for-you", "pl-match");
        }
      }
    }
    const paperFor = (id) => byId.get(id) || staleById.get(id) || null;
    const lookup = (c) => (c.id && byId.get(c.id)) || byTitle.get(Dom.normalizeTitle(c.title)) || null;

    function remember(papers) {
      for (const p of Array.isArray(papers) ? papers : []) {
        if (!p || typeof p.id !== "string") continue;
        byId.set(p.id, p);
        byTitle.set(Dom.normalizeTitle(p.title), p);
        if (p.pending) pendingIds.add(p.id);
      }
    }

    function render(c, paper) {
      if (hasAnnotation(c.card)) return; // never twice
      const node = Render.annotation(paper, opts, handlers);
      c.anchor.after(node);
      renderedFor.set(node, keyOf(c));
      cardIds.set(c.card, paper.id);
      c.card.classList.toggle("pl-for-you", Boolean(paper._plForYou));
      if (paper._plForYou) node.classList.add("pl-annot-for-you");
      if (activePhrase) markPhrase(activePhrase);
    }

    /** Mark the papers closest to the reader's saved library (for_you) among the page's papers. */
    function rankForYou(papers) {
      const scored = papers.filter((p) => typeof p.for_you === "number" && p.for_you >= FOR_YOU_MIN);
      scored.sort((a, b) => b.for_you - a.for_you);
      const top = Math.max(1, Math.floor(papers.length * FOR_YOU_SHARE));
      scored.forEach((p, i) => (p._plForYou = i < top));
    }

    /** Minimal page the backend can parse, for cards the page's own data did not cover (after a
     * client-side navigation the embedded JSON may still describe the previous page). */
    function syntheticPage(cards) {
      const items = cards.map((c) => ({
        paper: { id: c.id || "", title: c.title, summary: c.summary },
        title: c.title,
        summary: c.summary,
      }));
      const holder = document.createElement("div");
      holder.className = "SVELTE_HYDRATER contents";
      holder.setAttribute("data-target", "DailyPapers");
      holder.setAttribute("data-props", JSON.stringify({ dailyPapers: items }));
      return "<!doctype html><html><body>" + holder.outerHTML + "</body></html>";
    }

    async function annotateRequest(html) {
      performance.mark("pl-request");
      const res = await send({ type: "annotate", url: location.href, html });
      performance.mark("pl-response");
      if (signal.aborted) return null;
      if (!res.ok) {
        showBanner(res);
        return null;
      }
      hideBanner();
      const papers = (res.data && res.data.papers) || [];
      rankForYou(papers);
      remember(papers);
      return papers;
    }

    /** Stale-while-revalidate: render what the worker remembers from earlier visits at once; the
     * fresh answer replaces it (refreshStale). */
    async function renderFromCache(cards) {
      const ids = cards.map((c) => c.id).filter(Boolean);
      if (!ids.length) return;
      performance.mark("pl-cache-request");
      const res = await send({ type: "cached", ids });
      performance.mark("pl-cache-response");
      if (signal.aborted || !res.ok) return;
      const papers = res.data.papers || [];
      rankForYou(papers);
      for (const paper of papers) {
        staleById.set(paper.id, paper);
        for (const c of cards) {
          if (c.id !== paper.id || hasAnnotation(c.card)) continue;
          render(c, paper);
          const root = c.card.querySelector("[data-pl-paper]");
          if (root) root.dataset.plStale = "1";
        }
      }
    }

    /** Replace annotations rendered from the cache with the backend's fresh answer. */
    function refreshStale() {
      for (const old of document.querySelectorAll("[data-pl-paper][data-pl-stale]")) {
        const paper = byId.get(old.getAttribute("data-pl-paper"));
        if (!paper) continue;
        staleById.delete(paper.id);
        const fresh = Render.annotation(paper, opts, handlers);
        const card = [...cardIds.keys()].find((c) => c.contains(old));
        if (renderedFor.has(old)) renderedFor.set(fresh, renderedFor.get(old));
        old.replaceWith(fresh);
        if (card) card.classList.toggle("pl-for-you", Boolean(paper._plForYou));
        if (paper._plForYou) fresh.classList.add("pl-annot-for-you");
      }
      if (activePhrase) markPhrase(activePhrase);
    }

    /** One annotation pass over the cards not annotated yet. */
    async function pass(force) {
      if (signal.aborted) return;
      if (running) {
        rerun = true;
        return;
      }
      running = true;
      performance.mark("pl-pass");
      try {
        if (location.href !== lastUrl) {
          lastUrl = location.href;
          failed.clear();
          clearPhrase();
        }
        const cards = Sel.findCards(document);
        dropReused(cards);
        const todo = cards.filter((c) => !hasAnnotation(c.card) && !failed.has(keyOf(c)));
        let missing = [];
        for (const c of todo) {
          const paper = lookup(c);
          if (paper) render(c, paper);
          else missing.push(c);
        }
        // force (Retry, a new backend URL): also ask again for cards still showing cached data.
        if (missing.length || (force === true && document.querySelector("[data-pl-stale]"))) {
          delete docEl().dataset.plReady;
          await renderFromCache(missing);
          performance.mark("pl-cache-rendered");
          const papers = await annotateRequest(docEl().outerHTML);
          if (papers !== null) refreshStale();
          if (papers === null) {
            // Not again on every DOM change: Retry, a new backend URL or a navigation asks again.
            for (const c of missing) failed.add(keyOf(c));
            if (!signal.aborted) docEl().dataset.plReady = "error";
            return;
          }
          missing = missing.filter((c) => {
            const paper = lookup(c);
            if (paper && !hasAnnotation(c.card)) render(c, paper);
            return !paper;
          });
          if (missing.length && (await annotateRequest(syntheticPage(missing))) !== null) {
            refreshStale();
            missing = missing.filter((c) => {
              const paper = lookup(c);
              if (paper && !hasAnnotation(c.card)) render(c, paper);
              return !paper;
            });
          }
          for (const c of missing) failed.add(keyOf(c));
        }
        if (!signal.aborted) {
          performance.mark("pl-done");
          docEl().dataset.plReady = "done";
          if (pendingIds.size) pollKeyphrases();
        }
      } finally {
        running = false;
        if (rerun && !signal.aborted) {
          rerun = false;
          schedule();
        }
      }
    }

    function schedule() {
      clearTimeout(timer);
      timer = setTimeout(pass, DEBOUNCE_MS);
    }

    function rootsFor(id) {
      return document.querySelectorAll(`[data-pl-paper="${CSS.escape(id)}"]`);
    }

    /** Fill in keyphrases that were still being computed when the page was annotated. */
    async function pollKeyphrases() {
      if (polling) return;
      polling = true;
      try {
        for (let i = 0; i < POLL_MAX && pendingIds.size && !signal.aborted; i++) {
          await new Promise((r) => setTimeout(r, POLL_MS));
          if (signal.aborted) return;
          const res = await send({ type: "keyphrases", ids: [...pendingIds] });
          if (signal.aborted) return;
          if (!res.ok) {
            if (res.down) continue; // the backend may come back
            break; // an older backend without the route: stop asking
          }
          const got = (res.data && res.data.keyphrases) || {};
          const still = new Set(Array.isArray(res.data.pending) ? res.data.pending : []);
          for (const id of [...pendingIds]) {
            if (still.has(id)) continue;
            pendingIds.delete(id);
            const paper = byId.get(id);
            if (!paper) continue;
            paper.keyphrases = Array.isArray(got[id]) ? got[id] : [];
            paper.pending = false;
            for (const root of rootsFor(id)) Render.setChips(root, paper, opts, handlers);
          }
        }
        // Whatever is still pending gets a plain "no keyphrases" instead of a spinner.
        for (const id of pendingIds) {
          const paper = byId.get(id);
          if (!paper) continue;
          paper.pending = false;
          for (const root of rootsFor(id)) Render.setChips(root, paper, opts, handlers);
        }
        pendingIds.clear();
      } finally {
        polling = false;
      }
    }

    function setSavedEverywhere(id, saved) {
      const paper = paperFor(id);
      if (paper) paper.saved = saved;
      for (const p of [...byId.values(), ...staleById.values()]) {
        for (const rel of Array.isArray(p.related) ? p.related : []) if (rel.id === id) rel.saved = saved;
      }
      for (const root of rootsFor(id)) {
        const star = root.querySelector(".pl-star");
        if (star) Render.setStar(star, saved);
      }
      for (const li of document.querySelectorAll(`.pl-rel[data-pl-rel="${CSS.escape(id)}"] .pl-rel-saved`)) {
        li.hidden = !saved;
      }
    }

    /** Optimistic save/unsave; rolled back with a message if the backend refuses. */
    async function toggleSaved(id, root) {
      const paper = paperFor(id);
      const was = Boolean(paper && paper.saved);
      setSavedEverywhere(id, !was);
      const res = await send({ type: was ? "unsave" : "save", id });
      if (signal.aborted) return;
      if (res.ok || (was && res.status === 404)) {
        Render.flash(root, was ? "Removed from your library" : "Saved to your library", 2500);
        return;
      }
      setSavedEverywhere(id, was);
      const why = res.down ? "the backend is not running" : res.error;
      Render.flash(root, `Could not ${was ? "unsave" : "save"}: ${why}`, 8000);
    }

    function markPhrase(phrase) {
      const key = phrase.toLowerCase();
      let count = 0;
      for (const root of document.querySelectorAll("[data-pl-paper]")) {
        const paper = paperFor(root.getAttribute("data-pl-paper"));
        const has = Boolean(
          paper &&
            Array.isArray(paper.keyphrases) &&
            paper.keyphrases.some((k) => String((k && k.phrase) || k).toLowerCase() === key)
        );
        const card = [...cardIds.keys()].find((c) => c.contains(root));
        if (card) card.classList.toggle("pl-match", has);
        if (has) count++;
        for (const chip of root.querySelectorAll(".pl-chip")) {
          chip.setAttribute("aria-pressed", chip.dataset.plPhrase === key ? "true" : "false");
        }
      }
      return count;
    }

    function clearPhrase() {
      activePhrase = null;
      for (const card of document.querySelectorAll(".pl-match")) card.classList.remove("pl-match");
      for (const chip of document.querySelectorAll(".pl-chip[aria-pressed='true']")) {
        chip.setAttribute("aria-pressed", "false");
      }
    }

    /** Chip click: highlight every card on the page that shares the keyphrase; again to clear. */
    function onChip(phrase, root) {
      if (activePhrase && activePhrase.toLowerCase() === phrase.toLowerCase()) {
        clearPhrase();
        Render.flash(root, "", 0);
        return;
      }
      activePhrase = phrase;
      const n = markPhrase(phrase);
      Render.flash(root, n > 1 ? `${n} papers on this page share “${phrase}”` : `No other paper here has “${phrase}”`, 5000);
    }

    function showBanner(problem) {
      hideBanner();
      bannerNode = Render.banner(problem, {
        onRetry: retry,
        onDismiss: hideBanner,
      });
      document.body.append(bannerNode);
    }

    function hideBanner() {
      if (bannerNode) bannerNode.remove();
      bannerNode = null;
    }

    /** The card under keyboard focus, else under the pointer, else the only or first visible one. */
    function focusedCard() {
      const known = [...cardIds.keys()].filter((c) => c.isConnected);
      for (let n = document.activeElement; n; n = n.parentElement) if (cardIds.has(n)) return n;
      if (lastPointerCard && lastPointerCard.isConnected && cardIds.has(lastPointerCard)) return lastPointerCard;
      if (known.length === 1) return known[0];
      return known.find((c) => c.getBoundingClientRect().bottom > 0) || null;
    }

    function saveFocused() {
      const card = focusedCard();
      const root = card && card.querySelector("[data-pl-paper]");
      if (!root) return { ok: false, error: "no annotated paper under focus" };
      const id = root.getAttribute("data-pl-paper");
      toggleSaved(id, root);
      return { ok: true, id };
    }

    function stats() {
      const cards = Sel.findCards(document);
      return {
        ok: true,
        url: location.href,
        cards: cards.length,
        annotated: cards.filter((c) => hasAnnotation(c.card)).length,
        saved: [...byId.values()].filter((p) => p.saved).length,
      };
    }

    const observer = new MutationObserver((records) => {
      const ours = (n) => n.nodeType !== 1 || n.matches(Sel.SELECTORS.ours) || Boolean(n.closest(Sel.SELECTORS.ours));
      for (const r of records) {
        const el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
        if (!el || el.closest(Sel.SELECTORS.ours)) continue;
        if (r.type === "attributes" || r.type === "characterData") {
          schedule(); // a link or a title changed in place
          return;
        }
        const added = [...r.addedNodes].some((n) => n.nodeType === 1 && !ours(n));
        const removedOurs = [...r.removedNodes].some((n) => n.nodeType === 1 && n.matches(".pl-annot"));
        if (added || removedOurs) {
          schedule();
          return;
        }
      }
    });
    observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true, attributeFilter: ["href"] });
    window.addEventListener("popstate", schedule, { signal });
    document.addEventListener(
      "pointerover",
      (e) => {
        for (let n = e.target; n && n !== document.body; n = n.parentElement) {
          if (cardIds.has(n)) {
            lastPointerCard = n;
            return;
          }
        }
      },
      { signal, passive: true }
    );

    signal.addEventListener("abort", () => {
      observer.disconnect();
      clearTimeout(timer);
      hideBanner();
      for (const node of document.querySelectorAll(".pl-annot, .pl-banner")) node.remove();
      for (const node of document.querySelectorAll(".pl-for-you, .pl-match")) {
        node.classList.remove("pl-for-you", "pl-match");
      }
      delete docEl().dataset.plReady;
    });

    function retry() {
      hideBanner();
      failed.clear();
      pass(true);
    }

    pass();
    return { pass, retry, stats, saveFocused };
  }

  function start() {
    stop();
    controller = new AbortController();
    annotator = initAnnotator(controller.signal);
  }

  function stop() {
    if (controller) controller.abort();
    controller = null;
    annotator = null;
  }

  /** Wait until the running pass has finished (for "annotate now" replies). */
  async function settled(timeoutMs) {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until && !docEl().dataset.plReady) await new Promise((r) => setTimeout(r, 50));
  }

  chrome.runtime.onMessage.addListener((msg, sender, sendResponse) => {
    if (!msg || sender.id !== chrome.runtime.id) return false;
    const name = msg.type === "command" ? msg.name : msg.type;
    if (name === "annotate-now") {
      start(); // fresh data, even when auto-annotate is off
      settled(60000).then(() => sendResponse(annotator ? annotator.stats() : { ok: false }));
      return true;
    }
    if (name === "save-focused") {
      if (!annotator) start();
      sendResponse(annotator.saveFocused());
      return false;
    }
    if (name === "stats") {
      sendResponse(annotator ? annotator.stats() : { ok: true, url: location.href, cards: Sel.findCards(document).length, annotated: 0, off: true });
      return false;
    }
    return false;
  });

  chrome.storage.onChanged.addListener((changes, area) => {
    if (area !== "local") return;
    const keys = Object.keys(changes).filter((k) => k in Settings.DEFAULTS);
    if (!keys.length) return;
    Settings.load().then((next) => {
      const prev = settings;
      settings = next;
      if (!settings.autoAnnotate) stop();
      else if (!annotator || prev.keyphrasesPerCard !== next.keyphrasesPerCard || prev.showRelated !== next.showRelated) {
        start(); // render again with the new settings
      } else annotator.retry(); // a new backend URL: keep what is shown, retry what failed
    });
  });

  Settings.load().then((loaded) => {
    settings = loaded;
    if (settings.autoAnnotate) start();
  });
})();
