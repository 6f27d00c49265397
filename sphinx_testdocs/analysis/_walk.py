"""One iterative pass over a parsed module that gathers the facts the rule table matches."""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from itertools import compress, repeat
from operator import is_not
from typing import Any

__all__ = ["Facts", "collect", "dotted_name"]

# Fields that never lead to a node a rule looks at: contexts and operators are singletons,
# the others hold plain strings or ints. Leaving them out of the walk matters because
# ``Load`` alone is the most common node in real test files.
_NO_CHILDREN_FIELDS = frozenset(
    {
        "ctx",
        "op",
        "ops",
        "type_comment",
        "type_ignores",
        "kind",
        "id",
        "attr",
        "arg",
        "name",
        "names",
        "module",
        "level",
        "is_async",
        "simple",
        "conversion",
        "kwd_attrs",
        "tag",
    }
)
_LEAF_BASES = (ast.expr_context, ast.operator, ast.unaryop, ast.boolop, ast.cmpop, ast.Constant)


def _all_node_types() -> list[type[ast.AST]]:
    out: list[type[ast.AST]] = []
    todo: list[type[ast.AST]] = [ast.AST]
    while todo:
        cls = todo.pop()
        out.append(cls)
        todo.extend(cls.__subclasses__())
    return out


def _child_getters() -> dict[type, str | Callable[[Any], tuple[Any, ...]]]:
    """Per node class: its one child field's name, or a getter for all child fields.

    Leaf classes are left out, so a dictionary miss means "nothing below". ``attrgetter``
    fetches several fields in one C call, far cheaper than ``getattr`` in a loop.
    """
    table: dict[type, str | Callable[[Any], tuple[Any, ...]]] = {}
    for cls in _all_node_types():
        if issubclass(cls, _LEAF_BASES):
            continue
        fields = [f for f in getattr(cls, "_fields", ()) if f not in _NO_CHILDREN_FIELDS]
        if len(fields) == 1:
            table[cls] = fields[0]
        elif fields:
            table[cls] = operator.attrgetter(*fields)
    return table


# Computed once from the running Python's ``ast`` classes, so new node types (``match``,
# ``type`` statements) are walked without code changes.
_CHILDREN = _child_getters()


def dotted_name(expr: ast.expr) -> str | None:
    """``a.b.c`` for a chain of attributes on a plain name, else None."""
    # ``Any`` plus ``__class__ is`` rather than isinstance: this runs for every call and
    # attribute in a file, and exact class checks are the cheapest test Python has.
    node: Any = expr
    parts: list[str] = []
    while node.__class__ is ast.Attribute:
        parts.append(node.attr)
        node = node.value
    if node.__class__ is not ast.Name:
        return None
    parts.append(node.id)
    parts.reverse()
    return ".".join(parts)


def _chain_base(expr: ast.expr) -> ast.expr:
    """The expression an attribute chain hangs from (``f()`` in ``f().a.b``)."""
    node: Any = expr
    while node.__class__ is ast.Attribute:
        node = node.value
    base: ast.expr = node
    return base


@dataclass(slots=True)
class Facts:
    """Raw, unresolved facts about one module, keyed by the names as written."""

    #: Local name -> qualified names it was bound to by imports (all bindings seen).
    aliases: dict[str, set[str]] = field(default_factory=dict)
    #: Names bound by something other than an import (defs, classes, parameters, plain
    #: ``name = ...`` assignments) anywhere in the module: such a name no longer means
    #: the builtin of the same name. Scopes are not tracked, and loop, ``with`` and
    #: comprehension targets are not counted.
    bound: set[str] = field(default_factory=set)
    #: Imported module -> import statements (``from m import x`` counts as m and m.x).
    imports: dict[str, list[ast.stmt]] = field(default_factory=dict)
    #: Dotted callee as written -> calls.
    calls: dict[str, list[ast.Call]] = field(default_factory=dict)
    #: Method name -> calls ``<expression>.name(...)`` whose receiver is not a dotted name
    #: (``calls`` holds the others; :class:`._matchers.Index` merges the two).
    methods: dict[str, list[ast.Call]] = field(default_factory=dict)
    #: Dotted reference (outermost attribute chain, not a callee) as written -> nodes.
    #: Callees are in ``calls``, bare names in ``names``; :class:`._matchers.Index`
    #: merges the three.
    refs: dict[str, list[ast.expr]] = field(default_factory=dict)
    #: Every name read (``ast.Load``) that is not a callee or the head of a chain.
    names: list[ast.Name] = field(default_factory=list)
    #: Keyword name -> (call, keyword) pairs.
    keywords: dict[str, list[tuple[ast.Call, ast.keyword]]] = field(default_factory=dict)
    #: Dotted decorator (callee when called) as written -> decorator expressions.
    decorators: dict[str, list[ast.expr]] = field(default_factory=dict)
    #: Dotted base class as written -> base expressions.
    bases: dict[str, list[ast.expr]] = field(default_factory=dict)
    #: Function parameter name -> parameters.
    params: dict[str, list[ast.arg]] = field(default_factory=dict)
    #: Dotted callee used directly as a ``with`` item, as written -> calls.
    with_calls: dict[str, list[ast.Call]] = field(default_factory=dict)
    #: (target name, constant, statement) for ``name = <constant>`` and ``x.name = <constant>``.
    const_assigns: list[tuple[str, ast.Constant, ast.stmt]] = field(default_factory=list)
    #: (target as written, call) for ``name = f(...)``, ``self.x = f(...)`` and ``with
    #: f(...) as name``: where "tested by" looks for instances (``analysis.receivers``).
    constructed: list[tuple[str, ast.Call]] = field(default_factory=list)


# Statement kinds that need more than walking their children. They share one table with
# the child getters, so an ordinary node costs a single dictionary lookup.
_FUNCTION, _CLASS, _IMPORT, _ASSIGN, _WITH = range(5)
_SPECIAL: dict[type, int] = {
    ast.FunctionDef: _FUNCTION,
    ast.AsyncFunctionDef: _FUNCTION,
    ast.ClassDef: _CLASS,
    ast.Import: _IMPORT,
    ast.ImportFrom: _IMPORT,
    ast.Assign: _ASSIGN,
    ast.AnnAssign: _ASSIGN,
    ast.With: _WITH,
    ast.AsyncWith: _WITH,
}
# Lists longer than this are filtered of constants before being pushed; below it the
# filter's setup costs more than it saves.
_LONG = 2
_DISPATCH: dict[type, str | int | Callable[[Any], tuple[Any, ...]]] = {
    **_CHILDREN,
    **_SPECIAL,
}


def collect(tree: ast.AST, facts: Facts) -> None:
    """Walk ``tree`` once, iteratively, filling ``facts``.

    ``facts`` is filled in place so a caller that catches an exception mid-walk keeps
    what was gathered so far. Visiting order is not source order; nothing depends on it.
    """
    # This loop runs once per node of every analysed file, so it is written for speed:
    # locals instead of globals, exact-class tests on the commonest nodes first, the
    # dotted-name fast paths inlined, and list buckets filled without helper calls.
    children: dict[type, Any] = _CHILDREN
    dispatch: dict[type, Any] = _DISPATCH
    name_t, call_t, attr_t, const_t, load_t, str_t, list_t = (
        ast.Name,
        ast.Call,
        ast.Attribute,
        ast.Constant,
        ast.Load,
        str,
        list,
    )
    refs, calls, methods, keywords = facts.refs, facts.calls, facts.methods, facts.keywords
    name_append = facts.names.append
    bound_add, const_assign = facts.bound.add, facts.const_assigns.append
    construct = facts.constructed.append
    expr_t, assign_t = ast.Expr, ast.Assign
    methods_of_classes: set[int] = set()
    const_types = repeat(const_t)

    # ``Any``: the loop dispatches on ``__class__`` itself, faster than isinstance chains.
    stack: list[Any] = [tree]
    push, extend, pop = stack.append, stack.extend, stack.pop
    while stack:
        node = pop()
        cls = node.__class__
        if cls is name_t:
            # Names are the commonest node after constants: one list append here, and
            # grouping later only for the few bound by imports.
            if node.ctx.__class__ is load_t:
                name_append(node)
            continue
        if cls is const_t:
            continue
        if cls is call_t:
            func = node.func
            fcls = func.__class__
            if fcls is name_t:
                dotted: str | None = func.id
            elif fcls is attr_t:
                value = func.value
                if value.__class__ is name_t:
                    dotted = f"{value.id}.{func.attr}"
                else:
                    dotted = dotted_name(func)
                if dotted is None:
                    # Calls on named chains are found through ``calls`` (their last
                    # component is the method); only the rest need their own entry.
                    found = methods.get(func.attr)
                    if found is None:
                        methods[func.attr] = [node]
                    else:
                        found.append(node)
                    push(_chain_base(func))
            else:
                dotted = None
                push(func)
            if dotted is not None:
                found = calls.get(dotted)
                if found is None:
                    calls[dotted] = [node]
                else:
                    found.append(node)
            # Arguments are mostly names and literals: handled here rather than pushed.
            for value in node.args:
                vcls = value.__class__
                if vcls is name_t:
                    name_append(value)
                elif vcls is not const_t:
                    push(value)
            for kw in node.keywords:
                arg = kw.arg
                if arg is not None:
                    pairs = keywords.get(arg)
                    if pairs is None:
                        keywords[arg] = [(node, kw)]
                    else:
                        pairs.append((node, kw))
                value = kw.value
                if value.__class__ is not const_t:
                    push(value)
            continue
        if cls is attr_t:
            # Only the outermost attribute of a chain gets here (inner links are never
            # pushed), so ``a.b.c`` is one reference, not three.
            value = node.value
            dotted = f"{value.id}.{node.attr}" if value.__class__ is name_t else dotted_name(node)
            if dotted is not None:
                bucket = refs.get(dotted)
                if bucket is None:
                    refs[dotted] = [node]
                else:
                    bucket.append(node)
            else:
                push(_chain_base(node))
            continue
        if cls is expr_t:
            push(node.value)
            continue
        if cls is assign_t:
            # Fast path for the commonest statement, ``name = <expression>``; anything
            # else goes through ``_visit_assign``.
            targets = node.targets
            target = targets[0]
            if len(targets) == 1 and target.__class__ is name_t:
                value = node.value
                bound_add(target.id)
                if value.__class__ is const_t:
                    const_assign((target.id, value, node))
                else:
                    if value.__class__ is call_t:
                        construct((target.id, value))
                    push(value)
                continue
        entry = dispatch.get(cls)
        if entry is None:
            continue
        if entry.__class__ is str_t:
            value = getattr(node, entry)
            if value.__class__ is list_t:
                if len(value) > _LONG:
                    # Literal tables (lists of numbers) are common in test files: drop
                    # their constants at C speed instead of pushing and popping each.
                    extend(compress(value, map(is_not, map(type, value), const_types)))
                else:
                    extend(value)
            elif value is not None:
                push(value)
            continue
        if entry.__class__ is int:
            if entry == _IMPORT:
                _visit_import(node, facts)
                continue
            below = _visit_special(entry, node, facts, methods_of_classes)
            if below is not None:
                extend(below)
                continue
            entry = children[cls]
        for value in entry(node):
            if value.__class__ is list_t:
                extend(value)
            elif value is not None:
                push(value)


def _visit_special(
    kind: int, node: Any, facts: Facts, methods_of_classes: set[int]
) -> list[Any] | None:
    """Record what ``node`` says; return the nodes below it to walk (None: all fields)."""
    if kind == _ASSIGN:
        return _visit_assign(node, facts)
    if kind == _FUNCTION:
        return _visit_function(node, facts, methods_of_classes)
    if kind == _CLASS:
        _visit_class(node, facts, methods_of_classes)
    else:
        for item in node.items:
            expr = item.context_expr
            if isinstance(expr, ast.Call):
                dotted = dotted_name(expr.func)
                if dotted is not None:
                    facts.with_calls.setdefault(dotted, []).append(expr)
                if isinstance(item.optional_vars, ast.Name):
                    facts.constructed.append((item.optional_vars.id, expr))
    return None


def _visit_assign(node: ast.Assign | ast.AnnAssign, facts: Facts) -> list[Any]:
    value = node.value
    below: list[Any] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    else:
        targets = [node.target]
        below.append(node.annotation)
    if value is not None:
        below.append(value)
    for target in targets:
        if isinstance(target, ast.Name):
            # A plain name being bound holds nothing a rule looks for: not walked.
            facts.bound.add(target.id)
            if isinstance(value, ast.Constant):
                facts.const_assigns.append((target.id, value, node))
            elif isinstance(value, ast.Call):
                facts.constructed.append((target.id, value))
            continue
        if isinstance(target, ast.Attribute):
            if isinstance(value, ast.Constant):
                facts.const_assigns.append((target.attr, value, node))
            elif isinstance(value, ast.Call) and isinstance(target.value, ast.Name):
                facts.constructed.append((f"{target.value.id}.{target.attr}", value))
        below.append(target)
    return below


def _visit_function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, facts: Facts, methods_of_classes: set[int]
) -> list[Any]:
    # A method's name does not shadow a module-level builtin; a function's does.
    if id(node) not in methods_of_classes:
        facts.bound.add(node.name)
    _note_decorators(node.decorator_list, facts)
    args = node.args
    # The parameters are read here, so the ``arguments``/``arg`` nodes are not walked;
    # only the expressions hanging off them (defaults, annotations) are.
    below: list[Any] = [*node.decorator_list, *args.defaults, *node.body]
    below.extend(d for d in args.kw_defaults if d is not None)
    if node.returns is not None:
        below.append(node.returns)
    params = facts.params
    for param in (*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg):
        if param is not None:
            params.setdefault(param.arg, []).append(param)
            facts.bound.add(param.arg)
            if param.annotation is not None:
                below.append(param.annotation)
    return below


def _visit_class(node: ast.ClassDef, facts: Facts, methods_of_classes: set[int]) -> None:
    facts.bound.add(node.name)
    _note_decorators(node.decorator_list, facts)
    for base in node.bases:
        dotted = dotted_name(base)
        if dotted is not None:
            facts.bases.setdefault(dotted, []).append(base)
    methods_of_classes.update(
        id(stmt) for stmt in node.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))
    )


def _note_decorators(decorators: list[ast.expr], facts: Facts) -> None:
    for deco in decorators:
        target = deco.func if isinstance(deco, ast.Call) else deco
        dotted = dotted_name(target)
        if dotted is not None:
            facts.decorators.setdefault(dotted, []).append(deco)


def _visit_import(node: ast.Import | ast.ImportFrom, facts: Facts) -> None:
    if isinstance(node, ast.Import):
        for alias in node.names:
            facts.imports.setdefault(alias.name, []).append(node)
            if alias.asname:
                _bind(facts, alias.asname, alias.name)
            else:
                # ``import a.b`` binds ``a``; ``a.b.f`` then resolves to itself.
                head = alias.name.partition(".")[0]
                _bind(facts, head, head)
        return
    if node.level:
        # Relative imports keep their dots, so they can never match an absolute rule name.
        base = "." * node.level + (f"{node.module}." if node.module else "")
    else:
        base = f"{node.module}."
        facts.imports.setdefault(node.module or "", []).append(node)
    for alias in node.names:
        if alias.name == "*":
            continue
        if not node.level:
            facts.imports.setdefault(base + alias.name, []).append(node)
        _bind(facts, alias.asname or alias.name, base + alias.name)


def _bind(facts: Facts, local: str, qualified: str) -> None:
    facts.aliases.setdefault(local, set()).add(qualified)
