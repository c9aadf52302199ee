"""The reading list (paperlens.readinglist): validation, BibTeX/CSV/JSON export, BibTeX/JSON import."""

import csv
import io
import json
import re

import bibtexparser
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlens.readinglist.formats import bibtex
from paperlens.readinglist.formats import bibtex_reader
from paperlens.readinglist.formats import csv as csv_format
from paperlens.readinglist import fields
from paperlens.readinglist import formats
from paperlens.readinglist.formats import json as json_format
from paperlens.readinglist import speed
from paperlens.errors import PaperLensError
from paperlens.ids import PAPER_ID

SPECIAL_TITLE = "Ünïcode & 100% $cheap$ #1 a_b {c} ~x^2 back\\slash: GPT-4 vs. LLaMA -- Ströme"


def record(pid, title="A Paper", authors=("Ann Bee",), saved_at=1.0, **extra):
    r = {
        "id": pid,
        "title": title,
        "url": f"https://huggingface.co/papers/{pid}",
        "published": "2025-09-11",
        "authors": list(authors),
        "abstract": "",
        "saved_at": saved_at,
        "tags": [],
        "note": "",
        "read": False,
        "first_seen": None,
        "last_seen": None,
        "seen_count": 0,
    }
    r.update(extra)
    return r


# ---------------------------------------------------------------- validation


def test_tags_are_normalized():
    assert fields.normalize_tags(["  RL ", "rl", "Multi   Agent", "", "  ", "Über"]) == ["rl", "multi agent", "über"]


@pytest.mark.parametrize(
    "tags",
    ["rl", [1], ["x" * (fields.MAX_TAG_LEN + 1)], ["a,b"], ["a\x00"], [f"t{i}" for i in range(fields.MAX_TAGS + 1)]],
)
def test_bad_tags_are_refused(tags):
    with pytest.raises(PaperLensError) as e:
        fields.normalize_tags(tags)
    assert e.value.status == 400


def test_note_limit():
    assert fields.check_note("x" * fields.MAX_NOTE_LEN)
    with pytest.raises(PaperLensError):
        fields.check_note("x" * (fields.MAX_NOTE_LEN + 1))
    with pytest.raises(PaperLensError):
        fields.check_note(5)


def test_merge_never_loses_anything():
    old = {"saved_at": 5.0, "tags": ["a", "b"], "note": "mine", "read": False}
    new = {"saved_at": 3.0, "tags": ["b", "c"], "note": "theirs", "read": True}
    assert fields.merge_saved(old, new) == {"saved_at": 3.0, "tags": ["a", "b", "c"], "note": "mine", "read": True}
    assert fields.merge_saved({**old, "note": ""}, new)["note"] == "theirs"
    assert fields.merge_saved(old, old) == old


# ---------------------------------------------------------------- LaTeX escaping


def test_escape_covers_every_special():
    escaped = bibtex.latex_escape("& % $ # _ { } ~ ^ \\")
    assert escaped == (
        r"\& \% \$ \# \_ \textbraceleft{} \textbraceright{} \textasciitilde{} \textasciicircum{} \textbackslash{}"
    )
    assert bibtex.latex_escape("Müller 東京") == "Müller 東京"  # non-ASCII kept as UTF-8


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_escape_round_trips(text):
    assert bibtex.latex_unescape(bibtex.latex_escape(text)) == text


@pytest.mark.parametrize(
    "text, expected",
    [("The {\\TeX}book", "The TeXbook"), ("Parsing \\BibTeX{} Files", "Parsing BibTeX Files"),
     ("\\LaTeX\\ and \\LaTeXe", "LaTeX and LaTeX2e")],
)
def test_unescape_keeps_tex_logos(text, expected):
    assert bibtex.latex_unescape(text) == expected


def test_unescape_decodes_foreign_latex():
    assert bibtex.latex_unescape(r"M{\"u}ller and Ach{\'e}") == "Müller and Aché"
    assert bibtex.latex_unescape("{BERT}: Pre-training") == "BERT: Pre-training"


# ---------------------------------------------------------------- citation keys


def test_citation_key_shape():
    r = record("2509.09737", title="The Attention Is All You Need", authors=["Ashish Vaswani", "Noam Shazeer"])
    assert bibtex.citation_key_base(r) == "vaswani2025attention"
    assert bibtex.citation_key_base(record("2509.09737", authors=["Müller, Jörg"])) == "muller2025paper"
    no_authors = record("t-0123456789abcdef", title="On Élan", authors=[], published=None)
    assert bibtex.citation_key_base(no_authors) == "anonelan"


def test_citation_keys_unique_and_stable():
    same = [record(f"2509.0{i:04d}", title="Deep Nets", saved_at=float(i)) for i in range(30)]
    keys = bibtex.citation_keys(same)
    assert len(set(keys.values())) == 30
    assert keys["2509.00000"] == "bee2025deep" and keys["2509.00001"] == "bee2025deepb"
    assert keys["2509.00026"] == "bee2025deepaa"
    # A later save never renames an existing key.
    more = bibtex.citation_keys(same + [record("2509.99999", title="Deep Nets", saved_at=100.0)])
    assert all(more[k] == v for k, v in keys.items())
    # A suffixed key never collides with another paper's bare key.
    tricky = [
        record("2509.00001", title="Deep Nets", saved_at=1.0),
        record("2509.00002", title="Deep Nets", saved_at=2.0),
        record("2509.00003", title="Deepb Nets", saved_at=0.5),
    ]
    assert len(set(bibtex.citation_keys(tricky).values())) == 3


# ---------------------------------------------------------------- BibTeX export


def parse_bib(text):
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, [b.raw for b in lib.failed_blocks]
    # The parser's default stack drops the field's own braces; the title keeps its protecting pair.
    return {e.key: {f.key: f.value for f in e.fields} for e in lib.entries}


def test_bibtex_entry_fields_survive_a_parser():
    records = [
        record(
            "2509.09737",
            title=SPECIAL_TITLE,
            authors=["José Ñúñez", "Team, Qwen", "Anderson and Sons"],
            tags=["rl", "to read", "c++"],
            note="line one\n\n50% done {really} ~ok",
        ),
        record(
            "t-0123456789abcdef", title="Plain Title", authors=[], published="2024-02-29", url="https://x.org/a%20b"
        ),
    ]
    entries = parse_bib(bibtex.export_bibtex(records))
    assert len(entries) == 2
    arxiv = entries["nunez2025unicode"]
    assert bibtex.latex_unescape(arxiv["title"]) == SPECIAL_TITLE
    assert arxiv["title"].startswith("{") and arxiv["title"].endswith("}")  # capitalization protected
    assert [bibtex._bib_author(a) for a in bibtex._split_names(arxiv["author"])] == [
        "José Ñúñez",
        "Team, Qwen",
        "Anderson and Sons",
    ]
    assert arxiv["year"] == "2025" and arxiv["eprint"] == "2509.09737" and arxiv["archivePrefix"] == "arXiv"
    assert arxiv["url"] == "https://arxiv.org/abs/2509.09737"
    assert bibtex.latex_unescape(arxiv["keywords"]) == "rl, to read, c++"
    assert bibtex.latex_unescape(arxiv["annote"]) == "line one\n\n50% done {really} ~ok"
    plain = entries["anon2024plain"]
    assert "eprint" not in plain and plain["url"] == "https://x.org/a%20b" and plain["year"] == "2024"


def test_bibtex_round_trip_through_import():
    records = [
        record("2509.09737", title=SPECIAL_TITLE, authors=["José Ñúñez", "Team, Qwen"], tags=["rl"], note="n&b"),
        record("t-0123456789abcdef", title="Plain Title", authors=["Zoë Ö"]),
    ]
    parsed = {r["id"]: r for r in bibtex.parse_bibtex(bibtex.export_bibtex(records))}
    assert parsed["2509.09737"]["title"] == SPECIAL_TITLE
    assert parsed["2509.09737"]["authors"] == ["José Ñúñez", "Team, Qwen"]
    assert parsed["2509.09737"]["tags"] == ["rl"] and parsed["2509.09737"]["note"] == "n&b"
    # A paper without arXiv id comes back under the id its title gives (the id pages give it).
    from paperlens.ids import title_id

    assert title_id("Plain Title") in parsed and parsed[title_id("Plain Title")]["authors"] == ["Zoë Ö"]


def test_bibtex_year_survives_a_round_trip():
    # A paper with no arXiv id has no other source for its year: importing and exporting must keep it.
    bib = "@book{k, title={Old Book}, year={1999}}\n@misc{m, title={Dated}, date={2024-05-17}, year={2023}}"
    by_title = {r["title"]: r for r in bibtex.parse_bibtex(bib)}
    assert by_title["Old Book"]["published"] == "1999"
    assert by_title["Dated"]["published"] == "2024-05-17"  # biblatex's date wins over year
    again = bibtex.parse_bibtex(bibtex.export_bibtex(list(by_title.values())))
    assert {r["title"]: r["published"] for r in again} == {"Old Book": "1999", "Dated": "2024"}
    assert bibtex.parse_bibtex("@misc{k, title={T}, year={in press}}")[0]["published"] is None


@pytest.mark.parametrize("published, ok", [("2019", True), ("2019-05", True), ("2019-05-17", True),
                                           ("2019-5", False), ("19", False), ("May 2019", False),
                                           # the shape is checked, not the calendar: a library may hold such
                                           # dates (BibTeX import keeps them), and its export must restore
                                           ("2024-02-30", True), ("2025-13", True)])
def test_json_import_takes_iso_dates_of_any_precision(published, ok):
    data = {"saved": [{"id": "2509.00001", "title": "T", "published": published}]}
    if ok:
        assert formats.parse_import("json", data)[0][0]["published"] == published
    else:
        with pytest.raises(PaperLensError, match="YYYY-MM-DD, YYYY-MM or YYYY"):
            formats.parse_import("json", data)


@pytest.mark.parametrize("saved_at", [1e300, 253402300800, -1, float("inf"), True, "1700000000"])
def test_a_time_no_date_can_show_is_refused(saved_at):
    # 1e300 imported once, then every listing and CSV export of the library failed on it.
    data = {"saved": [{"id": "2509.00001", "saved_at": saved_at}]}
    with pytest.raises(PaperLensError, match="seconds since 1970 \\(0 to 253402300799, the year 9999\\)"):
        formats.parse_import("json", data)
    assert formats.parse_import("json", {"saved": [{"id": "2509.00001", "saved_at": 253402300799}]})[0]


def test_a_json_export_cut_short_is_refused():
    export = json.loads(json_format.export_json([record("2509.00001"), record("2509.00002")]))
    export["saved"] = export["saved"][:1]  # as if the copy stopped half way
    with pytest.raises(PaperLensError, match="says it holds 2 saved papers but has 1"):
        formats.parse_import("json", export)
    export["count"] = "1"
    with pytest.raises(PaperLensError, match="says it holds '1' saved papers"):
        formats.parse_import("json", export)
    export["count"] = 1
    assert len(formats.parse_import("json", export)[0]) == 1


def test_the_same_second_is_the_same_save():
    # A CSV keeps saved times to the second: importing a library's own CSV must change no save.
    old = {"saved_at": 1796131872.952405, "tags": [], "note": "", "read": False}
    assert fields.merge_saved(old, {**old, "saved_at": 1796131872.0}) == old
    assert fields.merge_saved(old, {**old, "saved_at": 1796131871.0})["saved_at"] == 1796131871.0
    assert fields.merge_saved({**old, "saved_at": None}, old)["saved_at"] == old["saved_at"]


# ---------------------------------------------------------------- BibTeX import


FOREIGN_BIB = r"""
@string{anth = "Anthology"}
@comment{written by hand}
@article{vaswani2017attention,
  title={Attention is all you need},
  author={Vaswani, Ashish and Shazeer, Noam and M{\"u}ller, J{\"o}rg},
  journal={arXiv preprint arXiv:1706.03762},
  year={2017}
}
@misc{doi, title = "Via a DOI", doi = {10.48550/arXiv.2401.00001}}
@misc{url, title = {Via a URL}, url = {https://arxiv.org/pdf/2402.00002v3}}
@misc{ep, title = {Via eprint}, eprint = {arXiv:2403.00003v1}, archivePrefix = {arXiv}, keywords = {A; B, a}}
@inproceedings{noarxiv, title = {No arXiv Here}, booktitle = anth, author = {Solo Person}}
"""


def test_bibtex_import_finds_arxiv_ids_everywhere():
    records = {r["id"]: r for r in bibtex.parse_bibtex(FOREIGN_BIB)}
    from paperlens.ids import title_id

    assert set(records) == {"1706.03762", "2401.00001", "2402.00002", "2403.00003", title_id("No arXiv Here")}
    assert records["1706.03762"]["authors"] == ["Ashish Vaswani", "Noam Shazeer", "Jörg Müller"]
    assert records["1706.03762"]["url"] == "https://huggingface.co/papers/1706.03762"
    assert records["2403.00003"]["tags"] == ["a", "b"]


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("@misc{a, title={unclosed}\n@misc{b, title={ok}}", "malformed"),
        ("just some words", "no BibTeX entries"),
        ("@misc{a, author={Nobody}}", "no arXiv id"),
        ("@misc{a, title={ok}, keywords={" + "x" * 100 + "}}", "longer than"),
    ],
)
def test_bad_bibtex_is_refused_whole(text, fragment):
    with pytest.raises(PaperLensError) as e:
        formats.parse_import("bibtex", text)
    assert e.value.status == 400 and fragment in e.value.message


def test_duplicate_entries_in_one_file_merge():
    text = (
        "@misc{a, title={T}, eprint={2509.09737}, keywords={x}}\n"
        "@misc{a, title={T}, eprint={2509.09737v2}, keywords={y}}"
    )
    records, duplicates, _, _ = formats.parse_import("bibtex", text)
    assert duplicates == 1 and len(records) == 1 and records[0]["tags"] == ["x", "y"]


# ---------------------------------------------------------------- JSON import


def test_json_import_names_every_bad_record():
    doc = json.loads(json_format.export_json([record("2509.09737"), record("2509.09738")]))
    doc["saved"] += [{"id": "nope"}, {"id": "2509.00001", "tags": "x"}, {"id": "2509.00002", "extra": 1}, 7]
    doc["count"] = len(doc["saved"])  # edited by hand, count included
    with pytest.raises(PaperLensError) as e:
        formats.parse_import("json", doc)
    message = e.value.message
    assert "4 problem" in message and "'nope'" in message and "record 6" in message and "extra" in message


@pytest.mark.parametrize(
    "data",
    ["{not json", {"format": "zotero", "saved": []}, {"format": "paperlens-saved", "version": 99, "saved": []}, 5],
)
def test_json_import_refuses_foreign_documents(data):
    with pytest.raises(PaperLensError):
        formats.parse_import("json", data)


def test_unknown_formats():
    with pytest.raises(PaperLensError):
        formats.parse_import("ris", "")
    with pytest.raises(PaperLensError):
        formats.export_records([], "xml")


# ---------------------------------------------------------------- CSV


def test_csv_export_reads_back_and_defuses_formulas():
    records = [
        record("2509.09737", title="=HYPERLINK(\"http://evil\")", tags=["a", "b c"], note="multi\nline, \"quoted\"",
               authors=["A One", "B Two"], read=True),
        record("2509.09738", title="Fine — ünïcode", note="@mention"),
    ]
    rows = list(csv.DictReader(io.StringIO(csv_format.export_csv(records))))
    assert [r["id"] for r in rows] == ["2509.09737", "2509.09738"]
    assert rows[0]["title"] == "'=HYPERLINK(\"http://evil\")" and rows[1]["note"] == "'@mention"
    assert rows[0]["tags"] == "a, b c" and rows[0]["note"] == "multi\nline, \"quoted\""
    assert rows[0]["authors"] == "A One; B Two" and rows[0]["read"] == "true" and rows[1]["read"] == "false"
    assert rows[0]["saved_at"] == "1970-01-01T00:00:01Z" and rows[1]["title"] == "Fine — ünïcode"


def test_csv_export_imports_back():
    records = [
        record("2509.09737", title="=HYPERLINK(\"http://evil\")", tags=["a", "b c"], note="'=already quoted",
               authors=["A One", "B Two"], read=True),
        record("2509.09738", title=None, note="''=two quotes", published="2025-09"),
        record("t-0123456789abcdef", title="No arXiv id", note="'", url="https://huggingface.co/papers?q=No"),
    ]
    text = csv_format.export_csv(records)
    back = formats.parse_import("csv", text)[0]
    assert csv_format.export_csv(back) == text
    assert [(r["title"], r["note"], r["tags"], r["read"]) for r in back] == [
        ('=HYPERLINK("http://evil")', "'=already quoted", ["a", "b c"], True),
        (None, "''=two quotes", [], False),
        ("No arXiv id", "'", [], False),
    ]
    assert back[0]["saved_at"] == 1.0 and back[0]["authors"] == ["A One", "B Two"]
    # A spreadsheet's byte-order mark, trailing blank line and trailing empty cells are fine.
    assert formats.parse_import("csv", "\ufeff" + text + "\r\n,,,\r\n")[0] == back
    padded = text.replace("\r\n", ",,\r\n")
    assert formats.parse_import("csv", padded)[0] == back


@pytest.mark.parametrize(
    "text, words",
    [
        ("title,note\r\nx,y\r\n", "no 'id' column"),
        ("id,title,colour\r\n2509.09737,x,red\r\n", "unknown: colour"),
        ("id,read\r\n2509.09737,yes\r\n", "row 2 ('2509.09737'): 'read' must be true or false"),
        ("id,saved_at\r\n2509.09737,last tuesday\r\n", "row 2 ('2509.09737'): 'saved_at' must be an ISO 8601 time"),
        ("id,saved_at\r\n2509.09737,1700000000\r\n", "like 2025-09-11T08:30:00Z"),
        # An unclosed quote would swallow the next paper into this one's title.
        ("id,title,note\r\n2509.66666,\"Unterminated title,\r\n2509.77777,Next,hello\r\n",
         "does not parse at line 3: unexpected end of data: a quote (\") opens a cell that is never closed"),
        ("id,title\r\n2509.66672,A,extra,cells\r\n", "row 2: 4 cells under a header of 2 columns"),
        ("id,title,title,tags,tags\r\n2509.66673,First,Second,a,b\r\n", "column(s) tags, title twice"),
        ("id,published\r\n2509.66674,13/2025\r\n", "row 2 ('2509.66674'): 'published' must be YYYY-MM-DD"),
        ("id\r\nnot-an-id\r\n", "is not a paper id"),
        ("id,tags\r\n2509.09737,\"a\u0001b\"\r\n", "control characters"),
        ("id,note\r\n2509.09737," + "x" * 200_000 + "\r\n", "does not parse"),
    ],
)
def test_bad_csv_is_a_clear_error(text, words):
    with pytest.raises(PaperLensError) as e:
        formats.parse_import("csv", text)
    assert e.value.status == 400 and words in e.value.message, e.value.message


def test_detect_format():
    assert formats.format_for("x.bib", "{") == "bibtex"
    assert formats.format_for("x.JSON", "@") == "json"
    assert formats.format_for("-", '  {"format"') == "json"
    assert formats.format_for("-", "@misc{") == "bibtex"
    assert formats.format_for("saved.CSV", "id,title") == "csv"
    assert formats.format_for("-", "\ufeffid,title,authors\r\n") == "csv"


def test_an_unknown_format_is_named_with_those_that_import():
    with pytest.raises(PaperLensError) as e:
        formats.parse_import("xml", "<saved/>")
    assert e.value.status == 400 and "unknown import format 'xml': import reads json, bibtex, csv" in e.value.message


# ---------------------------------------------------------------- the BibTeX reader


def test_reader_handles_bibtex_syntax():
    text = (
        '@STRING{ conf = "Proc. of " }\n'
        "% a comment line with @ sign\n"
        '@Article(paren, title = "Quoted {with \\"braces\\"} " # conf # {X}, year = 2024, month = jan,\n'
        "  eprint = {2509.00001})\n"
        "@preamble{ {\\newcommand{\\x}{y}} }\n"
        "@misc{trailing, title={T}, eprint={2509.00002},}\n"
    )
    entries, errors = bibtex_reader.read_bibtex(text)
    assert errors == []
    assert [(e["type"], e["key"]) for e in entries] == [("article", "paren"), ("misc", "trailing")]
    fields = entries[0]["fields"]
    assert fields["title"] == 'Quoted {with \\"braces\\"} Proc. of X'
    assert fields["year"] == "2024" and fields["month"] == "jan"


def test_reader_reports_the_line_of_a_broken_entry():
    text = "@misc{ok, title={Fine}, eprint={2509.00001}}\n\n@misc{bad, title={Broken}\n  eprint = }\n"
    with pytest.raises(PaperLensError) as e:
        bibtex.parse_bibtex(text)
    assert "line 3" in e.value.message and "@misc{bad" in e.value.message


_bib_text = st.text(st.characters(exclude_categories=("Cs", "Cc")), min_size=1, max_size=60).filter(
    lambda t: t.split()
)


@settings(max_examples=150, deadline=None)
@given(title=_bib_text, note=st.text(st.characters(exclude_categories=("Cs",)), max_size=80), tags=st.lists(
    st.sampled_from(["rl", "to read", "ünï", "c++", "50%", "a_b", "{x}"]), max_size=4, unique=True))
def test_any_text_survives_bibtex_both_ways(title, note, tags):
    r = record("2509.09737", title=title, note=note, tags=tags, authors=["Zoë {Odd} Name", "Last, First"])
    text = bibtex.export_bibtex([r])
    lib = bibtexparser.parse_string(text)  # another parser agrees the entry is well formed
    assert not lib.failed_blocks and len(lib.entries) == 1
    back = bibtex.parse_bibtex(text)[0]
    assert back["title"] == " ".join(title.split())
    assert back["note"] == note and back["tags"] == tags
    assert back["authors"] == ["Zoë {Odd} Name", "Last, First"]


@pytest.mark.parametrize("text", ["@comment(never closed", "@misc{k, title={x}", '@misc{k, title="x}', "@misc{"])
def test_reader_survives_unclosed_input(text):
    with pytest.raises(PaperLensError) as e:
        bibtex.parse_bibtex(text)
    assert e.value.status == 400


def test_unclosed_brace_stops_the_reader_instead_of_rescanning():
    # Every later @ sits inside the unclosed brace: one problem, not one per @ (which would rescan the rest).
    entries, errors = bibtex_reader.read_bibtex("@misc{ok, title={Fine}}\n" + "@misc{k, title={" * 20_000)
    assert [e["key"] for e in entries] == ["ok"] and len(errors) == 1 and "never closed" in errors[0][1]


_bibtexish = st.lists(
    st.sampled_from(list('@misc{}()",=#%~\\ \n\tabkey0123.:_/') + ["@misc{", "title=", "{\\'e}", " and ", "eprint="]),
    max_size=60,
).map("".join)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_bibtexish, st.text()))
def test_any_bibtex_input_is_records_or_a_400(text):
    try:
        records = bibtex.parse_bibtex(text)
    except PaperLensError as e:
        assert e.status == 400
    else:
        assert all(PAPER_ID.match(r["id"]) for r in records)


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(fields.RECORD_FIELDS), inner, max_size=6),
    max_leaves=20,
)


@settings(max_examples=200, deadline=None)
@given(st.one_of(_json_values, st.fixed_dictionaries({"saved": st.lists(_json_values, max_size=3)})))
def test_any_json_input_is_records_or_a_400(data):
    try:
        formats.parse_import("json", data)
    except PaperLensError as e:
        assert e.status == 400


@pytest.mark.parametrize(
    "body, fields",
    [
        # The one-step path: braced values, with and without a trailing comma, in both entry delimiters.
        ("@misc{k, title = {A {B} C},\n  year = {2024}}", {"title": "A {B} C", "year": "2024"}),
        ("@misc{k, title={A},\n}", {"title": "A"}),
        ("@misc(k, title = {A}, note = {x)y})", {"title": "A", "note": "x)y"}),
        ("@misc{k,\n  TITLE = {A}  ,  Year={1}\n\n}", {"title": "A", "year": "1"}),
        # A braced value that is only the start of a concatenation, or sits between quoted ones.
        ('@string{c = "C"}\n@misc{k, title = {A} # c # {D}, year = 2024}', {"title": "ACD", "year": "2024"}),
        ('@misc{k, a = "q", b = {r}, c = {s} # "t"}', {"a": "q", "b": "r", "c": "st"}),
        # The last value wins, as in BibTeX.
        ("@misc{k, title={A}, title={B}}", {"title": "B"}),
    ],
)
def test_reader_fields(body, fields):
    entries, errors = bibtex_reader.read_bibtex(body)
    assert errors == [] and len(entries) == 1
    assert entries[0]["fields"] == fields


@pytest.mark.parametrize("body", ["@misc{k, title = {A} junk}", "@misc{k, title = {A} year = {1}}", "@misc{k, t={A}"])
def test_reader_refuses_a_braced_value_followed_by_garbage(body):
    entries, errors = bibtex_reader.read_bibtex(body)
    assert entries == [] and len(errors) == 1


@pytest.mark.parametrize(
    "field, names",
    [
        ("Ann  Bee and\n  Cy Dee", ["Ann Bee", "Cy Dee"]),
        ("Ann Bee AND Cy Dee and ", ["Ann Bee", "Cy Dee"]),
        ("Bee, Ann and Dee, Cy", ["Ann Bee", "Cy Dee"]),
        ("{Anderson and Sons} and M{\\\"u}ller, J{\\\"o}rg", ["Anderson and Sons", "Jörg Müller"]),
        ("", []),
    ],
)
def test_bibtex_author_lists(field, names):
    assert bibtex._bib_authors(field) == names


def test_bulk_pauses_the_collector_and_always_restores_it():
    import gc

    assert gc.isenabled()
    with pytest.raises(RuntimeError), speed.bulk():
        assert not gc.isenabled()
        with speed.bulk():  # nested: the inner one leaves it off
            pass
        assert not gc.isenabled()
        raise RuntimeError("an import that fails halfway")
    assert gc.isenabled()
    gc.disable()
    try:
        with speed.bulk():
            pass
        assert not gc.isenabled()  # it was off before: bulk() does not turn it on
    finally:
        gc.enable()


_latexish = st.lists(
    st.sampled_from(list("ab Ü{}\\&%$#_~^") + ["\\textbackslash{}", "\\textbraceleft{}", "\\&", "\\'e", "{\\\"u}"]),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_latexish)
def test_unescape_takes_the_same_route_as_a_two_pass_reference(text):
    # The reference: search for LaTeX we did not write first; without any, substitute our escapes one by one.
    foreign = re.compile(
        r"\\(?!(?:textbackslash|textasciitilde|textasciicircum|textbraceleft|textbraceright)\{\}|[{}&%$#_])|~"
    )
    ours = re.compile(
        r"\\(?:textbackslash|textasciitilde|textasciicircum|textbraceleft|textbraceright)\{\}|\\[{}&%$#_]|[{}]"
    )
    if "\\" not in text and "~" not in text or not foreign.search(text):
        expected = ours.sub(lambda m: bibtex._OWN_UNESCAPES[m.group(0)], text)
    else:
        expected = bibtex._latex_to_text().latex_to_text(text)
    assert bibtex.latex_unescape(text) == expected


_author_field = st.lists(
    st.sampled_from(["Ann", "Bee", "Ñame", " ", "  ", "\t", "\n", "\u00a0", " and ", " AND ", "and", ",", "{", "}",
                     "{\\\"u}", "~"]),
    max_size=12,
).map("".join)


@settings(max_examples=300, deadline=None)
@given(_author_field)
def test_author_fast_path_agrees_with_the_general_one(field):
    assert bibtex._bib_authors(field) == [bibtex._bib_author(a) for a in bibtex._split_names(field)]
