"""`python -m nanotf script.py [args]`: run an unmodified TensorFlow script on nanotf."""

import sys

from nanotf._src.dropin import main as main

if __name__ == "__main__":
    sys.exit(main())
