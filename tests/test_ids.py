"""The paper-naming rules (`paperlens.ids`): ids, title keys, paper URLs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from paperlens.errors import PaperLensError
from paperlens.ids import _unicode_title_key, check_paper_id, paper_url, title_id, title_key, typed_paper_id


@pytest.mark.parametrize("pid", ["2509.09737", "0704.0001", "t-0123456789abcdef"])
def test_good_ids(pid):
    assert check_paper_id(pid) == pid


@pytest.mark.parametrize("pid", ["2509.097", "2509.09737v2", "t-0123", "cs/0112017", "../etc", "", None, 5,
                                 # a trailing newline, full-width digits: each was stored as an id of its own
                                 "2509.09737\n", "t-0123456789abcdef\n", "\uff12\uff15\uff10\uff19.\uff10\uff19\uff17\uff13\uff17"])
def test_bad_ids(pid):
    with pytest.raises(PaperLensError) as e:
        check_paper_id(pid)
    assert e.value.status == 400


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127)))
def test_the_ascii_fast_path_gives_the_unicode_key(title):
    assert title_key(title) == _unicode_title_key(title)


def test_spellings_of_one_title_share_a_key_and_an_id():
    assert title_key("  Große   Straße: A Study!") == "grosse strasse a study"
    assert title_id("Große Straße: A Study") == title_id("GROSSE STRASSE — a study")


def test_paper_urls():
    assert paper_url("2509.09737", "x") == "https://huggingface.co/papers/2509.09737"
    assert paper_url(title_id("A & B?"), "A & B?") == "https://huggingface.co/papers?q=A%20%26%20B%3F"


@pytest.mark.parametrize("typed", ["2509.09737", " 2509.09737 ", "arXiv:2509.09737", "ARXIV:2509.09737v2", "2509.09737v12",
                                   "https://arxiv.org/abs/2509.09737v3", "https://arxiv.org/pdf/2509.09737.pdf",
                                   "https://huggingface.co/papers/2509.09737", "http://www.arxiv.org/abs/2509.09737/"])
def test_an_arxiv_id_as_people_type_it(typed):
    assert typed_paper_id(typed) == "2509.09737"


@pytest.mark.parametrize("typed", ["arXiv:", "2509.09737v", "v2", "https://example.org/abs/2509.09737",
                                   "arXiv:2509.09737 extra", "t-0123456789abcdeg"])
def test_what_is_not_an_id_stays_refused(typed):
    with pytest.raises(PaperLensError, match="is not a paper id"):
        typed_paper_id(typed)
    assert typed_paper_id("t-0123456789abcdef") == "t-0123456789abcdef"


def test_a_long_bad_id_is_not_echoed_whole():
    with pytest.raises(PaperLensError) as e:
        check_paper_id("x" * 5000)
    assert len(e.value.message) < 200 and "xxx..." in e.value.message
