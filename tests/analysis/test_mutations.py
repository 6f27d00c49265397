"""The text searches for changed names find what their plain patterns find.

``mutated_names`` searches for a change (``.append(``, ``[...] =``, ``+=``) and reads
the name back, and for an alias with its look-behind after the ``=``: both faster forms
of one pattern. Here each is compared with its plain pattern on awkward text and on
real modules (the standard library's and this project's own).
"""

from __future__ import annotations

import argparse
import ast
import collections
import re
import typing
from pathlib import Path

import pytest

from sphinx_testdocs.analysis import _scope
from sphinx_testdocs.analysis._scope import _ALIAS, _ALIASES, _CHANGE, _changed_names

#: The plain patterns (``\b`` and the look-behind first: tried at every position).
PLAIN_CHANGE = re.compile(r"\b([A-Za-z_]\w*)" + _CHANGE)
PLAIN_ALIAS = re.compile(_ALIAS.format(r"([A-Za-z_]\w*)"), re.MULTILINE)

AWKWARD = [
    "f()[x.pop(0)] = 1",  # a change inside the brackets of one without a name
    "x\n  .append(1)",  # spaces and a line end between the name and the change
    "1x += 1\néx += 1\n_y -= 2\nz2 *= 3",  # names must start as the pattern says
    "a <= b\na == b\na != b\nc //= 2\nd **= 2\ne <<= 1\nf >>= 1\ng @= h",
    "a.b.append(1)\nitems[k] = v\nitems[k] == v\nitems[\n] = 1",
    "x[a[0]=1] = 2\nq .update ({})\nr.__setitem__(1, 2)",
    "s = t\nu == v\nw >= y\nalias = FORMATS  # second name\nz = (\n",
    "é = x\n_reg=REG\nx=1\n==y\n!=z\n",
]


def _real_sources() -> list[str]:
    modules = [argparse, ast, collections, typing, re]
    paths = [Path(m.__file__) for m in modules if m.__file__]
    paths += sorted(Path(_scope.__file__).parent.glob("*.py"))
    return [p.read_text(encoding="utf-8") for p in paths]


@pytest.mark.parametrize("text", AWKWARD + _real_sources())
def test_the_fast_searches_find_what_the_plain_patterns_find(text: str) -> None:
    assert _changed_names(text) == {m.group(1) for m in PLAIN_CHANGE.finditer(text)}
    assert _ALIASES.findall(text) == PLAIN_ALIAS.findall(text)


def test_the_awkward_cases_find_what_they_should() -> None:
    # Not only equal: the cases exercise both branches of the name read back.
    assert _changed_names(AWKWARD[0]) == {"x"}
    assert _changed_names(AWKWARD[1]) == {"x"}
    assert _changed_names(AWKWARD[2]) == {"_y", "z2"}
    assert _changed_names(AWKWARD[3]) == {"c", "d", "e", "f", "g"}
