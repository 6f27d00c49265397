"""An installed test kit: base classes whose tests every user of the kit inherits."""


class KitChecks:
    def test_kit_contract(self):
        pass
