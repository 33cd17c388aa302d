"""Every number the prose quotes is printed by its notebook or held by its code (issue 18 §2; see tests/claims.py).

Run after `make book`: the outputs come from the execution cache that the site was built from.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from jupyter_cache import get_cache

from tests.claims import unbacked_claims
from tests.prose import ROOT, reading_order

CACHE = ROOT / "_build" / ".jupyter_cache"
BOOK = [p for p in reading_order() if p.suffix == ".ipynb"]


@pytest.fixture(scope="module")
def executed() -> dict[str, Path]:
    """Each notebook's executed copy in the cache, by notebook path."""
    if not CACHE.exists():
        pytest.fail("no execution cache: run `make book` first")
    cache = get_cache(str(CACHE))
    found = {}
    for path in BOOK:
        record = cache.match_cache_file(str(path))  # raises KeyError when this version was never executed
        found[path] = CACHE / "executed" / record.hashkey / "base.ipynb"
    return found


@pytest.mark.parametrize("path", BOOK, ids=lambda p: p.stem)
def test_every_quoted_number_is_printed_or_guarded(path, executed):
    claims = unbacked_claims(path, executed[path])
    assert not claims, (
        f"{path.name} quotes numbers that none of its outputs or code cells back — print them from the computation, "
        "guard the claim in a code cell, or cite the source in the same sentence:\n  " + "\n  ".join(claims)
    )
