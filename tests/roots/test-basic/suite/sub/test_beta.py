from ..helpers import make_value


async def test_async_value():
    assert make_value() == 1
