"""pytest's ``-m`` marker expressions, read and evaluated against a test's mark names.

The grammar is pytest's (``_pytest/mark/expression.py``)::

    expr:     and_expr ('or' and_expr)*
    and_expr: not_expr ('and' not_expr)*
    not_expr: 'not' not_expr | '(' expr ')' | ident

An identifier is true when the test carries a mark of that name. pytest 8.2 added
keyword arguments (``-m "device(kind='gpu')"``), which match mark arguments: those,
and anything pytest would reject, read as None here, so the caller says "may" rather
than guess.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass

__all__ = ["MarkExpression", "parse_markexpr"]

_TOKEN = re.compile(r"\s*(?:(?P<paren>[()])|(?P<ident>(?:\w|:|\+|-|\.|\[|\]|\\|/)+)|(?P<bad>\S))")

#: A parsed expression: given the mark names a test has, whether pytest selects it.
Matcher = Callable[[Collection[str]], bool]
#: ``any`` or ``all``.
Combine = Callable[[Iterable[bool]], bool]


@dataclass(frozen=True)
class MarkExpression:
    """A ``-m`` expression pytest can evaluate from mark names alone."""

    text: str
    #: The mark names it mentions.
    idents: frozenset[str]
    matches: Matcher


def parse_markexpr(text: str) -> MarkExpression | None:
    """The expression, or None when it is not one of names, ``and``, ``or``, ``not``
    and parentheses (keyword arguments, quotes, a syntax error)."""
    tokens: list[str] = []
    for m in _TOKEN.finditer(text):
        if m["bad"] is not None:
            return None
        tokens.append(m["paren"] or m["ident"])
    if not tokens:
        return None
    position = 0
    idents: set[str] = set()

    def peek() -> str | None:
        return tokens[position] if position < len(tokens) else None

    def take() -> str:
        nonlocal position
        position += 1
        return tokens[position - 1]

    def chain(
        operand: Callable[[], Matcher | None], word: str, combine: Combine
    ) -> Matcher | None:
        """Operands joined by ``word`` (``or``: any of them; ``and``: all of them)."""
        parts = [operand()]
        while peek() == word:
            take()
            parts.append(operand())
        found = [p for p in parts if p is not None]
        if len(found) != len(parts):
            return None
        return lambda names: combine(p(names) for p in found)

    def expr() -> Matcher | None:
        return chain(and_expr, "or", any)

    def and_expr() -> Matcher | None:
        return chain(not_expr, "and", all)

    def not_expr() -> Matcher | None:
        token = peek()
        if token is None or token in (")", "and", "or"):
            return None
        take()
        if token == "not":
            negated = not_expr()
            if negated is None:
                return None
            return lambda names: not negated(names)
        if token == "(":
            inner = expr()
            if inner is None or peek() != ")":
                return None
            take()
            return inner
        if peek() == "(":  # keyword arguments: matched against mark arguments
            return None
        idents.add(token)
        return lambda names: token in names

    matcher = expr()
    if matcher is None or position != len(tokens):
        return None
    return MarkExpression(text, frozenset(idents), matcher)
