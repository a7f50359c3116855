"""tf.train.Checkpoint, CheckpointManager, readers, tf.saved_model and crash safety."""

import json
import os

import numpy as np
import pytest

import nanotf as tf
from nanotf._src import checkpoint_format
from nanotf._src.checkpoint import restore_deferred
from nanotf._src.module import Module

V = "/.ATTRIBUTES/VARIABLE_VALUE"


def _state(ck):
    return {k: np.asarray(v.numpy()) for k, v in vars(ck).items() if not k.startswith("_")}


def test_write_read_round_trip_all_dtypes(tmp_path):
    values = {"f": np.arange(6, dtype=np.float32).reshape(2, 3), "d": np.float64(2.5),
              "i": np.int32(-3), "l": np.array([1, 2], np.int64), "b": np.array([True, False]),
              "h": np.array([1.5], np.float16), "c": np.array([1 + 2j], np.complex64),
              "s": np.array([b"ab", b"", b"xyz"], dtype=object)}
    ck = tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in values.items()})
    assert ck.write(str(tmp_path / "w")) == str(tmp_path / "w")
    assert sorted(os.listdir(tmp_path)) == ["w.data-00000-of-00001", "w.index"]
    zeros = {k: np.zeros_like(v) if k != "s" else np.array([b""] * 3, object)
             for k, v in values.items()}
    ck2 = tf.train.Checkpoint(**{k: tf.Variable(v) for k, v in zeros.items()})
    ck2.read(str(tmp_path / "w")).assert_consumed()
    for k, v in values.items():
        got = ck2.__dict__[k].numpy()
        assert np.asarray(got).dtype == np.asarray(v).dtype
        np.testing.assert_array_equal(got, v)


def test_save_numbers_and_state_file_like_tf(tmp_path):
    v = tf.Variable([1.0, 2.0])
    ck = tf.train.Checkpoint(v=v, step=tf.Variable(5))
    p1 = ck.save(str(tmp_path / "ck"))
    p2 = ck.save(str(tmp_path / "ck"))
    assert (p1, p2) == (str(tmp_path / "ck-1"), str(tmp_path / "ck-2"))
    # TF 2.21 writes exactly these two lines for Checkpoint.save.
    assert (tmp_path / "checkpoint").read_text() == (
        'model_checkpoint_path: "ck-2"\nall_model_checkpoint_paths: "ck-2"\n')
    assert tf.train.latest_checkpoint(str(tmp_path)) == p2
    assert int(ck.save_counter.numpy()) == 2
    # Same keys and shapes as TF's list_variables for this checkpoint.
    assert tf.train.list_variables(str(tmp_path)) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("save_counter" + V, []), ("step" + V, []),
        ("v" + V, [2])]
    got = tf.train.load_variable(str(tmp_path), "save_counter" + V)
    assert isinstance(got, np.int64) and got == 2
    ck2 = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0]), step=tf.Variable(0))
    ck2.restore(p1).assert_consumed()
    assert int(ck2.save_counter.numpy()) == 1 and ck2.step.numpy() == 5


def test_nested_containers_and_escaped_names(tmp_path):
    ck = tf.train.Checkpoint(a=[tf.Variable(1.0), {"x/y.z": tf.Variable(2.0)}])
    p = ck.write(str(tmp_path / "x"))
    keys = [k for k, _ in tf.train.list_variables(p)]
    assert keys == ["_CHECKPOINTABLE_OBJECT_GRAPH", "a/0" + V, "a/1/x.Sy..z" + V]  # as TF
    ck2 = tf.train.Checkpoint(a=[tf.Variable(0.0), {"x/y.z": tf.Variable(0.0)}])
    ck2.read(p).assert_consumed()
    assert ck2.a[1]["x/y.z"].numpy() == 2.0


def test_status_assertions(tmp_path):
    p = tf.train.Checkpoint(a=[tf.Variable(1.0), tf.Variable(2.0)]).write(str(tmp_path / "s"))
    st = tf.train.Checkpoint(a=[tf.Variable(0.0)]).read(p)
    st.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match="a/1"):
        st.assert_consumed()
    assert st.expect_partial() is st
    st = tf.train.Checkpoint(a=[tf.Variable(0.0), tf.Variable(0.0), tf.Variable(5.0)]).read(p)
    with pytest.raises(AssertionError, match="not bound to checkpointed values"):
        st.assert_existing_objects_matched()
    with pytest.raises(AssertionError, match="Nothing except the root"):
        tf.train.Checkpoint(b=tf.Variable(0.0)).read(p).assert_nontrivial_match()
    init = tf.train.Checkpoint(a=[tf.Variable(0.0)]).restore(None)
    for name in ("assert_consumed", "assert_existing_objects_matched",
                 "assert_nontrivial_match"):
        with pytest.raises(AssertionError, match="No checkpoint specified"):
            getattr(init, name)()
    assert init.expect_partial() is init


def test_errors_match_tf(tmp_path):
    p = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0, 3.0]), i=tf.Variable(3)).write(
        str(tmp_path / "e"))
    with pytest.raises(ValueError, match=r"incompatible tensor with shape \(3,\)"):
        tf.train.Checkpoint(v=tf.Variable([1.0, 2.0])).read(p)
    with pytest.raises(tf.errors.InvalidArgumentError, match="expected dtype float32"):
        tf.train.Checkpoint(i=tf.Variable(3.0)).read(p)
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        tf.train.Checkpoint(v=tf.Variable(1.0)).restore(str(tmp_path / "missing"))
    with pytest.raises(tf.errors.NotFoundError, match="Key nope not found in checkpoint"):
        tf.train.load_variable(p, "nope")
    with pytest.raises(ValueError, match="was expecting model to be a trackable object"):
        tf.train.Checkpoint(model=3)
    assert tf.train.latest_checkpoint(str(tmp_path / "nowhere")) is None


def test_corruption_is_data_loss(tmp_path):
    p = tf.train.Checkpoint(v=tf.Variable(np.arange(100.0))).write(str(tmp_path / "c"))
    data = tmp_path / "c.data-00000-of-00001"
    raw = bytearray(data.read_bytes())
    raw[-5] ^= 0xFF
    data.write_bytes(bytes(raw))
    with pytest.raises(tf.errors.DataLossError, match="Checksum does not match"):
        tf.train.load_variable(p, "v" + V)
    (tmp_path / "c.index").write_text("garbage")
    with pytest.raises(tf.errors.DataLossError):
        tf.train.Checkpoint(v=tf.Variable(np.zeros(100))).read(p)


def test_deferred_restore_on_attribute_assignment(tmp_path):
    p = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0, 3.0]),
                            sub=tf.train.Checkpoint(w=tf.Variable(4.0))).write(str(tmp_path / "d"))
    ck = tf.train.Checkpoint(sub=tf.train.Checkpoint())
    status = ck.read(p)
    with pytest.raises(AssertionError):
        status.assert_consumed()
    ck.v = tf.Variable([0.0, 0.0, 0.0])  # restored on assignment, as TF does
    ck.sub.w = tf.Variable(0.0)
    np.testing.assert_array_equal(ck.v.numpy(), [1.0, 2.0, 3.0])
    assert ck.sub.w.numpy() == 4.0
    status.assert_consumed()


def test_deferred_restore_hook_for_lazily_built_modules(tmp_path):
    class Lazy(Module):
        def build(self):
            self.kernel = tf.Variable(np.zeros((2, 2), np.float32))
            restore_deferred(self)  # what Keras layers do after build()

    src = Lazy()
    src.build()
    src.kernel.assign(np.eye(2, dtype=np.float32))
    p = tf.train.Checkpoint(model=src).write(str(tmp_path / "m"))
    dst = Lazy()
    tf.train.Checkpoint(model=dst).read(p)
    dst.build()
    np.testing.assert_array_equal(dst.kernel.numpy(), np.eye(2))


def test_module_keys(tmp_path):
    class M(Module):
        def __init__(self):
            super().__init__()
            self.v = tf.Variable([1.0, 2.0], name="vv")
            self.lst = [tf.Variable(3), {"a": tf.Variable(4.0)}]
            self.sub = Module()
            self.sub.w = tf.Variable(np.ones((2, 3), np.float32))

    p = tf.train.Checkpoint(model=M()).write(str(tmp_path / "k"))
    # TF 2.21 lists exactly these keys for the same program.
    assert tf.train.list_variables(p) == [
        ("_CHECKPOINTABLE_OBJECT_GRAPH", []), ("model/lst/0" + V, []), ("model/lst/1/a" + V, []),
        ("model/sub/w" + V, [2, 3]), ("model/v" + V, [2])]


def test_checkpoint_manager(tmp_path):
    d = str(tmp_path / "mgr")
    v = tf.Variable(1.0)
    ck = tf.train.Checkpoint(v=v)
    m = tf.train.CheckpointManager(ck, d, max_to_keep=2)
    assert m.latest_checkpoint is None and m.checkpoints == []
    for _ in range(3):
        v.assign_add(1.0)
        m.save()
    assert m.checkpoints == [os.path.join(d, "ckpt-2"), os.path.join(d, "ckpt-3")]
    assert sorted(os.listdir(d)) == ["checkpoint", "ckpt-2.data-00000-of-00001", "ckpt-2.index",
                                     "ckpt-3.data-00000-of-00001", "ckpt-3.index"]
    lines = open(os.path.join(d, "checkpoint")).read().splitlines()
    assert lines[:3] == ['model_checkpoint_path: "ckpt-3"', 'all_model_checkpoint_paths: "ckpt-2"',
                         'all_model_checkpoint_paths: "ckpt-3"']
    assert [ln.split(":")[0] for ln in lines[3:]] == ["all_model_checkpoint_timestamps"] * 2 + [
        "last_preserved_timestamp"]
    assert m.save(checkpoint_number=10) == os.path.join(d, "ckpt-10")
    m2 = tf.train.CheckpointManager(ck, d, max_to_keep=2, checkpoint_name="foo")
    assert m2.checkpoints == [os.path.join(d, "ckpt-3"), os.path.join(d, "ckpt-10")]
    assert m2.save() == os.path.join(d, "foo-5")  # the save counter numbers it, as in TF
    assert not os.path.exists(os.path.join(d, "ckpt-3.index"))
    v.assign(0.0)
    assert m2.restore_or_initialize() == os.path.join(d, "foo-5")
    assert v.numpy() == 4.0
    called = []
    fresh = tf.train.CheckpointManager(ck, str(tmp_path / "new"), 1,
                                       init_fn=lambda: called.append(1))
    assert fresh.restore_or_initialize() is None and called == [1]
    with pytest.raises(ValueError):
        tf.train.CheckpointManager(ck, d, max_to_keep=0)


def test_checkpoint_interval(tmp_path):
    step = tf.Variable(0, dtype=tf.int64)
    ck = tf.train.Checkpoint(step=step)
    m = tf.train.CheckpointManager(ck, str(tmp_path), 5, step_counter=step, checkpoint_interval=3)
    saved = []
    for _ in range(7):
        saved.append(m.save() is not None)
        step.assign_add(1)
    assert saved == [True, False, False, True, False, False, True]


def test_reader_api(tmp_path):
    p = tf.train.Checkpoint(v=tf.Variable(np.ones((2, 2), np.float32))).write(str(tmp_path / "r"))
    r = tf.train.load_checkpoint(p)
    assert r.get_variable_to_shape_map()["v" + V] == [2, 2]
    assert r.get_variable_to_dtype_map()["v" + V] == tf.float32
    assert r.has_tensor("v" + V) and not r.has_tensor("x")
    graph = json.loads(r.get_tensor("_CHECKPOINTABLE_OBJECT_GRAPH"))
    assert graph["objects"][0][0] == ""
    with pytest.raises(ValueError, match="Couldn't find 'checkpoint' file"):
        tf.train.load_checkpoint(str(tmp_path))


def _fail_on(monkeypatch, suffix):
    real = checkpoint_format.commit

    def commit(tmp, path):
        if path.endswith(suffix):
            raise OSError("disk full (injected)")
        real(tmp, path)

    monkeypatch.setattr(checkpoint_format, "commit", commit)


@pytest.mark.parametrize("suffix", [".data-00000-of-00001", ".index"])
def test_crash_during_write_keeps_previous_checkpoint(tmp_path, monkeypatch, suffix):
    v = tf.Variable([1.0, 2.0])
    ck = tf.train.Checkpoint(v=v)
    p = ck.write(str(tmp_path / "ck"))
    v.assign([7.0, 8.0])
    _fail_on(monkeypatch, suffix)
    with pytest.raises(OSError, match="injected"):
        ck.write(p)
    monkeypatch.undo()
    np.testing.assert_array_equal(tf.train.load_variable(p, "v" + V), [1.0, 2.0])
    assert not [n for n in os.listdir(tmp_path) if ".tmp-" in n]  # temporaries removed
    ck.write(p)  # the next save succeeds and cleans the backups
    np.testing.assert_array_equal(tf.train.load_variable(p, "v" + V), [7.0, 8.0])
    assert sorted(os.listdir(tmp_path)) == ["ck.data-00000-of-00001", "ck.index"]


def test_crash_during_state_file_keeps_previous_latest(tmp_path, monkeypatch):
    ck = tf.train.Checkpoint(v=tf.Variable(1.0))
    first = ck.save(str(tmp_path / "ck"))
    _fail_on(monkeypatch, "checkpoint")
    with pytest.raises(OSError):
        ck.save(str(tmp_path / "ck"))
    monkeypatch.undo()
    assert tf.train.latest_checkpoint(str(tmp_path)) == first


def test_saved_model_round_trip_and_crash(tmp_path, monkeypatch):
    d = str(tmp_path / "sm")
    ck = tf.train.Checkpoint(v=tf.Variable([1.0, 2.0]), sub=tf.train.Checkpoint(w=tf.Variable(3)))
    tf.saved_model.save(ck, d)
    assert sorted(os.listdir(d)) == ["assets", "saved_model.json", "variables"]
    assert sorted(os.listdir(os.path.join(d, "variables"))) == [
        "variables.data-00000-of-00001", "variables.index"]
    assert tf.saved_model.contains_saved_model(d)
    loaded = tf.saved_model.load(d)
    np.testing.assert_array_equal(loaded.v.numpy(), [1.0, 2.0])
    assert loaded.sub.w.numpy() == 3
    # A crash before saved_model.json is replaced: the old JSON still finds its variables.
    ck.v.assign([5.0, 6.0])
    _fail_on(monkeypatch, "saved_model.json")
    with pytest.raises(OSError):
        tf.saved_model.save(ck, d)
    monkeypatch.undo()
    np.testing.assert_array_equal(tf.saved_model.load(d).v.numpy(), [1.0, 2.0])
    with pytest.raises(ValueError, match="Expected an object of type `Trackable`"):
        tf.saved_model.save(3, str(tmp_path / "bad"))
    with pytest.raises(OSError, match="SavedModel file does not exist"):
        tf.saved_model.load(str(tmp_path / "none"))
    # Checkpoint.restore accepts a SavedModel directory, as TF does.
    ck2 = tf.train.Checkpoint(v=tf.Variable([0.0, 0.0]))
    ck2.restore(d).expect_partial()
    np.testing.assert_array_equal(ck2.v.numpy(), [1.0, 2.0])


class Scale(Module):
    """A module whose constructor needs an argument (load cannot call it)."""

    def __init__(self, factor):
        super().__init__()
        self.factor = factor
        self.w = tf.Variable(np.full(3, factor, np.float32))

    def __call__(self, x):
        return x * self.w


def test_saved_model_module_without_default_constructor(tmp_path):
    src = Scale(2.0)
    tf.saved_model.save(src, str(tmp_path / "sm"))
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    assert isinstance(loaded, Scale) and loaded.factor == 2.0 and loaded.name == "scale"
    np.testing.assert_array_equal(loaded(tf.ones(3)).numpy(), [2.0, 2.0, 2.0])
    assert [v.name for v in loaded.variables] == [v.name for v in src.variables]


def test_saved_model_unimportable_class_gives_plain_object(tmp_path):
    class Local(Module):
        def __init__(self, n):
            super().__init__()
            self.w = tf.Variable(np.arange(n, dtype=np.float32))
            self.sub = [Module()]

    tf.saved_model.save(Local(3), str(tmp_path / "sm"))
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    np.testing.assert_array_equal(loaded.w.numpy(), [0.0, 1.0, 2.0])
    assert len(loaded.variables) == 1 and len(loaded.trainable_variables) == 1
