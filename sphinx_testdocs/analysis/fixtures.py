"""Fixture definitions found statically, pytest's built-in fixtures, and conftest visibility."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Mapping, Sequence

from sphinx_testdocs.analysis.bindings import Binding, bindings, own_nodes
from sphinx_testdocs.analysis.model import FixtureDef, ModuleCollection

__all__ = [
    "BUILTIN_FIXTURES",
    "conftest_fixtures",
    "docstring_summary",
    "function_argnames",
    "value_type",
]


def _builtin(
    name: str,
    scope: str = "function",
    summary: str | None = None,
    *,
    requests: tuple[str, ...] = (),
    yields: bool = False,
    returns: str | None = None,
) -> FixtureDef:
    """A fixture pytest itself provides (also through its optional plugins, :mod:`.plugins`)."""
    return FixtureDef(
        name=name,
        function=name,
        relpath="",
        line=0,
        scope=scope,
        builtin=True,
        docstring_summary=summary,
        requests=requests,
        yields=yields,
        returns=returns,
    )


#: The fixtures pytest provides itself (``pytest --fixtures`` with no plugins), by name.
BUILTIN_FIXTURES: Mapping[str, FixtureDef] = {
    f.name: f
    for f in (
        _builtin(
            "cache",
            summary="Return a cache object that can persist state between runs.",
            returns="_pytest.cacheprovider.Cache",
        ),
        _builtin(
            "capsys",
            summary="Enable text capturing of writes to sys.stdout/sys.stderr.",
            returns="_pytest.capture.CaptureFixture",
        ),
        _builtin(
            "capteesys",
            summary="Capture sys.stdout/sys.stderr and pass them through.",
            returns="_pytest.capture.CaptureFixture",
        ),
        _builtin(
            "capsysbinary",
            summary="Enable bytes capturing of sys.stdout/sys.stderr.",
            returns="_pytest.capture.CaptureFixture",
        ),
        _builtin(
            "capfd",
            summary="Enable text capturing of writes to file descriptors 1 and 2.",
            returns="_pytest.capture.CaptureFixture",
        ),
        _builtin(
            "capfdbinary",
            summary="Enable bytes capturing of file descriptors 1 and 2.",
            returns="_pytest.capture.CaptureFixture",
        ),
        _builtin("doctest_namespace", "session", "Dict injected into doctests' namespace."),
        _builtin(
            "pytestconfig",
            "session",
            "The session's pytest.Config object.",
            returns="_pytest.config.Config",
        ),
        _builtin("record_property", summary="Add extra properties to the calling test."),
        _builtin("record_xml_attribute", summary="Add extra XML attributes to the test case."),
        _builtin("record_testsuite_property", "session", "Record a testsuite-level property."),
        _builtin("tmpdir_factory", "session", "A TempdirFactory instance (legacy)."),
        _builtin("tmpdir", summary="A unique temporary directory as a legacy py.path.local."),
        _builtin(
            "caplog",
            summary="Access and control log capturing.",
            returns="_pytest.logging.LogCaptureFixture",
        ),
        _builtin(
            "monkeypatch",
            summary="Helpers to patch objects, dicts and environment.",
            returns="_pytest.monkeypatch.MonkeyPatch",
        ),
        _builtin(
            "recwarn",
            summary="A WarningsRecorder recording warnings the test emits.",
            returns="_pytest.recwarn.WarningsRecorder",
        ),
        _builtin(
            "subtests",
            summary="Declare subtests inside a test function.",
            returns="_pytest.subtests.Subtests",
        ),
        _builtin(
            "tmp_path_factory",
            "session",
            "A TempPathFactory instance for the session.",
            returns="_pytest.tmpdir.TempPathFactory",
        ),
        _builtin(
            "tmp_path",
            summary="A unique temporary directory as a pathlib.Path.",
            returns="pathlib.Path",
        ),
        _builtin(
            "request",
            summary="The requesting test context (pseudo-fixture).",
            returns="_pytest.fixtures.FixtureRequest",
        ),
    )
}


def docstring_summary(node: ast.AST) -> str | None:
    """First line of the first paragraph of a def's docstring, stripped."""
    body = getattr(node, "body", None)
    if not body:
        return None
    first = body[0]
    if not (
        isinstance(first, ast.Expr)
        and isinstance(first.value, ast.Constant)
        and isinstance(first.value.value, str)
    ):
        return None
    for line in first.value.value.strip().splitlines():
        stripped = line.strip()
        return stripped or None
    return None


def function_argnames(
    func: ast.FunctionDef | ast.AsyncFunctionDef, *, drop_first: bool, mock_patches: int = 0
) -> list[str]:
    """Arguments pytest treats as fixture requests (``getfuncargnames``).

    Positional-or-keyword and keyword-only arguments without defaults count;
    positional-only ones never do. ``drop_first`` drops ``self``/``cls`` of methods
    (pytest skips that when any argument is positional-only); ``mock_patches`` leading
    arguments are consumed by ``mock.patch`` decorators.
    """
    args = func.args
    positional = [*args.posonlyargs, *args.args]
    # Python aligns defaults with the last positional parameters.
    defaulted = len(positional) - len(args.defaults)
    names = [
        a.arg
        for index, a in enumerate(positional)
        if index >= len(args.posonlyargs) and index < defaulted
    ]
    names.extend(
        a.arg
        for a, default in zip(args.kwonlyargs, args.kw_defaults, strict=True)
        if default is None
    )
    if drop_first and not args.posonlyargs:
        names = names[1:]
    return names[mock_patches:]


def conftest_fixtures(
    conftests: Iterable[ModuleCollection | Sequence[FixtureDef]],
) -> dict[str, FixtureDef]:
    """The fixtures visible below a directory, from its conftest.py files.

    ``conftests`` are the collections (or fixture tuples) of the ``conftest.py`` files
    from the project root down to the directory, outermost first. A fixture defined
    closer to the test overrides one of the same name further up, as in pytest; within
    one file the last definition of a name wins. Pass the result to ``collect_module``
    as ``visible_fixtures``.

    The overridden definitions are not kept, so a conftest fixture that requests the one
    it overrides (``def db(db): ...``) cannot be followed further; the collection then
    treats that fixture's parameters as unknown only if it has none itself.
    """
    visible: dict[str, FixtureDef] = {}
    for conftest in conftests:
        fixtures = conftest.fixtures if isinstance(conftest, ModuleCollection) else conftest
        for fixture in fixtures:
            visible[fixture.name] = fixture
    return visible


_ITERATORS = frozenset({"Iterator", "Iterable", "Generator", "AsyncIterator", "AsyncGenerator"})


def value_type(
    func: ast.FunctionDef | ast.AsyncFunctionDef, qualified: Callable[[ast.expr], str | None]
) -> str | None:
    """The qualified name of what a fixture function gives its tests, when its source
    says so: its return annotation (``-> Cls``, ``-> Iterator[Cls]``), else every
    ``return``/``yield`` giving ``Cls(...)``, or a name bound once to ``Cls(...)``.

    The name is the callee's: whether it is a class is for the caller to find out.
    """
    if func.returns is not None:
        annotation = func.returns
        if isinstance(annotation, ast.Subscript):
            outer = annotation.value
            last = outer.attr if isinstance(outer, ast.Attribute) else getattr(outer, "id", "")
            if last not in _ITERATORS:
                return None
            inner = annotation.slice
            annotation = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
        return qualified(annotation) if isinstance(annotation, (ast.Name, ast.Attribute)) else None
    given: list[ast.expr | None] = []
    for node in own_nodes(func):
        if isinstance(node, (ast.Return, ast.Yield)):
            given.append(node.value)
        elif isinstance(node, ast.YieldFrom):
            given.append(None)
    bound = bindings(func) if any(isinstance(v, ast.Name) for v in given) else {}
    callees: set[str | None] = set()
    for value in given:
        made: Binding | ast.expr = value
        if isinstance(value, ast.Name):
            # Bound exactly once, to a call: a parameter, a second assignment, a loop
            # target, ``global``... leave what it holds unknown.
            values = bound.get(value.id, [None])
            made = values[0] if len(values) == 1 else None
        callees.add(qualified(made.func) if isinstance(made, ast.Call) else None)
    if len(callees) != 1:
        return None
    return callees.pop()
