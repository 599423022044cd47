"""The values that flow between pipeline stages.

Every stage takes these and returns new ones; none is mutated after it is built.

Why this module is long: every value that flows between two stages is here, each with its
attributes documented, so a reader finds the whole vocabulary of the pipeline in one place.
Times are seconds from the start of the call. A time that is unknown (a plain-text
transcript has none) is ``nan``.

Why this module is long: every value passed between stages is defined here, in one place, and
``CallMetrics`` names every per-call column.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

REP = "rep"
CUSTOMER = "customer"
NAN = math.nan
EPSILON_S = 1e-6  # float noise in times: 1.3 - 1.0 is 0.30000000000000004


@dataclass(frozen=True)
class CallSource:
    """One call to analyze, as the input stage found it.

    Attributes:
        call_id: Unique id of the call in the run (file stem unless the manifest names it).
        rep: The rep who owns the call.
        path: The audio or transcript file.
        date: The call's date: the manifest's, else the ISO date its file name starts with
            ("" when unknown).
        rep_channel: "left" or "right" for stereo audio; "" means use the run's default.
        rep_speaker: The rep's speaker label or name in the call; "" when unknown.
        audio_path: Audio linked to a transcript (same stem), "" when none.
    """

    call_id: str
    rep: str
    path: str
    date: str = ""
    rep_channel: str = ""
    rep_speaker: str = ""
    audio_path: str = ""


@dataclass(frozen=True)
class Word:
    """One recognised word, with the speaker it belongs to."""

    start: float
    end: float
    text: str
    speaker: str
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    """A stretch of speech by one speaker, as the transcriber or an export gives it.

    ``words`` is empty when the source has no word timings (most exports).
    """

    speaker: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class SpeakerTurn:
    """A stretch of time a diarizer attributes to one speaker (one RTTM line)."""

    speaker: str
    start: float
    end: float


@dataclass(frozen=True)
class Transcript:
    """Everything said in one call, segments sorted by start time.

    Attributes:
        segments: The speech, sorted by start.
        speakers: Every speaker label, in order of first appearance.
        duration_s: Length of the recording (nan when unknown).
        source: Where the transcript came from ("whisper", "vtt", "srt", ...).
        timed: False when the source has no times at all (plain text).
        activity: Who was heard when, measured on the audio (voice activity per channel, or
            diarization); empty when only the transcript's own times are known. Talk time is
            measured on it when present, because transcribers drop fillers and short replies.
        voices: A voice print (speaker embedding) per speaker label, when the diarizer is
            installed; role assignment compares them with each rep's known voice.
    """

    segments: tuple[Segment, ...]
    speakers: tuple[str, ...]
    duration_s: float
    source: str
    timed: bool = True
    activity: tuple[SpeakerTurn, ...] = ()
    voices: Mapping[str, tuple[float, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class RoleAssignment:
    """Which speaker labels are the rep, and how sure we are.

    Attributes:
        rep_speakers: Speaker labels that belong to the rep (usually one).
        method: How it was decided: "channel", "name", "roster" (a person said so), or the
            evidence that weighed most: "cues", "words", "voice", "default" (a stereo call's
            default channel, with no evidence against it).
        confidence: The probability that the rep is right; 1.0 when a person said so
            (manifest, CLI option, roster).
        colleagues: Non-rep speakers on the rep's side (excluded from the customer side).
        reason: Why this speaker is the rep, in a line a coach can read.
    """

    rep_speakers: tuple[str, ...]
    method: str
    confidence: float
    colleagues: tuple[str, ...] = ()
    reason: str = ""

    def role_of(self, speaker: str) -> str:
        """Return "rep", "colleague" or "customer" for a speaker label."""
        if speaker in self.rep_speakers:
            return REP
        if speaker in self.colleagues:
            return "colleague"
        return CUSTOMER


@dataclass(frozen=True)
class Utterance:
    """A segment once we know whose side its speaker is on."""

    speaker: str
    role: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@dataclass(frozen=True)
class Evidence:
    """Why a sentence got a label: the rule that fired and the words it matched."""

    label: str
    subtype: str
    rule: str
    span: str


@dataclass(frozen=True)
class SentenceLabels:
    """The labels of one sentence of an utterance."""

    text: str
    labels: tuple[str, ...]
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True)
class Flag:
    """One labelled sentence of a call, located in time, for the flags table.

    ``span`` is the words the rule matched; "" in results stored before it was recorded.
    ``utterance`` is the index of the sentence's utterance in the call (what joins a flag to
    its utterance in the tables). ``coach`` says a coach corrected it: "wrong" (kept for the
    record, counted nowhere), "added" (a sentence the labels missed), "" (as the labeler
    decided).
    """

    role: str
    start: float
    end: float
    label: str
    subtype: str
    rule: str
    text: str
    span: str = ""
    utterance: int = -1
    coach: str = ""


@dataclass(frozen=True)
class Correction:
    """A coach's correction of a call's label: ``verdict`` "wrong" (the sentence does not
    deserve ``label``) or "missed" (it does, and the labeler did not see it).

    Attributes:
        call_id: The call.
        label: The label corrected (``pushy_close``, ``self_promotion``, ...).
        text: The sentence, as the call page shows it.
        verdict: "wrong" or "missed".
        note: Why, in the coach's words ("" when none).
    """

    call_id: str
    label: str
    text: str
    verdict: str
    note: str = ""


@dataclass(frozen=True)
class CallMetrics:
    """Every per-call number, decided once (columns of calls.csv; definitions in the README).

    Times in seconds, shares 0..1, nan where undefined (an untimed transcript, nobody spoke).
    ``talk_estimated`` is true when the shares come from the words (no times to measure).
    ``statuses`` holds ``<metric>_status`` ("good", "watch", "bad", "" when nan) for every
    metric with a benchmark in models/metrics/benchmarks.csv, decided when the call is
    measured; the tables and the pages read them, never recompute them.
    """

    duration_s: float = NAN
    source: str = ""
    speakers: int = 0
    role_method: str = ""
    role_confidence: float = NAN
    role_reason: str = ""
    rep_talk_s: float = NAN
    customer_talk_s: float = NAN
    colleague_talk_s: float = NAN
    silence_s: float = NAN
    overtalk_s: float = NAN
    rep_talk_share: float = NAN
    customer_talk_share: float = NAN
    interactivity: float = NAN
    patience_s: float = NAN
    longest_monologue_s: float = NAN
    longest_customer_story_s: float = NAN
    rep_wpm: float = NAN
    customer_wpm: float = NAN
    rep_filler_per_min: float = NAN
    turns: int = 0
    rep_questions: int = 0
    customer_questions: int = 0
    customer_focused_questions: int = 0
    self_promotion: int = 0
    pushy_closing: int = 0
    self_focus_share: float = NAN
    egomaniac: bool = False
    talk_estimated: bool = False
    next_step_agreed: bool = False
    next_step_text: str = ""
    next_step_s: float = NAN
    commitments: int = 0
    asks: int = 0
    asks_agreed: int = 0
    asks_deferred: int = 0
    asks_declined: int = 0
    pushy_agreed: int = 0
    pushy_declined: int = 0
    healthy_ask_share: float = NAN
    objections: int = 0
    objection_kinds: str = ""
    objections_answered_share: float = NAN
    tracker_mentions: int = 0
    competitor_mentions: int = 0
    opening_s: float = NAN
    discovery_s: float = NAN
    presentation_s: float = NAN
    pricing_s: float = NAN
    objection_s: float = NAN
    next_steps_s: float = NAN
    presented_before_discovery: bool = False
    follow_up_questions: int = 0
    follow_up_share: float = NAN
    acknowledgements: int = 0
    relating: int = 0
    personal_s: float = NAN
    small_talk_s: float = NAN
    business_s: float = NAN
    time_to_business_s: float = NAN
    personal_started_by: str = ""
    statuses: Mapping[str, str] = field(default_factory=dict)
    longest_monologue_start_s: float = NAN
    longest_customer_story_start_s: float = NAN
    redacted: bool = False
    not_english: int = 0

    @classmethod
    def numeric_columns(cls) -> tuple[str, ...]:
        """The number columns (int or float, not bool), whatever a call's values."""
        return tuple(f.name for f in fields(cls) if f.type in ("float", "int"))

    def columns(self) -> dict[str, Any]:
        """The call's columns in the table's order (the statuses after the language counts)."""
        out: dict[str, Any] = {}
        for f in fields(self):
            if f.name == "statuses":
                out.update(self.statuses)
            else:
                out[f.name] = getattr(self, f.name)
        return out


@dataclass(frozen=True)
class CallResult:
    """What the analysis found in one call; the unit written to disk as each call ends.

    Attributes:
        source: The call as it was found.
        roles: Who the rep is.
        utterances: Everything said, in time order, with roles.
        metrics: Every per-call number, typed (``CallMetrics``).
        flags: Labelled sentences (questions, self-promotion, pushy closing).
    """

    source: CallSource
    roles: RoleAssignment
    utterances: tuple[Utterance, ...]
    metrics: CallMetrics
    flags: tuple[Flag, ...] = ()


@dataclass(frozen=True)
class CallError:
    """An input that could not be analyzed, and why (one line)."""

    call_id: str
    rep: str
    path: str
    stage: str
    reason: str


@dataclass(frozen=True)
class Options:
    """The settings of a run.

    Attributes:
        model: faster-whisper model name or CTranslate2 folder ("" = the bundled tiny.en).
        language: Spoken language passed to the transcriber.
        beam_size: Beam width of the transcriber.
        device: "cpu" or "cuda".
        compute_type: CTranslate2 compute type.
        rep_channel: Channel of the rep in stereo calls, unless the manifest says otherwise;
            "" = nobody said: the default channel (models/roles/calibration.json) is a prior
            the words can overturn.
        rep: Rep of files given one by one (folders and manifests name their own).
        rep_name: Name or label of the rep's speaker in transcripts and diarized calls.
        roster: CSV mapping each rep to the names they appear under ("" = none).
        transcript_format: Force a transcript format instead of detecting it ("" = detect).
        diarize: Separate speakers in mono recordings (needs the diarization extra).
        redact: Replace e-mails, phone, card and social security numbers, addresses and
            people's names by placeholders in everything the run writes (see ``redact``).
        redact_audio: Also write a copy of each recording with the redacted stretches bleeped
            (``<out>/audio/``), which the pages link to instead of the original; implies redact.
        split_by_rep: Also write ``<out>/by-rep/<rep>/``, one self-contained folder per rep.
    """

    model: str = ""
    language: str = "en"
    beam_size: int = 1
    device: str = "cpu"
    compute_type: str = "int8"
    rep_channel: str = ""
    rep: str = ""
    rep_name: str = ""
    roster: str = ""
    transcript_format: str = ""
    diarize: bool = True
    redact: bool = False
    redact_audio: bool = False
    split_by_rep: bool = False

    def __post_init__(self) -> None:
        if self.redact_audio and not self.redact:
            object.__setattr__(self, "redact", True)  # a bleeped copy of unredacted text is moot


@dataclass(frozen=True, eq=False)
class Audio:
    """A decoded recording: one float32 array per channel at ``sample_rate``.

    Attributes:
        channels: One array per channel (1 for mono, 2 for stereo).
        sample_rate: Samples per second of every array.
        duration_s: Length of the recording (of this window, for a window of it).
        digest: SHA-256 of the file's bytes, the cache key of everything derived from it.
        offset_s: Where these samples start in the recording (a long call is decoded a
            window at a time).
    """

    channels: tuple[Any, ...]
    sample_rate: int
    duration_s: float
    digest: str
    offset_s: float = 0.0


@dataclass(frozen=True)
class Turn:
    """A stretch of one speaker holding the floor, until another speaker takes it over.

    The speaker's own pauses do not end a turn, and a short backchannel from the other side
    ("mm-hmm", "right") does not either: it becomes a turn of its own with ``backchannel``
    set. Turns of different speakers may overlap in time (both talking at once).

    Attributes:
        speaker: Speaker label.
        role: "rep", "customer" or "colleague".
        start: Start of the first word (seconds; nan when the transcript has no times).
        end: End of the last word (nan when unknown).
        text: The words of the turn, joined by spaces.
        words: The timed words of the turn (empty when its utterances had none).
        word_count: Number of words, counted from the text when there are no timed words.
        backchannel: True for a short acknowledgement that does not take the floor.
    """

    speaker: str
    role: str
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    word_count: int = 0
    backchannel: bool = False


@dataclass(frozen=True)
class Execution:
    """How a run is spread over processes and machines; it never changes a result.

    Attributes:
        workers: Processes on this machine, each loading its models once (1 = this process
            only; 0 = as many as the machine's cores and memory can take).
        scheduler: Address of a Dask scheduler whose workers analyze the calls ("" = none).
        dask_local: Workers of a Dask LocalCluster started for this run (0 = none).
        force: Redo every call, ignoring stored results and cached transcripts.
    """

    workers: int = 1
    scheduler: str = ""
    dask_local: int = 0
    force: bool = False


@dataclass(frozen=True)
class CallOutcome:
    """How one call of a run ended: what the progress bar and the summary count.

    Attributes:
        call_id: The call.
        path: Its file.
        status: "analyzed" (in this run), "cached" (a stored result was still valid),
            "failed" (see ``error``) or "busy" (another worker sharing the folder has it).
        duration_s: Length of the call when analyzed in this run (0 otherwise).
        error: Why it failed, for status "failed".
    """

    call_id: str
    path: str
    status: str
    duration_s: float = 0.0
    error: CallError | None = None
