"""Findings weighed by their context: a CUDA guard, data the test wrote itself.

Each case says what the rule reports for a small source: its severity ("risk" or
"note") and the context sentence, so every guard has a positive and a negative case.
"""

from __future__ import annotations

import ast
import textwrap

import pytest

from sphinx_testdocs.analysis.model import Finding
from sphinx_testdocs.analysis.rules import find_findings


def _finding(rule: str, source: str) -> Finding:
    tree = ast.parse(textwrap.dedent(source).lstrip("\n"))
    (found,) = [f for f in find_findings(tree) if f.rule == rule]
    return found


GPU_HEAD = "import torch, unittest\nfrom common import TEST_CUDA, onlyCUDA, IS_WINDOWS\n"

# (source after GPU_HEAD, severity, words the context holds; "" = no context)
GPU_CASES = [
    ("x = torch.ones(2).cuda()\n", "risk", ""),
    ("if torch.cuda.is_available():\n    x = torch.ones(2).cuda()\n", "note", "under a CUDA"),
    ("if TEST_CUDA and x:\n    y = x.to('cuda')\n", "note", "under a CUDA"),
    ("if not TEST_CUDA:\n    y = x.to('cuda')\n", "risk", ""),
    ("if not TEST_CUDA:\n    pass\nelse:\n    y = x.to('cuda')\n", "note", "under a CUDA"),
    ("if device == 'cuda':\n    x.cuda()\n", "note", "under a CUDA"),
    ("if device != 'cuda':\n    x.cuda()\n", "risk", ""),
    (
        "@unittest.skipIf(not torch.cuda.is_available(), 'no GPU')\ndef test_a():\n    x.cuda()\n",
        "note",
        "skipped where CUDA is not available",
    ),
    ("@unittest.skipIf(IS_WINDOWS, 'x')\ndef test_a():\n    x.cuda()\n", "risk", ""),
    ("@unittest.skipUnless(TEST_CUDA, 'x')\ndef test_a():\n    x.cuda()\n", "note", "skipped"),
    ("@onlyCUDA\ndef test_a(self, device):\n    x.cuda()\n", "note", "skipped"),
    (
        "def test_a(self):\n    if not TEST_CUDA:\n        self.skipTest('no GPU')\n"
        "    x.cuda()\n",
        "note",
        "ends the test without CUDA",
    ),
    ("def test_a(self):\n    if not TEST_CUDA:\n        print('x')\n    x.cuda()\n", "risk", ""),
    (
        "pytestmark = [pytest.mark.skipif(not TEST_CUDA, reason='x')]\nx.cuda()\n",
        "note",
        "in a module skipped where CUDA is not available",
    ),
    ("pytestmark = pytest.mark.skipif(IS_WINDOWS, reason='x')\nx.cuda()\n", "risk", ""),
    (
        "if not torch.cuda.is_available():\n    raise unittest.SkipTest('no GPU')\nx.cuda()\n",
        "note",
        "in a module skipped where CUDA is not available",
    ),
    (
        "x.cuda()\nif TEST_CUDA:\n    y.cuda()\n",
        "risk",
        "1 of 2 lines is under a CUDA availability check; the other is not",
    ),
]


@pytest.mark.parametrize(("source", "severity", "context"), GPU_CASES)
def test_gpu_weighs_cuda_guards(source: str, severity: str, context: str) -> None:
    found = _finding("gpu", GPU_HEAD + source)
    assert found.severity == severity
    assert context in found.context
    assert bool(found.context) == bool(context)
    # Only a partly defused finding names the lines that keep it a risk.
    assert bool(found.risky) == ("of 2 lines" in context)
    if found.risky:
        assert found.risky == (3,)


def test_the_cuda_check_itself_is_no_gpu_use() -> None:
    found = _finding("gpu", GPU_HEAD + "HAS = torch.cuda.is_available()\nif HAS:\n    pass\n")
    assert found.severity == "note"
    assert "a check whether CUDA is available" in found.context


LOAD_HEAD = (
    "import io, os, pickle, tempfile, torch, numpy as np\nfrom helpers import TemporaryFileName\n"
)

LOAD_CASES = [
    (
        "def test_a():\n"
        "    with tempfile.TemporaryDirectory() as d:\n"
        "        torch.save(m, os.path.join(d, 'm.pt'))\n"
        "        torch.load(os.path.join(d, 'm.pt'), weights_only=False)\n",
        "note",
    ),
    ("def test_a():\n    torch.load('model.pt', weights_only=False)\n", "risk"),
    (
        "def test_a():\n    with tempfile.TemporaryDirectory() as d:\n"
        "        torch.load('model.pt', weights_only=False)\n",
        "risk",
    ),
    (
        "def test_a(tmp_path):\n    p = tmp_path / 'a.npy'\n    np.save(p, a)\n"
        "    np.load(p, allow_pickle=True)\n",
        "note",
    ),
    ("def test_a(tmp_path):\n    np.load(DATA / 'a.npy', allow_pickle=True)\n", "risk"),
    (
        "def test_a():\n    buf = io.BytesIO()\n    torch.save(x, buf)\n    buf.seek(0)\n"
        "    torch.load(buf, weights_only=False)\n",
        "note",
    ),
    (
        "def test_a():\n    buf = io.BytesIO(open(p, 'rb').read())\n"
        "    torch.load(buf, weights_only=False)\n",
        "risk",
    ),
    ("def test_a():\n    pickle.loads(pickle.dumps(x))\n", "note"),
    ("def test_a():\n    s = pickle.dumps(x)\n    y = pickle.loads(s)\n", "note"),
    ("def test_a():\n    pickle.loads(data)\n", "risk"),
    ("def test_a():\n    pickle.loads(b'\\x80\\x04K\\x01.')\n", "note"),
    (
        "def test_a():\n    with TemporaryFileName() as fname:\n        torch.jit.save(m, fname)\n"
        "        torch.jit.load(fname)\n",
        "note",
    ),
    ("def test_a():\n    torch.jit.load('scripted.pt')\n", "risk"),
    (
        "def test_a():\n    with tempfile.NamedTemporaryFile(delete=False) as f:\n"
        "        np.save(f.name, a)\n    np.load(f.name, allow_pickle=True)\n",
        "note",
    ),
]


@pytest.mark.parametrize(("source", "severity"), LOAD_CASES)
def test_deserialisation_weighs_data_the_test_wrote(source: str, severity: str) -> None:
    found = _finding("unsafe-deserialisation", LOAD_HEAD + source)
    assert found.severity == severity
    assert ("the test itself wrote" in found.context) == (severity == "note")


def test_patterns_are_not_weighed() -> None:
    found = _finding("temp-files", "import tempfile\ntempfile.mkdtemp()\n")
    assert (found.severity, found.context) == (None, "")


def test_unweighed_rules_are_risks() -> None:
    found = _finding("sleep", "import time\ntime.sleep(1)\n")
    assert (found.severity, found.context) == ("risk", "")


EVAL_CASES = [
    ("def test_a():\n    eval(repr(x), {'np': np})\n", "note"),
    ("def test_a():\n    y = eval('np.' + repr(x))\n", "note"),
    (
        "def test_a():\n    adds = '+'.join(['a', 'b'] * 256)\n    src = f'lambda a, b: {adds}'\n"
        "    eval(src)\n",
        "note",
    ),
    ("def test_a():\n    exec('x = 1')\n", "note"),
    ("def test_a(expr):\n    eval(expr)\n", "risk"),
    ("def test_a():\n    exec(open('script.py').read())\n", "risk"),
    ("def test_a():\n    src = make_source()\n    eval(src)\n", "risk"),
    ("def test_a(name):\n    eval(f'np.{name}')\n", "risk"),
]


@pytest.mark.parametrize(("source", "severity"), EVAL_CASES)
def test_eval_weighs_code_the_test_builds(source: str, severity: str) -> None:
    found = _finding("eval-exec", "import numpy as np\n" + source)
    assert found.severity == severity
    assert ("code the test builds itself" in found.context) == (severity == "note")
