"""The hand-labelled seed chips (tests/keyphrases/seed_chips.json, read by benchmarks/bench_chips.py) stay
well formed: known labels, nested chips name a chip of the same paper, titles keyed as the product keys them."""

from __future__ import annotations

import json
from pathlib import Path

from paperlens.ids import title_key

LABELS = Path(__file__).resolve().parent / "keyphrases" / "seed_chips.json"
PLAIN = {"ok", "verb", "garbled", "vague"}


def test_seed_chip_labels_are_well_formed():
    data = json.loads(LABELS.read_text(encoding="utf-8"))
    assert len(data["papers"]) >= 103
    for key, entry in data["papers"].items():
        assert title_key(entry["title"]) == key
        assert set(entry) == {"title", "chips"}, key  # titles and chips only: no abstracts in the repo
        for chip, label in entry["chips"].items():
            if isinstance(label, dict):
                assert label["label"] == "nested" and label["of"], (key, chip)
                assert all(other in entry["chips"] and other != chip for other in label["of"]), (key, chip)
            else:
                assert label in PLAIN, (key, chip, label)
