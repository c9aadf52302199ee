/* Page bar: a line above the list of cards with the page's counts (new, seen, saved, close to your
 * library, dismissed) and the triage controls: sort by relevance to my library, dim seen, hide
 * dismissed, and a relevance cut-off (cards whose for_you is under it are dimmed). The controls are
 * settings (shared/settings.js VIEW_KEYS), so a choice holds on every page and tab.
 *
 * The sort is visual only: each list item gets a CSS `order` in the site's grid and no node of the site is
 * moved or re-parented, so its single-page navigation (which keeps its own references to those nodes)
 * keeps working; turning it off puts every item's own `order` back. The tab order stays the page's.
 * The bar is placed before the list when the page is loaded, before any annotation, and keeps its height
 * as the counts change (they are tabular figures in reserved widths), so it never shifts the page later.
 * In a narrow window (content.css) the controls wait behind a "View" button: the bar is two lines of counts
 * there, not four (at 400 px, 51 px tall instead of ~120).
 * Listens: "annotation", "update", "saved", "dismissed", "navigated", "settings". */
(function () {
  "use strict";

  const { el, unclass } = globalThis.PaperLensDom;
  const Sel = globalThis.PaperLensSelectors;
  const Settings = globalThis.PaperLensSettings;
  const Triage = globalThis.PaperLensTriage;

  // [key, label, the label's tail a narrow bar leaves out (content.css)]
  const COUNTS = [
    ["new", "new", ""],
    ["seen", "seen", ""],
    ["saved", "saved", ""],
    ["close", "close", " to your library"],
    ["dismissed", "dismissed", ""],
  ];

  function init(signal, ctx) {
    let bar = null;
    let list = null;
    let timer = 0;
    const ordered = new Map(); // list item -> {order, style}: its own inline order and style attribute
    const dimmed = new Set(); // cards dimmed by the cut-off

    function setView(partial) {
      // At once on this page; the stored settings then reach every page (main.js emits "settings").
      ctx.settings = Object.assign({}, ctx.settings, partial);
      apply();
      Settings.save(partial).catch((e) => console.error("Paper Lens: could not store the setting", e));
    }

    function toggle(key, text, title) {
      return el("button", {
        className: "pl-bar-toggle",
        text,
        attrs: { type: "button", "aria-pressed": "false", title },
        dataset: { plView: key },
        on: { click: () => setView({ [key]: !ctx.settings[key] }) },
      });
    }

    function build() {
      const cut = el("input", {
        className: "pl-bar-cut",
        attrs: {
          type: "range",
          min: 0,
          max: 1,
          step: Settings.CUTOFF_STEP,
          "aria-label": "Relevance cut-off: dim papers less close to your library than this",
        },
      });
      const out = el("output", { className: "pl-bar-cut-value", attrs: { "aria-hidden": "true" } });
      cut.addEventListener("input", () => {
        out.textContent = cutText(Number(cut.value));
        setView({ relevanceCutoff: Number(cut.value) });
      });
      // In a narrow window the controls wait behind "View" (content.css shows the button there only): the
      // bar arrives as one or two lines of counts, not four, so the page it pushes down moves less.
      const view = el("button", {
        className: "pl-bar-toggle pl-bar-view",
        text: "View",
        attrs: { type: "button", "aria-expanded": "false", "aria-controls": "pl-bar-controls", title: "Sort, dim, hide, cut-off" },
      });
      view.addEventListener("click", () => {
        const open = !root.classList.contains("pl-bar-open");
        root.classList.toggle("pl-bar-open", open);
        view.setAttribute("aria-expanded", String(open));
      });
      const root = el("div", { className: "pl-bar", attrs: { role: "region", "aria-label": "Paper Lens: this page" } }, [
        el(
          "div",
          { className: "pl-bar-counts", attrs: { role: "status", "aria-live": "off" } },
          COUNTS.map(([key, label, tail]) =>
            el("span", { className: "pl-count", dataset: { plCount: key } }, [
              el("b", { className: "pl-count-n", text: "–" }),
              ` ${label}`,
              tail ? el("span", { className: "pl-count-tail", text: tail }) : null,
            ])
          )
        ),
        view,
        el("div", { className: "pl-bar-controls", attrs: { id: "pl-bar-controls" } }, [
          toggle("sortByRelevance", "Sort by relevance", "Order the cards by how close they are to your library (the page's own order stays underneath)"),
          toggle("dimSeen", "Dim seen", "Dim the papers your library had before this page"),
          toggle("hideDismissed", "Hide dismissed", "Hide the papers you dismissed (else they are dimmed)"),
          el("label", { className: "pl-bar-cut-label" }, ["Cut-off ", cut, out]),
        ]),
      ]);
      return root;
    }

    function cutText(v) {
      return v > 0 ? v.toFixed(2) : "off";
    }

    /** Where the bar goes: right before the list (the site's grid), or nowhere on a page without one. */
    function place() {
      list = Sel.findList(Sel.findCards(document));
      if (!list) {
        if (bar) bar.remove();
        bar = null;
        return;
      }
      if (!bar) bar = build();
      if (list.container === document.body) {
        if (document.body.firstChild !== bar) document.body.prepend(bar);
      } else if (list.container.previousSibling !== bar) list.container.before(bar);
    }

    function restoreOrder(item) {
      const own = ordered.get(item);
      if (!own) return;
      item.style.order = own.order;
      if (own.style === null && item.getAttribute("style") === "") item.removeAttribute("style");
      ordered.delete(item);
    }

    /** CSS order for every item of the list: the cards by relevance, anything else where it was (before
     * the first card, or after the last). */
    function sort(papers) {
      const byId = new Map(Triage.relevanceOrder(papers).map((id, i) => [id, i + 1]));
      const items = [...list.container.children].filter((n) => n !== bar);
      const rank = new Map();
      for (const root of ctx.roots()) {
        const card = ctx.cardOf(root);
        if (!card || !list.container.contains(card)) continue;
        const item = list.itemOf(card);
        const r = byId.get(root.dataset.plPaper);
        if (r !== undefined && !rank.has(item)) rank.set(item, r);
      }
      let seenCard = false;
      items.forEach((item, i) => {
        if (!ordered.has(item)) ordered.set(item, { order: item.style.order, style: item.getAttribute("style") });
        if (rank.has(item)) seenCard = true;
        const order = rank.has(item) ? rank.get(item) : seenCard ? byId.size + 1 + i : 0;
        item.style.order = String(order);
      });
      for (const item of [...ordered.keys()]) if (!items.includes(item)) ordered.delete(item); // gone with the page
    }

    function apply() {
      place();
      if (!bar) {
        for (const item of [...ordered.keys()]) restoreOrder(item);
        return;
      }
      const s = ctx.settings;
      const papers = ctx.papers.onPage();
      const counts = Triage.pageCounts(papers);
      for (const [key] of COUNTS) bar.querySelector(`[data-pl-count="${key}"] .pl-count-n`).textContent = String(counts[key]);
      bar.querySelector(".pl-bar-counts").setAttribute(
        "aria-label",
        COUNTS.map(([key, label, tail]) => `${counts[key]} ${label}${tail}`).join(", ")
      );
      const display = getComputedStyle(list.container).display;
      const sortable = /grid|flex/.test(display);
      for (const button of bar.querySelectorAll("[data-pl-view]")) button.setAttribute("aria-pressed", s[button.dataset.plView] ? "true" : "false");
      const sortButton = bar.querySelector('[data-pl-view="sortByRelevance"]');
      sortButton.disabled = !sortable;
      if (!sortable) sortButton.title = "This list is not a grid: its cards cannot be re-ordered without moving the site's own nodes";
      const cut = bar.querySelector(".pl-bar-cut");
      if (document.activeElement !== cut) cut.value = String(s.relevanceCutoff);
      bar.querySelector(".pl-bar-cut-value").textContent = cutText(s.relevanceCutoff);

      if (s.sortByRelevance && sortable) sort(papers);
      else for (const item of [...ordered.keys()]) restoreOrder(item);

      const below = new Set(papers.filter((p) => Triage.belowCutoff(p, s.relevanceCutoff)).map((p) => p.id));
      const now = new Set();
      for (const root of ctx.roots()) {
        const card = ctx.cardOf(root);
        if (card && below.has(root.dataset.plPaper)) now.add(card);
      }
      for (const card of dimmed) if (!now.has(card)) unclass(card, "pl-below-cut");
      for (const card of now) card.classList.add("pl-below-cut");
      dimmed.clear();
      for (const card of now) dimmed.add(card);
    }

    function later() {
      clearTimeout(timer);
      timer = setTimeout(() => !signal.aborted && apply(), 30);
    }

    for (const type of ["annotation", "update", "saved", "dismissed", "navigated"]) ctx.on(type, later);
    ctx.on("settings", apply);
    place(); // before the first annotation: the bar's arrival is part of the page loading

    signal.addEventListener("abort", () => {
      clearTimeout(timer);
      if (bar) bar.remove();
      bar = null;
      for (const item of [...ordered.keys()]) restoreOrder(item);
      for (const card of dimmed) unclass(card, "pl-below-cut");
      dimmed.clear();
    });
  }

  globalThis.PaperLensFeatures = Object.assign(globalThis.PaperLensFeatures || {}, { pageBar: { init } });
})();
