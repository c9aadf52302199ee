"""Daily triage over the API (issue 16): seen before, dismissals, muted terms, the for-you seed, for_you's
reasons and mark, related lists that earn their space; bad input in the one error shape, and a refused
request changes nothing stored."""

from __future__ import annotations

import json

import pytest
from conftest import HEADERS

from paperlens.ids import title_key

# Five topics of four papers, each paper its topic's sentence and one of its own: topic mates share a topic's
# words, other topics share hardly any (unlike a library whose abstracts follow one template).
TOPICS = {
    "Diffusion": ("Diffusion models generate images by iteratively denoising Gaussian noise with a learned score "
                  "network.", ["We distill the sampler into four denoising steps.",
                               "Latent diffusion cuts the cost of high resolution image synthesis.",
                               "Classifier-free guidance trades sample diversity for image fidelity.",
                               "Consistency training maps Gaussian noise to images in one step."]),
    "Retrieval": ("Dense retrieval encodes queries and passages into vectors and ranks passages by inner product.",
                  ["Hard negatives mined from BM25 sharpen the passage encoder.",
                   "Late interaction keeps one vector per token of each passage.",
                   "Distillation from a cross-encoder teaches the dual encoder to rank.",
                   "Product quantization shrinks the passage index tenfold."]),
    "Robotics": ("Robot manipulation policies learn grasping from demonstrations with imitation learning.",
                 ["Teleoperated demonstrations cover cluttered kitchen shelves.",
                  "A wrist camera guides the gripper around transparent objects.",
                  "Force feedback lets the policy insert pegs into tight holes.",
                  "Simulated grasps transfer to the real arm with domain randomization."]),
    "Speech": ("Automatic speech recognition transcribes audio with acoustic models and language models.",
               ["Streaming decoders cut the latency of live captions.",
                "Self-training on untranscribed podcasts lowers the word error rate.",
                "Accented speech gets its own adapter layers.",
                "Noisy far-field microphones are cleaned by a beamformer."]),
    "Graphs": ("Graph neural networks pass messages between nodes to learn molecular property prediction.",
               ["Equivariant layers respect the rotations of the molecule.",
                "Virtual nodes carry messages across long chains of atoms.",
                "Pretraining on unlabeled molecules helps toxicity prediction.",
                "Edge features encode bond types and ring membership."]),
}


@pytest.fixture
def app(tmp_path, embedder):
    """BM25 alone: the test embedder's cosines (64 hashed dimensions) are noise that would blur every ranking
    here; tests/test_related_fusion.py covers what the embeddings add to related lists and for_you."""
    from paperlens.app import create_app

    return create_app({"TESTING": True, "DB_PATH": str(tmp_path / "library.sqlite3"), "EMBEDDER": embedder,
                       "RELATED_RANKER": "bm25"})


def library() -> list[dict]:
    out = []
    for topic, (sentence, variants) in TOPICS.items():
        for variant in variants:
            pid = f"2501.{len(out) + 1:05d}"
            title = f"{topic}: {variant.rstrip('.')}"
            out.append({"id": pid, "title": title, "title_key": title_key(title), "abstract": f"{sentence} {variant}",
                        "url": f"https://huggingface.co/papers/{pid}"})
    return out

DAILY = "https://huggingface.co/papers/date/2025-11-20"
WEEK = "https://huggingface.co/papers/week/2025-W47"


def cards_of(papers, **extra) -> list[dict]:
    return [{"key": p["id"], "id": p["id"], "title": p["title"], "summary": p["abstract"], **extra} for p in papers]


def annotate(client, cards, url=DAILY, **body):
    """{card key: answer}, keyphrases included."""
    r = client.post("/api/annotate", json={"url": url, "cards": cards, "wait": True, **body}, headers=HEADERS)
    assert r.status_code == 200, r.get_json()
    return {p["key"]: p for p in r.get_json()["papers"]}


def stored(app) -> tuple:
    """Everything of the reader's that the library holds."""
    conn = app.extensions["paperlens"].store._conn()
    tables = ("papers", "saved", "page_visits", "dismissed", "muted", "settings")
    return tuple([tuple(r) for r in conn.execute(f"SELECT * FROM {t} ORDER BY 1, 2")] for t in tables)


def refused(client, app, method, path, status, **kwargs):
    """The request answers `status` in the one error shape and changes nothing stored."""
    before = stored(app)
    r = client.open(path, method=method, headers=HEADERS, **kwargs)
    body = r.get_json()
    assert r.status_code == status and body == {"ok": False, "error": body["error"], "status": status}, body
    assert stored(app) == before
    return body["error"]


# ---------------------------------------------------------------- seen before


def test_seen_before_is_read_before_this_request_records_the_papers(client, app):
    papers = library()
    day = annotate(client, cards_of(papers[:6]))
    assert all(p["seen_before"] is False and p["first_seen_page"] == {"url": DAILY, "kind": "daily"}
               for p in day.values())
    first_seen = {k: p["first_seen"] for k, p in day.items()}
    assert len(set(first_seen.values())) == 1  # one request, one time

    week = annotate(client, cards_of(papers[3:9]), url=WEEK)
    for key in (p["id"] for p in papers[3:6]):  # on both pages: seen on the daily page first
        assert week[key]["seen_before"] is True and week[key]["first_seen"] == first_seen[key]
        assert week[key]["first_seen_page"] == {"url": DAILY, "kind": "daily"}
    for key in (p["id"] for p in papers[6:9]):
        assert week[key]["seen_before"] is False and week[key]["first_seen_page"] == {"url": WEEK, "kind": "week"}
        assert week[key]["first_seen"] > max(first_seen.values())

    # The same page again: now everything on it was seen before, the daily ones still on the daily page.
    again = annotate(client, cards_of(papers[3:9]), url=WEEK)
    assert all(p["seen_before"] for p in again.values())
    assert again[papers[3]["id"]]["first_seen_page"]["kind"] == "daily"


def test_an_imported_or_saved_by_id_paper_is_new_on_its_first_page(client):
    export = {"saved": [{"id": "2501.00001", "title": library()[0]["title"]}, {"id": "2501.00002"}]}
    assert client.post("/api/saved/import", json={"format": "json", "data": export}, headers=HEADERS).status_code == 200
    assert client.put("/api/saved/2501.00003", headers=HEADERS).status_code == 200
    seen = annotate(client, cards_of(library()[:3]))
    assert [p["seen_before"] for p in seen.values()] == [False, False, False]
    # An export that says when the paper was seen keeps that time, from no page we know.
    r = client.post("/api/saved/import", headers=HEADERS, json={"format": "json", "data": {"saved": [
        {"id": "2501.00009", "title": library()[8]["title"], "first_seen": 1700000000.0}]}})
    assert r.status_code == 200
    p = annotate(client, cards_of(library()[8:9]))["2501.00009"]
    assert p["seen_before"] is True and p["first_seen"] == 1700000000.0 and p["first_seen_page"] is None


def test_first_seen_page_kind_is_the_url_rule_and_null_without_a_url(client):
    papers = library()
    text = annotate(client, [{"key": "k", "title": papers[0]["title"], "summary": papers[0]["abstract"]}],
                    url="https://example.org/my-notes")
    assert text["k"]["first_seen_page"] == {"url": "https://example.org/my-notes", "kind": "cards"}
    r = client.post("/api/annotate", json={"cards": cards_of(papers[1:2])}, headers=HEADERS).get_json()
    assert r["papers"][0]["first_seen_page"] is None


# ---------------------------------------------------------------- dismissals


def test_dismiss_undo_and_the_list(client, app):
    papers = library()
    annotate(client, cards_of(papers))
    r = client.put("/api/papers/2501.00002/dismissed", headers=HEADERS)
    assert r.status_code == 200 and r.get_json() == {"ok": True, "id": "2501.00002", "dismissed": True}
    first = client.get("/api/dismissed", headers=HEADERS).get_json()["papers"]
    assert [(d["id"], d["title"], d["url"]) for d in first] == [("2501.00002", papers[1]["title"], papers[1]["url"])]
    # Dismissing twice is fine and keeps the first time.
    assert client.put("/api/papers/2501.00002/dismissed", headers=HEADERS).status_code == 200
    assert client.get("/api/dismissed", headers=HEADERS).get_json()["papers"] == first
    assert client.put("/api/papers/2501.00007/dismissed", json={}, headers=HEADERS).status_code == 200
    listed = client.get("/api/dismissed", headers=HEADERS).get_json()["papers"]
    assert [d["id"] for d in listed] == ["2501.00007", "2501.00002"]  # newest first
    assert [d["id"] for d in client.get("/api/dismissed?limit=1", headers=HEADERS).get_json()["papers"]] == ["2501.00007"]

    answer = annotate(client, cards_of(papers))
    assert [k for k, p in answer.items() if p["dismissed"]] == ["2501.00002", "2501.00007"]
    assert all(h["id"] not in ("2501.00002", "2501.00007") for p in answer.values() for h in p["related"])
    # "More like this" leaves them out too.
    more = client.get("/api/papers/2501.00001/related?k=10", headers=HEADERS).get_json()["related"]
    assert more and "2501.00002" not in {h["id"] for h in more}

    r = client.delete("/api/papers/2501.00002/dismissed", headers=HEADERS)
    assert r.status_code == 200 and r.get_json() == {"ok": True, "id": "2501.00002", "dismissed": False}
    more = client.get("/api/papers/2501.00001/related?k=10", headers=HEADERS).get_json()["related"]
    assert "2501.00002" in {h["id"] for h in more}
    refused(client, app, "DELETE", "/api/papers/2501.00002/dismissed", 404)  # undo of nothing


@pytest.mark.parametrize(
    "method, path, status, kwargs",
    [
        ("PUT", "/api/papers/2599.99999/dismissed", 404, {}),  # never seen
        ("PUT", "/api/papers/not-an-id/dismissed", 400, {}),
        ("PUT", "/api/papers/t-123/dismissed", 400, {}),
        ("PUT", "/api/papers/2501.00001/dismissed", 400, {"json": {"why": "boring"}}),
        ("PUT", "/api/papers/2501.00001/dismissed", 400, {"json": [1]}),
        ("DELETE", "/api/papers/2501.00001/dismissed", 404, {}),  # not dismissed
        ("DELETE", "/api/papers/nope/dismissed", 400, {}),
        ("GET", "/api/dismissed?limit=0", 400, {}),
        ("GET", "/api/dismissed?limit=x", 400, {}),
    ],
)
def test_bad_dismissals_are_refused_and_change_nothing(client, app, method, path, status, kwargs):
    annotate(client, cards_of(library()[:3]))
    assert client.put("/api/papers/2501.00003/dismissed", headers=HEADERS).status_code == 200
    refused(client, app, method, path, status, **kwargs)


def test_dismissed_papers_push_their_neighbours_down_in_for_you(client):
    """Two papers as close to the saved one; the one that shares words with a dismissed paper loses for_you,
    the other keeps it (for_you = closeness to the seeds minus DISMISS_WEIGHT x BM25 closeness to the
    nearest dismissed paper)."""
    seed = {"id": "2502.00001", "title": "Sparse attention for long documents",
            "abstract": "Sparse attention lets transformers read long documents."}
    a = {"id": "2502.00002", "title": "Sparse attention for long videos",
         "abstract": "Sparse attention lets transformers read long videos with radar frames."}
    b = {"id": "2502.00003", "title": "Sparse attention for long audio",
         "abstract": "Sparse attention lets transformers read long audio with sonar pings."}
    radar = {"id": "2502.00004", "title": "Radar frames for weather", "abstract": "Radar frames track storms."}
    sonar = {"id": "2502.00005", "title": "Sonar pings for whales", "abstract": "Sonar pings track whales."}
    page = cards_of([seed, a, b, radar, sonar])
    annotate(client, page)
    assert client.put("/api/saved/2502.00001", headers=HEADERS).status_code == 200
    before = annotate(client, page)
    assert before["2502.00002"]["for_you"] > 0.15 and before["2502.00003"]["for_you"] > 0.15
    assert client.put("/api/papers/2502.00004/dismissed", headers=HEADERS).status_code == 200
    after = annotate(client, page)
    assert after["2502.00002"]["for_you"] < before["2502.00002"]["for_you"] - 0.02
    assert after["2502.00003"]["for_you"] == before["2502.00003"]["for_you"]
    assert after["2502.00004"]["dismissed"] and not after["2502.00004"]["for_you_mark"]


# ---------------------------------------------------------------- for you: reasons, mark, seed


def test_for_you_because_names_the_closest_seeds_with_the_shared_words(client):
    papers = library()  # topics of four: diffusion 1-4, retrieval 5-8, ...
    annotate(client, cards_of(papers))
    for pid in ("2501.00001", "2501.00002", "2501.00005"):
        assert client.put(f"/api/saved/{pid}", headers=HEADERS).status_code == 200
    answer = annotate(client, cards_of(papers))
    because = answer["2501.00003"]["for_you_because"]
    assert {b["id"] for b in because} == {"2501.00001", "2501.00002"}  # the retrieval seed is no reason
    assert all(b["title"].startswith("Diffusion") and b["why"] for b in because)
    # The mark: the best 3 of this 20-card page (FOR_YOU_MARK_MIN), all of them diffusion or retrieval papers.
    marked = [k for k, p in answer.items() if p["for_you_mark"]]
    assert len(marked) == 3 and all(answer[k]["title"].split(":")[0] in ("Diffusion", "Retrieval") for k in marked)
    assert answer["2501.00013"]["for_you_because"] == [] and not answer["2501.00013"]["for_you_mark"]
    # A seed is not its own reason.
    assert [b["id"] for b in answer["2501.00001"]["for_you_because"]] == ["2501.00002"]


def test_the_seed_tag_narrows_for_you(client, app):
    papers = library()
    annotate(client, cards_of(papers))
    assert client.put("/api/saved/2501.00001", json={"tags": ["Diffusion"]}, headers=HEADERS).status_code == 200
    assert client.put("/api/saved/2501.00005", json={"tags": ["rl-reading"]}, headers=HEADERS).status_code == 200
    assert client.get("/api/for-you/seed", headers=HEADERS).get_json() == {"ok": True, "seed": {"tag": None, "papers": 2}}
    both = annotate(client, cards_of(papers))
    assert both["2501.00002"]["for_you"] > 0.2 and both["2501.00006"]["for_you"] > 0.2

    r = client.put("/api/for-you/seed", json={"tag": " RL-Reading "}, headers=HEADERS)
    assert r.status_code == 200 and r.get_json() == {"ok": True, "seed": {"tag": "rl-reading", "papers": 1}}
    assert client.get("/api/for-you/seed", headers=HEADERS).get_json()["seed"] == {"tag": "rl-reading", "papers": 1}
    tagged = annotate(client, cards_of(papers))
    assert tagged["2501.00002"]["for_you"] < 0.15 < tagged["2501.00006"]["for_you"] == both["2501.00006"]["for_you"]
    assert tagged["2501.00002"]["for_you_because"] == []
    # Unknown tags and bad bodies are refused, the seed unchanged.
    for body, status in (({"tag": "never-used"}, 400), ({"tag": 3}, 400), ({}, 400), ({"tag": "x", "y": 1}, 400),
                         ({"tag": "  "}, 400), ({"tag": "a,b"}, 400)):
        refused(client, app, "PUT", "/api/for-you/seed", status, json=body)
    refused(client, app, "PUT", "/api/for-you/seed", 415, data="tag")
    r = client.put("/api/for-you/seed", json={"tag": None}, headers=HEADERS)
    assert r.get_json()["seed"] == {"tag": None, "papers": 2}


# ---------------------------------------------------------------- muted terms


def test_mute_match_and_unmute(client, app):
    papers = library()
    cards = cards_of(papers[:8])
    cards[0]["authors"] = ["Ada Lovelace", "  Alan   Turing "]
    annotate(client, cards)
    mutes = (("Image", "word"), ("dense retrieval", "phrase"), ("noise images", "phrase"), ("alan turing", "author"))
    for term, kind in mutes:
        r = client.put("/api/muted", json={"term": term, "kind": kind}, headers=HEADERS)
        assert r.status_code == 200 and r.get_json()["muted"]["term"] == term, r.get_json()
    listed = client.get("/api/muted", headers=HEADERS).get_json()["muted"]
    assert [(m["term"], m["kind"]) for m in listed] == list(mutes)
    # Muting again (another spelling) is the same mute: its first spelling and time.
    again = client.put("/api/muted", json={"term": "IMAGE", "kind": "word"}, headers=HEADERS).get_json()
    assert again["muted"] == listed[0]

    answer = annotate(client, cards)
    word, dense, noise, turing = ({"term": t, "kind": k} for t, k in mutes)
    # Every diffusion paper says "images" (the word, by its stem); the retrieval ones have the phrase; only
    # paper 4 has "noise to images" (a stop word between is no gap), the others "noise with a learned ...".
    assert answer["2501.00001"]["muted"] == [word, turing]
    assert [p["muted"] for k, p in answer.items() if k != "2501.00001"] == [[word]] * 2 + [[word, noise]] + [[dense]] * 4
    # The card's authors were recorded: a later card without them still matches.
    plain = annotate(client, cards_of(papers[:1]))
    assert plain["2501.00001"]["muted"] == [word, turing]

    # Unmuting names the term as muted (any case), not another word of the same stem.
    refused(client, app, "DELETE", "/api/muted?kind=word&term=images", 404)
    r = client.delete("/api/muted?kind=word&term=image", headers=HEADERS)
    assert r.status_code == 200 and r.get_json() == {"ok": True, "term": "Image", "kind": "word", "muted": False}
    assert annotate(client, cards)["2501.00002"]["muted"] == []
    refused(client, app, "DELETE", "/api/muted?kind=word&term=image", 404)


@pytest.mark.parametrize(
    "body, words",
    [
        ({"term": "x", "kind": "tag"}, "'kind' must be one of word, phrase, author"),
        ({"term": "", "kind": "word"}, "'term' is empty"),
        ({"term": "   ", "kind": "phrase"}, "'term' is empty"),
        ({"term": "x" * 201, "kind": "phrase"}, "at most 200"),
        ({"term": 5, "kind": "word"}, "'term' must be a string"),
        ({"term": "two words", "kind": "word"}, "mute it as a phrase"),
        ({"term": "the", "kind": "word"}, "would match no paper"),
        ({"term": "of the 2024", "kind": "phrase"}, "would match no paper"),
        ({"term": "—", "kind": "author"}, "no name"),
        ({"term": "a\x00b", "kind": "phrase"}, "control characters"),
        ({"term": "x", "kind": "word", "why": 1}, "unknown field"),
        ({"kind": "word"}, "'term' must be a string"),
    ],
)
def test_bad_mutes_are_refused_and_change_nothing(client, app, body, words):
    assert words in refused(client, app, "PUT", "/api/muted", 400, json=body)


def test_unmute_needs_a_kind_and_a_term_and_the_list_is_bounded(client, app, monkeypatch):
    for path in ("/api/muted", "/api/muted?kind=word", "/api/muted?term=x", "/api/muted?kind=tag&term=x"):
        refused(client, app, "DELETE", path, 400)
    import paperlens.store.muted as muted

    monkeypatch.setattr(muted, "MAX_MUTED_TERMS", 2)
    for term in ("alpha", "beta"):
        assert client.put("/api/muted", json={"term": term, "kind": "word"}, headers=HEADERS).status_code == 200
    assert "unmute some first" in refused(client, app, "PUT", "/api/muted", 409, json={"term": "gamma", "kind": "word"})
    assert client.put("/api/muted", json={"term": "beta", "kind": "word"}, headers=HEADERS).status_code == 200


def test_card_authors_are_checked(client, app):
    card = {"key": "k", "title": "T"}
    for authors in ("Ada", [1], ["x" * 501], ["a"] * 1001):
        error = refused(client, app, "POST", "/api/annotate", 400, json={"cards": [{**card, "authors": authors}]})
        assert "cards[0].authors" in error
    assert client.post("/api/annotate", json={"cards": [{**card, "authors": None}]}, headers=HEADERS).status_code == 200


# ---------------------------------------------------------------- related lists, keyphrase keys


def test_related_lists_keep_only_what_clears_the_floor_and_say_what_is_on_the_page(client):
    papers = library()
    annotate(client, cards_of(papers[8:]), url=WEEK)  # robotics, speech, graphs
    answer = annotate(client, cards_of(papers[:8]))  # diffusion 1-4 and retrieval 5-8 on this page
    for p in answer.values():
        # The three topic mates first, all on this page; another topic only where it shares a word.
        topic = p["title"].split(":")[0]
        assert [h["title"].split(":")[0] for h in p["related"][:3]] == [topic] * 3
        assert all(h["why"] for h in p["related"])
        assert all(h["on_page"] is (h["title"].split(":")[0] in ("Diffusion", "Retrieval")) for h in p["related"])
    # k is 5, and 20 papers would fill every list: the floor left most of them shorter.
    assert sum(len(p["related"]) < 5 for p in answer.values()) >= 6
    alone = annotate(client, cards_of(papers[:1]))["2501.00001"]
    assert [h["on_page"] for h in alone["related"][:3]] == [False] * 3


def test_keyphrase_keys_are_the_stemmed_terms(client):
    answer = annotate(client, cards_of(library()[:2]))
    kws = [k for p in answer.values() for k in p["keyphrases"]]
    assert kws and all(k["key"] and k["key"] == k["key"].lower() for k in kws)
    from paperlens.ranking.analyzer import analyzer

    assert all(k["key"] == " ".join(analyzer().terms(k["phrase"])) for k in kws)
    polled = client.get("/api/keyphrases?ids=2501.00001", headers=HEADERS).get_json()["keyphrases"]["2501.00001"]
    assert polled == answer["2501.00001"]["keyphrases"]


def test_health_reports_the_mark_rule_and_the_mute_limits(client):
    from paperlens import config

    body = client.get("/api/health").get_json()
    assert body["settings"]["for_you_mark"] == {"share": config.FOR_YOU_MARK_SHARE, "min": config.FOR_YOU_MARK_MIN,
                                                "floor": config.FOR_YOU_MARK_FLOOR, "sure": config.FOR_YOU_MARK_SURE}
    assert body["limits"]["muted_terms"] == config.MAX_MUTED_TERMS
    assert body["limits"]["mute_term_chars"] == config.MAX_MUTE_TERM_CHARS


# ---------------------------------------------------------------- export, import, backup


def triaged_library(client):
    annotate(client, cards_of(library()[:6]))
    assert client.put("/api/saved/2501.00001", json={"tags": ["x"]}, headers=HEADERS).status_code == 200
    assert client.put("/api/papers/2501.00003/dismissed", headers=HEADERS).status_code == 200
    assert client.put("/api/papers/2501.00002/dismissed", headers=HEADERS).status_code == 200
    for term, kind in (("benchmark", "word"), ("Ada Lovelace", "author")):
        assert client.put("/api/muted", json={"term": term, "kind": kind}, headers=HEADERS).status_code == 200


def test_json_export_carries_dismissals_and_mutes_and_imports_back_byte_for_byte(client, tmp_path, embedder):
    from paperlens.app import create_app

    triaged_library(client)
    first = client.get("/api/saved/export?format=json", headers=HEADERS).get_data(as_text=True)
    doc = json.loads(first)
    assert doc["version"] == 2 and doc["count"] == 1
    assert [d["id"] for d in doc["dismissed"]] == ["2501.00003", "2501.00002"]  # oldest first
    assert doc["dismissed"][0]["title"] == library()[2]["title"]
    assert [(m["term"], m["kind"]) for m in doc["muted"]] == [("benchmark", "word"), ("Ada Lovelace", "author")]

    empty = create_app({"TESTING": True, "DB_PATH": str(tmp_path / "other.sqlite3"), "EMBEDDER": embedder})
    other = empty.test_client()
    r = other.post("/api/saved/import", json={"format": "json", "data": doc}, headers=HEADERS)
    assert r.get_json() == {"ok": True, "imported": 1, "updated": 0, "skipped": 0, "dismissed": 2, "muted": 2}
    assert other.get("/api/saved/export?format=json", headers=HEADERS).get_data(as_text=True) == first
    # The dismissed papers came with their titles: the other library lists them by name.
    assert [d["title"] for d in other.get("/api/dismissed", headers=HEADERS).get_json()["papers"]] == [
        library()[1]["title"], library()[2]["title"]]
    again = other.post("/api/saved/import", json={"format": "json", "data": doc}, headers=HEADERS)
    assert again.status_code == 409 and "dismissed papers and muted terms are in the library" in again.get_json()["error"]
    empty.extensions["paperlens"].close()

    # CSV and BibTeX are the reading list only.
    for fmt in ("csv", "bibtex"):
        text = client.get(f"/api/saved/export?format={fmt}", headers=HEADERS).get_data(as_text=True)
        assert "2501.00003" not in text and "Lovelace" not in text


def test_importing_dismissals_merges_and_a_bad_one_writes_nothing(client, app):
    triaged_library(client)
    listed = client.get("/api/dismissed", headers=HEADERS).get_json()["papers"]
    old = {d["id"]: d["dismissed_at"] for d in listed}
    data = {"format": "paperlens-saved", "version": 2, "saved": [],
            "dismissed": [{"id": "2501.00003", "dismissed_at": 1.0},  # earlier: the earlier time wins
                          {"id": "2501.00002", "dismissed_at": old["2501.00002"] + 100},  # later: kept as is
                          {"id": "2501.00020", "title": library()[19]["title"], "url": None},  # unseen here
                          {"id": "2501.00099"}],  # no title: dismissed without a paper
            "muted": [{"term": "BENCHMARK", "kind": "word", "added_at": 5.0}, {"term": "rl", "kind": "word"}]}
    r = client.post("/api/saved/import", json={"format": "json", "data": data}, headers=HEADERS)
    assert r.get_json() == {"ok": True, "imported": 0, "updated": 0, "skipped": 0, "dismissed": 2, "muted": 1}
    now = {d["id"]: d for d in client.get("/api/dismissed", headers=HEADERS).get_json()["papers"]}
    assert now["2501.00003"]["dismissed_at"] == 1.0 and now["2501.00002"]["dismissed_at"] == old["2501.00002"]
    assert now["2501.00020"]["title"] == library()[19]["title"] and now["2501.00099"]["title"] is None
    # An imported paper is no page's: the first page that shows it calls it new.
    assert annotate(client, cards_of(library()[19:20]))["2501.00020"]["seen_before"] is False
    assert [m["term"] for m in client.get("/api/muted", headers=HEADERS).get_json()["muted"]] == [
        "benchmark", "Ada Lovelace", "rl"]

    for bad, words in (
        ({"dismissed": [{"id": "nope"}]}, "dismissed 1 ('nope')"),
        ({"dismissed": [{"id": "2501.00001", "when": 1}]}, "unknown field(s) when"),
        ({"dismissed": {"id": "2501.00001"}}, "'dismissed' must be a list"),
        ({"muted": [{"term": "the", "kind": "word"}]}, "muted 1: 'the' would match no paper"),
        ({"muted": [{"term": "x", "kind": "tag"}]}, "muted 1"),
        ({"saved": [{"id": "2501.00011"}], "dismissed": [{"id": "2501.00012", "dismissed_at": -1}]}, "dismissed_at"),
    ):
        error = refused(client, app, "POST", "/api/saved/import", 400,
                        json={"format": "json", "data": {"format": "paperlens-saved", **bad}})
        assert words in error, error
    refused(client, app, "POST", "/api/saved/import", 400,
            json={"format": "json", "data": {"format": "paperlens-saved", "version": 3, "saved": []}})


def test_a_version_1_export_still_imports(client):
    data = {"format": "paperlens-saved", "version": 1, "count": 1, "saved": [{"id": "2501.00001", "title": "T"}]}
    r = client.post("/api/saved/import", json={"format": "json", "data": data}, headers=HEADERS)
    assert r.get_json() == {"ok": True, "imported": 1, "updated": 0, "skipped": 0, "dismissed": 0, "muted": 0}


def test_a_backup_holds_the_triage(client, app, tmp_path):
    from paperlens.store import Store

    triaged_library(client)
    assert client.put("/api/for-you/seed", json={"tag": "x"}, headers=HEADERS).status_code == 200
    store = app.extensions["paperlens"].store
    copy = Store(store.backup(tmp_path / "backup.sqlite3"))
    assert copy.list_dismissed() == store.list_dismissed() and len(copy.list_dismissed()) == 2
    assert copy.list_muted() == store.list_muted() and copy.for_you_seed() == {"tag": "x", "papers": 1}
