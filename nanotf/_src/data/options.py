"""`tf.data.Options` and `tf.experimental.Optional` (accepted for compatibility)."""

from __future__ import annotations


class Options:
    """Dataset options: attributes are accepted and kept; nanotf runs one deterministic pipeline."""

    def __init__(self):
        self.deterministic = None
        self.experimental_deterministic = None
        self.experimental_distribute = _Bag()
        self.experimental_optimization = _Bag()
        self.threading = _Bag()

    def merge(self, options):
        """The options with `options`' attributes layered on top."""
        merged = Options()
        merged.__dict__.update(self.__dict__)
        merged.__dict__.update({k: v for k, v in options.__dict__.items() if v is not None})
        return merged


class _Bag:
    def __init__(self):
        self.__dict__["_values"] = {}

    def __getattr__(self, name):
        return self._values.get(name)

    def __setattr__(self, name, value):
        self._values[name] = value


class Optional:
    """A value that may be absent (what `get_next_as_optional` returns)."""

    def __init__(self, value):
        self._value = value

    def has_value(self):
        """Whether a value is present, as a bool tensor."""
        from nanotf._src.tensor import constant

        return constant(self._value is not None)

    def get_value(self):
        """The value; InvalidArgumentError when absent."""
        if self._value is None:
            from nanotf._src.errors import InvalidArgumentError

            raise InvalidArgumentError(None, None, "The optional does not have a value")
        return self._value
