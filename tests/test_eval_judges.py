"""Neural judges end-to-end on tiny models built here from configs (no downloads, HF_HUB_OFFLINE=1)."""

import json

import numpy as np
import pytest
import soundfile
from PIL import Image

from conditioning.taxonomies import get_taxonomy

torch = pytest.importorskip("torch")
transformers = pytest.importorskip("transformers")

MIKELS = get_taxonomy("mikels8").labels
EMOARTS = get_taxonomy("emoart12").labels


def word_tokenizer(words):
    from tokenizers import Tokenizer, models, pre_tokenizers, processors

    vocab = {"[PAD]": 0, "[UNK]": 1, "<s>": 2, "</s>": 3}
    vocab.update({w: i + 4 for i, w in enumerate(sorted(set(words)))})
    tok = Tokenizer(models.WordLevel(vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    tok.post_processor = processors.TemplateProcessing(single="<s> $A </s>", special_tokens=[("<s>", 2), ("</s>", 3)])
    return transformers.PreTrainedTokenizerFast(
        tokenizer_object=tok, pad_token="[PAD]", unk_token="[UNK]", bos_token="<s>", eos_token="</s>"
    )


@pytest.fixture(scope="module")
def tiny_clip(tmp_path_factory):
    from eval.recognizers.clip_zero_shot import PROMPT

    folder = tmp_path_factory.mktemp("tiny-clip")
    words = [w for label in MIKELS + EMOARTS for w in PROMPT.format(label=label).split()]
    tokenizer = word_tokenizer(words)
    torch.manual_seed(0)
    config = transformers.CLIPConfig(
        text_config=dict(
            vocab_size=len(tokenizer),
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            max_position_embeddings=16,
            bos_token_id=2,
            eos_token_id=3,
            pad_token_id=0,
        ),
        vision_config=dict(
            hidden_size=32,
            intermediate_size=37,
            num_hidden_layers=2,
            num_attention_heads=4,
            image_size=32,
            patch_size=8,
        ),
        projection_dim=16,
    )
    transformers.CLIPModel(config).save_pretrained(folder)
    image_processor = transformers.CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    transformers.CLIPProcessor(image_processor=image_processor, tokenizer=tokenizer).save_pretrained(folder)
    return folder


@pytest.fixture
def picture(tmp_path):
    path = tmp_path / "p.png"
    Image.fromarray((np.random.default_rng(0).random((48, 40, 3)) * 255).astype(np.uint8)).save(path)
    return path


@pytest.mark.parametrize("taxonomy", ["mikels8", "emoart12"])
def test_clip_zero_shot_returns_a_distribution_over_the_taxonomy(tiny_clip, picture, taxonomy):
    from eval.recognizers import clip_zero_shot

    rec = clip_zero_shot.recognize(picture, model=str(tiny_clip), taxonomy=taxonomy)
    labels = get_taxonomy(taxonomy).labels
    probs = {k[2:]: v for k, v in rec.attributes.items() if k.startswith("p_")}
    assert set(probs) == set(labels) and sum(probs.values()) == pytest.approx(1.0, abs=1e-4)
    assert set(rec.categories) <= set(MIKELS) and sum(rec.categories.values()) == pytest.approx(1.0, abs=1e-4)
    assert all(-1 <= x <= 1 for x in rec.vad)
    # the same numbers as CLIP itself on this picture and these prompts (so the image and labels are really read)
    from eval.recognizers.clip_zero_shot import PROMPT

    model = transformers.CLIPModel.from_pretrained(tiny_clip).eval()
    processor = transformers.CLIPProcessor.from_pretrained(tiny_clip)
    texts = [PROMPT.format(label=label) for label in labels]
    inputs = processor(text=texts, images=Image.open(picture).convert("RGB"), return_tensors="pt", padding=True)
    with torch.no_grad():
        expected = model(**inputs).logits_per_image.softmax(-1)[0].tolist()
    assert max(expected) - min(expected) > 1e-3  # not uniform: the comparison below can tell labels apart
    assert [probs[label] for label in labels] == pytest.approx(expected, abs=1e-4)
    assert rec.attributes["top_label"] == labels[int(np.argmax(expected))]


def test_biased_linear_probe_picks_the_biased_label(tiny_clip, picture, tmp_path):
    from safetensors.torch import save_file

    from eval.recognizers import clip_linear_probe

    head = tmp_path / "head.safetensors"
    bias = torch.zeros(len(MIKELS))
    bias[MIKELS.index("fear")] = 10.0
    metadata = {"labels": json.dumps(list(MIKELS)), "clip_model": str(tiny_clip), "taxonomy": "mikels8"}
    save_file({"weight": torch.zeros(len(MIKELS), 16), "bias": bias}, str(head), metadata=metadata)
    rec = clip_linear_probe.recognize(picture, head=str(head))
    assert rec.attributes["top_label"] == "fear" and rec.top_category == "fear"
    assert rec.vad[0] < 0 < rec.vad[1]


def test_missing_clip_weights_fail_in_one_sentence(picture, tmp_path):
    from conditioning import StudioError
    from eval.recognizers import clip_zero_shot

    with pytest.raises(StudioError, match="not available here"):
        clip_zero_shot.recognize(picture, model=str(tmp_path / "nowhere"))


def test_speech_classifier_maps_emotion2vec_style_labels(tmp_path):
    from eval.recognizers import speech_classifier

    labels = ["生气/angry", "开心/happy", "中立/neutral", "难过/sad"]
    config = transformers.Wav2Vec2Config(
        vocab_size=16,
        hidden_size=32,
        num_hidden_layers=2,
        num_attention_heads=2,
        intermediate_size=37,
        conv_dim=(32, 32, 32),
        conv_stride=(4, 4, 4),
        conv_kernel=(8, 8, 8),
        num_conv_pos_embeddings=16,
        num_conv_pos_embedding_groups=2,
        classifier_proj_size=16,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={k: i for i, k in enumerate(labels)},
    )
    torch.manual_seed(0)
    transformers.Wav2Vec2ForSequenceClassification(config).save_pretrained(tmp_path / "ser")
    transformers.Wav2Vec2FeatureExtractor(sampling_rate=16000, return_attention_mask=True).save_pretrained(
        tmp_path / "ser"
    )
    wav = tmp_path / "v.wav"
    t = np.arange(22050) / 22050
    soundfile.write(wav, 0.3 * np.sin(2 * np.pi * 220 * t), 22050)
    rec = speech_classifier.recognize(wav, model=str(tmp_path / "ser"))
    probs = {k[2:]: v for k, v in rec.attributes.items() if k.startswith("p_")}
    assert set(probs) == {"angry", "happy", "neutral", "sad"} and sum(probs.values()) == pytest.approx(1.0, abs=1e-4)
    assert set(rec.categories) <= set(MIKELS) and sum(rec.categories.values()) == pytest.approx(1.0, abs=1e-4)
    # the classifier's own softmax on the audio resampled to 16 kHz, each label under its English name
    from eval.recognizers.pitch import resample

    model = transformers.Wav2Vec2ForSequenceClassification.from_pretrained(tmp_path / "ser").eval()
    extractor = transformers.Wav2Vec2FeatureExtractor.from_pretrained(tmp_path / "ser")
    audio = resample(soundfile.read(wav)[0], 22050, 16000).astype("float32")
    with torch.no_grad():
        expected = model(**extractor(audio, sampling_rate=16000, return_tensors="pt")).logits.softmax(-1)[0].tolist()
    assert [probs[label.split("/")[1]] for label in labels] == pytest.approx(expected, abs=1e-4)
