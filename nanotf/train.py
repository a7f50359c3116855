"""`tf.train`: checkpoints (the v1 optimizers live in `tf.compat.v1.train`)."""

from nanotf._src.checkpoint import Checkpoint as Checkpoint
from nanotf._src.checkpoint import CheckpointOptions as CheckpointOptions
from nanotf._src.checkpoint import CheckpointReader as CheckpointReader
from nanotf._src.checkpoint import get_checkpoint_state as get_checkpoint_state
from nanotf._src.checkpoint import latest_checkpoint as latest_checkpoint
from nanotf._src.checkpoint import list_variables as list_variables
from nanotf._src.checkpoint import load_checkpoint as load_checkpoint
from nanotf._src.checkpoint import load_variable as load_variable
from nanotf._src.checkpoint_manager import CheckpointManager as CheckpointManager
