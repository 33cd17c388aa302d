"""The site was built from nbval's execution (issue 20 §1; run after `make book`): every notebook of the book is in
the execution cache as nbval ran it, so the site build executed nothing."""

from __future__ import annotations

import pytest
from jupyter_cache import get_cache

from tests.prose import reading_order
from tests.site.test_claims import CACHE

BOOK = [p for p in reading_order() if p.suffix == ".ipynb"]


@pytest.mark.parametrize("path", BOOK, ids=lambda p: p.stem)
def test_the_site_shows_the_notebook_as_nbval_executed_it(path):
    record = get_cache(str(CACHE)).match_cache_file(str(path))  # KeyError: this version was never executed
    assert record.data.get("executed_by") == "nbval", f"{path.name} was executed by {record.data or 'myst-nb'}"
