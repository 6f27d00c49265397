"""The rule table for the patterns, performance and security sections, and its runner.

Every rule is one :class:`Rule` entry in :data:`RULES`: an id, a section, a title, a
plain explanation, and the matchers (from :mod:`._matchers`, with predicates from
:mod:`._predicates`) whose hits are its evidence; adding a rule is adding one entry.
Nothing is inferred from names alone except by :data:`HARDCODED_CREDENTIAL`, which by
nature inspects what a literal is assigned to. The analysed code is never imported or
run: a module is walked once (:func:`._walk.collect`) and each matcher reads the
gathered facts.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple, get_args

from sphinx_testdocs.analysis._matchers import (
    Assigned,
    Based,
    Called,
    Custom,
    Decorated,
    Hit,
    Index,
    Keyword,
    Matcher,
    MethodCalled,
    Param,
    Referenced,
    WithCall,
)
from sphinx_testdocs.analysis._predicates import (
    array_detail,
    check_hostname_off,
    cuda_device,
    examples_detail,
    first_arg_is_cuda,
    hardcoded_credential,
    large_array,
    large_range,
    many_examples,
    no_positional_args,
    range_detail,
    sleep_detail,
    yaml_load_unsafe,
)
from sphinx_testdocs.analysis._walk import Facts, collect
from sphinx_testdocs.analysis._weighing import (
    cuda_guard,
    cuda_only_decorators,
    self_built_code,
    self_made_data,
)
from sphinx_testdocs.analysis.dialects import known_test_cases
from sphinx_testdocs.analysis.model import Finding

__all__ = [
    "RULES",
    "SECTIONS",
    "Rule",
    "RuleDoc",
    "RuleScan",
    "find_findings",
    "rules_for_docs",
    "scan",
]

Section = Literal["patterns", "performance", "security"]

#: Sections in the order findings are reported and documented (the pages' order).
SECTIONS: tuple[Section, ...] = get_args(Section)


@dataclass(frozen=True, slots=True)
class Rule:
    """One entry of the table: what to report, and the matchers that prove it."""

    id: str
    section: Section
    title: str
    explanation: str
    match: tuple[Matcher, ...]
    #: For a line of evidence, why its context defuses it (a guard, data the test wrote),
    #: or None. A finding whose every line is defused is a note, not a risk.
    weigh: Callable[[int, Index], str | None] | None = None

    def __post_init__(self) -> None:
        if self.section not in SECTIONS:
            raise ValueError(f"rule {self.id!r}: unknown section {self.section!r}")
        if not self.match:
            raise ValueError(f"rule {self.id!r}: no matchers")


class RuleDoc(NamedTuple):
    """One row of the rule list shown in the documentation."""

    id: str
    section: str
    title: str
    explanation: str


@dataclass(frozen=True, slots=True)
class RuleScan:
    """The findings for one module; ``complete`` is False if the walk had to stop early."""

    findings: tuple[Finding, ...]
    complete: bool = True
    #: (qualified name, line) of every use of an imported name, sorted: what the module
    #: exercises. Gathered by the same walk, so "tested by" costs no second pass.
    references: tuple[tuple[str, int], ...] = ()
    #: The module's facts with names resolved, for the inference of what the tests'
    #: locals are (``analysis.receivers``); None when the walk did not run.
    index: Index | None = field(default=None, compare=False, repr=False)


# --- name lists -------------------------------------------------------------------


def _names(module: str, *attrs: str) -> frozenset[str]:
    return frozenset(f"{module}.{attr}" for attr in attrs)


_SUBPROCESS_RUNNERS = _names("subprocess", "run", "call", "check_call", "check_output", "Popen")
_HTTP_VERBS = ("get", "post", "put", "patch", "delete", "head", "options", "request")
_UNITTEST_CASES = known_test_cases()
_EXPECT_CALLS = frozenset(
    {
        "pytest.raises",
        "pytest.warns",
        "pytest.deprecated_call",
        "warnings.catch_warnings",
        "numpy.testing.assert_raises",
        "numpy.testing.assert_raises_regex",
        "numpy.testing.assert_warns",
        "numpy.testing.suppress_warnings",
    }
)
_EXPECT_METHODS = frozenset(
    {
        "assertRaises",
        "assertRaisesRegex",
        "assertRaisesRegexp",
        "assertWarns",
        "assertWarnsRegex",
        "assertLogs",
        "assertNoLogs",
    }
)

# --- the table --------------------------------------------------------------------

UNITTEST_TESTCASE = Rule(
    "unittest-testcase",
    "patterns",
    "unittest.TestCase classes",
    "Tests are methods of unittest.TestCase subclasses, so they get setUp/tearDown and "
    "the self.assert* helpers, and run under both unittest and pytest.",
    (Based(_UNITTEST_CASES),),
)
UNITTEST_ASSERTIONS = Rule(
    "unittest-assertions",
    "patterns",
    "unittest assertion methods (self.assert*)",
    "Checks use TestCase assertion methods, which format their own failure messages.",
    (MethodCalled(pattern=re.compile(r"assert[A-Z]|fail\Z"), receiver="self"),),
)
PYTEST_RAISES = Rule(
    "pytest-raises",
    "patterns",
    "pytest.raises / pytest.warns",
    "Expected exceptions and warnings are checked with pytest's helpers, which fail the "
    "test when nothing (or the wrong type) is raised.",
    (Called(frozenset({"pytest.raises", "pytest.warns", "pytest.deprecated_call"})),),
)
EXPECTED_IN_WITH = Rule(
    "expected-in-with",
    "patterns",
    "Expected exceptions or warnings checked in with blocks",
    "A context manager scopes the expectation to exactly the statements inside the with "
    "block, so an unrelated line raising the same error cannot make the test pass.",
    (WithCall(_EXPECT_CALLS, self_methods=_EXPECT_METHODS),),
)
SUBTESTS = Rule(
    "subtests",
    "patterns",
    "Subtests",
    "One test reports several independent cases: a failing case does not stop the "
    "others, and each failure names its parameters.",
    (
        MethodCalled(frozenset({"subTest"}), receiver="self"),
        MethodCalled(frozenset({"test"}), receiver="subtests"),
        Param(frozenset({"subtests"})),
    ),
)
PYTEST_FIXTURES = Rule(
    "pytest-fixtures",
    "patterns",
    "pytest fixtures defined",
    "Setup and teardown are provided as pytest fixtures, requested by test parameters "
    "and shared according to their scope.",
    (Decorated(frozenset({"pytest.fixture", "pytest.yield_fixture"})),),
)
PARAMETRIZE = Rule(
    "parametrize",
    "patterns",
    "Parametrized tests",
    "One test function is run for several inputs, each reported as its own case.",
    (
        Referenced(frozenset({"pytest.mark.parametrize"})),
        Called(
            frozenset({"pytest.fixture"}),
            where=lambda call, _: any(kw.arg == "params" for kw in call.keywords),
        ),
        Referenced(
            frozenset(
                {
                    "parameterized.parameterized",
                    "parameterized.parameterized.expand",
                    "parameterized.parameterized_class",
                    "absl.testing.parameterized.parameters",
                    "absl.testing.parameterized.named_parameters",
                    "absl.testing.parameterized.product",
                    "torch.testing._internal.common_utils.parametrize",
                    "torch.testing._internal.common_utils.instantiate_parametrized_tests",
                    "torch.testing._internal.common_device_type.instantiate_device_type_tests",
                }
            )
        ),
    ),
)
MOCKING = Rule(
    "mocking",
    "patterns",
    "Mocking and monkeypatching",
    "Collaborators are replaced by test doubles or patched attributes, which isolates "
    "the code under test but ties the test to how that code is wired internally.",
    (
        Referenced(frozenset({"unittest.mock", "mock"}), ("unittest.mock.", "mock.")),
        Referenced(frozenset({"pytest.MonkeyPatch"}), ("pytest.MonkeyPatch.",)),
        Param(
            frozenset({"monkeypatch", "mocker", "class_mocker", "module_mocker", "session_mocker"})
        ),
    ),
)
PROPERTY_BASED = Rule(
    "property-based",
    "patterns",
    "Property-based testing (Hypothesis)",
    "Hypothesis generates many inputs from strategies and shrinks any failure to a "
    "minimal example; run time depends on its settings (max_examples, deadline).",
    (Referenced(frozenset({"hypothesis"}), ("hypothesis.",)),),
)
TEMP_FILES = Rule(
    "temp-files",
    "patterns",
    "Temporary files and directories",
    "Tests write to the file system in places created for them, so runs do not "
    "interfere with each other or leave files behind.",
    (
        Referenced(frozenset({"tempfile"}), ("tempfile.",)),
        Referenced(frozenset({"numpy.testing.tempdir", "numpy.testing.temppath"})),
        Param(frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory"})),
    ),
)
ARRAY_ASSERTIONS = Rule(
    "array-assertions",
    "patterns",
    "Array assertion helpers (numpy.testing, torch.testing)",
    "Numeric results are compared with helpers that understand shapes, dtypes, NaN and "
    "tolerances, and print the mismatching elements.",
    (Called(prefixes=("numpy.testing.assert", "torch.testing.assert")),),
)

SUBPROCESS = Rule(
    "subprocess",
    "performance",
    "Spawns subprocesses",
    "Each new process (often a fresh Python interpreter) costs tens to hundreds of "
    "milliseconds and makes the test depend on executables in the environment.",
    (
        Called(
            _SUBPROCESS_RUNNERS
            | _names("subprocess", "getoutput", "getstatusoutput")
            | _names("os", "system", "popen", "fork", "forkpty", "posix_spawn", "posix_spawnp")
            | _names("asyncio", "create_subprocess_exec", "create_subprocess_shell")
            | _names("pty", "spawn"),
            prefixes=("os.exec", "os.spawn"),
        ),
    ),
)
CONCURRENCY = Rule(
    "threads-processes",
    "performance",
    "Starts threads or processes",
    "Concurrent tests are slower to start, can hang or deadlock, and may behave "
    "differently from run to run.",
    (
        Called(
            _names("threading", "Thread", "Timer")
            | _names("_thread", "start_new_thread")
            | _names("multiprocessing", "Process", "Pool", "get_context")
            | _names("multiprocessing.pool", "Pool", "ThreadPool")
            | _names("concurrent.futures", "ThreadPoolExecutor", "ProcessPoolExecutor")
            | _names("torch.multiprocessing", "spawn", "start_processes", "Process", "Pool")
            # NumPy's helper runs a function in a pool of threads at once.
            | _names("numpy.testing._private.utils", "run_threaded")
            | _names("numpy.testing", "run_threaded")
        ),
        Based(frozenset({"threading.Thread", "multiprocessing.Process"})),
    ),
)
NETWORK = Rule(
    "network",
    "performance",
    "Opens network connections",
    "Network access makes tests slow and flaky (timeouts, DNS, firewalls) and fails on "
    "machines without connectivity.",
    (
        Called(
            _names(
                "socket",
                "socket",
                "create_connection",
                "create_server",
                "getaddrinfo",
                "gethostbyname",
            )
            | _names("urllib.request", "urlopen", "urlretrieve")
            | _names("http.client", "HTTPConnection", "HTTPSConnection")
            | _names("ftplib", "FTP", "FTP_TLS")
            | _names("smtplib", "SMTP", "SMTP_SSL")
            | _names("xmlrpc.client", "ServerProxy")
            | _names("asyncio", "open_connection", "start_server")
            | _names("requests", *_HTTP_VERBS, "Session", "session")
            | _names("httpx", *_HTTP_VERBS, "stream", "Client", "AsyncClient")
            | _names("urllib3", "PoolManager", "request")
            | _names("aiohttp", "ClientSession")
        ),
    ),
)
GPU = Rule(
    "gpu",
    "performance",
    "Uses a GPU (CUDA)",
    "GPU tests need the hardware and drivers (they are skipped or fail without them), "
    "and device transfers and synchronisation dominate their run time.",
    (
        Referenced(
            frozenset({"torch.cuda", "cupy", "numba.cuda"}),
            ("torch.cuda.", "cupy.", "numba.cuda.", "pycuda."),
        ),
        MethodCalled(frozenset({"cuda"})),
        MethodCalled(frozenset({"to"}), where=first_arg_is_cuda),
        Called(frozenset({"torch.device"}), where=cuda_device),
        Keyword("device", str_prefixes=("cuda",)),
        Custom(cuda_only_decorators),
    ),
    weigh=cuda_guard,
)
SLEEP = Rule(
    "sleep",
    "performance",
    "Sleeps",
    "Sleeping adds its full duration to every run, and tests that sleep to wait for "
    "something are usually racy on a loaded machine.",
    (Called(frozenset({"time.sleep", "asyncio.sleep"}), detail=sleep_detail),),
)
SLOW_MARK = Rule(
    "slow-mark",
    "performance",
    "Marked slow",
    "The test is marked slow by its authors; such tests are often deselected in quick "
    "runs and only run in full CI.",
    (
        Referenced(frozenset({"pytest.mark.slow"})),
        Decorated(last_names=frozenset({"slow", "slowTest"})),
    ),
)
LARGE_RANGE = Rule(
    "large-range",
    "performance",
    "Large literal ranges",
    "range() over a literal of 100,000 items or more: a Python-level loop of that size "
    "takes noticeable time per test.",
    (
        Called(
            frozenset({"builtins.range"}),
            where=large_range,
            detail=range_detail,
        ),
    ),
)

_MODULE_COMPILE = MethodCalled(frozenset({"compile"}), where=no_positional_args)


def _module_compile(index: Index) -> Iterator[Hit]:
    """``model.compile()`` (nn.Module.compile) in a module that imports torch: other
    ``.compile()`` methods (a build backend's, a regex's) compile no model."""
    if any(m.partition(".")[0] == "torch" for m in index.facts.imports):
        yield from _MODULE_COMPILE.hits(index)


COMPILES = Rule(
    "compiles",
    "performance",
    "Compiles models (torch.compile, TorchScript, export)",
    "Compiling traces the code and generates new code for it: seconds per graph, again "
    "for every recompilation (new shapes, dtypes or guards), and the compiled caches "
    "outlive the test unless it resets them.",
    (
        Referenced(
            frozenset(
                {
                    "torch.compile",
                    "torch._dynamo.optimize",
                    "torch._dynamo.optimize_assert",
                    "torch.jit.script",
                    "torch.jit.trace",
                    "torch.jit.trace_module",
                    "torch.export.export",
                    "torch.fx.experimental.proxy_tensor.make_fx",
                    "functorch.compile.aot_function",
                    "functorch.compile.aot_module",
                    "torch._functorch.aot_autograd.aot_function",
                    "torch._functorch.aot_autograd.aot_module",
                    "torch._inductor.compile_fx.compile_fx",
                }
            )
        ),
        Custom(_module_compile),
    ),
)
BUILDS_EXTENSION = Rule(
    "builds-extension",
    "performance",
    "Builds a C/C++ extension during the test",
    "The test runs a compiler and build tools before it can import what it checks: "
    "seconds to minutes, and it needs a compiler and headers on the machine.",
    (
        Called(
            _names(
                "numpy.testing.extbuild", "build_and_import_extension", "compile_extension_module"
            )
            | _names("torch.utils.cpp_extension", "load", "load_inline")
        ),
    ),
)
LARGE_MEMORY = Rule(
    "large-memory",
    "performance",
    "Needs a lot of memory",
    "The test allocates large arrays (its authors declare the memory it needs, or a "
    "literal size shows it): slow to allocate and fill, and skipped or killed where "
    "memory is short.",
    (
        Decorated(last_names=frozenset({"requires_memory", "largeTensorTest", "bigmemtest"})),
        Called(_names("numpy.testing._private.utils", "check_free_memory", "_get_mem_available")),
        # Only constructors whose positional integers are all dimensions: full() and
        # arange() take a fill value or bounds there.
        Called(
            _names("numpy", "zeros", "ones", "empty")
            | _names("torch", "zeros", "ones", "empty", "rand", "randn"),
            where=large_array,
            detail=array_detail,
        ),
    ),
)
GC_COLLECT = Rule(
    "gc-collect",
    "performance",
    "Forces garbage collection",
    "A full collection walks every object the process holds, tens of milliseconds "
    "each time late in a long session; such tests check object lifetimes, which "
    "differ between interpreters (PyPy, free-threaded builds).",
    (
        Called(
            frozenset(
                {
                    "gc.collect",
                    "numpy.testing.break_cycles",
                    "numpy.testing._private.utils.break_cycles",
                }
            )
        ),
        WithCall(
            frozenset(
                {
                    "numpy.testing.assert_no_gc_cycles",
                    "numpy.testing._private.utils.assert_no_gc_cycles",
                }
            )
        ),
    ),
)
MANY_EXAMPLES = Rule(
    "hypothesis-examples",
    "performance",
    "Many Hypothesis examples",
    "Hypothesis runs the test once per example (100 by default); a max_examples of a "
    "thousand or more multiplies its run time accordingly.",
    (
        Called(
            frozenset({"hypothesis.settings"}),
            where=many_examples,
            detail=examples_detail,
        ),
    ),
)

UNSAFE_DESERIALISATION = Rule(
    "unsafe-deserialisation",
    "security",
    "Unpickling or other code-executing deserialisation",
    "Loading pickle-based data (or a TorchScript archive) can run arbitrary code from "
    "that data; it is harmless for bytes the test itself produced, dangerous for files "
    "that could come from elsewhere.",
    (
        Called(
            _names("pickle", "load", "loads", "Unpickler")
            | _names("_pickle", "load", "loads", "Unpickler")
            | _names("cPickle", "load", "loads")
            | _names("marshal", "load", "loads")
            | _names("shelve", "open")
            | _names("dill", "load", "loads")
            | _names("cloudpickle", "load", "loads")
            | _names("joblib", "load")
            | _names("pandas", "read_pickle")
            | _names("jsonpickle", "decode")
        ),
        # Exact evidence only: numpy refuses pickles unless asked (since 1.16.3), and
        # torch.load defaults to weights_only=True since 2.6.
        Called(frozenset({"numpy.load"}), when=(("allow_pickle", True),)),
        Called(frozenset({"torch.load"}), when=(("weights_only", False),)),
        # A TorchScript archive holds code that runs when the model does.
        Called(frozenset({"torch.jit.load"})),
    ),
    weigh=self_made_data,
)
EVAL_EXEC = Rule(
    "eval-exec",
    "security",
    "eval, exec or compile of code",
    "Code built from strings runs with the test's full privileges; if any part of the "
    "string can come from outside, so can the code.",
    (Called(_names("builtins", "eval", "exec", "compile")),),
    weigh=self_built_code,
)
YAML_LOAD = Rule(
    "yaml-unsafe-load",
    "security",
    "yaml.load without a safe Loader",
    "PyYAML's full/unsafe loaders can construct arbitrary Python objects from the "
    "document; yaml.safe_load or Loader=yaml.SafeLoader cannot.",
    (
        Called(_names("yaml", "load", "load_all"), where=yaml_load_unsafe),
        Called(_names("yaml", "unsafe_load", "unsafe_load_all")),
    ),
)
SHELL_TRUE = Rule(
    "subprocess-shell",
    "security",
    "subprocess with shell=True",
    "The command is parsed by a shell, so any interpolated value containing spaces, "
    "quotes or ; changes what runs (shell injection).",
    (
        Called(_SUBPROCESS_RUNNERS, when=(("shell", True),)),
        Called(
            _names("subprocess", "getoutput", "getstatusoutput")
            | _names("asyncio", "create_subprocess_shell")
        ),
    ),
)
OS_SYSTEM = Rule(
    "os-system",
    "security",
    "os.system / os.popen",
    "These always pass the command string to a shell, with the same injection risk as "
    "shell=True; subprocess with an argument list avoids it.",
    (Called(_names("os", "system", "popen")),),
)
MKTEMP = Rule(
    "mktemp",
    "security",
    "tempfile.mktemp",
    "mktemp only returns a name: another process can create that file before the test "
    "does. mkstemp, NamedTemporaryFile or tmp_path create it atomically.",
    (Called(frozenset({"tempfile.mktemp"})),),
)
TLS_VERIFICATION = Rule(
    "tls-verification-off",
    "security",
    "TLS certificate verification disabled",
    "Without certificate and host name checks, anyone on the network path can "
    "impersonate the server.",
    (
        Keyword(
            "verify",
            values=(False,),
            callees=frozenset(
                {*_HTTP_VERBS, "send", "stream", "Session", "Client", "AsyncClient", "urlopen"}
            ),
        ),
        Referenced(frozenset({"ssl._create_unverified_context", "ssl.CERT_NONE"})),
        Assigned(check_hostname_off),
    ),
)
HARDCODED_CREDENTIAL = Rule(
    "hardcoded-credential",
    "security",
    "Hard-coded credentials",
    "A non-empty string literal is assigned to a name ending in password, passwd, "
    "passphrase, secret, token or api/secret/access key; real secrets in source control "
    "leak. Placeholders (<...>, ${VAR}, ALL_CAPS names, xxxx, 'dummy') are ignored.",
    (Assigned(hardcoded_credential),),
)

#: The rule table, in the order findings are reported within each section.
RULES: tuple[Rule, ...] = (
    UNITTEST_TESTCASE,
    UNITTEST_ASSERTIONS,
    PYTEST_RAISES,
    EXPECTED_IN_WITH,
    SUBTESTS,
    PYTEST_FIXTURES,
    PARAMETRIZE,
    MOCKING,
    PROPERTY_BASED,
    TEMP_FILES,
    ARRAY_ASSERTIONS,
    SUBPROCESS,
    CONCURRENCY,
    NETWORK,
    GPU,
    SLEEP,
    SLOW_MARK,
    LARGE_RANGE,
    COMPILES,
    BUILDS_EXTENSION,
    LARGE_MEMORY,
    GC_COLLECT,
    MANY_EXAMPLES,
    UNSAFE_DESERIALISATION,
    EVAL_EXEC,
    YAML_LOAD,
    SHELL_TRUE,
    OS_SYSTEM,
    MKTEMP,
    TLS_VERIFICATION,
    HARDCODED_CREDENTIAL,
)


def _check_ids(rules: Sequence[Rule]) -> None:
    seen: set[str] = set()
    for rule in rules:
        if rule.id in seen:
            raise ValueError(f"duplicate rule id {rule.id!r}")
        seen.add(rule.id)


_check_ids(RULES)


# --- running the table ------------------------------------------------------------


def _finding(rule: Rule, hits: list[Hit], index: Index) -> Finding:
    hits.sort(key=lambda hit: (hit[0], hit[1] or ""))
    lines = tuple(sorted({line for line, _ in hits}))
    # Details in source order, each once: "Sleeps (0.1 s, 2 s)".
    details = list(dict.fromkeys(detail for _, detail in hits if detail))
    title = f"{rule.title} ({', '.join(details)})" if details else rule.title
    if rule.section == "patterns":
        return Finding(rule.id, rule.section, title, rule.explanation, lines)
    severity, context, risky = _weigh(rule, lines, index)
    return Finding(rule.id, rule.section, title, rule.explanation, lines, severity, context, risky)


def _weigh(rule: Rule, lines: tuple[int, ...], index: Index) -> tuple[str, str, tuple[int, ...]]:
    """("risk" or "note", the sentence saying what context the rule saw, the lines it
    left risky when it defused only some)."""
    if rule.weigh is None:
        return "risk", "", ()
    reasons = {line: rule.weigh(line, index) for line in lines}
    said = " or ".join(dict.fromkeys(r for r in reasons.values() if r))
    risky = tuple(line for line, reason in reasons.items() if not reason)
    defused = len(lines) - len(risky)
    if not defused:
        return "risk", "", ()
    if not risky:
        return "note", f"A note rather than a risk: every line is {said}.", ()
    verb = "is" if defused == 1 else "are"
    others = "the other is not" if len(risky) == 1 else "the others are not"
    return "risk", f"{defused:,} of {len(lines):,} lines {verb} {said}; {others}", risky


def scan(tree: ast.Module, rules: Sequence[Rule] = RULES) -> RuleScan:
    """Run ``rules`` over an already parsed module.

    The tree is walked once, iteratively. If anything still exhausts the recursion
    limit, the rules run over what was gathered and ``complete`` is False.
    """
    facts = Facts()
    complete = True
    try:
        collect(tree, facts)
    except RecursionError:
        complete = False
    index = Index(facts, tree)
    found: list[tuple[int, int, Finding]] = []
    for position, rule in enumerate(rules):
        try:
            hits = [hit for matcher in rule.match for hit in matcher.hits(index)]
            if hits:
                finding = _finding(rule, hits, index)
        except RecursionError:
            complete = False
            continue
        if hits:
            found.append((SECTIONS.index(rule.section), position, finding))
    found.sort(key=lambda item: (item[0], item[1]))
    references = sorted(
        {
            (name, node.lineno)
            for name, used in index.refs().items()
            if not name.startswith("builtins.")
            for node in used
        }
    )
    return RuleScan(tuple(finding for _, _, finding in found), complete, tuple(references), index)


def find_findings(tree: ast.Module, rules: Sequence[Rule] = RULES) -> tuple[Finding, ...]:
    """Findings for an already parsed module, by section then table order."""
    return scan(tree, rules).findings


def rules_for_docs(rules: Sequence[Rule] = RULES) -> tuple[RuleDoc, ...]:
    """(id, section, title, explanation) for every rule, by section then table order."""
    ordered = sorted(enumerate(rules), key=lambda item: (SECTIONS.index(item[1].section), item[0]))
    return tuple(RuleDoc(r.id, r.section, r.title, r.explanation) for _, r in ordered)
