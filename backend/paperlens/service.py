"""The annotation pipeline shared by the API and the CLI: page -> library -> keyphrases -> related.

No Flask here: `POST /api/annotate` and `paperlens annotate` call the same `Annotator.annotate`, so
the CLI prints exactly what the API answers.
"""

from __future__ import annotations

from .config import MAX_PAPERS_PER_PAGE
from .digest import normalize_title, parse_page
from .errors import PaperLensError
from .keyphrases import KeyphraseExtractor
from .related import RelatedIndex, paper_text
from .store import Store

RELATED_K = 5


class Annotator:
    def __init__(self, store: Store, extractor: KeyphraseExtractor):
        self.store = store
        self.extractor = extractor

    def keyphrases_for(self, papers: list[dict]) -> list[list[dict]]:
        """Keyphrases for each paper, from the cache where possible; computes and caches the rest."""
        keys = [self.extractor.cache_key(p["title"], p["abstract"]) for p in papers]
        cached = self.store.get_keyphrases(keys)
        missing = [i for i, k in enumerate(keys) if k not in cached]
        if missing:
            fresh = self.extractor.extract([(papers[i]["title"], papers[i]["abstract"]) for i in missing])
            new = {keys[i]: [{"phrase": p, "score": s} for p, s in kws] for i, kws in zip(missing, fresh)}
            self.store.put_keyphrases(new)
            cached.update(new)
        return [cached[k] for k in keys]

    def annotate(self, content: str, url: str | None = None) -> dict:
        """Parse the page, record its papers, answer with keyphrases, related papers and saved status."""
        page = parse_page(content, url)
        if len(page.papers) > MAX_PAPERS_PER_PAGE:  # before anything is stored
            raise PaperLensError(f"the page lists {len(page.papers)} papers; at most {MAX_PAPERS_PER_PAGE} per call", 422)
        papers = [p.to_dict() for p in page.papers]
        for p in papers:
            p["title_key"] = normalize_title(p["title"])
        self.store.record_papers(papers)

        keyphrases = self.keyphrases_for(papers)
        related = self.related_for(papers)
        return {"page": {"kind": page.kind, "url": page.url}, "papers": self.shape(papers, keyphrases, related)}

    def related_for(self, papers: list[dict], k: int = RELATED_K) -> list[list[dict]]:
        """For each page paper, the k library papers closest to it: [{"id", "score"}], best first.
        Excludes the paper itself and papers with the same normalized title."""
        library = list(self.store.iter_paper_texts())
        index = RelatedIndex([(r["id"], paper_text(r["title"], r["abstract"])) for r in library])
        title_keys = {r["id"]: r["title_key"] for r in library}
        ranked = []
        for p in papers:
            same_title = {pid for pid, key in title_keys.items() if key == p["title_key"]}
            hits = index.query(paper_text(p["title"], p["abstract"]), k, {p["id"]} | same_title)
            ranked.append([{"id": pid, "score": score} for pid, score in hits])
        return ranked

    def shape(self, papers: list[dict], keyphrases: list[list[dict]], related: list[list[dict]]) -> list[dict]:
        """The per-paper answer: ids, titles and urls filled in for related papers, saved everywhere."""
        related_ids = sorted({hit["id"] for hits in related for hit in hits})
        details = self.store.get_papers(related_ids)
        saved = self.store.saved_ids([p["id"] for p in papers] + related_ids)
        out = []
        for p, kws, hits in zip(papers, keyphrases, related):
            out.append(
                {
                    "id": p["id"],
                    "title": p["title"],
                    "url": p["url"],
                    "keyphrases": kws,
                    "related": [
                        {
                            **hit,
                            "title": details[hit["id"]]["title"],
                            "url": details[hit["id"]]["url"],
                            "saved": hit["id"] in saved,
                        }
                        for hit in hits
                    ],
                    "saved": p["id"] in saved,
                }
            )
        return out
