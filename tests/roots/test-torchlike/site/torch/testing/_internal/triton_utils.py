import unittest
HAS_GPU = False
requires_gpu = unittest.skipUnless(HAS_GPU, "requires gpu")
