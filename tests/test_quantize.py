"""The int8 model on disk loads as the packaged float16 model quantized at load time does."""

from pathlib import Path

import numpy as np
import pytest

from practice.core.errors import ModelError
from practice.speech import audio, models
from practice.speech.quantize import quantize_int8

SPEECH = Path(__file__).resolve().parents[2] / "shared" / "speech"


@pytest.mark.skipif(not SPEECH.is_dir(), reason="../shared/speech is not present")
def test_int8_file_gives_what_the_loader_made_of_float16(model_home, tmp_path):
    import ctranslate2
    from faster_whisper.feature_extractor import FeatureExtractor

    source = models.assemble(model_home, "base")
    quantize_int8(source, tmp_path / "int8")
    samples = audio.load(SPEECH / "clips" / "fw__jfk.flac").samples
    features = FeatureExtractor()(np.pad(samples, (0, 30 * 16000 - len(samples))))[:, :3000]
    features = ctranslate2.StorageView.from_array(features[None].astype(np.float32))
    got = {}
    for name, path in (("float16", source), ("int8", tmp_path / "int8")):
        m = ctranslate2.models.Whisper(str(path), device="cpu", compute_type="int8")
        encoded = m.encode(features)
        prompt = [50258, 50259, 50359, 50363]  # start, English, transcribe, no timestamps
        tokens = m.generate(encoded, [prompt], max_length=100, return_scores=True)[0]
        got[name] = (np.asarray(encoded), tokens.sequences_ids[0], tokens.scores[0])
    assert np.array_equal(got["float16"][0], got["int8"][0])  # the encoder, bit for bit
    assert got["float16"][1] == got["int8"][1] and len(got["int8"][1]) > 10
    assert got["float16"][2] == pytest.approx(got["int8"][2], abs=1e-6)
    size = (tmp_path / "int8" / "model.bin").stat().st_size
    assert size < 0.6 * (source / "model.bin").stat().st_size


def test_a_file_that_is_not_a_model_is_a_clear_error(tmp_path):
    source = tmp_path / "bad"
    source.mkdir()
    (source / "model.bin").write_bytes(b"\x06\x00\x00\x00" + b"\xff" * 10)
    with pytest.raises(ModelError, match="not a CTranslate2 model file"):
        quantize_int8(source, tmp_path / "out")
    (source / "model.bin").write_bytes(b"\x05\x00\x00\x00")
    with pytest.raises(ModelError, match="binary version 5, expected 6"):
        quantize_int8(source, tmp_path / "out2")
