"""Write a JUnit XML results file for every case a tree's static collection lists.

For measuring what reading and joining results costs (``bench.py --results``): the
outcomes are a seeded, realistic mix (mostly passes; some skips with reasons, failures,
xfails, errors), the durations long-tailed, and the names as pytest's ``--junitxml``
writes them. ``--copies N`` repeats every case N times under new parameters, to see how
the cost grows with the number of cases.

    python -m sphinx_testdocs collect --format json TREE > collection.json
    python benchmarks/make_results.py collection.json results.xml [--copies N]
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from xml.sax.saxutils import quoteattr

OUTCOMES = [("passed", 90), ("skipped", 4), ("failed", 2), ("xfailed", 2), ("error", 1)]


def cases(collection: dict) -> list[tuple[str, str]]:
    """(JUnit classname, name) of every case, as pytest names them."""
    out = []
    for module in collection["modules"]:
        for test in module["tests"]:
            path, *inner = test["nodeid"].split("::")
            dotted = ".".join([path.removesuffix(".py").replace("/", "."), *inner[:-1]])
            ids = test["case_ids"] or [None]
            out += [(dotted, inner[-1] + (f"[{c}]" if c is not None else "")) for c in ids]
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("collection", type=Path)
    parser.add_argument("output", type=Path)
    parser.add_argument("--copies", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(20261206)
    names, weights = zip(*OUTCOMES, strict=True)
    listed = cases(json.loads(args.collection.read_text()))
    with args.output.open("w", encoding="utf-8") as out:
        out.write('<?xml version="1.0" encoding="utf-8"?>\n')
        out.write('<testsuites><testsuite name="pytest">\n')
        for copy in range(args.copies):
            for classname, listed_name in listed:
                name = f"{listed_name.split('[')[0]}[copy{copy}]" if copy else listed_name
                outcome = rng.choices(names, weights)[0]
                time = rng.lognormvariate(-6, 2)
                out.write(f"<testcase classname={quoteattr(classname)} name={quoteattr(name)}")
                out.write(f' time="{time:.4f}"')
                if outcome == "passed":
                    out.write("/>\n")
                    continue
                out.write(">")
                if outcome == "skipped":
                    reason = rng.choice(["needs a GPU", "slow", "not on this platform"])
                    out.write(f'<skipped type="pytest.skip" message="{reason}"/>')
                elif outcome == "xfailed":
                    out.write('<skipped type="pytest.xfail" message="known bug"/>')
                else:
                    tag = "failure" if outcome == "failed" else "error"
                    out.write(f'<{tag} message="AssertionError: {rng.randint(0, 99)} != 0"/>')
                out.write("</testcase>\n")
        out.write("</testsuite></testsuites>\n")


if __name__ == "__main__":
    main()
