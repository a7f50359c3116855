"""model.save / load_model, save_weights / load_weights in every format, crash safety."""

import json
import os
import zipfile

import numpy as np
import pytest

import nanotf as tf
from nanotf._src import checkpoint_format
from nanotf._src.keras import saving

keras = tf.keras
V = "/.ATTRIBUTES/VARIABLE_VALUE"
RNG = np.random.default_rng(0)
X = RNG.normal(size=(32, 4, 2)).astype(np.float32)
Y = RNG.integers(0, 3, size=32)

try:
    import h5py  # noqa: F401

    HAS_H5PY = True
except ImportError:
    HAS_H5PY = False
needs_h5py = pytest.mark.skipif(not HAS_H5PY, reason="h5py is not installed")


def sequential(compiled=True):
    tf.random.set_seed(1)
    m = keras.Sequential([keras.layers.Flatten(input_shape=(4, 2)),
                          keras.layers.Dense(8, activation="relu"),
                          keras.layers.Dropout(0.2), keras.layers.Dense(3)])
    if compiled:
        m.compile(optimizer="adam", loss=keras.losses.SparseCategoricalCrossentropy(
            from_logits=True), metrics=["accuracy"])
        m.fit(X, Y, epochs=1, batch_size=8, verbose=0)
    return m


def functional():
    tf.random.set_seed(2)
    inp = keras.Input(shape=(4, 2))
    h = keras.layers.Dense(5, activation="tanh", name="hidden")(keras.layers.Flatten()(inp))
    out = keras.layers.Dense(3, name="logits")(h)
    m = keras.Model(inp, out)
    m.compile(optimizer=keras.optimizers.SGD(0.1, momentum=0.9), loss="mse")
    m.fit(X, np.eye(3, dtype=np.float32)[Y], epochs=1, verbose=0)
    return m


@keras.utils.register_keras_serializable(package="nanotf_test")
class Scale(keras.layers.Layer):
    """A custom layer with its own weight and a config argument."""

    def __init__(self, init=1.0, **kwargs):
        super().__init__(**kwargs)
        self.init = init

    def build(self, input_shape):
        self.w = self.add_weight("w", shape=(input_shape[-1],),
                                 initializer=keras.initializers.Constant(self.init))

    def call(self, x):
        return x * self.w

    def get_config(self):
        return {**super().get_config(), "init": self.init}


class Sub(keras.Model):
    """A subclassed model (no get_config: rebuilt by calling its no-argument constructor)."""

    def __init__(self):
        super().__init__()
        self.flat = keras.layers.Flatten()
        self.fc = keras.layers.Dense(6, activation="relu")
        self.scale = Scale(0.5)
        self.out = [keras.layers.Dense(3)]

    def call(self, x):
        return self.out[0](self.scale(self.fc(self.flat(x))))


def subclassed():
    tf.random.set_seed(3)
    m = Sub()
    m.compile(optimizer="rmsprop", loss=keras.losses.SparseCategoricalCrossentropy(
        from_logits=True))
    m.fit(X, Y, epochs=1, verbose=0)
    return m


def same(a, b):
    np.testing.assert_array_equal(a.predict(X, verbose=0), b.predict(X, verbose=0))


# --- model.save / load_model ----------------------------------------------------------------------
@pytest.mark.parametrize("name", ["m.keras", "saved_dir"])
@pytest.mark.parametrize("make", [sequential, functional, subclassed])
def test_save_load_round_trip(tmp_path, make, name):
    model = make()
    path = str(tmp_path / name)
    model.save(path)
    # A .keras file names classes, as Keras does: an unregistered class needs custom_objects.
    # A SavedModel directory also records import paths, so it loads without them.
    custom = {"Sub": Sub} if make is subclassed and name.endswith(".keras") else None
    loaded = keras.models.load_model(path, custom_objects=custom)
    same(model, loaded)
    if make is not subclassed:  # a rebuilt subclassed model gets fresh unique names
        assert [w.name for w in loaded.weights] == [w.name for w in model.weights]
    # The optimizer state came back: one more identical step gives identical weights.
    assert type(loaded.optimizer) is type(model.optimizer)
    assert int(loaded.optimizer.iterations.numpy()) == int(model.optimizer.iterations.numpy())
    x, y = X[:8], (Y[:8] if make is not functional else np.eye(3, dtype=np.float32)[Y[:8]])
    # the same dropout masks for both: a traced step keeps the op seeds it was traced with (as
    # TF's), so both steps are traced afresh after the seed is set
    model.make_train_function(force=True)
    tf.random.set_seed(7)
    model.train_on_batch(x, y)
    tf.random.set_seed(7)
    loaded.train_on_batch(x, y)
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6, atol=1e-7)


def test_keras_archive_layout(tmp_path):
    model = sequential()
    model.save(str(tmp_path / "m.keras"))
    with zipfile.ZipFile(tmp_path / "m.keras") as zf:
        assert sorted(zf.namelist()) == ["config.json", "metadata.json", "model.weights.npz"]
        config = json.loads(zf.read("config.json"))
        with np.load(zf.open("model.weights.npz")) as w:
            keys = set(w.files)
    assert config["class_name"] == "Sequential"
    assert [c["class_name"] for c in config["config"]["layers"]][-3:] == [
        "Dense", "Dropout", "Dense"]
    assert config["compile_config"]["optimizer"]["class_name"] == "Adam"
    # Keras names the entries by class, counted per model (layer names vary between instances).
    assert {f"layers/{n}/vars/{i}" for n in ("dense", "dense_1") for i in (0, 1)} <= keys
    assert any(k.startswith("optimizer/vars/") for k in keys)


def test_include_optimizer_false_and_compile_false(tmp_path):
    model = sequential()
    model.save(str(tmp_path / "m.keras"), include_optimizer=False)
    loaded = keras.models.load_model(str(tmp_path / "m.keras"))
    same(model, loaded)
    assert loaded.optimizer is None
    model.save(str(tmp_path / "d"), include_optimizer=False)
    keys = [k for k, _ in tf.train.list_variables(str(tmp_path / "d" / "variables" / "variables"))]
    assert not [k for k in keys if k.startswith("optimizer/") or "OPTIMIZER_SLOT" in k]
    not_compiled = keras.models.load_model(str(tmp_path / "d"), compile=False)
    same(model, not_compiled)


def test_custom_objects(tmp_path):
    tf.random.set_seed(4)

    class Local(keras.layers.Layer):
        def __init__(self, units=2, **kwargs):
            super().__init__(**kwargs)
            self.units = units

        def build(self, input_shape):
            self.k = self.add_weight("k", shape=(input_shape[-1], self.units))

        def call(self, x):
            return x @ self.k

        def get_config(self):
            return {**super().get_config(), "units": self.units}

    inp = keras.Input(shape=(3,))
    model = keras.Model(inp, Scale(2.0)(Local(4)(inp)))
    path = str(tmp_path / "c.keras")
    model.save(path)
    with pytest.raises(ValueError, match="Unknown layer: 'Local'"):
        keras.models.load_model(path)
    loaded = keras.models.load_model(path, custom_objects={"Local": Local})
    x = np.ones((2, 3), np.float32)
    np.testing.assert_array_equal(model(x).numpy(), loaded(x).numpy())
    with keras.utils.custom_object_scope({"Local": Local}):
        keras.models.load_model(path)


def test_load_errors(tmp_path):
    with pytest.raises(OSError, match="No file or directory found at"):
        keras.models.load_model(str(tmp_path / "missing.keras"))
    with pytest.raises(tf.errors.NotFoundError, match="Failed to find any matching files"):
        sequential(compiled=False).load_weights(str(tmp_path / "missing"))


# --- tf.saved_model -------------------------------------------------------------------------------
def test_tf_saved_model_of_keras_model(tmp_path):
    model = subclassed()
    tf.saved_model.save(model, str(tmp_path / "sm"))
    loaded = tf.saved_model.load(str(tmp_path / "sm"))
    np.testing.assert_array_equal(model(X).numpy(), loaded(X).numpy())


# --- save_weights / load_weights ------------------------------------------------------------------
def test_tf_prefix_weights(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    model = sequential()
    assert model.save_weights("./checkpoint/mnist.ckpt") is None
    assert sorted(os.listdir("checkpoint")) == [
        "checkpoint", "mnist.ckpt.data-00000-of-00001", "mnist.ckpt.index"]
    assert open("checkpoint/checkpoint").read() == (
        'model_checkpoint_path: "mnist.ckpt"\nall_model_checkpoint_paths: "mnist.ckpt"\n')
    assert tf.train.latest_checkpoint("checkpoint") == os.path.join("checkpoint", "mnist.ckpt")
    keys = [k for k, _ in tf.train.list_variables("./checkpoint/mnist.ckpt")]
    # The same keys as TF 2.21 (tf_keras, legacy Adam) writes for this model.
    assert keys == ["_CHECKPOINTABLE_OBJECT_GRAPH"] + [
        f"layer_with_weights-{i}/{w}{s}" for i in (0, 1) for w in ("bias", "kernel")
        for s in (V, "/.OPTIMIZER_SLOT/optimizer/m" + V, "/.OPTIMIZER_SLOT/optimizer/v" + V)] + [
        f"optimizer/{h}{V}" for h in ("beta_1", "beta_2", "decay", "iter", "learning_rate")]
    fresh = sequential(compiled=False)
    status = fresh.load_weights("./checkpoint/mnist.ckpt")
    status.expect_partial()  # the optimizer's values wait for an optimizer
    same(model, fresh)
    with pytest.raises(AssertionError):
        status.assert_consumed()
    status.assert_existing_objects_matched()


def test_deferred_restore_into_unbuilt_subclassed_model(tmp_path):
    model = subclassed()
    model.save_weights(str(tmp_path / "w"))
    fresh = Sub()
    fresh.load_weights(str(tmp_path / "w")).expect_partial()
    np.testing.assert_array_equal(model(X).numpy(), fresh(X).numpy())  # restored on build


def test_load_weights_shape_mismatch(tmp_path):
    model = sequential()
    model.save_weights(str(tmp_path / "w"))
    other = keras.Sequential([keras.layers.Flatten(input_shape=(4, 2)),
                              keras.layers.Dense(8), keras.layers.Dense(5)])
    with pytest.raises(ValueError, match="Received incompatible tensor with shape"):
        other.load_weights(str(tmp_path / "w"))


@needs_h5py
@pytest.mark.parametrize("name", ["w.h5", "w.weights.h5"])
def test_h5_weights(tmp_path, name):
    model = sequential()
    model.save_weights(str(tmp_path / name))
    fresh = sequential(compiled=False)
    fresh.load_weights(str(tmp_path / name))
    same(model, fresh)


@needs_h5py
def test_h5_model(tmp_path):
    model = functional()
    model.save(str(tmp_path / "m.h5"))
    same(model, keras.models.load_model(str(tmp_path / "m.h5")))


def test_h5_without_h5py_is_a_clear_error(tmp_path, monkeypatch):
    import builtins

    real = builtins.__import__

    def no_h5py(name, *args, **kwargs):
        if name == "h5py":
            raise ImportError("no h5py")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_h5py)
    with pytest.raises(ImportError, match="requires h5py"):
        sequential(compiled=False).save_weights(str(tmp_path / "w.h5"))


# --- ModelCheckpoint ------------------------------------------------------------------------------
def test_model_checkpoint_ckpt_prefix_then_load_weights(tmp_path):
    model = sequential()
    path = str(tmp_path / "ckpt" / "cp-{epoch:02d}.ckpt")
    cb = keras.callbacks.ModelCheckpoint(path, save_weights_only=True)
    model.fit(X, Y, epochs=2, batch_size=8, verbose=0, callbacks=[cb])
    latest = tf.train.latest_checkpoint(str(tmp_path / "ckpt"))
    assert latest == str(tmp_path / "ckpt" / "cp-02.ckpt")
    fresh = sequential(compiled=False)
    fresh.load_weights(latest).expect_partial()
    same(model, fresh)


# --- crash safety ---------------------------------------------------------------------------------
def _boom(*args, **kwargs):
    raise OSError("disk full (injected)")


def test_crash_during_keras_save_keeps_previous_file(tmp_path, monkeypatch):
    model = sequential()
    path = str(tmp_path / "m.keras")
    model.save(path)
    before = model.predict(X, verbose=0)
    model.fit(X, Y, epochs=1, verbose=0)
    real = zipfile.ZipFile.writestr

    def writestr(self, name, data, *args, **kwargs):
        if name == "model.weights.npz":
            _boom()
        return real(self, name, data, *args, **kwargs)

    monkeypatch.setattr(zipfile.ZipFile, "writestr", writestr)
    with pytest.raises(OSError, match="injected"):
        model.save(path)
    monkeypatch.undo()
    np.testing.assert_array_equal(keras.models.load_model(path).predict(X, verbose=0), before)
    assert os.listdir(tmp_path) == ["m.keras"]


@pytest.mark.parametrize("fail_on", [".data-00000-of-00001", ".index", "checkpoint"])
def test_crash_during_save_weights_keeps_previous(tmp_path, monkeypatch, fail_on):
    model = sequential()
    prefix = str(tmp_path / "mnist.ckpt")
    model.save_weights(prefix)
    before = model.predict(X, verbose=0)
    model.fit(X, Y, epochs=1, verbose=0)
    real = checkpoint_format.commit

    def commit(tmp, path):
        if path.endswith(fail_on):
            _boom()
        real(tmp, path)

    monkeypatch.setattr(checkpoint_format, "commit", commit)
    with pytest.raises(OSError, match="injected"):
        model.save_weights(prefix)
    monkeypatch.undo()
    fresh = sequential(compiled=False)
    fresh.load_weights(tf.train.latest_checkpoint(str(tmp_path))).expect_partial()
    if fail_on == "checkpoint":  # the new pair was complete; only the state file failed
        same(model, fresh)
    else:
        np.testing.assert_array_equal(fresh.predict(X, verbose=0), before)


def test_crash_during_saved_model_dir_keeps_previous(tmp_path, monkeypatch):
    model = functional()
    path = str(tmp_path / "d")
    model.save(path)
    before = model.predict(X, verbose=0)
    model.fit(X, np.eye(3, dtype=np.float32)[Y], epochs=1, verbose=0)
    real = checkpoint_format.commit

    def commit(tmp, p):
        if p.endswith("saved_model.json"):
            _boom()
        real(tmp, p)

    monkeypatch.setattr(checkpoint_format, "commit", commit)
    with pytest.raises(OSError):
        model.save(path)
    monkeypatch.undo()
    np.testing.assert_array_equal(keras.models.load_model(path).predict(X, verbose=0), before)


def test_saving_module_exports():
    assert saving.save_model and saving.load_model


def test_checkpoint_manager_with_keras_model_and_optimizer(tmp_path):
    """TF's training-checkpoints guide: Checkpoint(step, optimizer, net) + CheckpointManager."""
    def make():
        tf.random.set_seed(5)
        net = keras.Sequential([keras.layers.Dense(4, activation="relu"), keras.layers.Dense(1)])
        net(np.zeros((1, 3), np.float32))
        opt = keras.optimizers.Adam(0.1)
        return net, opt, tf.train.Checkpoint(step=tf.Variable(1), optimizer=opt, net=net)

    x = RNG.normal(size=(16, 3)).astype(np.float32)
    y = x.sum(axis=1, keepdims=True)

    def train_step(net, opt):
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(tf.square(net(x) - y))
        opt.apply_gradients(zip(tape.gradient(loss, net.trainable_variables),
                                net.trainable_variables))
        return float(loss.numpy())

    net, opt, ckpt = make()
    manager = tf.train.CheckpointManager(ckpt, str(tmp_path / "tf_ckpts"), max_to_keep=3)
    for _ in range(5):
        train_step(net, opt)
        ckpt.step.assign_add(1)
        manager.save()
    assert [os.path.basename(p) for p in manager.checkpoints] == ["ckpt-3", "ckpt-4", "ckpt-5"]
    keys = [k for k, _ in tf.train.list_variables(manager.latest_checkpoint)]
    assert "net/layer_with_weights-0/kernel/.OPTIMIZER_SLOT/optimizer/m" + V in keys
    assert "optimizer/iter" + V in keys
    net2, opt2, ckpt2 = make()
    ckpt2.restore(manager.latest_checkpoint).assert_consumed()
    assert int(ckpt2.step.numpy()) == 6 and int(opt2.iterations.numpy()) == 5
    assert train_step(net, opt) == train_step(net2, opt2)  # Adam's slots came back too
