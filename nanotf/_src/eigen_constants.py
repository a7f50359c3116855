"""The constants of Eigen's float32 packet exp (`pexp`), as TF's CPU kernels evaluate it.

One definition for the NumPy path (`ops/eigen32.py`) and the compiled one (`backend_jit.py`),
which must give the same bits. Python floats here; each user rounds them to float32, as
the literals in Eigen's source are. numba's disk cache of the compiled kernels does not notice a
change here (it watches backend_jit.py only): these are Eigen's, and do not change."""

EXP_LO, EXP_HI = -104.0, 88.723  # clamp: results below the smallest normal float32 flush to 0
LOG2E = 1.44269504088896341
LN2_HI, LN2_LO = -0.693359375, 2.12194440e-4  # -ln 2 in two parts (Cody-Waite)
P_EVEN = (1.37449637986719608306884765625e-3, 4.166965186595916748046875e-2,
          0.49999988079071044921875)
P_ODD = (8.36894474923610687255859375e-3, 0.16666518151760101318359375)
TINY = 1.1754944e-38  # the smallest normal float32
