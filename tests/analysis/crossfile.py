"""Small trees on disk for tests that follow names across files, and a stand-in torch.

The stand-in ``torch`` package holds just what PyTorch's test helpers define that the
analysis reads as source (class hierarchies, aliases): it lets the dialect tests run on
machines without PyTorch, the way a docs build would on a project that has it.
"""

from __future__ import annotations

import ast
import textwrap
from collections.abc import Mapping, Sequence
from pathlib import Path

from sphinx_testdocs.analysis.collection import ModuleLinks, collect_module
from sphinx_testdocs.analysis.model import CollectedTest, ModuleCollection
from sphinx_testdocs.analysis.modules import SourceLibrary
from sphinx_testdocs.analysis.pytest_config import PytestConfig

#: Modules of the stand-in torch, as PyTorch spells the names the analysis looks for.
TORCH = {
    "torch/__init__.py": "",
    "torch/testing/__init__.py": "",
    "torch/testing/_internal/__init__.py": "",
    "torch/testing/_internal/common_utils.py": """
        import unittest
        import expecttest

        class TestCase(expecttest.TestCase):
            def assertEqualBroadcasting(self, a, b): pass

        class _TestParametrizer:
            def __call__(self, fn): return fn

        class parametrize(_TestParametrizer):
            def __init__(self, arg_str, arg_values, name_fn=None): pass

        class reparametrize(_TestParametrizer):
            pass

        class decorateIf(_TestParametrizer):
            pass

        class swap(_TestParametrizer):
            def __init__(self, swap_values): pass

        class subtest:
            def __init__(self, arg_values, name=None, decorators=None): pass

        def instantiate_parametrized_tests(generic_cls): return generic_cls
        def skipIfTorchDynamo(msg="no dynamo"): return lambda fn: fn
        def xfailIfTorchDynamo(fn): return fn
        def run_tests(): pass
        """,
    "torch/testing/_internal/common_device_type.py": """
        from torch.testing._internal.common_utils import TestCase, _TestParametrizer

        def instantiate_device_type_tests(generic_test_class, scope, except_for=None,
                                          only_for=None, include_lazy=False,
                                          allow_mps=False, allow_xpu=False):
            pass

        class dtypes:
            def __init__(self, *args, device_type="all"): pass

        class dtypesIfCPU(dtypes): pass
        class dtypesIfCUDA(dtypes): pass

        class ops(_TestParametrizer):
            def __init__(self, op_list, *, dtypes=None, allowed_dtypes=None): pass

        def onlyCPU(fn): return fn
        def onlyCUDA(fn): return fn
        def onlyNativeDeviceTypes(fn): return fn
        def onlyOn(devices): return lambda fn: fn
        def skipCUDAIf(cond, reason): return lambda fn: fn
        """,
    "torch/testing/_internal/triton_utils.py": """
        import unittest
        HAS_GPU = False
        requires_gpu = unittest.skipUnless(HAS_GPU, "requires gpu")
        """,
    "torch/_dynamo/__init__.py": "",
    "torch/_dynamo/test_case.py": """
        from torch.testing._internal.common_utils import TestCase as TorchTestCase

        class TestCase(TorchTestCase):
            pass
        """,
    "expecttest/__init__.py": """
        import unittest

        class TestCase(unittest.TestCase):
            pass
        """,
}


def write_tree(root: Path, files: Mapping[str, str]) -> Path:
    """Write ``files`` (relative path -> dedented source) under ``root``."""
    for relpath, text in files.items():
        path = root / relpath
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    return root


def collect_file(
    tmp_path: Path,
    files: Mapping[str, str],
    target: str,
    *,
    site: Mapping[str, str] | None = None,
    device_types: Sequence[str] = ("cpu",),
    config: PytestConfig | None = None,
) -> ModuleCollection:
    """Write a project (and installed packages, ``site``) and collect ``target`` from it."""
    project = write_tree(tmp_path / "project", files)
    site_path = (write_tree(tmp_path / "site", site),) if site is not None else ()
    links = ModuleLinks(SourceLibrary(project_root=project, site_path=site_path))
    path = project / target
    text = path.read_text(encoding="utf-8")
    try:
        return collect_module(
            ast.parse(text),
            source=text,
            filename=path.name,
            nodeid_path=target,
            relpath=target,
            config=config or PytestConfig(rootdir=project),
            visible_fixtures={},
            links=links,
            path=path,
            device_types=device_types,
        )
    finally:
        links.release()


def by_id(collection: ModuleCollection) -> dict[str, CollectedTest]:
    """Collected tests keyed by node ID without the path (``Class::test``)."""
    return {t.nodeid.split("::", 1)[1]: t for t in collection.tests}
