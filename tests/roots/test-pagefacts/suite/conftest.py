# Owner(s): ["module: widgets"]
# Copyright (c) 2026 The Widget Authors. Licensed under the MIT license.

import os

import pytest


def pytest_addoption(parser):
    parser.addoption(
        "--runslow", action="store_true", default=False, help="run the slow widget tests"
    )
    group = parser.getgroup("widgets")
    group.addoption("--widget-size", type=int, default=3, help="size of the widgets built")
    parser.addoption("--seed", default=os.environ.get("SEED"), help="random seed")
    parser.addini("widget_theme", help="theme the widgets are drawn in")


def pytest_configure(config):
    config.addinivalue_line("markers", "slow: the test takes long; run with --runslow")
    config.addinivalue_line("markers", "gpu(count): the test needs count GPUs")


def pytest_collection_modifyitems(config, items):
    if not config.getoption("--runslow"):
        skip = pytest.mark.skip(reason="needs --runslow")
        for item in items:
            if "slow" in item.keywords:
                item.add_marker(skip)


@pytest.fixture(autouse=True, scope="session")
def session_env():
    yield


@pytest.fixture(autouse=True)
def reset_registry():
    return None


@pytest.fixture(autouse=True, scope="module")
def module_clock():
    return 0


@pytest.fixture(autouse=True)
def no_network(monkeypatch):
    return monkeypatch


@pytest.fixture
def widget():
    return object()
