from torch.testing._internal.common_utils import TestCase, _TestParametrizer

def instantiate_device_type_tests(generic_test_class, scope, except_for=None,
                                  only_for=None, include_lazy=False,
                                  allow_mps=False, allow_xpu=False):
    pass

class dtypes:
    def __init__(self, *args, device_type="all"): pass

class dtypesIfCPU(dtypes): pass
class dtypesIfCUDA(dtypes): pass

class ops(_TestParametrizer):
    def __init__(self, op_list, *, dtypes=None, allowed_dtypes=None): pass

def onlyCPU(fn): return fn
def onlyCUDA(fn): return fn
def onlyNativeDeviceTypes(fn): return fn
def onlyOn(devices): return lambda fn: fn
def skipCUDAIf(cond, reason): return lambda fn: fn
