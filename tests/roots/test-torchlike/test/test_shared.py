import torch._dynamo.test_case
from common_base import SharedChecks
from kit import KitChecks


class TestUsesShared(SharedChecks, KitChecks, torch._dynamo.test_case.TestCase):
    def test_own(self):
        pass
