import pickle
import tempfile
import unittest

import torch


class TestWeighed(unittest.TestCase):
    def test_guarded_gpu(self):
        if torch.cuda.is_available():
            torch.ones(2).cuda()

    def test_roundtrip(self):
        with tempfile.TemporaryDirectory() as d:
            torch.save(torch.ones(2), d + "/t.pt")
            torch.load(d + "/t.pt", weights_only=False)

    def test_shipped_pickle(self):
        with open("data/table.pkl", "rb") as f:
            pickle.load(f)

    def test_many_checks(self):
        self.assertEqual(1, 1)
        self.assertEqual(2, 2)
        self.assertEqual(3, 3)
        self.assertEqual(4, 4)
        self.assertEqual(5, 5)
        self.assertEqual(6, 6)
        self.assertEqual(7, 7)
        self.assertEqual(8, 8)
        self.assertEqual(9, 9)
        self.assertEqual(10, 10)
