"""Whether pytest's warning filters make the iterator-parametrize warning an error."""

from __future__ import annotations

import pytest

from sphinx_testdocs.analysis.warning_filters import ITERATOR_PARAMETRIZE, is_error


@pytest.mark.parametrize(
    ("ini", "command_line", "expected"),
    [
        (["error"], [], True),
        (["e"], [], True),  # a prefix names the action, as in Python
        (["error::pytest.PytestRemovedIn10Warning"], [], True),
        (["error::DeprecationWarning"], [], True),
        (["error::UserWarning"], [], True),  # PytestWarning is a UserWarning
        (["error:Passing a non-Collection"], [], True),
        (["error:passing A NON"], [], True),  # the message is matched ignoring case
        # The filter given last that matches decides.
        (["error", "ignore::DeprecationWarning"], [], False),
        (["ignore::DeprecationWarning", "error"], [], True),
        (["error"], ["ignore::DeprecationWarning"], False),  # -W comes after the ini
        (["ignore"], ["error"], True),
        # Filters that do not match this warning.
        (["error::numpy.VisibleDeprecationWarning"], [], False),
        (["error::RuntimeWarning"], [], False),
        (["error:some other message"], [], False),
        (["error::DeprecationWarning:numpy"], [], False),  # warned from _pytest.python
        (["error::DeprecationWarning:_pytest"], [], True),  # an ini module is a regex
        (["error::DeprecationWarning::12"], [], False),
        (["bogus"], [], False),
        (["error:a:b:c:d:e"], [], False),  # pytest refuses it
        ([], [], False),
    ],
)
def test_filters(ini: list[str], command_line: list[str], expected: bool) -> None:
    assert is_error(ITERATOR_PARAMETRIZE, ini, command_line) is expected
