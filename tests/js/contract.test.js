// The extension's side of tests/contract/*.json (tests/test_contract.py checks the backend's side).
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load, readJson } = require("./load.js");

const { PaperLensLinks: Links } = load(["extension/shared/paper-links.js"]);

test("paper links name the same arXiv ids as the backend", () => {
  const { base, links } = readJson("tests/contract/paper_links.json");
  for (const { href, id } of links) assert.equal(Links.paperIdFromHref(href, base), id, JSON.stringify(href));
});

test("a link that is not a string names no paper", () => {
  for (const href of [null, undefined, 5, {}]) assert.equal(Links.paperIdFromHref(href, "https://huggingface.co/papers"), null);
});

test("cards without a paper link are keyed by the title they show, exactly as the contract says", () => {
  const { cards } = readJson("tests/contract/card_titles.json");
  for (const { title, card_key: key } of cards) assert.equal(Links.cardKey(null, title), key, title);
});

test("cards with an arXiv id are keyed by it", () => {
  assert.equal(Links.cardKey("2509.09737", "Any Title"), "2509.09737");
});

test("only https://huggingface.co links may go into an href", () => {
  assert.equal(Links.safeHref("https://huggingface.co/papers/2509.09737"), "https://huggingface.co/papers/2509.09737");
  assert.equal(Links.safeHref("https://huggingface.co/papers?q=a%20b"), "https://huggingface.co/papers?q=a%20b");
  for (const bad of ["javascript:alert(1)", "http://huggingface.co/papers", "https://huggingface.co.evil.example/x",
    "https://evil.example/?huggingface.co", "/papers/2509.09737", "", null, undefined]) {
    assert.equal(Links.safeHref(bad), null, String(bad));
  }
});
