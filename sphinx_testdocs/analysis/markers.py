"""Recognise pytest and unittest names and marks in a module's AST, statically."""

from __future__ import annotations

import ast
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sphinx_testdocs.analysis.model import MarkerUse

__all__ = ["BUILTIN_MARKERS", "MarkCall", "Names", "SourceText", "scan_names"]

#: Markers pytest itself registers (``pytest --markers`` with no plugins).
BUILTIN_MARKERS = frozenset(
    {
        "filterwarnings",
        "skip",
        "skipif",
        "xfail",
        "parametrize",
        "usefixtures",
        "tryfirst",
        "trylast",
    }
)

_LINE_SPLIT = re.compile(r"\r\n|\r|\n")


class SourceText:
    """Slices source text by AST positions without ``ast.get_source_segment``'s re-splitting."""

    def __init__(self, source: str) -> None:
        self._lines = _LINE_SPLIT.split(source)
        self._mentions: dict[str, list[int]] = {}

    def may_hold(self, word: str, node: ast.AST) -> bool:
        """Whether ``word`` occurs in the lines ``node`` spans: False proves a keyword
        absent from the node without walking it (True if the node has no position)."""
        lineno = getattr(node, "lineno", None)
        end_lineno = getattr(node, "end_lineno", None)
        if lineno is None or end_lineno is None:
            return True
        found = self._mentions.get(word)
        if found is None:
            found = [n for n, line in enumerate(self._lines, 1) if word in line]
            self._mentions[word] = found
        at = bisect_left(found, lineno)
        return at < len(found) and found[at] <= end_lineno

    def _line_slice(self, line: str, start: int | None, end: int | None) -> str:
        # AST columns count UTF-8 bytes; ASCII lines (the common case) need no encoding.
        if line.isascii():
            return line[start:end]
        return line.encode("utf-8")[start:end].decode("utf-8", "replace")

    def span(self, first: ast.AST, last: ast.AST | None = None) -> str:
        """Source text from the start of ``first`` to the end of ``last`` (default ``first``)."""
        last = last or first
        try:
            lineno = first.lineno  # type: ignore[attr-defined]
            col = first.col_offset  # type: ignore[attr-defined]
            end_lineno = last.end_lineno  # type: ignore[attr-defined]
            end_col = last.end_col_offset  # type: ignore[attr-defined]
        except AttributeError:
            return ""
        if end_lineno is None or end_col is None:
            return ""
        lines = self._lines
        if not 0 < lineno <= end_lineno <= len(lines):
            return ""
        if lineno == end_lineno:
            return self._line_slice(lines[lineno - 1], col, end_col)
        parts = [self._line_slice(lines[lineno - 1], col, None)]
        parts.extend(lines[lineno : end_lineno - 1])
        parts.append(self._line_slice(lines[end_lineno - 1], None, end_col))
        return "\n".join(parts)

    def call_args(self, call: ast.Call) -> str:
        """The source text between a call's parentheses (its arguments)."""
        nodes: list[ast.AST] = [*call.args, *call.keywords]
        if not nodes:
            return ""
        nodes.sort(key=lambda n: (n.lineno, n.col_offset))  # type: ignore[attr-defined]
        first, last = nodes[0], nodes[-1]
        if isinstance(first, ast.keyword) and first.arg is None:
            return "**" + self.span(first, last).removeprefix("**")
        if isinstance(first, ast.Starred):
            return self.span(first, last)
        return self.span(first, last)


@dataclass
class Names:
    """What the module's imports bind: which local names mean pytest or unittest things."""

    pytest_modules: set[str] = field(default_factory=set)
    mark_objects: set[str] = field(default_factory=set)
    fixture_functions: set[str] = field(default_factory=set)
    param_functions: set[str] = field(default_factory=set)
    unittest_modules: set[str] = field(default_factory=set)
    #: Local name -> attribute of the unittest module it is (``TestCase``, ``skip``...).
    unittest_names: dict[str, str] = field(default_factory=dict)
    #: Local name -> the dotted thing it was imported as (``"np.testing.TestCase"``).
    imported: dict[str, str] = field(default_factory=dict)
    star_imports: list[str] = field(default_factory=list)
    #: Module-level ``name = pytest.mark.x(...)`` aliases.
    mark_aliases: dict[str, ast.expr] = field(default_factory=dict)
    #: ``given`` from hypothesis (changes the test's signature).
    given_functions: set[str] = field(default_factory=set)
    hypothesis_modules: set[str] = field(default_factory=set)
    #: ``patch`` from unittest.mock / mock (each one consumes a leading argument).
    patch_functions: set[str] = field(default_factory=set)
    mock_modules: set[str] = field(default_factory=set)

    # --- classification of expressions -------------------------------------------------

    def is_pytest(self, node: ast.expr) -> bool:
        return isinstance(node, ast.Name) and node.id in self.pytest_modules

    def is_pytest_attr(self, node: ast.expr, attr: str, local: set[str]) -> bool:
        """``pytest.<attr>`` or a name imported as it."""
        if isinstance(node, ast.Name):
            return node.id in local
        return isinstance(node, ast.Attribute) and node.attr == attr and self.is_pytest(node.value)

    def is_mark_object(self, node: ast.expr) -> bool:
        return self.is_pytest_attr(node, "mark", self.mark_objects)

    def is_fixture(self, node: ast.expr) -> bool:
        return self.is_pytest_attr(node, "fixture", self.fixture_functions)

    def is_param(self, node: ast.expr) -> bool:
        return self.is_pytest_attr(node, "param", self.param_functions)

    def unittest_attr(self, node: ast.expr) -> str | None:
        """The unittest attribute an expression names (``unittest.skip`` -> ``"skip"``)."""
        if isinstance(node, ast.Name):
            return self.unittest_names.get(node.id)
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in self.unittest_modules
        ):
            return node.attr
        return None

    def dotted(self, node: ast.expr) -> str | None:
        """A dotted name with the import it starts from expanded, or None."""
        written = written_name(node)
        if written is None:
            return None
        first, dot, rest = written.partition(".")
        return self.imported.get(first, first) + dot + rest

    def is_given(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.given_functions
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "given"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.hypothesis_modules
        )

    def is_patch(self, node: ast.expr) -> bool:
        """``patch``, ``patch.object``, ``mock.patch(.object|.dict)`` and friends."""
        if isinstance(node, ast.Attribute) and node.attr in ("object", "multiple", "dict"):
            return self.is_patch(node.value)
        if isinstance(node, ast.Name):
            return node.id in self.patch_functions
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "patch"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.mock_modules
        )


def written_name(node: ast.expr) -> str | None:
    """``a.b.c`` as written (``Name`` and ``Attribute`` nodes only), or None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _bind_import(names: Names, stmt: ast.Import | ast.ImportFrom) -> None:
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            local = alias.asname or alias.name.split(".")[0]
            names.imported[local] = alias.name if alias.asname else local
            if alias.name == "pytest":
                names.pytest_modules.add(local)
            elif alias.name == "unittest" and alias.asname:
                names.unittest_modules.add(local)
            elif alias.name.split(".")[0] == "unittest":
                names.unittest_modules.add("unittest")
                if alias.name == "unittest.mock" and alias.asname:
                    names.mock_modules.add(local)
                elif alias.name == "unittest.mock":
                    names.mock_modules.add("unittest.mock")
            elif alias.name == "hypothesis":
                names.hypothesis_modules.add(local)
            elif alias.name == "mock":
                names.mock_modules.add(local)
        return
    module = stmt.module or ""
    for alias in stmt.names:
        if alias.name == "*":
            names.star_imports.append("." * stmt.level + module)
            continue
        local = alias.asname or alias.name
        # ``from . import x`` names ".x", ``from .m import x`` ".m.x".
        names.imported[local] = "." * stmt.level + (f"{module}." if module else "") + alias.name
        if stmt.level:
            continue
        if module in {"pytest", "_pytest.mark"}:
            if alias.name == "mark":
                names.mark_objects.add(local)
            elif alias.name == "fixture":
                names.fixture_functions.add(local)
            elif alias.name == "param":
                names.param_functions.add(local)
        elif module == "unittest":
            if alias.name == "mock":
                names.mock_modules.add(local)
            else:
                names.unittest_names[local] = alias.name
        elif module == "unittest.case":
            names.unittest_names[local] = alias.name
        elif module in ("unittest.mock", "mock") and alias.name == "patch":
            names.patch_functions.add(local)
        elif module == "hypothesis" and alias.name == "given":
            names.given_functions.add(local)


def scan_names(body: Iterable[ast.stmt]) -> Names:
    """Collect import bindings from module-level statements (including if/try blocks)."""
    names = Names()
    for stmt in _module_statements(body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            _bind_import(names, stmt)
    return names


def _module_statements(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """Statements run at import time, descending into if/try/with blocks but not defs."""
    stack = [iter(body)]
    while stack:
        for stmt in stack[-1]:
            yield stmt
            if isinstance(stmt, ast.If):
                stack.append(iter([*stmt.body, *stmt.orelse]))
                break
            if isinstance(stmt, ast.Try) or type(stmt).__name__ == "TryStar":
                blocks: list[ast.stmt] = [*stmt.body, *stmt.orelse, *stmt.finalbody]  # type: ignore[attr-defined]
                for handler in stmt.handlers:  # type: ignore[attr-defined]
                    blocks.extend(handler.body)
                stack.append(iter(blocks))
                break
            if isinstance(stmt, (ast.With, ast.AsyncWith)):
                stack.append(iter(stmt.body))
                break
        else:
            stack.pop()


@dataclass(frozen=True)
class MarkCall:
    """A mark expression understood: its name and the call carrying its arguments."""

    name: str
    call: ast.Call | None
    node: ast.expr


def parse_mark(node: ast.expr, names: Names, depth: int = 0) -> MarkCall | None:
    """Understand ``pytest.mark.name``, ``pytest.mark.name(...)``, ``mark.name`` or an alias."""
    call: ast.Call | None = None
    target = node
    if isinstance(target, ast.Call):
        call = target
        target = target.func
    if isinstance(target, ast.Attribute) and names.is_mark_object(target.value):
        return MarkCall(target.attr, call, node)
    if isinstance(target, ast.Name) and target.id in names.mark_aliases and depth < 5:
        inner = parse_mark(names.mark_aliases[target.id], names, depth + 1)
        if inner is None:
            return None
        if call is not None and inner.call is None:
            return MarkCall(inner.name, call, node)
        # Calling an already-called mark (``slow = mark.x(1); @slow(f)``) keeps its args.
        return MarkCall(inner.name, inner.call, node)
    return None


def marks_from_expr(node: ast.expr, names: Names) -> list[MarkCall] | None:
    """Marks in a ``pytestmark`` value or ``marks=`` argument (single or list/tuple)."""
    if isinstance(node, (ast.List, ast.Tuple)):
        out: list[MarkCall] = []
        for elt in node.elts:
            mark = parse_mark(elt, names)
            if mark is None:
                return None
            out.append(mark)
        return out
    mark = parse_mark(node, names)
    return None if mark is None else [mark]


def marker_use(
    mark: MarkCall,
    source: SourceText,
    origin: str,
    declared_markers: frozenset[str] | None,
) -> MarkerUse:
    """A :class:`MarkerUse` for a parsed mark; ``declared_markers`` None = cannot tell."""
    declared: bool | None
    if mark.name in BUILTIN_MARKERS:
        declared = True
    elif declared_markers is None:
        declared = None
    else:
        declared = mark.name in declared_markers
    args = source.call_args(mark.call) if mark.call is not None else ""
    return MarkerUse(
        name=mark.name,
        args=args,
        line=mark.node.lineno,
        origin=origin,
        declared=declared,
    )


def marker_summary(name: str, args: str) -> str:
    """What an index shows of a mark's arguments: all of them, except for
    ``parametrize``, whose values may run to pages; its argument names stand for it."""
    if name != "parametrize" or not args:
        return args
    try:
        call = ast.parse(f"f({args})", mode="eval").body
    except (SyntaxError, ValueError, RecursionError):
        return ""
    if not isinstance(call, ast.Call):  # text that closes the call early: not one
        return ""
    first = call.args[0] if call.args else None
    if first is None:
        first = next((k.value for k in call.keywords if k.arg == "argnames"), None)
    if isinstance(first, ast.Constant) and isinstance(first.value, str):
        return ", ".join(n.strip() for n in first.value.split(",") if n.strip())
    if isinstance(first, ast.List | ast.Tuple) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in first.elts
    ):
        return ", ".join(str(e.value) for e in first.elts)  # type: ignore[attr-defined]
    return ""
