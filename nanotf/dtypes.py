"""`tf.dtypes`."""

from nanotf._src.dtypes import DType as DType
from nanotf._src.dtypes import as_dtype as as_dtype
from nanotf._src.dtypes import bool as bool  # noqa: A004
from nanotf._src.dtypes import complex64 as complex64
from nanotf._src.dtypes import complex128 as complex128
from nanotf._src.dtypes import double as double
from nanotf._src.dtypes import float16 as float16
from nanotf._src.dtypes import float32 as float32
from nanotf._src.dtypes import float64 as float64
from nanotf._src.dtypes import half as half
from nanotf._src.dtypes import int8 as int8
from nanotf._src.dtypes import int16 as int16
from nanotf._src.dtypes import int32 as int32
from nanotf._src.dtypes import int64 as int64
from nanotf._src.dtypes import string as string
from nanotf._src.dtypes import uint8 as uint8
from nanotf._src.dtypes import uint16 as uint16
from nanotf._src.dtypes import uint32 as uint32
from nanotf._src.dtypes import uint64 as uint64
from nanotf._src.ops.math import cast as cast
from nanotf._src.ops.math import saturate_cast as saturate_cast
