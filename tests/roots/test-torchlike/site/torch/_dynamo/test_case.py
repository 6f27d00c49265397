from torch.testing._internal.common_utils import TestCase as TorchTestCase

class TestCase(TorchTestCase):
    pass
