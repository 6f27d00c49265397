"""pytest configuration discovery, from real files written to a temporary tree."""

from __future__ import annotations

from pathlib import Path

from sphinx_testdocs.analysis.pytest_config import (
    DEFAULT_PYTHON_FILES,
    PytestConfig,
    find_pytest_config,
    marker_name,
    path_matches_patterns,
)


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_without_any_file(tmp_path: Path) -> None:
    tests = tmp_path / "tests"
    tests.mkdir()
    config = find_pytest_config([tests])
    assert config.config_file is None
    assert config.python_files == ("test_*.py", "*_test.py")
    assert config.python_classes == ("Test",)
    assert config.python_functions == ("test",)
    assert "node_modules" in config.norecursedirs
    assert config.declares_markers is False
    assert config.problems == ()


def test_setup_py_decides_rootdir_when_no_config(tmp_path: Path) -> None:
    write(tmp_path / "setup.py", "")
    tests = tmp_path / "pkg" / "tests"
    tests.mkdir(parents=True)
    assert find_pytest_config([tests]).rootdir == tmp_path


def test_pytest_ini_is_used_even_without_section(tmp_path: Path) -> None:
    ini = write(tmp_path / "pytest.ini", "# nothing\n")
    write(tmp_path / "tox.ini", "[pytest]\npython_files = check_*.py\n")
    config = find_pytest_config([tmp_path])
    assert config.config_file == ini
    assert config.python_files == DEFAULT_PYTHON_FILES


def test_pytest_ini_options_are_split_like_pytest(tmp_path: Path) -> None:
    write(
        tmp_path / "pytest.ini",
        "[pytest]\n"
        "python_files = check_*.py\n    *_spec.py\n"
        "python_classes = Suite Check\n"
        "python_functions = should_* check\n"
        "testpaths = tests 'other dir'\n"
        "usefixtures = db clean\n"
        "markers =\n    slow: takes long\n    gpu(n): needs a GPU\n\n    net\n"
        "strict = true\n",
    )
    config = find_pytest_config([tmp_path])
    assert config.python_files == ("check_*.py", "*_spec.py")
    assert config.python_classes == ("Suite", "Check")
    assert config.python_functions == ("should_*", "check")
    assert config.testpaths == ("tests", "other dir")
    assert config.usefixtures == ("db", "clean")
    assert config.markers == ("slow", "gpu", "net")
    assert config.declares_markers is True
    assert config.parametrization_ids_strict is True


def test_closest_directory_wins_and_precedence_in_one_directory(tmp_path: Path) -> None:
    write(tmp_path / "pytest.ini", "[pytest]\npython_functions = outer\n")
    sub = tmp_path / "sub"
    write(sub / "setup.cfg", "[tool:pytest]\npython_functions = from_cfg\n")
    write(sub / "tox.ini", "[pytest]\npython_functions = from_tox\n")
    config = find_pytest_config([sub])
    assert config.rootdir == sub
    assert config.config_file == sub / "tox.ini"
    assert config.python_functions == ("from_tox",)


def test_tox_ini_without_section_is_skipped(tmp_path: Path) -> None:
    write(tmp_path / "setup.cfg", "[tool:pytest]\npython_classes = Spec\n")
    write(tmp_path / "tox.ini", "[tox]\nenvlist = py\n")
    config = find_pytest_config([tmp_path])
    assert config.config_file == tmp_path / "setup.cfg"
    assert config.python_classes == ("Spec",)


def test_pyproject_ini_options(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        "[tool.pytest.ini_options]\n"
        'python_files = "check_*.py spec_*.py"\n'
        'markers = ["slow: slow", "fast"]\n'
        "xfail_strict = true\n"
        "strict_parametrization_ids = true\n",
    )
    config = find_pytest_config([tmp_path])
    assert config.python_files == ("check_*.py", "spec_*.py")
    assert config.markers == ("slow", "fast")
    assert config.strict_parametrization_ids is True


def test_pyproject_native_table(tmp_path: Path) -> None:
    write(
        tmp_path / "pyproject.toml",
        '[tool.pytest]\npython_functions = ["check_*"]\ncollect_imported_tests = false\n',
    )
    config = find_pytest_config([tmp_path])
    assert config.python_functions == ("check_*",)
    assert config.collect_imported_tests is False


def test_native_table_rejects_ini_strings(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", '[tool.pytest]\npython_functions = "check_*"\n')
    config = find_pytest_config([tmp_path])
    assert config.python_functions == ("test",)
    assert len(config.problems) == 1
    assert "python_functions" in config.problems[0]


def test_pyproject_without_pytest_table_still_sets_rootdir(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[project]\nname = 'x'\n")
    tests = tmp_path / "tests"
    tests.mkdir()
    config = find_pytest_config([tests])
    assert config.rootdir == tmp_path
    assert config.config_file == tmp_path / "pyproject.toml"


def test_pytest_toml(tmp_path: Path) -> None:
    write(tmp_path / "pytest.toml", '[pytest]\npython_classes = ["Check"]\n')
    write(tmp_path / "pytest.ini", "[pytest]\npython_classes = Ignored\n")
    assert find_pytest_config([tmp_path]).python_classes == ("Check",)


def test_malformed_files_do_not_raise(tmp_path: Path) -> None:
    write(tmp_path / "pyproject.toml", "[tool.pytest.ini_options\npython_files = 1\n")
    config = find_pytest_config([tmp_path])
    assert config.python_files == DEFAULT_PYTHON_FILES
    assert config.problems and "pyproject.toml" in config.problems[0]

    other = tmp_path / "other"
    write(other / "tox.ini", "no section header\n")
    assert find_pytest_config([other]).problems


def test_bad_bool_and_setup_cfg_pytest_section(tmp_path: Path) -> None:
    write(tmp_path / "pytest.ini", "[pytest]\ncollect_imported_tests = perhaps\n")
    config = find_pytest_config([tmp_path])
    assert config.collect_imported_tests is True
    assert "perhaps" in config.problems[0]

    other = tmp_path / "other"
    write(other / "setup.cfg", "[pytest]\npython_files = x.py\n")
    config = find_pytest_config([other])
    assert config.python_files == DEFAULT_PYTHON_FILES
    assert "no longer supported" in config.problems[0]


def test_with_overrides() -> None:
    config = PytestConfig().with_overrides(
        {"python_functions": "check_* verify", "markers": ["slow: x"], "strict": "yes"}
    )
    assert config.python_functions == ("check_*", "verify")
    assert config.markers == ("slow",)
    assert config.declares_markers and config.strict
    bad = PytestConfig().with_overrides({"python_files": 3})
    assert bad.python_files == DEFAULT_PYTHON_FILES
    assert bad.problems


def test_marker_name_and_file_patterns() -> None:
    assert marker_name("gpu(count): needs GPUs") == "gpu"
    assert marker_name("  slow ") == "slow"
    assert path_matches_patterns("pkg/test_x.py", ["test_*.py"])
    assert not path_matches_patterns("pkg/helper.py", ["test_*.py"])
    assert path_matches_patterns("/a/tests/check.py", ["tests/*.py"])
