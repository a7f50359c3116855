"""`python -m nanotf script.py`: unmodified `import tensorflow` scripts run on nanotf."""

import os
import subprocess
import sys
import textwrap

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def _run(tmp_path, code, *args, module="nanotf"):
    script = tmp_path / "script.py"
    script.write_text(textwrap.dedent(code))
    env = dict(os.environ, PYTHONPATH=ROOT + os.pathsep + os.environ.get("PYTHONPATH", ""))
    return subprocess.run([sys.executable, "-m", module, str(script), *args], capture_output=True,
                          text=True, env=env, timeout=120, cwd=tmp_path)


def test_tensorflow_imports_resolve_to_nanotf(tmp_path):
    r = _run(tmp_path, """
        import sys
        import tensorflow as tf
        from tensorflow import keras
        from tensorflow.keras.layers import Dense
        from tensorflow.keras.datasets import mnist
        import tensorflow.compat.v1 as tf1
        import nanotf
        assert tf is nanotf and keras is nanotf.keras and Dense is nanotf.keras.layers.Dense
        assert tf1 is nanotf.compat.v1 and callable(mnist.load_data)
        print(tf.reduce_sum(tf.constant([1, 2, 3])).numpy(), sys.argv[1:])
    """, "a", "--b")
    assert r.returncode == 0, r.stderr
    assert r.stdout == "6 ['a', '--b']\n"


def test_exit_codes_are_the_scripts(tmp_path):
    assert _run(tmp_path, "import sys\nsys.exit(3)\n").returncode == 3
    assert _run(tmp_path, "raise SystemExit\n").returncode == 0
    r = _run(tmp_path, "import sys\nsys.exit('bad input')\n")
    assert r.returncode == 1 and r.stderr.strip() == "bad input"


def test_traceback_shows_the_script_not_the_runner(tmp_path):
    r = _run(tmp_path, """
        import tensorflow as tf

        def f():
            return tf.constant([1, 2]) + tf.constant([1.0, 2.0])

        f()
    """)
    assert r.returncode == 1
    assert r.stderr.startswith("Traceback (most recent call last):\n  File ")
    assert "script.py" in r.stderr.splitlines()[1]
    assert "runpy" not in r.stderr and "dropin" not in r.stderr
    assert "InvalidArgumentError" in r.stderr.splitlines()[-1]


def test_missing_script_and_usage(tmp_path):
    env = dict(os.environ, PYTHONPATH=ROOT)
    r = subprocess.run([sys.executable, "-m", "nanotf", "nope.py"], capture_output=True,
                       text=True, env=env, cwd=tmp_path)
    assert r.returncode == 2 and "can't open file" in r.stderr
    r = subprocess.run([sys.executable, "-m", "nanotf"], capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "usage" in r.stdout


def test_install_as_tensorflow_in_process():
    import nanotf
    from nanotf._src.dropin import uninstall_tensorflow_alias

    nanotf.install_as_tensorflow()
    try:
        import tensorflow
        from tensorflow.keras import layers

        assert tensorflow is nanotf and layers is nanotf.keras.layers
    finally:  # other tests' libraries (tensorboard) look for the real tensorflow
        uninstall_tensorflow_alias()
    assert "tensorflow" not in sys.modules


@pytest.mark.skipif(not os.path.exists(os.path.join(os.path.dirname(sys.executable), "nanotf")),
                    reason="the `nanotf` console script is installed by `pip install -e .`")
def test_console_script(tmp_path):
    script = tmp_path / "s.py"
    script.write_text("import tensorflow as tf\nprint(tf.__version__)\n")
    exe = os.path.join(os.path.dirname(sys.executable), "nanotf")
    r = subprocess.run([exe, str(script)], capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.strip()
