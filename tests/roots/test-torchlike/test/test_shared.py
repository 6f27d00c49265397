import torch._dynamo.test_case
from common_base import SharedChecks


class TestUsesShared(SharedChecks, torch._dynamo.test_case.TestCase):
    def test_own(self):
        pass
