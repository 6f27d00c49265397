"""What "tested by" finds statically: each inference rule on a small project tree."""

from __future__ import annotations

import os
from pathlib import Path

from sphinx_testdocs import config
from sphinx_testdocs.crossfile import CrossFile
from sphinx_testdocs.project import build_project
from tests.analysis.crossfile import write_tree

APP = """
    class Flask:
        def __init__(self, name): self.name = name
        def route(self, rule): return lambda f: f
        def run(self): pass
        def __enter__(self):
            return self
        def __exit__(self, *exc): pass

    class Client:
        def get(self, url): pass
        def __enter__(self):
            return Other()
        def __exit__(self, *exc): pass

    class Other:
        def get(self, url): pass
"""


def uses_of(tree: Path, *names: str) -> dict[str, list[tuple[str, int, str]]]:
    """name -> (test, line, how) for each use, found by a scan of ``tree``."""
    project = build_project(
        config.TestdocsConfig(dirs=(str(tree / "tests"),)), Path(os.devnull), tree, []
    )
    root = project.roots[0]
    crossfile = CrossFile(
        {root.key: {rel: project.summary(root, rel) for rel in sorted(root.known)}},
        canonical=project.defined_as,
    )
    return {
        name: [
            ((u.test or "").rsplit("::", 1)[-1] or u.relpath, u.line, u.how)
            for u in crossfile.uses(name)
        ]
        for name in names
    }


def project(tmp_path: Path, files: dict[str, str]) -> Path:
    return write_tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "pkg/__init__.py": "from .app import Flask, Client\n",
            "pkg/app.py": APP,
            **files,
        },
    )


def test_a_reexported_class_is_one_object_under_both_names(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_a.py": """
                from pkg import Flask
                import pkg.app

                def test_public():
                    Flask("x").run()

                def test_defining():
                    pkg.app.Flask("y")
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask", "pkg.app.Flask", "pkg.Flask.run", "pkg.app.Flask.run")
    assert found["pkg.Flask"] == found["pkg.app.Flask"]
    tests = {test for test, _, _ in found["pkg.Flask"]}
    assert tests == {"test_a.py", "test_public", "test_defining"}
    # A method called on the construction itself.
    assert found["pkg.Flask.run"] == found["pkg.app.Flask.run"] == [("test_public", 5, "instance")]


def test_aliases_star_reexports_and_an_old_package(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "pkg/_funcs.py": """
                __all__ = ["evolve", "other"]
                def _evolve(x): return x
                evolve = _evolve
                def other(): pass
                def hidden(): pass
                """,
            "pkg/funcs.py": "from ._funcs import *\n",
            "oldpkg/__init__.py": "from pkg.funcs import evolve\n",
            "tests/test_f.py": """
                import oldpkg
                from pkg.funcs import evolve

                def test_new():
                    evolve(1)

                def test_old():
                    oldpkg.evolve(2)
                """,
        },
    )
    found = uses_of(tree, "pkg.funcs.evolve", "oldpkg.evolve", "pkg._funcs._evolve")
    assert found["pkg.funcs.evolve"] == found["oldpkg.evolve"] == found["pkg._funcs._evolve"]
    assert {(t, how) for t, _, how in found["oldpkg.evolve"]} == {
        ("test_f.py", "import"),
        ("test_new", "direct"),
        ("test_old", "direct"),
    }


def test_locals_made_from_the_class_and_what_drops_their_type(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_local.py": """
                from pkg import Flask, Client

                def test_local():
                    app = Flask(__name__)
                    app.route("/")
                    app.run()

                def test_reassigned():
                    app = Flask(__name__)
                    app = make_other()
                    app.run()

                def test_loop():
                    app = Flask(__name__)
                    for app in []:
                        pass
                    app.run()

                def test_with_self():
                    with Flask("x") as app:
                        app.run()

                def test_with_other():
                    with Client() as client:
                        client.get("/")

                def make_other():
                    return None
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask.route", "pkg.Flask.run", "pkg.Client.get", "pkg.Other.get")
    assert found["pkg.Flask.route"] == [("test_local", 5, "instance")]
    assert [(t, how) for t, _, how in found["pkg.Flask.run"]] == [
        ("test_local", "instance"),
        ("test_with_self", "instance"),
    ]
    # Client.__enter__ returns another object: what ``as`` binds is not a Client.
    assert found["pkg.Client.get"] == found["pkg.Other.get"] == []


def test_a_module_level_app_and_its_decorators(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_module_app.py": """
                import pkg

                app = pkg.Flask(__name__)

                def test_route():
                    @app.route("/")
                    def index():
                        pass

                def test_shadowed(app):
                    app.route("/")
                """,
            "tests/conftest.py": """
                import pytest

                @pytest.fixture
                def app():
                    return object()
                """,
        },
    )
    assert uses_of(tree, "pkg.Flask.route")["pkg.Flask.route"] == [("test_route", 6, "instance")]


def test_setup_attributes_of_a_test_class(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_unit.py": """
                import unittest
                from pkg.app import Flask, Client

                class TestApp(unittest.TestCase):
                    def setUp(self):
                        self.app = Flask("x")
                        self.client = Client()

                    def test_run(self):
                        self.app.run()

                    def test_get(self):
                        self.client.get("/")

                    def tearDown(self):
                        self.client = None

                class TestPlain:
                    def setup_method(self):
                        self.app = Flask("y")

                    def test_route(self):
                        self.app.route("/")
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask.run", "pkg.Flask.route", "pkg.Client.get")
    assert found["pkg.Flask.run"] == [("test_run", 10, "instance")]
    assert found["pkg.Flask.route"] == [("test_route", 23, "instance")]
    assert found["pkg.Client.get"] == []  # self.client is also set to None


def test_fixtures_along_the_conftest_chain_and_annotations(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/conftest.py": """
                import pytest
                from pkg import Flask, Client

                @pytest.fixture
                def app():
                    app = Flask(__name__)
                    yield app

                @pytest.fixture
                def client() -> Client:
                    return make()

                @pytest.fixture
                def unknown(app):
                    return app.something()
                """,
            "tests/sub/conftest.py": """
                import pytest
                from pkg.app import Flask

                @pytest.fixture
                def app():
                    return None
                """,
            "tests/test_fix.py": """
                from pkg import Flask

                def test_app(app):
                    app.route("/")

                def test_client(client):
                    client.get("/")

                def test_unknown(unknown):
                    unknown.run()

                def test_annotated(thing: Flask):
                    thing.run()
                """,
            "tests/sub/test_sub.py": """
                def test_overridden(app):
                    app.route("/")
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask.route", "pkg.Client.get", "pkg.Flask.run")
    assert found["pkg.Flask.route"] == [("test_app", 4, "fixture app")]
    assert found["pkg.Client.get"] == [("test_client", 7, "fixture client")]
    assert found["pkg.Flask.run"] == [("test_annotated", 13, "instance")]


def test_pytests_own_fixtures_count_when_pytest_is_the_project(tmp_path: Path) -> None:
    tree = write_tree(
        tmp_path,
        {
            "pyproject.toml": "",
            "src/_pytest/__init__.py": "",
            "src/_pytest/monkeypatch.py": "class MonkeyPatch:\n    def setenv(self, k, v): pass\n",
            "src/pytest/__init__.py": "from _pytest.monkeypatch import MonkeyPatch\n",
            "tests/test_mp.py": """
                def test_env(monkeypatch):
                    monkeypatch.setenv("A", "1")
                """,
        },
    )
    found = uses_of(tree, "pytest.MonkeyPatch.setenv", "_pytest.monkeypatch.MonkeyPatch.setenv")
    assert found["pytest.MonkeyPatch.setenv"] == [("test_env", 2, "fixture monkeypatch")]
    assert found["_pytest.monkeypatch.MonkeyPatch.setenv"] == found["pytest.MonkeyPatch.setenv"]


def test_nested_scopes_and_match_captures_are_other_bindings(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_nested.py": """
                from pkg import Flask
                from pkg.app import Other

                def test_nested_def():
                    app = Flask("x")
                    def helper(app):
                        app.run()
                    helper(None)

                def test_lambda():
                    app = Flask("x")
                    f = lambda app: app.run()

                def test_inner_reassign():
                    app = Flask("x")
                    def inner():
                        app = Other()
                        app.get("/")
                    inner()

                def test_nonlocal():
                    app = Flask("x")
                    def swap():
                        nonlocal app
                        app = Other()
                    swap()
                    app.get("/")

                def test_match(v):
                    c = Flask("x")
                    match v:
                        case Other() as c:
                            c.get("/")

                class TestS:
                    def setup_method(self):
                        self.app = Flask("x")

                    def test_nested_self(self):
                        class Inner:
                            def __init__(self):
                                self.app = object()
                            def go(self):
                                self.app.run()
                        Inner().go()

                def test_closure():
                    app = Flask("x")
                    def go():
                        app.route("/")
                    go()
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask.run", "pkg.Flask.get", "pkg.Flask.route")
    assert found["pkg.Flask.run"] == found["pkg.Flask.get"] == []
    # A closure that binds nothing itself sees the test's name.
    assert found["pkg.Flask.route"] == [("test_closure", 50, "instance")]


def test_a_fixtures_own_parameters_and_globals_count_as_bindings(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/conftest.py": """
                import pytest
                from pkg import Flask
                from pkg.app import Other

                @pytest.fixture
                def base():
                    return Other()

                @pytest.fixture
                def thing(base):
                    if base is None:
                        base = Flask("x")
                    return base

                @pytest.fixture
                def shared():
                    global made
                    made = Flask("x")
                    return made

                @pytest.fixture
                def plain():
                    made = Flask("x")
                    return made
                """,
            "tests/test_fix.py": """
                def test_thing(thing):
                    thing.run()

                def test_shared(shared):
                    shared.run()

                def test_plain(plain):
                    plain.run()
                """,
        },
    )
    assert uses_of(tree, "pkg.Flask.run")["pkg.Flask.run"] == [("test_plain", 8, "fixture plain")]


def test_global_in_another_function_unsettles_a_module_name(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_g.py": """
                from pkg import Flask
                from pkg.app import Other

                app = Flask("m")
                client = Flask("c")

                def setup_module():
                    global app
                    app = Other()

                def test_global():
                    app.run()

                def test_settled():
                    client.route("/")
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask.run", "pkg.Flask.route")
    assert found["pkg.Flask.run"] == []
    assert found["pkg.Flask.route"] == [("test_settled", 15, "instance")]


def test_a_module_class_shadowing_the_import_is_not_followed(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_shadow.py": """
                from pkg import Flask

                class Flask(Flask):
                    def run(self):
                        pass

                def test_shadow_subclass():
                    Flask("x").run()

                def test_local():
                    f = Flask("x")
                    f.route("/")
                """,
            "tests/test_plain.py": """
                from pkg import Flask
                from pkg.app import Other

                def test_imported():
                    Flask("x").run()

                def test_local_class():
                    Flask = Other
                    Flask("x").get("/")
                    f = Flask("y")
                    f.route("/")

                def test_nested_class():
                    def inner():
                        class Flask:
                            pass
                        Flask().get("/")
                    inner()
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask.run", "pkg.Flask.route", "pkg.Flask.get")
    assert found["pkg.Flask.run"] == [("test_imported", 5, "instance")]
    assert found["pkg.Flask.route"] == found["pkg.Flask.get"] == []


def test_an_attribute_made_in_the_test_class_body(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "tests/test_cls.py": """
                from pkg import Flask

                class TestA:
                    app = Flask("c")

                    def test_cls_attr(self):
                        self.app.run()

                class TestB:
                    app = Flask("c")

                    def test_changed(self):
                        self.app = None

                    def test_run(self):
                        self.app.route("/")

                class Base:
                    def setup_method(self):
                        self.app = None

                class TestC(Base):
                    app = Flask("c")

                    def test_hidden(self):
                        self.app.run()
                """,
        },
    )
    found = uses_of(tree, "pkg.Flask.run", "pkg.Flask.route")
    # TestC's self.app is the instance attribute Base's setup sets.
    assert found["pkg.Flask.run"] == [("test_cls_attr", 7, "instance")]
    assert found["pkg.Flask.route"] == []  # TestB's tests also set self.app to None


def test_an_inherited_method_is_the_base_classs_method(tmp_path: Path) -> None:
    tree = project(
        tmp_path,
        {
            "pkg/sub.py": """
                import collections
                from .app import Flask

                class Sub(Flask):
                    pass

                class Over(Flask):
                    def run(self):
                        return 1

                class Mixed(collections.UserDict, Flask):
                    pass
                """,
            "tests/test_sub.py": """
                from pkg import Flask
                from pkg.sub import Sub, Over, Mixed

                def test_sub():
                    Sub("x").route("/")

                def test_base():
                    Flask("x").route("/")

                def test_over():
                    Over("x").run()

                def test_mixed():
                    Mixed().route("/")
                """,
        },
    )
    names = ("pkg.sub.Sub.route", "pkg.Flask.route", "pkg.sub.Over.run", "pkg.Flask.run")
    found = uses_of(tree, *names, "pkg.sub.Mixed.route")
    # ``:inherited-members:`` documents pkg.sub.Sub.route: the function pkg.app.Flask.route.
    assert found["pkg.sub.Sub.route"] == found["pkg.Flask.route"]
    assert [test for test, _, _ in found["pkg.Flask.route"]] == ["test_sub", "test_base"]
    # A method the subclass writes is its own.
    assert found["pkg.sub.Over.run"] == [("test_over", 11, "instance")]
    assert found["pkg.Flask.run"] == []
    # A base not read (the standard library's UserDict) could define it first.
    assert found["pkg.sub.Mixed.route"] == [("test_mixed", 14, "instance")]
