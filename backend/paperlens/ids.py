"""What names a paper: arXiv ids, title keys, `t-` title ids and paper URLs. The one owner of these rules.

Pure: no Flask, no SQL. Every other module (the page parser, the reading list, the store, the API) takes
its id pattern, title key and paper URL from here; the extension gets the paper URL in every answer and
keeps only the `/papers/<arXiv id>` link pattern (`extension/shared/paper-links.js`), which
`tests/contract/paper_links.json` checks against `paper_path_id` below.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote, urljoin, urlsplit

HF = "https://huggingface.co"

# An arXiv id of the 2007+ scheme (YYMM.NNNN or YYMM.NNNNN), the ids Hugging Face papers use. The pattern
# text is shared so other modules embed it in their own regexes (BibTeX fields, page markup). ASCII digits
# only ([0-9], as the extension's \d: Python's \d takes "２５０９" too), and \Z, not $ (which also matches
# before a trailing newline): "2509.09737\n" was stored as an id of its own.
ARXIV_PATTERN = r"[0-9]{4}\.[0-9]{4,5}"
ARXIV_ID = re.compile(rf"^{ARXIV_PATTERN}\Z")
TITLE_ID_PREFIX = "t-"
PAPER_ID = re.compile(rf"^(?:{ARXIV_PATTERN}|{TITLE_ID_PREFIX}[0-9a-f]{{16}})\Z")
# A paper page's path: /papers/<arXiv id>, optionally with a trailing slash (not /papers/date/...).
PAPER_PATH = re.compile(rf"^/papers/({ARXIV_PATTERN})/?\Z")

_WORD = re.compile(r"\w+")


def is_arxiv_id(value: str) -> bool:
    """True for an arXiv id like 2509.09737."""
    return bool(ARXIV_ID.match(value))


def check_paper_id(paper_id) -> str:
    """The id itself if it is an arXiv id or a `t-<16 hex>` title id; else PaperLensError(400)."""
    from .errors import PaperLensError

    if not isinstance(paper_id, str) or not PAPER_ID.match(paper_id):
        shown = repr(paper_id if not isinstance(paper_id, str) or len(paper_id) <= 60 else paper_id[:57] + "...")
        raise PaperLensError(
            f"{shown} is not a paper id: use an arXiv id like 2509.09737 or a t-<16 hex> title id", 400
        )
    return paper_id


# How people write an arXiv id by hand (the command line): "arXiv:2509.09737", "2509.09737v2", a link.
_TYPED_ARXIV = re.compile(
    rf"^(?:arxiv:|https?://(?:www\.)?(?:arxiv\.org/(?:abs|pdf)|huggingface\.co/papers)/)?({ARXIV_PATTERN})(?:v\d+)?"
    r"(?:\.pdf)?/?$",
    re.IGNORECASE,
)


def typed_paper_id(text: str) -> str:
    """A paper id as a person types it: an arXiv id with its "arXiv:" prefix, version or link (arxiv.org,
    huggingface.co/papers) becomes the bare id (the one pages carry); anything else is `check_paper_id`'s."""
    match = _TYPED_ARXIV.match(text.strip()) if isinstance(text, str) else None
    return match.group(1) if match else check_paper_id(text)


def title_key(title: str) -> str:
    """The key two spellings of one title share: compatibility-decomposed (full-width letters become
    ASCII), accents dropped, case-folded (ß -> ss), words joined by single spaces, punctuation and
    symbols (emoji) dropped. Papers with the same key are one paper."""
    if title.isascii():  # most titles: decomposing and accent stripping change nothing (the same key, 5x faster)
        return " ".join(_WORD.findall(title.casefold()))
    return _unicode_title_key(title)


def _unicode_title_key(title: str) -> str:
    text = unicodedata.normalize("NFKD", title)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    return " ".join(_WORD.findall(text))


def title_id(title: str) -> str:
    """Stable id (`t-<16 hex>`) for a paper the page gives no arXiv id for: the same on every page."""
    return TITLE_ID_PREFIX + hashlib.sha256(title_key(title).encode()).hexdigest()[:16]


def paper_url(paper_id: str, title: str) -> str:
    """The paper's Hugging Face page, or a Hugging Face search for its title when it has no arXiv id."""
    if ARXIV_ID.match(paper_id):
        return f"{HF}/papers/{paper_id}"
    return f"{HF}/papers?q={quote(title)}"


def paper_path_id(href: str, base: str = f"{HF}/papers") -> str | None:
    """The arXiv id a link to a paper page names, else None. `href` is resolved against `base` (the page's
    URL) as a browser would; it must land on huggingface.co at /papers/<arXiv id> (a trailing slash, a
    query or a #fragment are fine). Not /papers/date/..., /papers/trending or other sites."""
    try:
        parts = urlsplit(urljoin(base, href.strip()))
        host = parts.hostname
    except ValueError:
        return None
    if host != "huggingface.co":
        return None
    m = PAPER_PATH.match(parts.path)
    return m.group(1) if m else None
