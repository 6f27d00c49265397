"""Where a project object is defined: its one name, whatever name a test or a page uses.

``pkg.Flask`` re-exported from ``pkg/__init__.py`` (``from .app import Flask``, a star
import, ``__all__``) and ``pkg.app.Flask`` are one class; ``evolve = _evolve`` makes
``pkg.evolve`` the function ``pkg._funcs._evolve``; an old package re-exporting the new
one's names leads there too; ``Sub.route`` that ``Sub`` inherits is the
base's ``Flask.route``. Names are followed through the modules' source with the
machinery that resolves base classes (:class:`._context.ModuleLinks`): nothing is
imported. A name that cannot be followed stays as written.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path

from sphinx_testdocs.analysis._context import Found, ModuleContext, ModuleLinks
from sphinx_testdocs.analysis.bindings import bindings
from sphinx_testdocs.analysis.pytest_config import PytestConfig

__all__ = ["Canonical", "ProjectNames"]

#: Aliases followed one after the other (``a = b``, ``b = c``...) before giving up.
_MAX_ALIASES = 8


@dataclass(frozen=True, slots=True)
class Canonical:
    """A name as defined: ``name`` (``pkg.app.Flask.route``) and what its longest
    followed prefix is (``"class"``, ``"func"``, ``"value"``; None when not followed)."""

    name: str
    kind: str | None = None
    #: The followed prefix (``pkg.app.Flask``), the object the rest hangs from.
    owner: str | None = None


@dataclass
class ProjectNames:
    """Canonical names, looked up as a module at ``importer`` would import them.

    One instance per build and importer: answers are cached, and the modules read are
    recorded by ``links`` (the analysis' dependencies).
    """

    links: ModuleLinks
    importer: Path
    config: PytestConfig = field(default_factory=PytestConfig)
    _cache: dict[str, Canonical] = field(default_factory=dict)
    _classes: dict[str, ast.ClassDef] = field(default_factory=dict)

    def canonical(self, dotted: str) -> Canonical:
        """``dotted`` (absolute, import-expanded) as defined; unchanged if not found."""
        found = self._cache.get(dotted)
        if found is None:
            found = self._cache[dotted] = self._canonical(dotted)
        return found

    def class_name(self, dotted: str) -> str | None:
        """The canonical name of the class ``dotted`` names, None if it names no class."""
        found = self.canonical(dotted)
        return found.name if found.kind == "class" and found.owner == found.name else None

    def enters_self(self, class_name: str) -> bool:
        """Whether ``with Cls() as x`` binds the instance: the class itself writes an
        ``__enter__`` (or ``__aenter__``) that returns ``self``. Inherited or absent, the
        value ``as`` binds is not known from the class's source: False."""
        node = self._classes.get(class_name)
        if node is None:
            return False
        enters = [
            stmt
            for stmt in node.body
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
            and stmt.name in ("__enter__", "__aenter__")
        ]
        return bool(enters) and all(_returns_self(stmt) for stmt in enters)

    def _canonical(self, dotted: str) -> Canonical:
        parts = dotted.split(".")
        # The longest prefix naming a module; the rest are attributes defined in it.
        for cut in range(len(parts) - 1, 0, -1):
            source = self.links.find(".".join(parts[:cut]), 0, self.importer)
            if source is None:
                continue
            context = self.links.context(source, self.config)
            if context is None:
                return Canonical(dotted)
            return self._member(context, parts[cut:])
        return Canonical(dotted)

    def _member(self, context: ModuleContext, attrs: list[str]) -> Canonical:
        # When the whole chain is not defined in the module (an inherited method, an
        # instance attribute), the longest prefix that is stands for it, the rest kept
        # as written.
        for keep in range(len(attrs), 0, -1):
            found = _find(context, attrs[:keep])
            if found is None:
                continue
            found = _through_aliases(found)
            prefix = found.context.module_name
            owner = f"{prefix}.{found.name}" if prefix else found.name
            node = found.binding.node
            if isinstance(node, ast.ClassDef):
                self._classes[owner] = node
                if len(attrs) - keep == 1:
                    base = _defining_base(found.context, node, owner, attrs[keep])
                    if base is not None:
                        return self.canonical(f"{base}.{attrs[keep]}")
            return Canonical(".".join([owner, *attrs[keep:]]), found.binding.kind, owner)
        module = context.module_name
        return Canonical(".".join([module, *attrs]) if module else ".".join(attrs))


def _find(context: ModuleContext, attrs: list[str]) -> Found | None:
    """``attrs`` as written in the module: its first name's import expanded."""
    imported = context.names.imported.get(attrs[0])
    head = [imported] if imported is not None else attrs[:1]
    return context.find(".".join([*head, *attrs[1:]]))


def _through_aliases(found: Found) -> Found:
    """``evolve = _evolve`` (a module-level name bound once to another name): the
    object it names, followed while each step is a plain name the module never changes."""
    for _ in range(_MAX_ALIASES):
        binding = found.binding
        if binding.kind != "value" or not isinstance(binding.node, (ast.Name, ast.Attribute)):
            return found
        context = found.context
        if found.name in context.mutated or found.name not in context.scope.settled:
            return found
        target = context.names.dotted(binding.node)
        nxt = context.find(target) if target else None
        if nxt is None:
            return found
        found = nxt
    return found


def _defining_base(context: ModuleContext, node: ast.ClassDef, name: str, attr: str) -> str | None:
    """The base class that writes ``attr`` a class inherits (``Sub.route`` is
    ``Flask.route``), read through the class's bases as source; None when the class
    writes it itself, or when a base that could come first could not be read (an
    unread library class may define it)."""
    if _writes(node, attr):
        return None
    info = context.class_info(node, name)
    context.resolve_deferred(info)
    try:
        mro = context.mro(info)
    except RecursionError:
        return None
    for cls in mro:
        if cls is not info and _writes(cls.node, attr):
            module = cls.context.module_name
            qualname = cls.qualname
            return qualname if qualname.startswith(f"{module}.") else f"{module}.{qualname}"
        # A base not read (a library's, the standard library's) comes after this class
        # but maybe before the next one: past it, nothing is known.
        written = [b for b in cls.node.bases if not (isinstance(b, ast.Name) and b.id == "object")]
        if len(cls.local_bases) != len(written):
            return None
    return None


def _writes(node: ast.ClassDef, attr: str) -> bool:
    """Whether a class body binds ``attr`` (a def, a class, an assignment, an import)."""
    return attr in bindings(node)


def _returns_self(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """The body (read as source; a one-statement body survives the cut) is, past its
    docstring, ``return self``."""
    body = func.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
        body = body[1:]
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return False
    value = body[0].value
    first = func.args.args[0].arg if func.args.args else None
    return isinstance(value, ast.Name) and first is not None and value.id == first
