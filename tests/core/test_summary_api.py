"""tf.summary API semantics: writers, default state, steps, record_if, graphs and traces.

The hex strings are the Event records TF 2.21 wrote for the same calls (the wall-time field,
the first 9 bytes, is cut off); nanotf must write the same bytes.
"""

from __future__ import annotations

import glob
import os

import numpy as np
import pytest

import nanotf as tf
from nanotf._src import events as ev
from nanotf._src import summary_trace

# TF 2.21's records for the sequence in test_sequence_matches_tf_bytes (first writer, in order).
TF_SEQUENCE = [
    "10012a310a2f0a146f757465722f696e6e65722f6c6f73732076616c420a0801120022040000803f4a0b0a090a"
    "077363616c617273",  # 'loss val' under name scopes outer/inner, step 1
    "10052a240a220a0773746570766172420a080112002204000000404a0b0a090a077363616c617273",  # Var step
    "2a210a1f0a04636f6e64420a080112002204000000004a0b0a090a077363616c617273",  # record_if lambda
    "10022a210a1f0a04636f6e64420a080112002204000000404a0b0a090a077363616c617273",
    "10072a240a220a0764656673746570420a0801120022040000803f4a0b0a090a077363616c617273",  # set_step
    "10032a260a240a09756e6465726e6f6f70420a080112002204000040404a0b0a090a077363616c617273",
    "100b2a0c0a0a0a037261771500002040",  # write_raw_pb
    "100c2a180a0a0a0372617715000020400a0a0a037261771500002040",  # write_raw_pb of two
    "100d2a5c0a5a0a0361756442440807120812020801120208024234524946462c00000057415645666d742010000000"
    "01000100401f0000803e0000020010006461746108000000000000400080ff7f42004a0d0a0b0a05617564696f12"
    "02100b",  # audio
    "2205220308aa13",  # graph() of an empty graph
    "100e2a1b0a190a0367656e4212080312041202080222080100000002000000",  # write, no metadata
    "100f2a240a220a0467656e32420a080112002204000060404a0e0a0c0a06637573746f6d12027879",
    "10112a140a120a0467656e34420a0801120022040000803f",  # write of a callable
]
TF_SECOND_WRITER = ["10092a1f0a1d0a027732420a0801120022040000803f4a0b0a090a077363616c617273"]
# SummaryMetadata {plugin_data {plugin_name: 'custom' content: 'xy'}}
CUSTOM_METADATA = bytes.fromhex("0a0c0a06637573746f6d12027879")


def _files(logdir) -> list:
    return sorted(glob.glob(os.path.join(str(logdir), "events.out.tfevents.*")))


def _records(path) -> list:
    """The hex of each record after the header, without its wall-time field."""
    return [r[9:].hex() for r in list(ev.read_records(path))[1:]]


def _events(logdir) -> list:
    return [e for p in _files(logdir) for e in ev.read_events(p) if not e["file_version"]]


def _scalars(logdir) -> list:
    return [(v["tag"], e["step"], float(v["tensor"])) for e in _events(logdir)
            for v in e["values"] if v["plugin_name"] == "scalars"]


def _function():
    fn = getattr(tf, "function", None)
    if fn is None:
        from nanotf._src.function import function as fn
    return fn


def test_sequence_matches_tf_bytes(tmp_path):
    logdir = str(tmp_path / "a")
    w1 = tf.summary.create_file_writer(logdir)
    assert len(_files(logdir)) == 1  # the file exists at once, as in TF
    w2 = tf.summary.create_file_writer(logdir)
    assert len(_files(logdir)) == 2  # every writer gets its own file
    assert not tf.summary.scalar("x", 1.0, step=1).numpy()  # no default writer
    assert not tf.summary.should_record_summaries().numpy()
    with w1.as_default():
        assert tf.summary.should_record_summaries().numpy()
        with tf.name_scope("outer"), tf.name_scope("inner"):
            assert tf.summary.scalar("loss val", 1.0, step=1).numpy()
        tf.summary.scalar("stepvar", 2.0, step=tf.Variable(5, dtype=tf.int64))
        n = tf.Variable(0)
        with tf.summary.record_if(lambda: tf.equal(n % 2, 0)):
            recorded = []
            for i in range(4):
                recorded.append(bool(tf.summary.scalar("cond", float(i), step=i).numpy()))
                n.assign_add(1)
        assert recorded == [True, False, True, False]
        with tf.summary.record_if(False):
            assert not tf.summary.scalar("no", 1.0, step=1).numpy()
            assert not tf.summary.should_record_summaries().numpy()
        with pytest.raises(ValueError, match="No step set"):
            tf.summary.scalar("nostep", 1.0)
        tf.summary.experimental.set_step(7)
        tf.summary.scalar("defstep", 1.0)
        tf.summary.experimental.set_step(None)
        with w2.as_default(step=9):
            tf.summary.scalar("w2", 1.0)
            assert tf.summary.experimental.get_step() == 9
        assert tf.summary.experimental.get_step() is None
        with tf.summary.create_noop_writer().as_default() as x:  # leaves w1 the default
            assert x is None
            assert tf.summary.scalar("undernoop", 3.0, step=3).numpy()
        raw = ev.summary_proto([ev.simple_value("raw", 2.5)])
        assert tf.summary.experimental.write_raw_pb(raw, step=11).numpy()
        assert tf.summary.experimental.write_raw_pb([raw, raw], step=12).numpy()
        clip = tf.constant([[[0.0], [0.5], [-1.0], [1.0]]])
        assert tf.summary.audio("aud", clip, 8000, step=13).numpy()
        from nanotf._src.graph import Graph

        assert tf.summary.graph(Graph()).numpy()
        assert tf.summary.write("gen", tf.constant([1, 2]), step=14, metadata=b"").numpy()
        tf.summary.write("gen2", tf.constant(3.5), step=15, metadata=CUSTOM_METADATA)
        tf.summary.write("gen4", lambda: tf.constant(1.0), step=17)
    w1.close()
    with pytest.raises(RuntimeError, match="already closed"):
        w1.as_default()
    with pytest.raises(RuntimeError, match="already closed"):
        w1.set_as_default()
    w1.flush()
    w1.close()
    w2.close()
    w3 = tf.summary.create_file_writer(str(tmp_path / "c"))
    with w3.as_default():
        w3.close()
        with pytest.raises(tf.errors.NotFoundError, match="SummaryWriterInterface"):
            tf.summary.scalar("late", 1.0, step=1)
    first, second = _files(logdir)
    assert _records(first) == TF_SEQUENCE
    assert _records(second) == TF_SECOND_WRITER


def test_set_as_default_and_nesting(tmp_path):
    a = tf.summary.create_file_writer(str(tmp_path / "a"))
    b = tf.summary.create_file_writer(str(tmp_path / "b"), filename_suffix=".x")
    assert _files(tmp_path / "b")[0].endswith(".x")  # the suffix replaces '.v2'
    try:
        a.set_as_default(step=1)
        tf.summary.scalar("s", 1.0)
        with b.as_default():
            tf.summary.scalar("s", 2.0)
        tf.summary.scalar("s", 3.0)  # back to a, step still 1
        tf.summary.flush()
        assert _scalars(tmp_path / "a") == [("s", 1, 1.0), ("s", 1, 3.0)]
        assert _scalars(tmp_path / "b") == [("s", 1, 2.0)]
    finally:  # set_as_default has no undo: restore the thread's summary state by hand
        from nanotf._src import summary

        summary._state.writer = summary._state.step = None
        a.close()
        b.close()


def test_bad_inputs(tmp_path):
    with pytest.raises(ValueError, match="logdir"):
        tf.summary.create_file_writer(None)
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        with pytest.raises(ValueError, match="Expected scalar shape"):
            tf.summary.scalar("v", [1.0, 2.0], step=0)
        with pytest.raises(ValueError, match="must be a scalar"):
            tf.summary.scalar("v", 1.0, step=[1, 2])
        with pytest.raises(ValueError, match="not tf.Graph"):
            tf.summary.graph("not a graph")
        with pytest.raises(ValueError, match="Unknown encoding"):
            tf.summary.audio("a", np.zeros((1, 4, 1), np.float32), 8000, step=0, encoding="mp3")
    w.close()


def test_histogram_image_text_and_tensorboard_reads_them(tmp_path):
    pytest.importorskip("tensorboard", reason="tensorboard is not installed")
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea
    from tensorboard.util import tensor_util

    w = tf.summary.create_file_writer(str(tmp_path))
    step = tf.Variable(0, dtype=tf.int64)
    with w.as_default():
        for i in range(3):
            step.assign(i * 10)
            tf.summary.scalar("loss", 1.0 / (i + 1), step=step)
            tf.summary.histogram("w", tf.constant(np.arange(12.0) * i), step=step, buckets=4)
        tf.summary.image("img", tf.zeros([2, 3, 5, 1]), step=0, max_outputs=1)
        tf.summary.text("note", tf.constant("hi"), step=0)
    w.close()
    acc = pea.EventAccumulator(str(tmp_path), size_guidance={pea.TENSORS: 0})
    acc.Reload()
    loss = acc.Tensors("loss")
    assert [e.step for e in loss] == [0, 10, 20]
    assert [float(tensor_util.make_ndarray(e.tensor_proto)) for e in loss] == [1.0, 0.5,
                                                                               np.float32(1 / 3)]
    hist = tensor_util.make_ndarray(acc.Tensors("w")[2].tensor_proto)
    assert hist.tolist() == [[0.0, 5.5, 3.0], [5.5, 11.0, 3.0], [11.0, 16.5, 3.0],
                             [16.5, 22.0, 3.0]]
    img = tensor_util.make_ndarray(acc.Tensors("img")[0].tensor_proto)
    assert img[:2].tolist() == [b"5", b"3"] and len(img) == 3
    assert acc.SummaryMetadata("note").plugin_data.plugin_name == "text"


def test_summaries_inside_tf_function_write_on_every_call(tmp_path):
    function = _function()
    w = tf.summary.create_file_writer(str(tmp_path))

    @function
    def f(x, step):
        tf.summary.scalar("in_fn", tf.reduce_sum(x), step=step)
        return x + 1

    with w.as_default():
        for i in range(3):
            f(tf.constant([1.0, float(i)]), tf.constant(i, tf.int64))
    # As in TF: the writer and the record_if state are fixed when the function is traced.
    with tf.summary.record_if(False):
        f(tf.constant([1.0, 5.0]), tf.constant(9, tf.int64))
    w.close()
    assert _scalars(tmp_path) == [("in_fn", 0, 1.0), ("in_fn", 1, 2.0), ("in_fn", 2, 3.0),
                                  ("in_fn", 9, 6.0)]


def test_trace_export_writes_function_graphs(tmp_path):
    function = _function()
    v = tf.Variable([1.0, 2.0], name="v")

    @function
    def f(x):
        return tf.maximum(x * 2.0 + 1.0, 0.0) + v

    with pytest.raises(ValueError, match="Must enable trace"):
        tf.summary.trace_export("t", step=0)
    w = tf.summary.create_file_writer(str(tmp_path))
    tf.summary.trace_on(graph=True, profiler=False)
    f(tf.constant([1.0, -2.0]))
    f(tf.constant([3.0, -2.0]))  # the same concrete function: recorded once
    with w.as_default():
        tf.summary.trace_export("my_trace", step=3)
    assert summary_trace._trace is None  # export stops the trace
    w.close()
    (event,) = [e for e in _events(tmp_path) if e["values"]]
    (value,) = event["values"]
    assert (event["step"], value["tag"]) == (3, "my_trace")
    assert (value["plugin_name"], value["plugin_content"]) == ("graph_run_metadata_graph", b"1")
    (gd,) = ev.parse_run_metadata(value["tensor"].item())
    graph = ev.parse_graph_def(gd)
    assert graph["producer"] == 2474
    ops = {n["op"] for n in graph["nodes"]}
    assert {"Placeholder", "Mul", "AddV2", "Maximum", "VarHandleOp", "Const"} <= ops
    by_name = {n["name"]: n for n in graph["nodes"]}
    assert by_name["v"]["op"] == "VarHandleOp" and by_name["v"]["attr"]["shape"] == [2]
    names = set(by_name)
    for n in graph["nodes"]:
        assert all(i.split(":")[0].lstrip("^") in names for i in n["input"])
    try:  # what TensorBoard's graph plugin does with it
        from tensorboard.backend import process_graph
        from tensorboard.compat.proto import config_pb2
        from tensorboard.plugins.graph import graph_util
    except ImportError:
        return
    rm = config_pb2.RunMetadata.FromString(value["tensor"].item())
    merged = graph_util.merge_graph_defs([g.pre_optimization_graph for g in rm.function_graphs])
    process_graph.prepare_graph_for_ui(merged)
    assert [n.name for n in merged.node] == [n["name"] for n in graph["nodes"]]
    assert by_name["mul"]["attr"]["_output_shapes"] == [[2]]


def test_trace_off_discards_and_graph_event(tmp_path):
    function = _function()

    @function
    def g(x):
        return x * x

    tf.summary.trace_on()
    g(tf.constant(2.0))
    tf.summary.trace_off()
    with pytest.raises(ValueError, match="Must enable trace"):
        tf.summary.trace_export("t", step=0)
    w = tf.summary.create_file_writer(str(tmp_path))
    with w.as_default():
        cf = g.get_concrete_function(tf.constant(2.0))
        assert tf.summary.graph(cf.graph).numpy()
    w.close()
    (event,) = [e for e in _events(tmp_path) if e["graph_def"] is not None]
    nodes = ev.parse_graph_def(event["graph_def"])["nodes"]
    assert [n["op"] for n in nodes if n["op"] != "Const"][-1] == "Mul"


def _keras(module: str, name: str):
    """tf.keras.<module>.<name>, or nanotf's own class before the facade exports it."""
    try:
        return getattr(getattr(tf.keras, module), name)
    except AttributeError:
        import importlib

        try:
            return getattr(importlib.import_module(f"nanotf._src.keras.{module}"), name)
        except (ImportError, AttributeError):
            pytest.skip(f"tf.keras.{module}.{name} is not available yet")


TF_SEED3_LOSSES = [8.479351997375488, 0.5702990293502808, 0.6831138134002686]


def test_seed_003_summary_loop(tmp_path):
    mean_cls = _keras("metrics", "Mean")
    sgd_cls = _keras("optimizers", "SGD")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(24, 3)).astype("float32")
    y = (x @ np.array([[1.0], [-2.0], [0.5]], np.float32)).astype("float32")
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(4)
    w = tf.Variable(np.zeros((3, 1), np.float32))
    optimizer = sgd_cls(learning_rate=0.1)
    avg_loss = mean_cls(name="loss", dtype=tf.float32)
    log_freq = 2
    losses = []
    train_summary_writer = tf.summary.create_file_writer(str(tmp_path / "summaries" / "train"))
    with train_summary_writer.as_default():
        for images, labels in dataset:
            with tf.GradientTape() as tape:
                loss = tf.reduce_mean(tf.square(tf.matmul(images, w) - labels))
            optimizer.apply_gradients(zip(tape.gradient(loss, [w]), [w]))
            losses.append(float(loss.numpy()))
            avg_loss.update_state(loss)
            if tf.equal(optimizer.iterations % log_freq, 0):
                tf.summary.scalar("loss", avg_loss.result(), step=optimizer.iterations)
                avg_loss.reset_states()
    train_summary_writer.close()
    got = _scalars(tmp_path / "summaries" / "train")
    assert [(t, s) for t, s, _ in got] == [("loss", s) for s in (2, 4, 6)]
    expected = [np.float32((losses[i] + losses[i + 1]) / 2) for i in (0, 2, 4)]
    np.testing.assert_allclose([v for _, _, v in got], expected, rtol=1e-6)
    # TF 2.21 (tf.keras.metrics.Mean, tf.keras.optimizers.SGD) logs these for the same loop.
    np.testing.assert_allclose([v for _, _, v in got], TF_SEED3_LOSSES, rtol=1e-6)
