"""The chips a reader sees: every keyphrase of the 103 seed papers, judged against a hand-labelled set.

Runs the extractor as the product does (the bundled MiniLM, default settings: at most 5 chips per card, fewer
where the next phrase scores under `config.KEYPHRASES_FLOORS`) on the seed pages and looks every chip up in
`tests/keyphrases/seed_chips.json`, where each chip of each seed paper carries a label given by hand:

    ok       a phrase a researcher would write on that card
    verb     a clause fragment with a verb ("model learns", "encode speech", "principal bottleneck impeding")
    garbled  LaTeX residue, a dropped possessive, a fused dash, an edge clipped off a longer term, numbers
    nested   contained in or a variant of another chip of the card ("few-shot learning" beside "transductive
             few-shot learning"), an acronym beside its expansion, a variant adding only a generic head;
             stored as {"label": "nested", "of": [the other chips]}: valid only while one of them is on the card
    vague    would fit any ML paper ("deep learning", "downstream tasks"), or context, not content

It prints the defect rate per category, the number of fully clean cards, the same for the whole ranking
(5 chips on every card, no floors), and every chip the set does not know yet (new chips, or a nested chip whose partner left the card), each card shown whole, so whoever changed
the extractor labels them with the same strictness before reading the numbers. `--template FILE` writes
those unknown chips as JSON to fill in; `--merge FILE` adds a filled-in file to the set.

Speed (`--speed`): the extractor as it was before the chip work (keyphrases.py at `--before`, loaded from git
into a temporary module) and the current one, on the same seed pages in the same process, alternately, from a
cold phrase memo each time, and their ratio.

    python benchmarks/bench_chips.py                 # numbers + unknown chips
    python benchmarks/bench_chips.py --speed         # and the old/new timing
    python benchmarks/bench_chips.py --template /tmp/new.json ; ...edit... ; --merge /tmp/new.json

Data: the seeds under $PAPERLENS_SHARED or ../shared next to the repo (never copied into the repo; the
labelled set holds titles and chips only).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import re
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from paths import ROOT, shared_dir
from truncation import cut_texts_at

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
sys.path.insert(0, str(ROOT / "backend"))

LABELS_PATH = ROOT / "tests" / "keyphrases" / "seed_chips.json"
CATEGORIES = ("verb", "garbled", "nested", "vague")
# keyphrases.py as it was when the chip work began (issue 15): the speed baseline.
BEFORE = "9f0b7bd5bed86a59fb92c73cb592b204db88cfb9"


def seed_pages() -> list[tuple[str, list[tuple[str, str]]]]:
    """[(seed file name, [(title, abstract)])] for every seed page."""
    from paperlens.digest import parse_page

    out = []
    for path in sorted((shared_dir() / "seeds").glob("*.txt")):
        papers = parse_page(path.read_text(encoding="utf-8")).papers
        out.append((path.name, [(p.title, p.abstract) for p in papers]))
    return out


def load_labels() -> dict:
    return json.loads(LABELS_PATH.read_text(encoding="utf-8"))


def save_labels(data: dict) -> None:
    papers = dict(sorted(data["papers"].items()))
    for entry in papers.values():
        entry["chips"] = dict(sorted(entry["chips"].items(), key=lambda kv: kv[0].lower()))
    data["papers"] = papers
    LABELS_PATH.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def judge(card: list[str], known: dict) -> list[str | None]:
    """The label of each chip of a card, None where the set does not know it (or no longer applies)."""
    out = []
    for chip in card:
        label = known.get(chip)
        if isinstance(label, dict):  # nested: only while a chip it is nested in is on the card
            label = "nested" if set(label.get("of", [])) & set(card) else None
        out.append(label)
    return out


def report(docs: list[tuple[str, str]], cards: list[list[str]], labels: dict, pages: list[str] | None = None) -> list[dict]:
    """Prints the table (and, given each card's seed page, one row per page: rules written from one page's
    labels are checked on the other); returns the cards that hold chips the set does not know."""
    from paperlens.ids import title_key

    counts: Counter = Counter()
    clean = 0
    unknown = []
    sizes: Counter = Counter()
    by_page: dict[str, Counter] = {}
    for i, ((title, _), card) in enumerate(zip(docs, cards)):
        key = title_key(title)
        known = labels["papers"].get(key, {}).get("chips", {})
        got = judge(card, known)
        counts.update(g or "unknown" for g in got)
        clean += all(g == "ok" for g in got)
        sizes[len(card)] += 1
        if pages:
            page = by_page.setdefault(pages[i], Counter())
            page.update(chips=len(card), cards=1, clean=all(g == "ok" for g in got),
                        defective=sum(g in CATEGORIES for g in got), vague=got.count("vague"), unknown=got.count(None))
        if None in got:
            unknown.append({"key": key, "title": title, "card": card, "labels": got})
    total = sum(counts.values())
    print(f"## Chips on the seed pages ({len(cards)} cards, {total} chips)\n")
    print("| label | chips | share |")
    print("|---|---|---|")
    for label in ("ok",) + CATEGORIES + ("unknown",):
        print(f"| {label} | {counts[label]} | {100 * counts[label] / max(1, total):.1f}% |")
    defects = sum(counts[c] for c in CATEGORIES)
    print(f"| **defective** | {defects} | {100 * defects / max(1, total):.1f}% |")
    print(f"\nFully clean cards: {clean} / {len(cards)}")
    print("Chips per card: " + ", ".join(f"{n}: {sizes[n]} cards" for n in sorted(sizes, reverse=True)))
    if by_page:
        print("\n| seed page | cards | chips | defective | vague | unknown | clean cards |")
        print("|---|---|---|---|---|---|---|")
        for name, c in sorted(by_page.items()):
            print(f"| {name[:3]} | {c['cards']} | {c['chips']} | {100 * c['defective'] / max(1, c['chips']):.1f}% | "
                  f"{100 * c['vague'] / max(1, c['chips']):.1f}% | {c['unknown']} | {c['clean']} / {c['cards']} |")
    if unknown:
        print(f"\n{counts['unknown']} chips on {len(unknown)} cards are not labelled yet:\n")
        for u in unknown:
            print(f"- {u['title']}")
            for chip, label in zip(u["card"], u["labels"]):
                print(f"    {'??' if label is None else label:8} {chip}")
    return unknown


def extract(module, docs, backend, **settings):
    """The chips each card shows at once: the ranking down to the floors (`Settings.kept`, what the answer
    leaves out of `more`), or all of it for an extractor from before the floors."""
    s = module.Settings(top_n=5, **settings)
    ex = module.KeyphraseExtractor(embedder=backend, settings=s)
    shown = getattr(s, "kept", len)
    return [[p for p, _ in kws[: shown([score for _, score in kws]) if kws else 0]] for kws in ex.extract(docs)]


def summarize(docs, cards, labels) -> str:
    """One line: defective share and clean cards (unknown chips counted apart)."""
    from paperlens.ids import title_key

    got = [judge(card, labels["papers"].get(title_key(t), {}).get("chips", {})) for (t, _), card in zip(docs, cards)]
    total = sum(map(len, got))
    bad = sum(g in CATEGORIES for card in got for g in card)
    unknown = sum(g is None for card in got for g in card)
    clean = sum(all(g == "ok" for g in card) for card in got)
    return (f"{total} chips, defective {bad} ({100 * bad / max(1, total):.1f}%), unknown {unknown}, "
            f"fully clean cards {clean} / {len(cards)}")


def load_before(commit: str):
    """keyphrases.py at `commit`, as the module `paperlens._keyphrases_before` (its relative imports resolve)."""
    source = subprocess.run(
        ["git", "show", f"{commit}:backend/paperlens/keyphrases.py"], cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    # It is always handed the current embedder, so it needs none of embedding.py's names but MODEL_NAME
    # (which embedding.py may have renamed the rest of since).
    source = re.sub(r"^from \.embedding import .*$", "from .embedding import MODEL_NAME", source, flags=re.M)
    import paperlens

    name = "paperlens._keyphrases_before"
    spec = importlib.util.spec_from_loader(name, loader=None)
    module = importlib.util.module_from_spec(spec)
    module.__package__ = "paperlens"
    sys.modules[name] = module
    exec(compile(source, f"{commit[:7]}:keyphrases.py", "exec"), module.__dict__)
    assert paperlens  # the package must be imported before its relative imports run
    return module


def speed(pages, backend, before: str, repeats: int) -> None:
    from paperlens import keyphrases as new

    old = load_before(before)
    print(f"\n## Time per seed page, cold phrase memo (best of {repeats}, old and new alternating; before = {before[:7]})\n")
    print("Wall clock, and CPU time of this process (all threads: steadier when other work shares the machine).\n")
    print("| page | papers | before s | now s | now / before | before CPU s | now CPU s | CPU now / before |")
    print("|---|---|---|---|---|---|---|---|")
    extract(new, pages[0][1][:3], backend)  # the lexicon loads once per process: not a page's cost
    totals = [0.0] * 4
    for name, docs in pages:
        best = [float("inf")] * 4  # wall old, wall new, cpu old, cpu new
        for _ in range(repeats):
            for i, module in enumerate((old, new)):
                t0, c0 = time.perf_counter(), time.process_time()
                extract(module, docs, backend)
                best[i] = min(best[i], time.perf_counter() - t0)
                best[2 + i] = min(best[2 + i], time.process_time() - c0)
        totals = [t + b for t, b in zip(totals, best)]
        print(f"| {name[:3]} | {len(docs)} | {best[0]:.3f} | {best[1]:.3f} | {best[1] / best[0]:.2f} | "
              f"{best[2]:.3f} | {best[3]:.3f} | {best[3] / best[2]:.2f} |")
    print(f"| all | {sum(len(d) for _, d in pages)} | {totals[0]:.3f} | {totals[1]:.3f} | {totals[1] / totals[0]:.2f} | "
          f"{totals[2]:.3f} | {totals[3]:.3f} | {totals[3] / totals[2]:.2f} |")

    # The part-of-speech lexicon's share: candidates alone (no model), with the word cache emptied each time.
    docs = [d for _, ds in pages for d in ds]
    best = [float("inf"), float("inf")]
    for _ in range(repeats):
        for i, module in enumerate((old, new)):
            if hasattr(module, "_lemmas"):
                module._lemmas.cache_clear()
            t0 = time.perf_counter()
            for title, abstract in docs:
                module.candidates(title, abstract)
            best[i] = min(best[i], time.perf_counter() - t0)
    load = subprocess.run(
        [sys.executable, "-c", "import time; t = time.perf_counter(); from lemminflect import getAllLemmas; "
         "getAllLemmas('learns'); print(time.perf_counter() - t)"],
        check=True, capture_output=True, text=True,
    ).stdout.strip()
    print(f"\nCandidates alone, all {len(docs)} papers ({len(pages)} pages): before {1000 * best[0]:.0f} ms, now "
          f"{1000 * best[1]:.0f} ms (lexicon look-ups included); loading the lexicon, once per process: "
          f"{1000 * float(load):.0f} ms")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--speed", action="store_true", help="time the extractor before the chip work and now")
    ap.add_argument("--before", default=BEFORE, help="the commit whose keyphrases.py is the speed baseline")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--template", type=Path, help="write the unknown chips to FILE as JSON to label")
    ap.add_argument("--merge", type=Path, help="add a labelled template to the set, then report")
    ap.add_argument("--max-tokens", type=int, default=None,
                    help="cut texts at N tokens instead of the model's 256 (benchmarks/truncation.py)")
    args = ap.parse_args()

    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    from paperlens import keyphrases

    labels = load_labels()
    if args.merge:
        for item in json.loads(args.merge.read_text(encoding="utf-8")):
            entry = labels["papers"].setdefault(item["key"], {"title": item["title"], "chips": {}})
            for chip, label in item["chips"].items():
                if label in (None, "", "??"):
                    raise SystemExit(f"unlabelled chip {chip!r} on {item['title']!r}")
                if isinstance(label, str) and label.startswith("nested:"):
                    label = {"label": "nested", "of": [s.strip() for s in label[7:].split("|")]}
                elif label not in ("ok",) + CATEGORIES and not isinstance(label, dict):
                    raise SystemExit(f"unknown label {label!r} for {chip!r}")
                entry["chips"][chip] = label
        save_labels(labels)

    pages = seed_pages()
    docs = [d for _, ds in pages for d in ds]
    page_of = [name for name, ds in pages for _ in ds]
    # The product's embedder, however embedding.py runs it; the old extractor is handed the same one.
    backend = keyphrases.KeyphraseExtractor().backend()
    cut_texts_at(backend, args.max_tokens)
    cards = extract(keyphrases, docs, backend)
    cut = f"; texts cut at {args.max_tokens} tokens, not the model's 256" if args.max_tokens else ""
    print(f"keyphrases.py ALGORITHM_VERSION {keyphrases.ALGORITHM_VERSION}{cut}\n")
    unknown = report(docs, cards, labels, page_of)
    if "floors" in keyphrases.Settings.__dataclass_fields__:
        whole = extract(keyphrases, docs, backend, floors=())
        print("\nThe whole ranking, 5 chips on every card (no floors): " + summarize(docs, whole, labels))
        # What waits behind each card's "+N": the ranking's tail past the floors, judged alone.
        from paperlens.ids import title_key

        tail = [judge(w, labels["papers"].get(title_key(t), {}).get("chips", {}))[len(c):]
                for (t, _), w, c in zip(docs, whole, cards)]
        n = sum(map(len, tail))
        ok = sum(g == "ok" for card in tail for g in card)
        print(f"Behind the cards' \"+N\" (shown on request): {n} chips, {ok} of them ok ({100 * ok / max(1, n):.0f}%)")
    if args.template:
        args.template.write_text(
            json.dumps(
                [
                    {"key": u["key"], "title": u["title"], "card": u["card"],
                     "chips": {c: "??" for c, lab in zip(u["card"], u["labels"]) if lab is None}}
                    for u in unknown
                ],
                indent=1,
                ensure_ascii=False,
            ),
            encoding="utf-8",
        )
        print(f"\nwrote {len(unknown)} cards to label to {args.template}")
    if args.speed:
        speed(pages, backend, args.before, args.repeats)


if __name__ == "__main__":
    main()
