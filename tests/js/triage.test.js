// extension/shared/triage.js: the pure part of the daily triage (date labels, the page bar's counts, the
// relevance order, chip matching, muted reasons), on the contract's example answer
// (tests/contract/triage.json, which tests/test_contract.py checks the backend against).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, readJson } = require("./load.js");

const { PaperLensTriage: T } = load(["extension/shared/triage.js"]);
const CONTRACT = readJson("tests/contract/triage.json");
const EXAMPLE = CONTRACT.annotate_paper;
const plain = (o) => JSON.parse(JSON.stringify(o));

// Local noon on a day, in seconds: the labels are in the reader's time zone, whatever it is.
const noon = (y, m, d) => new Date(y, m - 1, d, 12).getTime() / 1000;
const paper = (over) => Object.assign(plain(EXAMPLE), over);

test("a paper new to the library says new", () => {
  const label = T.seenLabel(paper({ seen_before: false }), new Date(2025, 10, 27), "https://huggingface.co/papers");
  assert.equal(label.seen, false);
  assert.equal(label.text, "new");
});

test("a paper seen before says when and on which kind of page", () => {
  const now = new Date(2025, 11, 1, 9);
  const seen = paper({ first_seen: noon(2025, 11, 20) });
  assert.equal(T.seenLabel(seen, now, "https://huggingface.co/papers/week/2025-W48").text, "seen Nov 20 on the daily page");
  const week = paper({ first_seen: noon(2025, 11, 3), first_seen_page: { url: "https://huggingface.co/papers/week/2025-W45", kind: "week" } });
  assert.equal(T.seenLabel(week, now, "https://huggingface.co/papers").text, "seen Nov 3 on a week page");
  // A page kind it has no words for, or no page at all (the CLI, an import): the date alone.
  assert.equal(T.seenLabel(paper({ first_seen: noon(2025, 11, 3), first_seen_page: { url: "x", kind: "api" } }), now, "").text, "seen Nov 3");
  assert.equal(T.seenLabel(paper({ first_seen: noon(2025, 11, 3), first_seen_page: null }), now, "").text, "seen Nov 3");
  assert.equal(T.seenLabel(paper({ first_seen: null }), now, "").text, "seen before on the daily page");
  // The tooltip has the full date and the first page.
  assert.match(T.seenLabel(seen, now, "").title, /Nov 20, 2025.*\(first seen on https:\/\/huggingface\.co\/papers\/date\/2025-11-20\)$/);
});

test("the date says today, yesterday, or the year when it is another one", () => {
  const now = new Date(2025, 0, 2, 8);
  assert.equal(T.dayLabel(new Date(2025, 0, 2, 0, 5), now), "today");
  assert.equal(T.dayLabel(new Date(2025, 0, 1, 23, 59), now), "yesterday");
  assert.equal(T.dayLabel(new Date(2024, 11, 20, 12), now), "Dec 20, 2024");
  assert.equal(T.dayLabel(new Date(2025, 0, 2, 23), new Date(2025, 0, 2, 0, 1)), "today");
});

test("a paper first seen on the very page it is on says so", () => {
  const url = EXAMPLE.first_seen_page.url;
  const now = new Date(2025, 10, 20, 18);
  const label = T.seenLabel(paper({ first_seen: noon(2025, 11, 20) }), now, url + "#top");
  assert.equal(label.text, "seen today on this page");
  assert.equal(T.samePage("https://huggingface.co/papers/", "https://huggingface.co/papers"), true);
  assert.equal(T.samePage("https://huggingface.co/papers?q=a", "https://huggingface.co/papers?q=b"), false);
  assert.equal(T.samePage(null, "https://huggingface.co/papers"), false);
});

test("the page bar counts each paper once", () => {
  const papers = [
    paper({ id: "a", seen_before: false, saved: false, for_you_mark: true, dismissed: false, muted: [] }),
    paper({ id: "b", seen_before: true, saved: true, for_you_mark: false, dismissed: false, muted: [] }),
    paper({ id: "b", seen_before: true, saved: true }), // the same paper in a second layout
    paper({ id: "c", seen_before: true, saved: false, for_you_mark: true, dismissed: true }),
    paper({ id: "d", seen_before: false, saved: false, for_you_mark: false, dismissed: false, muted: [] }),
  ];
  assert.deepEqual(plain(T.pageCounts(papers)), { total: 4, new: 2, seen: 2, saved: 1, close: 2, dismissed: 1, muted: 1 });
  assert.deepEqual(plain(T.pageCounts([])), { total: 0, new: 0, seen: 0, saved: 0, close: 0, dismissed: 0, muted: 0 });
  // Fields missing (an older backend): nothing seen, nothing close.
  assert.equal(T.pageCounts([{ id: "x" }]).new, 1);
});

test("sort by relevance: for_you highest first, ties in page order, muted then dismissed last", () => {
  const papers = [
    { id: "p1", for_you: 0.1, muted: [] },
    { id: "p2", for_you: 0.7, dismissed: true },
    { id: "p3", for_you: 0.5, muted: [] },
    { id: "p4", for_you: 0.5 },
    { id: "p5", for_you: 0.9, muted: [{ term: "x", kind: "word" }] },
    { id: "p6" }, // no score yet: as 0
    { id: "p3", for_you: 0.5 }, // a repeat keeps its first place
  ];
  assert.deepEqual(plain(T.relevanceOrder(papers)), ["p3", "p4", "p1", "p6", "p5", "p2"]);
});

test("the relevance cut-off sets aside papers under it, and 0 is off", () => {
  assert.equal(T.belowCutoff({ for_you: 0.2 }, 0.3), true);
  assert.equal(T.belowCutoff({ for_you: 0.3 }, 0.3), false);
  assert.equal(T.belowCutoff({}, 0.05), true);
  assert.equal(T.belowCutoff({ for_you: 0 }, 0), false);
});

test("chips match by the backend's stemmed key, and related phrases are the ones containing it", () => {
  assert.equal(T.phraseKey(EXAMPLE.keyphrases[0]), "spars attent");
  // Without a key (an older backend): the phrase, lower-cased, punctuation as spaces.
  assert.equal(T.phraseKey({ phrase: "Long-Context  Retrieval" }), "long context retrieval");
  assert.equal(T.phraseKey("Plain"), "plain");
  assert.equal(T.relation("spars attent", "spars attent"), "same");
  assert.equal(T.relation("neural network", "graph neural network"), "related");
  assert.equal(T.relation("graph neural network", "neural network"), "related");
  assert.equal(T.relation("network", "networks"), null); // whole terms only
  assert.equal(T.relation("neural graph", "graph neural network"), null); // in a row, in order
  assert.equal(T.relation("", "x"), null);

  const a = { keyphrases: [{ phrase: "Sparse attentions", key: "spars attent" }] };
  const b = { keyphrases: [{ phrase: "sparse attention kernels", key: "spars attent kernel" }, { phrase: "x", key: "x" }] };
  const c = { keyphrases: [{ phrase: "dense retrieval", key: "dens retriev" }] };
  assert.equal(T.paperMatch(a, "spars attent"), "same");
  assert.equal(T.paperMatch(b, "spars attent"), "related");
  assert.equal(T.paperMatch(c, "spars attent"), null);
  assert.equal(T.paperMatch({}, "spars attent"), null);
});

test("the muted reason names each term and its kind", () => {
  assert.equal(T.mutedReason(EXAMPLE.muted), "Muted: “benchmark” (word)");
  assert.equal(
    T.mutedReason([{ term: "benchmark", kind: "word" }, { term: "Ada Lovelace", kind: "author" }]),
    "Muted: “benchmark” (word), “Ada Lovelace” (author)"
  );
  assert.equal(T.mutedReason([]), "");
  assert.equal(T.mutedReason(undefined), "");
});

test("why for you: the contract's seed papers, at most three, with their shared words", () => {
  assert.deepEqual(plain(T.becauseList(EXAMPLE)), plain(EXAMPLE.for_you_because));
  const many = { for_you_because: [1, 2, 3, 4].map((i) => ({ id: `s${i}`, title: "", why: ["w", 3] })).concat([null]) };
  assert.deepEqual(plain(T.becauseList(many)).map((b) => [b.id, b.title, b.why]), [["s1", "s1", ["w"]], ["s2", "s2", ["w"]], ["s3", "s3", ["w"]]]);
  assert.deepEqual(plain(T.becauseList({})), []);
});

test("the contract example carries every field the extension reads", () => {
  for (const field of ["first_seen", "seen_before", "first_seen_page", "dismissed", "for_you", "for_you_mark", "for_you_because", "muted", "related"]) {
    assert.ok(Object.hasOwn(EXAMPLE, field), field);
  }
  assert.ok(Object.hasOwn(EXAMPLE.related[0], "on_page"));
  assert.ok(Object.hasOwn(EXAMPLE.keyphrases[0], "key"));
  const routes = CONTRACT.routes.map((r) => `${r.method} ${r.path.split("?")[0]}`);
  for (const r of ["PUT /api/papers/<id>/dismissed", "DELETE /api/papers/<id>/dismissed", "GET /api/dismissed", "GET /api/muted",
    "PUT /api/muted", "DELETE /api/muted", "GET /api/for-you/seed", "PUT /api/for-you/seed"]) {
    assert.ok(routes.includes(r), r);
  }
});
