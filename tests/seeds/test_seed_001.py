"""Seed 001 (learning-rate decay, activations, losses): every block prints what the note prints."""

import nanotf as tf
from tests.seeds.seedlib import fenced_blocks, normalize, note, run


def test_all_blocks_in_one_process_print_the_notes_output():
    tf.random.set_seed(None)  # the notebook started fresh: no global seed
    from nanotf._src import philox

    philox.clear_kernel_cache()
    ns: dict = {}
    for code, printed in fenced_blocks(note("001")):
        got = run(code, ns)
        if printed:
            assert normalize(got) == normalize(printed), code[:200]
