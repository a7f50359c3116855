"""Version strings."""

# The TensorFlow API version nanotf reproduces (scripts check `tf.__version__`).
VERSION = "2.10.0"
GIT_VERSION = "nanotf"
COMPILER_VERSION = "python"
# nanotf's own release.
NANOTF_VERSION = "0.1.0"
