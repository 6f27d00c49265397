# Owner(s): ["module: tests"]
import unittest

import torch
from torch.testing._internal.common_device_type import (
    dtypes,
    instantiate_device_type_tests,
    onlyCUDA,
    ops,
)
from torch.testing._internal.common_methods_invocations import op_db
from torch.testing._internal.common_utils import TestCase, run_tests


@unittest.skipIf(False, "MKL-DNN build is disabled")
class TestKernels(TestCase):
    def test_conversion(self, device):
        pass

    @dtypes(torch.float16, torch.bfloat16)
    def test_add(self, device, dtype):
        pass

    @onlyCUDA
    def test_cuda_only(self, device):
        pass

    @ops(op_db)
    def test_every_op(self, device, dtype, op):
        pass


instantiate_device_type_tests(TestKernels, globals(), only_for=("cpu",))


class TestAnyDevice(TestCase):
    def test_any(self, device):
        pass


instantiate_device_type_tests(TestAnyDevice, globals())

if __name__ == "__main__":
    run_tests()
