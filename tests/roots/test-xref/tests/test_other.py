import unittest

from mypkg import core


class OtherTests(unittest.TestCase):
    @unittest.skip("flaky on CI")
    def test_calc_class(self):
        self.assertEqual(core.Calc().mul(1, 1), 1)
