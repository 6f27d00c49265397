"""Fixture definitions found statically, pytest's built-in fixtures, and conftest visibility."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Mapping, Sequence

from sphinx_testdocs.analysis.model import FixtureDef, ModuleCollection

__all__ = ["BUILTIN_FIXTURES", "conftest_fixtures", "docstring_summary", "function_argnames"]


def _builtin(
    name: str,
    scope: str = "function",
    summary: str | None = None,
    *,
    requests: tuple[str, ...] = (),
    yields: bool = False,
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
    )


#: The fixtures pytest provides itself (``pytest --fixtures`` with no plugins), by name.
BUILTIN_FIXTURES: Mapping[str, FixtureDef] = {
    f.name: f
    for f in (
        _builtin("cache", summary="Return a cache object that can persist state between runs."),
        _builtin("capsys", summary="Enable text capturing of writes to sys.stdout/sys.stderr."),
        _builtin("capteesys", summary="Capture sys.stdout/sys.stderr and pass them through."),
        _builtin("capsysbinary", summary="Enable bytes capturing of sys.stdout/sys.stderr."),
        _builtin("capfd", summary="Enable text capturing of writes to file descriptors 1 and 2."),
        _builtin("capfdbinary", summary="Enable bytes capturing of file descriptors 1 and 2."),
        _builtin("doctest_namespace", "session", "Dict injected into doctests' namespace."),
        _builtin("pytestconfig", "session", "The session's pytest.Config object."),
        _builtin("record_property", summary="Add extra properties to the calling test."),
        _builtin("record_xml_attribute", summary="Add extra XML attributes to the test case."),
        _builtin("record_testsuite_property", "session", "Record a testsuite-level property."),
        _builtin("tmpdir_factory", "session", "A TempdirFactory instance (legacy)."),
        _builtin("tmpdir", summary="A unique temporary directory as a legacy py.path.local."),
        _builtin("caplog", summary="Access and control log capturing."),
        _builtin("monkeypatch", summary="Helpers to patch objects, dicts and environment."),
        _builtin("recwarn", summary="A WarningsRecorder recording warnings the test emits."),
        _builtin("subtests", summary="Declare subtests inside a test function."),
        _builtin("tmp_path_factory", "session", "A TempPathFactory instance for the session."),
        _builtin("tmp_path", summary="A unique temporary directory as a pathlib.Path."),
        _builtin("request", summary="The requesting test context (pseudo-fixture)."),
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
