"""What sphinx-testdocs costs a host project: its own docs built alone and with the extension.

Usage::

    python benchmarks/host.py TREE [--include GLOB ...] [--files 156] [--prose-pages 256]
        [--reps 2] [--themes alabaster,furo] [--scenarios fresh-j1,fresh-j2,touch]
        [--variant LABEL=CONF ...] [--json out.json]

``bench.py`` compares the extension with the least any tool must do to show the tests;
adopters meet another figure: how much slower and bigger *their own* documentation build
gets once ``extensions = ["sphinx_testdocs"]`` is added (issue 17). This script writes a
host project with a few hundred pages of prose of its own (nested toctrees, code blocks,
API-like pages, cross-references; seeded, so every run writes the same project), then
builds it alone ("host") and with the extension at its defaults ("ext"), with each
theme, and reports the extension's cost as a ratio to the host's own build.
"""

from __future__ import annotations

import argparse
import json
import os
import posixpath
import random
import re
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench import (
    DEFAULT_WORK,
    Measurement,
    Report,
    copy_corpus,
    measure,
    select_files,
    versions,
)

SCENARIOS = ("fresh-j1", "fresh-j2", "touch")
#: The extension's pages land under this folder of the host's output (its default).
TESTDOCS_DIR = "testdocs"

# --------------------------------------------------------------------------- the prose

WORDS = re.findall(
    r"\S+",
    "array buffer cache callback channel chunk client codec column config context cursor "
    "dataset decoder device dispatch dtype encoder engine event executor field filter "
    "format frame graph handle header index iterator kernel layout loader mapping matrix "
    "metadata module node offset operator option packet parser partition payload pipeline "
    "plugin pointer policy process queue reader record registry request resource result "
    "schema scheduler segment session shape signal slice socket source stage storage "
    "stream stride subscriber table task tensor thread token transform tuple value vector "
    "view window worker writer",
)
FILLER = re.findall(
    r"\S+",
    "the a of to and in is that for with as on by this when each every which returns uses "
    "keeps reads writes builds checks holds may must should can",
)
VERBS = re.findall(
    r"\S+",
    "load save parse render merge split apply reset flush resolve open close",
)


def _words(rng: random.Random, low: int, high: int) -> list[str]:
    return [
        rng.choice(WORDS) if rng.random() < 0.45 else rng.choice(FILLER)
        for _ in range(rng.randint(low, high))
    ]


def sentence(rng: random.Random, refs: Sequence[str]) -> str:
    """A sentence with now and then a literal, an emphasis or a cross-reference."""
    words = _words(rng, 8, 22)
    roll = rng.random()
    if roll < 0.15:
        words[rng.randrange(len(words))] = f"``{rng.choice(WORDS)}_{rng.choice(WORDS)}``"
    elif roll < 0.25:
        words[rng.randrange(len(words))] = f"*{rng.choice(WORDS)}*"
    elif roll < 0.33 and refs:
        words[rng.randrange(len(words))] = rng.choice(refs)
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def paragraph(rng: random.Random, refs: Sequence[str]) -> str:
    text = " ".join(sentence(rng, refs) for _ in range(rng.randint(2, 6)))
    return textwrap.fill(text, 88, break_long_words=False, break_on_hyphens=False)


def code_block(rng: random.Random) -> str:
    """A Python snippet of 4 to 20 lines."""
    name = f"{rng.choice(VERBS)}_{rng.choice(WORDS)}"
    args = ", ".join(rng.sample(WORDS, rng.randint(1, 3)))
    lines = [f"def {name}({args}, *, strict=False):", f'    """{sentence(rng, ())}"""']
    for _ in range(rng.randint(2, 16)):
        a, b = rng.choice(WORDS), rng.choice(WORDS)
        lines.append(
            rng.choice(
                (
                    f"    {a} = {b}.{rng.choice(VERBS)}({rng.randint(0, 64)})",
                    f"    if {a} is None:\n        raise ValueError('{a} {b}')",
                    f"    for {a} in {b}s:\n        yield {a}",
                    f"    {a}_{b} = [{a} * {rng.randint(2, 9)} for {a} in range({b})]",
                )
            )
        )
    lines.append(f"    return {rng.choice(WORDS)}")
    return ".. code-block:: python\n\n" + textwrap.indent("\n".join(lines), "   ")


def bullets(rng: random.Random, refs: Sequence[str]) -> str:
    return "\n".join(f"* {sentence(rng, refs)}" for _ in range(rng.randint(3, 7)))


def heading(text: str, char: str, over: bool = False) -> str:
    bar = char * len(text)
    return f"{bar}\n{text}\n{bar}" if over else f"{text}\n{bar}"


def title_words(rng: random.Random) -> str:
    return " ".join(w.capitalize() for w in rng.sample(WORDS, rng.randint(2, 4)))


def guide_body(rng: random.Random, refs: Sequence[str]) -> list[str]:
    """Sections of prose, code, lists and admonitions: a user-guide page."""
    out = [paragraph(rng, refs)]
    for _ in range(rng.randint(3, 8)):
        out.append(heading(title_words(rng), "="))
        out += [paragraph(rng, refs) for _ in range(rng.randint(1, 3))]
        if rng.random() < 0.6:
            out.append(code_block(rng))
        if rng.random() < 0.3:
            out.append(bullets(rng, refs))
        if rng.random() < 0.15:
            kind = rng.choice(("note", "warning", "tip"))
            out.append(f".. {kind}::\n\n" + textwrap.indent(paragraph(rng, refs), "   "))
        for _ in range(rng.randint(0, 2)):
            out.append(heading(title_words(rng), "-"))
            out.append(paragraph(rng, refs))
            if rng.random() < 0.4:
                out.append(code_block(rng))
    return out


def api_object(
    rng: random.Random, directive: str, name: str, args: Sequence[str], indent: int, last: str
) -> list[str]:
    """One ``py:`` object: signature, description, a field per argument, one more field."""
    pad = " " * indent
    out = [f"{pad}.. py:{directive}:: {name}({', '.join(args)})\n"]
    out.append(textwrap.indent(paragraph(rng, ()), pad + "   ") + "\n")
    out += [f"{pad}   :param {a}: {sentence(rng, ())}" for a in args]
    out.append(f"{pad}   {last}: {sentence(rng, ())}\n")
    return out


def api_body(rng: random.Random, module: str) -> tuple[list[str], list[str]]:
    """An autodoc-free API page (``py:`` directives by hand) and the objects it defines."""
    out = [f".. py:module:: {module}", ""]
    names: list[str] = []
    for _ in range(rng.randint(2, 6)):
        cls = "".join(w.capitalize() for w in rng.sample(WORDS, 2))
        out += api_object(rng, "class", cls, rng.sample(WORDS, 2), 0, ":var state")
        names.append(f"{module}.{cls}")
        for _ in range(rng.randint(2, 6)):
            meth = f"{rng.choice(VERBS)}_{rng.choice(WORDS)}"
            out += api_object(
                rng, "method", meth, rng.sample(WORDS, rng.randint(1, 3)), 3, ":returns"
            )
    for _ in range(rng.randint(2, 6)):
        func = f"{rng.choice(VERBS)}_{rng.choice(WORDS)}"
        args = rng.sample(WORDS, rng.randint(1, 4))
        out += api_object(rng, "function", func, args, 0, ":raises ValueError")
        names.append(f"{module}.{func}")
    return out, names


def changelog_body(rng: random.Random, refs: Sequence[str]) -> list[str]:
    out = []
    for _ in range(rng.randint(3, 8)):
        out.append(heading(f"Version {rng.randint(0, 4)}.{rng.randint(0, 30)}", "="))
        for kind in ("Features", "Bug fixes"):
            out += [heading(kind, "-"), bullets(rng, refs)]
    return out


# --------------------------------------------------------------------------- the project


#: Top-level sections: (folder, title, share of the pages, kind of their leaf pages).
SECTIONS = (
    ("user-guide", "User Guide", 0.38, "guide"),
    ("tutorials", "Tutorials", 0.14, "guide"),
    ("how-to", "How-to Guides", 0.14, "guide"),
    ("reference", "API Reference", 0.22, "api"),
    ("development", "Development", 0.06, "guide"),
    ("release", "Release Notes", 0.06, "changelog"),
)


@dataclass
class Node:
    docname: str
    title: str
    kind: str  # "index", "guide", "api", "changelog"
    children: list[Node] = field(default_factory=list)


def layout(folder: str, title: str, budget: int, kind: str, rng: random.Random) -> Node:
    """A section of ``budget`` pages: its index, then pages or nested subsections."""
    node = Node(f"{folder}/index", title, "index")
    rest = budget - 1
    if rest <= 9:
        for i in range(rest):
            node.children.append(Node(f"{folder}/page-{i}", title_words(rng), kind))
        return node
    parts = rng.randint(3, 6)
    cuts = sorted(rng.sample(range(1, rest), parts - 1))
    sizes = [b - a for a, b in zip([0, *cuts], [*cuts, rest], strict=True)]
    for i, size in enumerate(sizes):
        sub = f"{folder}/{rng.choice(WORDS)}-{i}"
        if size == 1:
            node.children.append(Node(sub, title_words(rng), kind))
        else:
            node.children.append(layout(sub, title_words(rng), size, kind, rng))
    return node


def walk(node: Node) -> list[Node]:
    out = [node]
    for child in node.children:
        out += walk(child)
    return out


def write_host(srcdir: Path, pages: int, seed: int) -> list[str]:
    """Write the host's own pages (``pages`` of them, the root included); their docnames."""
    rng = random.Random(seed)
    budget = pages - 1
    sizes = [int(budget * share) for _, _, share, _ in SECTIONS]
    sizes[0] += budget - sum(sizes)
    roots = [
        layout(folder, title, size, kind, rng)
        for (folder, title, _, kind), size in zip(SECTIONS, sizes, strict=True)
    ]
    nodes = [n for root in roots for n in walk(root)]
    refs = [f":doc:`/{n.docname}`" for n in nodes] + [f":ref:`{_label(n)}`" for n in nodes]
    api_refs: list[str] = []
    bodies: dict[str, list[str]] = {}
    for n in nodes:  # API pages first, so that prose can refer to their objects
        if n.kind == "api":
            module = "hostlib." + n.docname.replace("/", ".").replace("-", "_")
            bodies[n.docname], names = api_body(rng, module)
            api_refs += [f":py:obj:`{name}`" for name in names]
    refs += api_refs
    for n in nodes:
        if n.kind == "api":
            continue
        if n.kind == "changelog":
            bodies[n.docname] = changelog_body(rng, refs)
        elif n.kind == "guide":
            bodies[n.docname] = guide_body(rng, refs)
        else:
            bodies[n.docname] = [paragraph(rng, refs) for _ in range(rng.randint(1, 3))]
        if n.children:
            entries = "\n".join("   " + posix_rel(c.docname, n.docname) for c in n.children)
            bodies[n.docname].insert(0, f".. toctree::\n   :maxdepth: 2\n\n{entries}")
    for n in nodes:
        page = srcdir / f"{n.docname}.rst"
        page.parent.mkdir(parents=True, exist_ok=True)
        text = [f".. _{_label(n)}:", "", heading(n.title, "#", over=True), "", *bodies[n.docname]]
        page.write_text("\n\n".join(text) + "\n", encoding="utf-8")
    index = [
        heading("Hostlib documentation", "#", over=True),
        paragraph(rng, ()),
        ".. toctree::\n   :maxdepth: 2\n   :caption: Contents\n\n"
        + "\n".join(f"   {root.docname}" for root in roots),
    ]
    (srcdir / "index.rst").write_text("\n\n".join(index) + "\n", encoding="utf-8")
    return ["index"] + [n.docname for n in nodes]


def posix_rel(docname: str, parent: str) -> str:
    """A child's docname relative to its parent's folder (toctrees resolve relatively)."""
    return posixpath.relpath(docname, posixpath.dirname(parent))


def _label(node: Node) -> str:
    return "sec-" + re.sub(r"[^a-z0-9]+", "-", node.docname)


@dataclass(frozen=True)
class HostVariant:
    """One build: the host alone ("host"), with the extension ("ext"), or ``--variant``."""

    label: str
    theme: str
    conf: str = ""  # extra conf.py lines

    @property
    def name(self) -> str:
        return f"{self.label}-{self.theme}"

    @property
    def extension(self) -> bool:
        return self.label != "host"


def conf_py(variant: HostVariant, corpus: Path) -> str:
    lines = ['project = "Hostlib"', f'html_theme = "{variant.theme}"']
    if variant.extension:
        lines += [
            'extensions = ["sphinx_testdocs"]',
            f"testdocs_dirs = [{str(corpus)!r}]",
            f"testdocs_project_root = {str(corpus.parent)!r}",
        ]
    if variant.conf:
        lines.append(variant.conf)
    return "\n".join(lines) + "\n"


def write_project(variant: HostVariant, corpus: Path, srcdir: Path, pages: int, seed: int) -> None:
    if srcdir.exists():
        shutil.rmtree(srcdir)
    srcdir.mkdir(parents=True)
    write_host(srcdir, pages, seed)
    (srcdir / "conf.py").write_text(conf_py(variant, corpus), encoding="utf-8")


# --------------------------------------------------------------------------- page sizes

#: Where each theme's sidebar navigation starts and ends in a page.
SIDEBAR_MARKERS = {
    "furo": ('<div class="sidebar-tree">', "</aside>"),
    "alabaster": ('<div class="sphinxsidebar"', '<div class="clearer">'),
}


def page_sizes(outdir: Path, theme: str) -> dict[str, float]:
    """HTML bytes of host and testdocs pages, and how much of them the sidebar is."""
    start, end = SIDEBAR_MARKERS.get(theme, ("", ""))
    stats = {"host": [0, 0, 0], "testdocs": [0, 0, 0]}  # pages, bytes, sidebar bytes
    for path in outdir.rglob("*.html"):
        rel = path.relative_to(outdir).as_posix()
        if rel.startswith("_"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        group = stats["testdocs" if rel.startswith(TESTDOCS_DIR + "/") else "host"]
        group[0] += 1
        group[1] += len(text.encode())
        i = text.find(start) if start else -1
        if i >= 0:
            j = text.find(end, i)
            group[2] += len(text[i : j if j > i else len(text)].encode())
    out: dict[str, float] = {}
    for key, (pages, size, side) in stats.items():
        out[f"{key}_pages"] = pages
        out[f"{key}_kb_per_page"] = round(size / pages / 1024, 1) if pages else 0.0
        out[f"{key}_sidebar_kb_per_page"] = round(side / pages / 1024, 1) if pages else 0.0
    return out


# --------------------------------------------------------------------------- running


def wait_for_others(pattern: str) -> None:
    """Sleep while another benchmark runs: two at once on two cores measure each other."""
    if not pattern:
        return
    waited = 0
    while (
        subprocess.run(["pgrep", "-f", pattern], check=False, capture_output=True).returncode == 0
    ):
        if waited == 0:
            print(f"  waiting: a process matches {pattern!r}", flush=True)
        time.sleep(30)
        waited += 30
    if waited:
        print(f"  waited {waited} s", flush=True)


def run_variant(
    variant: HostVariant,
    *,
    rep: int,
    corpus: Path,
    work: Path,
    args: argparse.Namespace,
    sizes: dict[str, dict[str, float]],
) -> list[Measurement]:
    """Fresh -j 1 (then, on request, a touch-one rebuild), then fresh -j 2."""
    base = work / variant.name
    srcdir, logs = base / "src", work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    results = []

    def fresh() -> None:
        for sub in ("html", "doctrees"):
            shutil.rmtree(base / sub, ignore_errors=True)
        write_project(variant, corpus, srcdir, args.prose_pages, args.seed)

    def run(scenario: str, jobs: int) -> None:
        wait_for_others(args.wait_for)
        # measure() reads only the variant's name: a HostVariant does.
        m = measure(variant, scenario, rep=rep, srcdir=srcdir, jobs=jobs, logs=logs)  # type: ignore[arg-type]
        results.append(m)

    fresh()
    run("fresh-j1", 1)
    if variant.name not in sizes:
        sizes[variant.name] = page_sizes(base / "html", variant.theme)
    if "touch" in args.scenarios:
        # A host page edited (its mtime): the common rebuild in a host project.
        now = time.time()
        os.utime(srcdir / args.touch, (now, now))
        run("touch", 1)
    if "fresh-j2" in args.scenarios:
        fresh()
        run("fresh-j2", 2)
    return results


def print_table(report: Report, variants: Sequence[HostVariant]) -> None:
    """Medians per build, and each variant's cost as a ratio to the host alone."""
    header = (
        f"{'theme/scenario':<19}{'variant':<10}{'wall s':>8}{'cpu s':>8}{'RSS MB':>8}"
        f"{'out MB':>8}{'pages':>7}   {'x host: wall':>12}{'cpu':>6}{'RSS':>6}{'out':>6}"
        f"{'cpu paired':>11}{'j2/j1 wall':>11}"
    )
    print(header)
    print("-" * len(header))
    for theme in report.meta["themes"]:
        for scenario in SCENARIOS:
            for v in (v for v in variants if v.theme == theme):
                med = {
                    a: report.median(v.name, scenario, a)
                    for a in ("wall_s", "cpu_s", "rss_tree_mb", "output_mb", "pages_written")
                }
                if med["wall_s"] is None:
                    continue
                host = {a: report.median(f"host-{theme}", scenario, a) for a in med}
                ratios = "".join(
                    f"{med[a] / host[a]:>{w}.2f}" if host[a] else f"{'-':>{w}}"
                    for a, w in (
                        ("wall_s", 12),
                        ("cpu_s", 6),
                        ("rss_tree_mb", 6),
                        ("output_mb", 6),
                    )
                )
                paired = report.paired(v.name, f"host-{theme}", scenario, "cpu_s")
                j1 = report.median(v.name, "fresh-j1", "wall_s")
                j2 = f"{med['wall_s'] / j1:>11.2f}" if scenario == "fresh-j2" and j1 else ""
                print(
                    f"{theme + '/' + scenario:<19}{v.label:<10}{med['wall_s']:>8.1f}"
                    f"{med['cpu_s']:>8.1f}{med['rss_tree_mb']:>8.0f}{med['output_mb']:>8.1f}"
                    f"{med['pages_written']:>7.0f}   {ratios}{paired or float('nan'):>11.2f}{j2}"
                )
    print(
        "cpu paired: the median over repetitions of the variant's CPU time over the host "
        "alone's in the same repetition (the least exposed to the machine's drift)"
    )


def print_sizes(sizes: dict[str, dict[str, float]]) -> None:
    print("\npage sizes (fresh -j1): pages, KB per page, of which sidebar KB per page")
    for name, s in sizes.items():
        print(
            f"  {name:<22} host {s['host_pages']:>4.0f} x {s['host_kb_per_page']:>6.1f}"
            f" ({s['host_sidebar_kb_per_page']:>5.1f})   testdocs {s['testdocs_pages']:>4.0f}"
            f" x {s['testdocs_kb_per_page']:>6.1f} ({s['testdocs_sidebar_kb_per_page']:>5.1f})"
        )


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("tree", type=Path, help="folder holding the test files")
    parser.add_argument(
        "--include",
        action="append",
        default=None,
        help="glob of test files, relative to TREE (repeatable; default **/*.py)",
    )
    parser.add_argument(
        "--files",
        type=int,
        default=156,
        help="document this many of the matching files, evenly spread over the sorted "
        "list (0: all); 156, the adopter's suite of issue 17",
    )
    parser.add_argument("--prose-pages", type=int, default=256, help="host pages; 256")
    parser.add_argument("--seed", type=int, default=17, help="seed of the host's prose")
    parser.add_argument("--reps", type=int, default=2, help="repetitions (medians); 2")
    parser.add_argument("--themes", default="alabaster,furo")
    parser.add_argument(
        "--scenarios",
        default="fresh-j1,fresh-j2",
        help=f"comma-separated subset of {','.join(SCENARIOS)} (fresh-j1 always runs)",
    )
    parser.add_argument(
        "--variant",
        action="append",
        default=[],
        metavar="LABEL=CONF",
        help="another build with the extension and one more conf.py line, e.g. "
        "'files0=testdocs_toctree_files = 0' (repeatable)",
    )
    parser.add_argument(
        "--no-default", action="store_true", help="skip the extension at its defaults"
    )
    parser.add_argument(
        "--touch",
        default="user-guide/index.rst",
        help="host page touched before the touch rebuild; user-guide/index.rst",
    )
    parser.add_argument(
        "--wait-for",
        default="benchmarks/bench.py",
        help="before each build, wait while `pgrep -f` finds this ('' not to wait)",
    )
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder")
    parser.add_argument("--json", type=Path, help="write all measurements here")
    args = parser.parse_args(argv)
    args.scenarios = args.scenarios.split(",")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tree = args.tree.resolve()
    include = args.include or ["**/*.py"]
    found = select_files(tree, include)
    if not found:
        raise SystemExit(f"no file of {tree} matches {include}")
    n = min(args.files, len(found)) if args.files > 0 else len(found)
    files = [found[i * len(found) // n] for i in range(n)]
    work = args.work.resolve() / f"host-{tree.name}"
    corpus = copy_corpus(tree, files, work / "corpus")
    themes = args.themes.split(",")
    variants: list[HostVariant] = []
    for theme in themes:
        variants.append(HostVariant("host", theme))
        if not args.no_default:
            variants.append(HostVariant("ext", theme))
        for spec in args.variant:
            label, _, conf = spec.partition("=")
            variants.append(HostVariant(label, theme, conf))
    report = Report(
        meta={
            "command": sys.argv,
            "tree": str(tree),
            "include": include,
            "files": len(files),
            "bytes": sum((corpus / f).stat().st_size for f in files),
            "prose_pages": args.prose_pages,
            "seed": args.seed,
            "reps": args.reps,
            "themes": themes,
            "variants": [asdict(v) for v in variants],
            "versions": versions(),
            "started": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
    )
    print(
        f"host: {args.prose_pages} pages; tests: {len(files)} of {len(found)} files, "
        f"{report.meta['bytes'] / 1e6:.1f} MB",
        flush=True,
    )
    sizes: dict[str, dict[str, float]] = {}
    for rep in range(args.reps):
        for theme in themes:
            # Alternate the order every repetition so that drift hits every variant alike.
            order = [v for v in variants if v.theme == theme]
            for variant in order if rep % 2 == 0 else order[::-1]:
                for m in run_variant(
                    variant, rep=rep, corpus=corpus, work=work, args=args, sizes=sizes
                ):
                    report.builds.append(m)
                    print(
                        f"  rep {rep} {m.variant:<22} {m.scenario:<9} {m.wall_s:7.1f} s "
                        f"{m.cpu_s:7.1f} cpu {m.rss_tree_mb:6.0f} MB {m.output_mb:6.1f} MB out "
                        f"{m.pages_written:4d} pages  warnings {m.warnings}  rc {m.returncode}",
                        flush=True,
                    )
    print()
    print_table(report, variants)
    print_sizes(sizes)
    if args.json:
        data: dict[str, Any] = {
            "meta": report.meta,
            "builds": [asdict(m) for m in report.builds],
            "page_sizes": sizes,
        }
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
