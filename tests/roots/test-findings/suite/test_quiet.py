def test_plain():
    assert 1 + 1 == 2
