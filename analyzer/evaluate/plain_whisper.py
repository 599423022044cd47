"""The baseline of `make bench`: a plain script that only loads the same faster-whisper model
and transcribes each channel of each call, one after another, with the same options as
`callcoach analyze` (sequential ``WhisperModel.transcribe``, no batching, nothing else).

    python -m analyzer.evaluate.plain_whisper manifest.csv
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path


def transcribe_all(paths: list[Path]) -> int:
    """Transcribe every channel of every file; return the number of words."""
    from faster_whisper import WhisperModel, decode_audio

    from analyzer.run.speech_to_text import WhisperOptions, resolve_model

    options = WhisperOptions()
    model = WhisperModel(resolve_model(options.model), device=options.device,
                         compute_type=options.compute_type, local_files_only=True)
    words = 0
    for path in paths:
        for channel in decode_audio(str(path), sampling_rate=16000, split_stereo=True):
            segments, _ = model.transcribe(
                channel, language=options.language, beam_size=options.beam_size,
                word_timestamps=True, vad_filter=True, condition_on_previous_text=False)
            words += sum(len(s.words or ()) for s in segments)
    return words


def main() -> None:
    """Transcribe the files of the manifest given as the first argument."""
    manifest = Path(sys.argv[1])
    with open(manifest, newline="", encoding="utf-8") as handle:
        paths = [manifest.parent / row["path"] for row in csv.DictReader(handle)]
    print(f"{transcribe_all(paths)} words")


if __name__ == "__main__":
    main()
