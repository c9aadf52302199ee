"""The HTTP contract of the walking skeleton: health, annotate, save/unsave, errors."""

from conftest import HEADERS, TEXT_COPY_PAPERS


def test_health_needs_no_header(client):
    r = client.get("/api/health")
    assert r.status_code == 200
    body = r.get_json()
    assert body["ok"] is True and body["papers"] == 0 and body["saved"] == 0
    assert body["version"] and body["model"]


def test_annotate_text_copy_end_to_end(client, text_copy):
    r = client.post("/api/annotate", json={"url": None, "text": text_copy, "wait": True}, headers=HEADERS)
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["page"]["kind"] == "text"
    papers = body["papers"]
    assert len(papers) == TEXT_COPY_PAPERS
    assert all(p["keyphrases"] and p["pending"] is False and p["saved"] is False for p in papers)
    assert all(set(k) == {"phrase", "score", "key", "more"} for p in papers for k in p["keyphrases"])
    assert all(p["keyphrases"][0]["more"] is False for p in papers)  # a card always shows its first
    assert all(r["id"] != p["id"] for p in papers for r in p["related"])
    assert client.get("/api/health").get_json()["papers"] == TEXT_COPY_PAPERS

    # Save the paper that is most often related to others, then annotate again.
    counts = {}
    for p in papers:
        for rel in p["related"]:
            counts[rel["id"]] = counts.get(rel["id"], 0) + 1
    target = max(counts, key=counts.get)
    assert client.put(f"/api/saved/{target}", headers=HEADERS).status_code == 200
    again = client.post("/api/annotate", json={"text": text_copy}, headers=HEADERS).get_json()["papers"]
    assert [p["saved"] for p in again if p["id"] == target] == [True]
    marked = [rel for p in again for rel in p["related"] if rel["id"] == target]
    assert marked and all(rel["saved"] for rel in marked)
    assert client.get("/api/saved", headers=HEADERS).get_json()["total"] == 1

    assert client.delete(f"/api/saved/{target}", headers=HEADERS).status_code == 200
    assert client.delete(f"/api/saved/{target}", headers=HEADERS).status_code == 404


def test_header_required(client, text_copy):
    r = client.post("/api/annotate", json={"text": text_copy})
    assert r.status_code == 403
    assert r.get_json()["ok"] is False and "X-PaperLens-Client" in r.get_json()["error"]
    assert client.get("/api/health").get_json()["papers"] == 0  # no side effect


def test_bad_input_is_a_clear_4xx(client):
    cases = [
        (client.post("/api/annotate", data="x", headers=HEADERS), 415),
        (client.post("/api/annotate", json=[1], headers=HEADERS), 400),
        (client.post("/api/annotate", json={"url": "u"}, headers=HEADERS), 400),
        (client.post("/api/annotate", json={"text": "   "}, headers=HEADERS), 422),
        (client.put("/api/saved/not-an-id", headers=HEADERS), 400),
        (client.get("/api/nowhere", headers=HEADERS), 404),
        (client.get("/api/saved?limit=x", headers=HEADERS), 400),
    ]
    for r, status in cases:
        assert r.status_code == status, r.get_json()
        body = r.get_json()
        assert body["ok"] is False and body["error"] and body["status"] == status
    # Broken JSON is named as such, with where it breaks; valid JSON that is not an object says that.
    broken = client.patch("/api/saved/2509.00001", data='{"read": tru', content_type="application/json", headers=HEADERS)
    assert broken.status_code == 400 and broken.get_json()["error"].startswith("the body is not valid JSON: Expecting")
    latin = client.patch("/api/saved/2509.00001", data=b'{"note": "\xff"}', content_type="application/json", headers=HEADERS)
    assert latin.status_code == 400 and "not valid JSON: 'utf-8' codec" in latin.get_json()["error"]
    listed = client.post("/api/annotate", json=[1], headers=HEADERS)
    assert listed.get_json()["error"] == "the body must be a JSON object"
