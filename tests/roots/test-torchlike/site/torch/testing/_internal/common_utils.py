import unittest
import expecttest

class TestCase(expecttest.TestCase):
    def assertEqualBroadcasting(self, a, b): pass

class _TestParametrizer:
    def __call__(self, fn): return fn

class parametrize(_TestParametrizer):
    def __init__(self, arg_str, arg_values, name_fn=None): pass

class reparametrize(_TestParametrizer):
    pass

class decorateIf(_TestParametrizer):
    pass

class swap(_TestParametrizer):
    def __init__(self, swap_values): pass

class subtest:
    def __init__(self, arg_values, name=None, decorators=None): pass

def instantiate_parametrized_tests(generic_cls): return generic_cls
def skipIfTorchDynamo(msg="no dynamo"): return lambda fn: fn
def xfailIfTorchDynamo(fn): return fn
def run_tests(): pass
