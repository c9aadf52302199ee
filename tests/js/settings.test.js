// extension/shared/settings.js: defaults, validation of stored values and of the backend URL.
"use strict";

const test = require("node:test");
const assert = require("node:assert/strict");
const { load } = require("./load.js");

function fakeChrome(stored = {}) {
  const data = { ...stored };
  return {
    data,
    storage: {
      local: {
        get: async (keys) => Object.fromEntries(keys.filter((k) => k in data).map((k) => [k, data[k]])),
        set: async (values) => Object.assign(data, values),
      },
    },
  };
}

// The scripts run in their own context: compare their objects as plain data.
const plain = (o) => JSON.parse(JSON.stringify(o));

function settings(stored) {
  const chrome = fakeChrome(stored);
  return { S: load(["extension/shared/settings.js"], { chrome }).PaperLensSettings, chrome };
}

test("backend URLs: loopback http only, normalized to the origin", () => {
  const { S } = settings();
  assert.equal(S.normalizeBackendUrl(" http://127.0.0.1:7500/ "), "http://127.0.0.1:7500");
  assert.equal(S.normalizeBackendUrl("http://localhost:7435/api/health"), "http://localhost:7435");
  assert.equal(S.normalizeBackendUrl("http://[::1]:7435"), "http://[::1]:7435");
  assert.throws(() => S.normalizeBackendUrl("https://127.0.0.1:7435"), /must start with http:\/\//);
  assert.throws(() => S.normalizeBackendUrl("http://example.com:7435"), /127\.0\.0\.1 or localhost/);
  assert.throws(() => S.normalizeBackendUrl("http://127.0.0.1.example.com"), /127\.0\.0\.1 or localhost/);
  assert.throws(() => S.normalizeBackendUrl("not a url"), /Enter a URL like http:\/\/127\.0\.0\.1:7435/);
});

test("stored values are type-checked; anything odd falls back to the default", () => {
  const { S } = settings();
  const d = S.DEFAULTS;
  assert.deepEqual(plain(S.sanitize(null)), plain(d));
  assert.deepEqual(plain(S.sanitize({ backendUrl: "http://evil.example", keyphrasesPerCard: "x", autoAnnotate: "yes" })), plain(d));
  const ok = S.sanitize({ backendUrl: "http://localhost:9000/", keyphrasesPerCard: "3.6", autoAnnotate: false, showRelated: false });
  assert.deepEqual(plain(ok), {
    ...plain(d),
    backendUrl: "http://localhost:9000",
    keyphrasesPerCard: 4,
    autoAnnotate: false,
    showRelated: false,
  });
  assert.equal(S.sanitize({ keyphrasesPerCard: -2 }).keyphrasesPerCard, 0);
  // No upper bound of its own: how many a card can show is the backend's keyphrases_per_paper.
  assert.equal(S.sanitize({ keyphrasesPerCard: 40 }).keyphrasesPerCard, 40);
  assert.equal(S.sanitize({ keyphrasesPerCard: null }).keyphrasesPerCard, null);
});

test("save validates, merges and stores; a bad backend URL is refused, not replaced", async () => {
  const { S, chrome } = settings({ showRelated: false });
  const saved = await S.save({ keyphrasesPerCard: 2 });
  assert.equal(saved.keyphrasesPerCard, 2);
  assert.equal(saved.showRelated, false);
  assert.equal(chrome.data.keyphrasesPerCard, 2);
  await assert.rejects(S.save({ backendUrl: "http://example.com" }), /127\.0\.0\.1 or localhost/);
  assert.equal((await S.load()).backendUrl, S.DEFAULTS.backendUrl);
});

test("a backend URL typed without http:// says so", () => {
  const { S } = settings();
  assert.throws(() => S.normalizeBackendUrl("127.0.0.1:7500"), /Start the URL with http:\/\/ \(http:\/\/127\.0\.0\.1:7500\)/);
  assert.throws(() => S.normalizeBackendUrl("localhost:7435"), /Start the URL with http:\/\/ \(http:\/\/localhost:7435\)/);
  assert.throws(() => S.normalizeBackendUrl("example.com:7435"), /it starts with http:\/\//);
  assert.throws(() => S.normalizeBackendUrl(""), /Enter a URL like http:\/\/127\.0\.0\.1:7435/);
  assert.throws(() => S.normalizeBackendUrl(null), /Enter a URL like/);
});

test("the start command serves where the backend URL points", () => {
  const { S } = settings();
  const base = S.START_COMMAND;
  assert.match(base, /paperlens serve$/);
  assert.equal(S.startCommand(S.DEFAULTS.backendUrl), base);
  assert.equal(S.startCommand("http://localhost:7435/"), base); // same port: localhost reaches 127.0.0.1
  assert.equal(S.startCommand("http://127.0.0.1:7500"), `${base} --port 7500`);
  assert.equal(S.startCommand("http://localhost"), `${base} --port 80`);
  assert.equal(S.startCommand("http://[::1]:7435"), `${base} --host ::1`);
  assert.equal(S.startCommand("http://[::1]:9000"), `${base} --host ::1 --port 9000`);
  // Not a URL the extension may call: the plain command (the caller reports the URL's problem).
  assert.equal(S.startCommand("http://example.com:9000"), base);
  assert.equal(S.startCommand(undefined), base);
});

test("the triage view settings: booleans, and a cut-off on the slider's steps within 0..1", () => {
  const { S } = settings();
  const d = S.DEFAULTS;
  assert.deepEqual([d.dimSeen, d.hideDismissed, d.sortByRelevance, d.relevanceCutoff], [false, false, false, 0]);
  const view = S.sanitize({ dimSeen: true, hideDismissed: true, sortByRelevance: true, relevanceCutoff: "0.33" });
  assert.deepEqual([view.dimSeen, view.hideDismissed, view.sortByRelevance, view.relevanceCutoff], [true, true, true, 0.35]);
  assert.equal(S.sanitize({ dimSeen: "yes" }).dimSeen, false);
  assert.equal(S.sanitize({ relevanceCutoff: 7 }).relevanceCutoff, 1);
  assert.equal(S.sanitize({ relevanceCutoff: -1 }).relevanceCutoff, 0);
  assert.equal(S.sanitize({ relevanceCutoff: "x" }).relevanceCutoff, 0);
  assert.equal(S.sanitize({ relevanceCutoff: 0.1 + 0.2 }).relevanceCutoff, 0.3); // no 0.30000000000000004
  // They are the settings the page applies in place (no new annotation pass).
  assert.deepEqual(plain(S.VIEW_KEYS), ["dimSeen", "hideDismissed", "sortByRelevance", "relevanceCutoff"]);
  assert.ok(S.VIEW_KEYS.every((k) => k in d));
});
