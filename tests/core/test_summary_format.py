"""Tests for nanotf._src.events: event files TensorBoard can read, with no protobuf.

The byte strings below were written by real TensorFlow 2.21 (`tf.summary.*` into a file writer)
and are compared byte for byte with what this module builds for the same inputs and wall times.
"""

from __future__ import annotations

import glob
import os
import re
import struct
import zlib

import numpy as np
import pytest

from nanotf._src import errors, summary_format
from nanotf._src import events as sf
from nanotf._src.events import records
from tests.conftest import python_work

TF_WRITER = "tensorflow.core.util.events_writer"

# (builder, TF 2.21's serialized Event as hex); the wall time is read from the reference bytes.
TF_EVENTS = {
    "header": (
        lambda wt: sf.file_version_event(wt, TF_WRITER),
        "09000080b906c1da411a0d627261696e2e4576656e743a3252240a2274656e736f72666c6f772e636f72652e"
        "7574696c2e6576656e74735f777269746572"),
    "scalar": (
        lambda wt: sf.scalar_event("loss", 0.5, 1, wall_time=wt),
        "095df9a3b906c1da4110012a210a1f0a046c6f7373420a0801120022040000003f4a0b0a090a077363616c61"
        "7273"),
    "scalar_int": (
        lambda wt: sf.scalar_event("i", 3, 3, wall_time=wt),
        "09ea24a4b906c1da4110032a1e0a1c0a0169420a080112002204000040404a0b0a090a077363616c617273"),
    "scalar_f64_bigstep": (
        lambda wt: sf.scalar_event("d", np.float64(1) / 3, np.int64(2**40), wall_time=wt),
        "0914406ab506c1da41108080808080202a1e0a1c0a0164420a080112002204abaaaa3e4a0b0a090a077363"
        "616c617273"),
    "scalar_negative_step": (
        lambda wt: sf.scalar_event("neg", -2.5, -1, wall_time=wt),
        "09bc596ab506c1da4110ffffffffffffffffff012a200a1e0a036e6567420a080112002204000020c04a0b0a"
        "090a077363616c617273"),
    "scalar_description": (
        lambda wt: sf.scalar_event("s", 1.0, 1, description="desc", wall_time=wt),
        "09d9e91dbd06c1da4110012a240a220a0173420a0801120022040000803f4a110a090a077363616c6172731a"
        "0464657363"),
    "text": (
        lambda wt: sf.text_event("t", "hello", 1, wall_time=wt),
        "09aebaa8b906c1da4110012a1c0a1a0a0174420b08071200420568656c6c6f4a080a060a0474657874"),
    "text_list": (
        lambda wt: sf.text_event("t2", ["a", "bb"], 1, wall_time=wt),
        "0990c1a8b906c1da4110012a210a1f0a027432420f0807120412020802420161420262624a080a060a047465"
        "7874"),
    "text_unicode_step0": (
        lambda wt: sf.text_event("u", "h\u00e9llo", 0, wall_time=wt),
        "09eb8f6ab506c1da412a1d0a1b0a0175420c08071200420668c3a96c6c6f4a080a060a0474657874"),
    "text_matrix": (
        lambda wt: sf.text_event("m", [["a", "b"], ["c", "d"]], 0, wall_time=wt),
        "0917a06ab506c1da412a290a270a016d42180807120812020802120208024201614201624201634201644a08"
        "0a060a0474657874"),
    "histogram_5": (
        lambda wt: sf.histogram_event("h5", [1., 2., 2., 3., 10.], 1, 5, wall_time=wt),
        "094754a7b906c1da4110012aa0010a9d010a0268354286010802120812020805120208032278000000000000"
        "f03f6666666666660640000000000000084066666666666606406666666666661240000000000000f03f6666"
        "6666666612409a9999999999194000000000000000009a99999999991940666666666666204000000000000000"
        "0066666666666620400000000000002440000000000000f03f4a0e0a0c0a0a686973746f6772616d73"),
    "histogram_int": (
        lambda wt: sf.histogram_event("hi", np.arange(7), 0, 3, wall_time=wt),
        "09624d6eb506c1da412a6e0a6c0a02686942560802120812020803120208032248000000000000000000000000"
        "0000004000000000000000400000000000000040000000000000104000000000000000400000000000001040"
        "000000000000184000000000000008404a0e0a0c0a0a686973746f6772616d73"),
    "histogram_0_buckets": (
        lambda wt: sf.histogram_event("h0", np.arange(7.), 0, 0, wall_time=wt),
        "094e7a6eb506c1da412a220a200a026830420a080212061200120208034a0e0a0c0a0a686973746f6772616d"
        "73"),
    "histogram_1_bucket": (
        lambda wt: sf.histogram_event("h1", np.arange(7.), 0, 1, wall_time=wt),
        "09b1a66eb506c1da412a3e0a3c0a02683142260802120812020801120208032218000000000000000000000000"
        "000018400000000000001c404a0e0a0c0a0a686973746f6772616d73"),
    "histogram_inf": (
        lambda wt: sf.histogram_event("h", [1.0, float("inf"), 2.0], 1, 2, wall_time=wt),
        "0921ea20bd06c1da4110012a550a530a0168423e0802120812020802120208032230000000000000f03f0000"
        "00000000f07f0000000000000040000000000000f07f000000000000f07f00000000000000004a0e0a0c0a0a"
        "686973746f6772616d73"),
    "histogram_nan": (
        lambda wt: sf.histogram_event("hn", [1.0, float("nan"), 2.0], 1, 2, wall_time=wt),
        "09ce1a21bd06c1da4110012a560a540a02686e423e0802120812020802120208032230000000000000f87f00"
        "0000000000f87f0000000000000000000000000000f87f000000000000f87f00000000000000004a0e0a0c0a"
        "0a686973746f6772616d73"),
    "histogram_bool": (
        lambda wt: sf.histogram_event("hb", [True, False], 1, 2, wall_time=wt),
        "09618c21bd06c1da4110012a560a540a026862423e0802120812020802120208032230000000000000000000"
        "0000000000e03f000000000000f03f000000000000e03f000000000000f03f000000000000f03f4a0e0a0c0a"
        "0a686973746f6772616d73"),
    "graph": (
        lambda wt: sf.graph_event(bytes.fromhex(
            "0a460a01631205436f6e73742a160a0e5f6f75747075745f73686170657312040a023a002a150a0576616c"
            "7565120c420a080112002a040000803f2a0b0a05647479706512023001220308aa13"), wall_time=wt),
        "09a4c66eb506c1da41224d0a460a01631205436f6e73742a160a0e5f6f75747075745f73686170657312040a"
        "023a002a150a0576616c7565120c420a080112002a040000803f2a0b0a05647479706512023001220308aa1"
        "3"),
}

# The start of TF 2.21's file for the header and the first scalar above: both TFRecord frames.
TF_FILE_START = (
    "3e00000000000000d9d240e709000080b906c1da411a0d627261696e2e4576656e743a3252240a2274656e736f7266"
    "6c6f772e636f72652e7574696c2e6576656e74735f777269746572ce29549e2e00000000000000c5cb57fa095df9a3"
    "b906c1da4110012a210a1f0a046c6f7373420a0801120022040000003f4a0b0a090a077363616c617273928678bc")

# TF 2.21 `tf.compat.v1.summary.histogram('v1h', [1., 2., -3., 0.])` (a serialized Summary).
TF_V1_HISTO = (
    "0ac0010a037631682ab8010900000000000008c0110000000000000040190000000000001040290000000000002c"
    "4032480d9cc5a0295509c068bc10359a0707c0000000000000000011ea2d819997713d08996919155aed3f2b14fa"
    "cdbe24f03fdc94cd2e8d75ff3fe011f10c744d0140ffffffffffffef7f3a480000000000000000000000000000f0"
    "3f0000000000000000000000000000f03f0000000000000000000000000000f03f00000000000000000000000000"
    "00f03f0000000000000000")

# A 2x2 grayscale PNG written by TF 2.21's encoder (float image [0, 1/3, 2/3, 1]).
TF_PNG = ("89504e470d0a1a0a0000000d494844520000000200000002080000000057dd52f80000000e4944"
          "415408996360086558f51f0003ad01ff90bbca5f0000000049454e44ae426082")


def _wall_time(event_hex: str) -> float:
    raw = bytes.fromhex(event_hex)
    assert raw[0] == 0x09  # field 1, fixed64
    return struct.unpack("<d", raw[1:9])[0]


# ------------------------------------------------------------------------------------- format


@pytest.mark.parametrize("name", sorted(TF_EVENTS))
def test_events_match_tf_bytes(name):
    build, ref = TF_EVENTS[name]
    assert build(_wall_time(ref)).hex() == ref


def test_tfrecord_framing_matches_tf_file():
    header = bytes.fromhex(TF_EVENTS["header"][1])
    scalar = bytes.fromhex(TF_EVENTS["scalar"][1])
    assert (sf.frame_record(header) + sf.frame_record(scalar)).hex() == TF_FILE_START


def test_v1_summaries_match_tf_bytes():
    assert sf.summary_proto([sf.histo_value("v1h", [1., 2., -3., 0.])]).hex() == TF_V1_HISTO
    assert sf.summary_proto([sf.simple_value("v1s", 0.5)]).hex() == "0a0a0a03763173150000003f"
    with pytest.raises(errors.InvalidArgumentError, match="Nan in summary histogram for: x"):
        sf.histo_value("x", [1.0, float("nan")])


def test_parse_event_roundtrip():
    ev = sf.parse_event(sf.scalar_event("loss", 0.25, step=7, description="d", wall_time=12.5))
    assert ev["wall_time"] == 12.5 and ev["step"] == 7
    (v,) = ev["values"]
    assert v["tag"] == "loss" and v["plugin_name"] == "scalars" and v["description"] == "d"
    assert v["tensor"].dtype == np.float32 and v["tensor"].shape == () and v["tensor"] == 0.25
    text = sf.parse_event(sf.text_event("t", [["a", "\u00e9"]], step=0))["values"][0]["tensor"]
    assert text.shape == (1, 2) and text.tolist() == [[b"a", "\u00e9".encode()]]
    hist = sf.parse_event(sf.histogram_event("h", [1., 2.], step=-3, buckets=4))
    assert hist["step"] == -3 and hist["values"][0]["tensor"].shape == (4, 3)
    legacy = sf.parse_summary(sf.summary_proto([sf.simple_value("a", 1.5),
                                                sf.histo_value("b", [1., 2., 3.])]))
    assert legacy[0]["simple_value"] == 1.5
    assert legacy[1]["histo"]["num"] == 3 and legacy[1]["histo"]["sum"] == 6
    assert sum(legacy[1]["histo"]["bucket"]) == 3
    graph = sf.parse_event(sf.graph_event(b"\x0a\x00"))
    assert graph["graph_def"] == b"\x0a\x00" and graph["values"] == []
    tv = sf.parse_summary(sf.summary_proto([sf.tensor_value("x", np.arange(6, dtype=np.int64)
                                                            .reshape(2, 3))]))[0]
    assert tv["plugin_name"] is None and tv["tensor"].tolist() == [[0, 1, 2], [3, 4, 5]]


def test_bad_inputs():
    with pytest.raises(ValueError, match=r"Expected scalar shape, saw shape: \(1,\)"):
        sf.scalar_event("x", [1.0], step=1)
    with pytest.raises(TypeError, match="float32"):
        sf.scalar_event("x", "a", step=1)
    with pytest.raises(ValueError, match="No step set"):
        sf.scalar_event("x", 1.0, step=None)
    with pytest.raises(errors.InvalidArgumentError, match="got 5"):
        sf.image_event("x", np.zeros((1, 2, 2, 5), np.uint8), step=1)
    with pytest.raises(TypeError, match="GraphDef"):
        sf.graph_event("not bytes")


# ---------------------------------------------------------------------------------------- crc


def test_crc32c_known_values():
    assert sf.crc32c(b"123456789") == 0xE3069283
    assert sf.crc32c(b"\0" * 32) == 0x8A9136AA
    assert sf.crc32c(b"\xff" * 32) == 0x62A8AB43
    assert sf.crc32c(bytes(range(32))) == 0x46DD794E
    assert sf.crc32c(b"") == 0


@pytest.mark.parametrize("n", [8191, 8192, 8193, 70001, 300_000])
def test_crc32c_block_path_matches_byte_loop(n):
    data = np.random.default_rng(n).integers(0, 256, n, dtype=np.uint8).tobytes()
    assert sf.crc32c(data) == records._crc_bytes(0xFFFFFFFF, data) ^ 0xFFFFFFFF


def test_crc32c_one_megabyte_runs_blockwise():
    # ~5,100 executed lines for 1 MiB; the byte loop would take two per byte
    data = np.random.default_rng(1).integers(0, 256, 1 << 20, dtype=np.uint8).tobytes()
    sf.crc32c(data)  # build the cached tables
    work = python_work(sf.crc32c, data)
    assert work["lines"] < 20_000, work["lines"]


def test_read_records_checks_crcs(tmp_path):
    path = tmp_path / "f"
    recs = [b"abc", b"", b"x" * 1000]
    path.write_bytes(b"".join(sf.frame_record(r) for r in recs) + sf.frame_record(b"zz")[:-3])
    assert list(sf.read_records(str(path))) == recs  # the truncated last record is skipped
    raw = bytearray(path.read_bytes())
    raw[13] ^= 1
    path.write_bytes(bytes(raw))
    with pytest.raises(errors.DataLossError, match="data CRC"):
        list(sf.read_records(str(path)))


# ----------------------------------------------------------------------------------- histogram


def test_histogram_buckets_like_tf():
    out = sf.histogram_buckets([1., 2., 2., 3., 10.])
    assert out.shape == (30, 3) and out[:, 2].sum() == 5
    assert out[0].tolist() == [1.0, 1.3, 1.0] and out[-1, 1] == 10.0 and out[-1, 2] == 1
    np.testing.assert_array_equal(sf.histogram_buckets([4., 4., 4.], 3),
                                  [[4, 4, 0], [4, 4, 0], [4, 4, 3]])
    assert sf.histogram_buckets([], 4).tolist() == [[0.0, 0.0, 0.0]] * 4
    assert sf.histogram_buckets([1., 2.], -2).shape == (0, 3)
    with pytest.raises(TypeError, match="real numbers"):
        sf.histogram_buckets(["a"])


# ------------------------------------------------------------------------------------- images


@pytest.mark.parametrize("channels", [1, 2, 3, 4])
def test_png_roundtrip(channels):
    img = np.random.default_rng(channels).integers(0, 256, (5, 7, channels), dtype=np.uint8)
    png = sf.encode_png(img)
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    np.testing.assert_array_equal(sf.decode_png(png), img)


def test_decode_tf_png_and_all_filters():
    np.testing.assert_array_equal(sf.decode_png(bytes.fromhex(TF_PNG))[..., 0],
                                  [[0, 85], [170, 255]])
    img = np.random.default_rng(0).integers(0, 256, (5, 4, 3), dtype=np.uint8)
    rows, prev = [], np.zeros(12, np.int64)
    for r, ftype in enumerate([0, 1, 2, 3, 4]):  # filter each row by hand, one type per row
        cur = img[r].reshape(-1).astype(np.int64)
        left = np.concatenate([np.zeros(3, np.int64), cur[:-3]])
        upleft = np.concatenate([np.zeros(3, np.int64), prev[:-3]])
        if ftype == 4:
            p = left + prev - upleft
            pa, pb, pc = abs(p - left), abs(p - prev), abs(p - upleft)
            pred = np.where((pa <= pb) & (pa <= pc), left, np.where(pb <= pc, prev, upleft))
        else:
            pred = [0 * cur, left, prev, (left + prev) // 2][ftype]
        rows.append(bytes([ftype]) + ((cur - pred) % 256).astype(np.uint8).tobytes())
        prev = cur
    png = bytearray(sf.encode_png(img))
    start = png.index(b"IDAT") - 4
    end = start + 12 + struct.unpack(">I", png[start:start + 4])[0]
    body = zlib.compress(b"".join(rows))
    chunk = (struct.pack(">I", len(body)) + b"IDAT" + body
             + struct.pack(">I", zlib.crc32(b"IDAT" + body)))
    np.testing.assert_array_equal(sf.decode_png(bytes(png[:start]) + chunk + bytes(png[end:])),
                                  img)


def test_image_event_layout_and_conversion():
    imgs = np.arange(5 * 3 * 4 * 3, dtype=np.uint8).reshape(5, 3, 4, 3)
    t = sf.parse_event(sf.image_event("im", imgs, step=2))["values"][0]["tensor"]
    assert t.shape == (5,) and t[:2].tolist() == [b"4", b"3"]  # width, height, 3 images
    for k in range(3):
        np.testing.assert_array_equal(sf.decode_png(t[2 + k]), imgs[k])
    t = sf.parse_event(sf.image_event("im", imgs[0], step=2, max_outputs=1))["values"][0]
    assert t["plugin_name"] == "images" and t["tensor"].shape == (3,)
    floats = np.array([0, 1 / 3, 2 / 3, 1, -1, 2], np.float32).reshape(1, 2, 3, 1)
    png = sf.parse_event(sf.image_event("f", floats, step=0))["values"][0]["tensor"][2]
    assert sf.decode_png(png).ravel().tolist() == [0, 85, 170, 255, 0, 255]
    wide = np.array([[[0], [65535], [256]]], np.uint16)
    png = sf.parse_event(sf.image_event("u16", wide, step=0))["values"][0]["tensor"][2]
    assert sf.decode_png(png).ravel().tolist() == [0, 255, 1]


def test_png_decodes_with_pil():
    image_mod = pytest.importorskip("PIL.Image", reason="Pillow is not installed")
    import io

    img = np.random.default_rng(3).integers(0, 256, (6, 9, 3), dtype=np.uint8)
    np.testing.assert_array_equal(np.asarray(image_mod.open(io.BytesIO(sf.encode_png(img)))), img)
    buf = io.BytesIO()
    image_mod.fromarray(img).save(buf, format="PNG")  # PIL picks its own (adaptive) filters
    np.testing.assert_array_equal(sf.decode_png(buf.getvalue()), img)


# ------------------------------------------------------------------------------------- writer


def test_writer_file_name_header_flush_close(tmp_path):
    logdir = tmp_path / "new" / "dir"
    w = sf.EventFileWriter(str(logdir), max_queue=100)
    name = os.path.basename(w.path)
    m = re.fullmatch(r"events\.out\.tfevents\.(\d{10})\.(.+)\.(\d+)\.(\d+)\.v2", name)
    assert m and int(m.group(3)) == os.getpid()
    events = list(sf.read_events(w.path))  # the header is on disk at once
    assert len(events) == 1 and events[0]["file_version"] == "brain.Event:2"
    assert events[0]["wall_time"] == int(m.group(1)) and events[0]["source_writer"] == "nanotf"
    w.add_event(sf.scalar_event("a", 1.0, step=1))
    assert len(list(sf.read_events(w.path))) == 1  # queued
    w.flush()
    assert len(list(sf.read_events(w.path))) == 2
    w2 = sf.EventFileWriter(str(logdir))
    assert int(os.path.basename(w2.path).split(".")[-2]) > int(m.group(4))
    w2.close()
    w.add_event(sf.scalar_event("a", 2.0, step=2))
    w.close()
    w.close()
    assert w.closed and [e["step"] for e in sf.read_events(w.path)] == [0, 1, 2]
    with pytest.raises(RuntimeError, match="already closed"):
        w.add_event(sf.scalar_event("a", 3.0, step=3))


def test_writer_flushes_when_queue_is_full(tmp_path):
    with sf.EventFileWriter(str(tmp_path), max_queue=3, filename_suffix=".x") as w:
        assert w.path.endswith(".x")
        for i in range(3):
            w.add_event(sf.scalar_event("a", float(i), step=i))
        assert len(list(sf.read_events(w.path))) == 4


def _write_all_kinds(logdir: str) -> None:
    with sf.EventFileWriter(logdir) as w:
        for step, v in [(1, 0.5), (2, 0.25), (3, -1.0)]:
            w.add_event(sf.scalar_event("loss", v, step))
        w.add_event(sf.histogram_event("weights", np.arange(100.0), 5, buckets=10))
        w.add_event(sf.image_event("img", np.full((2, 4, 5, 3), 9, np.uint8), 6))
        w.add_event(sf.text_event("note", "hello \u00e9", 7))
        w.add_event(sf.graph_event(bytes.fromhex("0a0a0a01631205436f6e7374")))
        w.add_event(sf.summary_event([sf.simple_value("v1_loss", 1.5),
                                      sf.histo_value("v1_hist", [1.0, 2.0, 2.5]),
                                      sf.legacy_image_value("v1_img", np.zeros((3, 2, 1),
                                                                               np.uint8))], 8))


def test_own_decoder_reads_written_file(tmp_path):
    _write_all_kinds(str(tmp_path))
    (path,) = glob.glob(str(tmp_path / "events.out.tfevents.*"))
    events = list(sf.read_events(path))
    assert events[0]["file_version"] == "brain.Event:2"
    vals = {(v["tag"], e["step"]): v for e in events for v in e["values"]}
    assert [float(vals[("loss", s)]["tensor"]) for s in (1, 2, 3)] == [0.5, 0.25, -1.0]
    assert vals[("weights", 5)]["tensor"][:, 2].tolist() == [10.0] * 10
    img = vals[("img", 6)]["tensor"]
    assert img[:2].tolist() == [b"5", b"4"] and (sf.decode_png(img[2]) == 9).all()
    assert vals[("note", 7)]["tensor"].item().decode() == "hello \u00e9"
    assert vals[("v1_loss", 8)]["simple_value"] == 1.5
    assert vals[("v1_hist", 8)]["histo"]["max"] == 2.5
    assert vals[("v1_img", 8)]["image"]["height"] == 3
    assert any(e["graph_def"] for e in events)


def test_tensorboard_reads_written_file(tmp_path):
    pytest.importorskip("tensorboard", reason="tensorboard is not installed")
    from tensorboard.backend.event_processing import event_accumulator as ea
    from tensorboard.backend.event_processing import plugin_event_accumulator as pea
    from tensorboard.util import tensor_util

    _write_all_kinds(str(tmp_path))
    acc = pea.EventAccumulator(str(tmp_path), size_guidance={pea.TENSORS: 0, pea.GRAPH: 0})
    acc.Reload()
    loss = acc.Tensors("loss")
    assert [e.step for e in loss] == [1, 2, 3]
    assert [float(tensor_util.make_ndarray(e.tensor_proto)) for e in loss] == [0.5, 0.25, -1.0]
    assert acc.SummaryMetadata("loss").plugin_data.plugin_name == "scalars"
    hist = tensor_util.make_ndarray(acc.Tensors("weights")[0].tensor_proto)
    assert hist.shape == (10, 3) and hist[:, 2].sum() == 100 and hist[-1, 1] == 99
    assert acc.SummaryMetadata("weights").plugin_data.plugin_name == "histograms"
    img = tensor_util.make_ndarray(acc.Tensors("img")[0].tensor_proto)
    assert img[:2].tolist() == [b"5", b"4"] and len(img) == 4
    note = tensor_util.make_ndarray(acc.Tensors("note")[0].tensor_proto)
    assert note.item().decode() == "hello \u00e9"
    # The legacy values arrive migrated to the TF 2 tensor forms.
    assert float(tensor_util.make_ndarray(acc.Tensors("v1_loss")[0].tensor_proto)) == 1.5
    assert acc.Graph() is not None

    v1 = ea.EventAccumulator(str(tmp_path), size_guidance={ea.SCALARS: 0, ea.HISTOGRAMS: 0,
                                                          ea.IMAGES: 0, ea.TENSORS: 0})
    v1.Reload()
    assert v1.Scalars("v1_loss")[0].value == 1.5 and v1.Scalars("v1_loss")[0].step == 8
    h = v1.Histograms("v1_hist")[0].histogram_value
    assert (h.min, h.max, h.num, h.sum) == (1.0, 2.5, 3.0, 5.5)
    im = v1.Images("v1_img")[0]
    assert (im.height, im.width) == (3, 2) and im.encoded_image_string.startswith(b"\x89PNG")
    assert [e.step for e in v1.Tensors("loss")] == [1, 2, 3]
    assert v1.Graph().node[0].op == "Const"


def test_graph_def_roundtrip_and_protobuf_parse():
    attrs = {"T": np.dtype(np.float32), "shape": sf.Shape([None, 3]), "n": 3, "f": 0.5,
             "flag": True, "s": "same", "ks": [1, 2, 2, 1], "dts": [np.dtype(np.int32)],
             "value": np.array([1.5, -2.0], np.float32), "unknown": sf.Shape(None)}
    gd = sf.graph_def([sf.node_def("x", "Placeholder"),
                       sf.node_def("scope/op", "Conv2D", ["x", "x:1", "^x"], attrs, "/cpu:0")])
    nodes = sf.parse_graph_def(gd)["nodes"]
    assert [(n["name"], n["op"], n["input"]) for n in nodes] == [
        ("x", "Placeholder", []), ("scope/op", "Conv2D", ["x", "x:1", "^x"])]
    a = nodes[1]["attr"]
    assert (a["T"], a["shape"], a["n"], a["f"], a["flag"], a["s"]) == (1, [None, 3], 3, 0.5,
                                                                         True, b"same")
    assert (a["ks"], a["dts"], a["unknown"]) == ([1, 2, 2, 1], [3], None)
    assert a["value"].tolist() == [1.5, -2.0] and nodes[1]["device"] == "/cpu:0"
    rm = sf.parse_summary(sf.summary_proto([sf.run_metadata_value("t", [gd, gd])]))[0]
    assert sf.parse_run_metadata(rm["tensor"].item()) == [gd, gd]
    try:
        from tensorboard.compat.proto import graph_pb2
    except ImportError:
        return
    g = graph_pb2.GraphDef.FromString(gd)
    assert g.versions.producer == 2474 and g.node[1].attr["ks"].list.i == [1, 2, 2, 1]
    assert [d.size for d in g.node[1].attr["shape"].shape.dim] == [-1, 3]
    assert g.node[1].attr["unknown"].shape.unknown_rank


def test_summary_format_alias_reexports_events():
    public = [n for n in dir(summary_format) if not n.startswith("_")]
    assert len(public) == 28
    for name in public:
        assert getattr(summary_format, name) is getattr(sf, name)
