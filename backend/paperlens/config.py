"""Defaults shared by the CLI, the app and the docs."""

from __future__ import annotations

import os
from pathlib import Path

DEFAULT_HOST = "127.0.0.1"
# Fixed, so the extension's default backend URL just works; unassigned by IANA and rarely taken.
DEFAULT_PORT = 7435
CLIENT_HEADER = "X-PaperLens-Client"

# Host names that mean "this machine". A request naming any other Host is refused: that is what a
# DNS-rebinding page sends (its own domain, re-pointed at 127.0.0.1).
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})

# Limits. A digest page is ~1-3 MB of HTML (the hydration JSON is inline); 100 papers is the biggest
# day we have seen, so 500 leaves room without letting one request tie a worker up for minutes.
# The body limit is set by imports: a 10,000-paper JSON export (abstracts included) is ~17 MB.
MAX_BODY_BYTES = 32 << 20
MAX_PAGE_CHARS = 12_000_000
MAX_PAPERS_PER_PAGE = 500  # papers on a page, cards in one annotate call, ids in one keyphrase poll
# A paper's title and abstract, wherever they come in (a page's cards, an import). arXiv caps abstracts
# at 1,920 characters; these only bound hostile input.
MAX_TITLE_CHARS = 2000
MAX_ABSTRACT_CHARS = 100_000
# The author names a card may carry (what it shows; the parsed page usually has them all), each this long.
MAX_CARD_AUTHORS = 1000
MAX_AUTHOR_CHARS = 500
# A card's key is the extension's own name for a card: its arXiv id, or "title:" and the title it shows.
MAX_CARD_KEY_CHARS = MAX_TITLE_CHARS + 100
# A search query or any single query-string value; and the whole query string.
MAX_QUERY_CHARS = 500
MAX_QUERY_STRING = 8192


# Keyphrases per paper (serve --keyphrases), and how different from each other they are (MMR diversity,
# 0 = the most relevant even if they overlap, 1 = the most different).
KEYPHRASES_TOP_N = 5
KEYPHRASES_TOP_N_MAX = 50
# Fewer chips at once rather than vague ones: a card shows its first phrase, then each next one only while its
# score (cosine to the paper plus the ranking's bonuses and penalties) reaches the floor for its place: the
# second phrase KEYPHRASES_FLOORS[0], every later one KEYPHRASES_FLOORS[-1]; the rest of its KEYPHRASES_TOP_N
# are answered with "more": true and wait behind the card's "+N". Chosen on seed page 000's hand labels and
# checked on seed page 001 (benchmarks/bench_chips.py prints both pages).
KEYPHRASES_FLOORS = (0.4, 0.55)
KEYPHRASES_DIVERSITY = 0.3

# How the embedding model computes: "auto" (bf16 where the CPU has it, else fp32), "fp32" or "bf16"
# (embedding.py says what each costs).
EMBEDDING_PRECISION = "auto"
EMBEDDING_PRECISIONS = ("auto", "fp32", "bf16")
# How the model runs (embedding.make_embedder): our own forward pass, or KeyBERT's sentence-transformers backend.
EMBEDDING_BACKEND = "bundled"
EMBEDDING_BACKENDS = ("bundled", "keybert")

# Related papers per paper in an annotate answer (and the default of GET /api/papers/<id>/related).
RELATED_K = 5
# Results of a library search (GET /api/search) unless the request says how many.
SEARCH_K = 10
# The most a request may ask for: related papers of one paper, search results, saved records per page.
MAX_RELATED_K = 50
MAX_SEARCH_K = 100
MAX_LIST_LIMIT = 1000
# A list's offset: SQLite integers stop at 2**63, so a bigger one would overflow (a 500), not give an empty page.
MAX_LIST_OFFSET = 2**62

# Which cards get the "close to your library" mark (`triage.mark_for_you`): the best 10% of a page, at least
# 3 cards, among those whose for_you reaches the floor, plus every card at or over "sure". On CSFCube, one
# seed paper against its judged pool (benchmarks/bench_triage.py): 97% of the papers judged relevant (2-3)
# reach the floor and 8% of random papers of the same field; "sure" is over the median of the most relevant.
FOR_YOU_MARK_SHARE = 0.1
FOR_YOU_MARK_MIN = 3
FOR_YOU_MARK_FLOOR = 0.15
FOR_YOU_MARK_SURE = 0.5

# Muted terms: a word, phrase or author name is at most this long, and a library keeps at most this many
# (every annotate matches each page paper against all of them).
MAX_MUTE_TERM_CHARS = 200
MAX_MUTED_TERMS = 1000


def default_db_path() -> Path:
    """$PAPERLENS_DB, or library.sqlite3 in the user's data directory."""
    env = os.environ.get("PAPERLENS_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("paperlens", appauthor=False)) / "library.sqlite3"


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and localhost: interfaces only this machine can reach."""
    import ipaddress

    host = host.strip("[]")
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
