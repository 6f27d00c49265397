"""Whether pytest's warning filters turn a warning raised at collection into an error.

pytest applies ``filterwarnings`` (then ``-W`` options) while it collects, as Python's
``warnings`` module would: the filter given last that matches decides. A warning made
an error there stops the module's collection: since pytest 9.1, passing parametrize an
iterator (``itertools.product(...)``, a generator) warns ``PytestRemovedIn10Warning``,
and a suite with ``filterwarnings = error`` collects none of that module's tests.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ITERATOR_PARAMETRIZE", "CollectionWarning", "is_error"]


@dataclass(frozen=True)
class CollectionWarning:
    """A warning pytest raises while collecting: its class's MRO, message and module."""

    categories: frozenset[str]
    message: str
    module: str


#: ``PARAMETRIZE_NON_COLLECTION_ITERABLE``, warned from ``_pytest.python`` (pytest 9.1).
ITERATOR_PARAMETRIZE = CollectionWarning(
    frozenset(
        {
            "PytestRemovedIn10Warning",
            "PytestDeprecationWarning",
            "PytestWarning",
            "UserWarning",
            "DeprecationWarning",
            "Warning",
        }
    ),
    "Passing a non-Collection iterable to parametrize is deprecated.",
    "_pytest.python",
)
_ACTIONS = ("default", "always", "ignore", "module", "once", "error")


def is_error(
    warning: CollectionWarning, ini_filters: Sequence[str], command_line: Sequence[str]
) -> bool:
    """Whether the filters (``filterwarnings`` lines, then ``-W`` values, each later one
    first in effect) make ``warning`` an error; a filter pytest would refuse is skipped."""
    ordered = [(f, True) for f in reversed(command_line)] + [
        (f, False) for f in reversed(ini_filters)
    ]
    for text, escape in ordered:
        action = _matching_action(text, warning, escape=escape)
        if action is not None:
            return action == "error"
    return False  # Python's and pytest's defaults show it, never raise it


def _matching_action(text: str, warning: CollectionWarning, *, escape: bool) -> str | None:
    """pytest's ``parse_warning_filter``, then Python's match of one filter."""
    parts = text.split(":")
    if len(parts) > 5:
        return None
    parts += [""] * (5 - len(parts))
    action_text, message, category, module, lineno = (p.strip() for p in parts)
    # Python's ``warnings._getaction``: a prefix names an action; none is "default".
    if action_text == "all":
        action_text = "always"
    action = next((a for a in _ACTIONS if a.startswith(action_text)), None)
    if action is None:
        return None
    if lineno and lineno != "0":
        return None  # a line of pytest's own code: not worth following
    if category and category.rpartition(".")[2] not in warning.categories:
        return None
    try:
        if message:
            pattern = re.escape(message) if escape else message
            if not re.match(pattern, warning.message, re.IGNORECASE):
                return None
        if module:
            pattern = re.escape(module) + r"\Z" if escape else module
            if not re.match(pattern, warning.module):
                return None
    except re.error:
        return None
    return action
