"""The founding examples: the two text copies parse to exactly their papers."""

from paperlens.digest import parse_page


def test_seed_000(seed000):
    page = parse_page(seed000)
    assert len(page.papers) == 78
    world = next(p for p in page.papers if p.title == "World Modeling with Probabilistic Structure Integration")
    assert (world.author_count, world.published, world.upvotes) == (16, "2025-09-10", 4)
    assert len({p.id for p in page.papers}) == 78


def test_seed_001(seed001):
    page = parse_page(seed001)
    assert len(page.papers) == 25
    assert sum(p.author_count is None for p in page.papers) == 1
