"""Recognise the rep of a mono call by voice.

A rep recurs across all their calls. Each rep gets one voice print: the mean CAM++
embedding of their speech, learned from the rep's channel of their stereo calls (a clean
sample of one voice) and from mono calls whose rep was already decided with confidence.
In a diarized mono call the speaker whose voice print is closest to the rep's is the rep,
when it is close enough and clearly closer than every other speaker. Thresholds live in
models/diarization/voice.json (see models/diarization/README.md).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from analyzer.settings import MODELS_DIR, load_settings
from analyzer.types import RoleAssignment, Transcript

VOICE_PATH = MODELS_DIR / "diarization" / "voice.json"
METHOD = "voice"


@dataclass(frozen=True)
class VoiceSettings:
    """When a voice print names the rep, read from models/diarization/voice.json.

    Attributes:
        min_similarity: Least cosine similarity between the rep's print and the speaker.
        min_margin: Least lead of the best speaker over the next one.
        full_margin: Lead at which the confidence reaches 1.0 (it grows linearly to it).
        learn_confidence: Least role confidence of a mono call whose rep's voice is learned.
        learn_until: Samples after which a rep's print is settled: their stereo calls no
            longer compute a voice print (a further sample would move the mean by under 5%).
        sample_s: Seconds at the start of a stereo call's rep channel its voice print is
            taken from (a clean sample of one person).
    """

    min_similarity: float = 0.88
    min_margin: float = 0.15
    full_margin: float = 0.35
    learn_confidence: float = 0.8
    learn_until: float = 20
    sample_s: float = 60

    @classmethod
    def from_file(cls, path: str | Path = VOICE_PATH) -> VoiceSettings:
        """Read the settings (unknown keys such as "version" are ignored)."""
        return load_settings(cls, path)


@dataclass(frozen=True)
class VoiceProfiles:
    """One voice print per rep (unit vectors) and how much speech each was learned from.

    Immutable: ``learn`` returns new profiles.
    """

    prints: Mapping[str, np.ndarray] = field(default_factory=dict)
    weights: Mapping[str, float] = field(default_factory=dict)
    settings: VoiceSettings = field(default_factory=VoiceSettings)

    @classmethod
    def empty(cls, settings_path: str | Path = VOICE_PATH) -> VoiceProfiles:
        """No reps known yet, with the settings from ``settings_path``."""
        return cls({}, {}, VoiceSettings.from_file(settings_path))

    def learn(self, rep: str, voice: np.ndarray | None, weight: float = 1.0) -> VoiceProfiles:
        """Fold one more sample of ``rep``'s voice (a print from ``Diarizer.voice`` or
        ``Diarizer.diarize_with_voices``) into their profile; None changes nothing."""
        if voice is None or not rep or weight <= 0:
            return self
        old = self.weights.get(rep, 0.0)
        total = old * self.prints.get(rep, np.zeros_like(voice)) + weight * _unit(voice)
        return VoiceProfiles({**self.prints, rep: _unit(total)},
                             {**self.weights, rep: old + weight}, self.settings)

    def settled(self, rep: str) -> bool:
        """True when ``rep``'s print has been learned from enough samples."""
        return self.weights.get(rep, 0.0) >= self.settings.learn_until

    def teachable(self, roles: RoleAssignment,
                  voices: Mapping[str, np.ndarray]) -> np.ndarray | None:
        """The rep's voice print in a diarized call when it may teach the rep's profile
        (rep decided confidently, by another method than voice), else None."""
        if (roles.method == METHOD or roles.confidence < self.settings.learn_confidence
                or len(roles.rep_speakers) != 1):
            return None
        return voices.get(roles.rep_speakers[0])

    def match(self, rep: str, voices: Mapping[str, np.ndarray]) -> RoleAssignment | None:
        """The speaker of a diarized call who is ``rep``, by voice; None when the rep has
        no profile or no speaker is close enough and clearly closer than the others.

        Confidence grows with the lead of the best speaker over the next one.
        """
        profile = self.prints.get(rep)
        if profile is None or not voices:
            return None
        scores = sorted(((float(profile @ _unit(v)), s) for s, v in voices.items()), reverse=True)
        best, speaker = scores[0]
        margin = best - (scores[1][0] if len(scores) > 1 else self.settings.min_similarity)
        if best < self.settings.min_similarity or margin < self.settings.min_margin:
            return None
        confidence = min(1.0, margin / self.settings.full_margin)
        return RoleAssignment((speaker,), METHOD, round(confidence, 3))


def voice_prints(transcript: Transcript) -> dict[str, np.ndarray]:
    """The transcript's voice print per speaker, as arrays."""
    return {s: np.asarray(v, dtype=np.float32) for s, v in transcript.voices.items()}


def _unit(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float32)
    return x / max(float(np.linalg.norm(x)), 1e-9)
