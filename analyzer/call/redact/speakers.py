"""Speaker labels that are names ("John Smith: ..."), renamed once the roles are decided.

Roles are decided on the labels as the file gives them (the rep's name, the roster's names
must match), then the labels are renamed: the rep's to the rep's id, a colleague's to their
roster id or "colleague", a customer's to "customer"; labels that name nobody ("SPEAKER_01",
"B", "left") stay as they are. Two speakers never end up with the same label.
"""

from __future__ import annotations

import re
from dataclasses import replace

from analyzer.call.redact.names import COLLEAGUE, People, is_name_label
from analyzer.call.redact.patterns import Patterns
from analyzer.types import CUSTOMER, RoleAssignment, Segment, Transcript


def speaker_names(transcript: Transcript, roles: RoleAssignment, people: People,
                  patterns: Patterns) -> dict[str, str]:
    """The new label of every speaker label (unchanged unless it is a name)."""
    taken = {s for s in transcript.speakers if not is_name_label(s, patterns)}
    mapping = {s: s for s in taken}
    for speaker in transcript.speakers:
        if speaker in mapping:
            continue
        if speaker in roles.rep_speakers:
            base = people.rep or people.id_of(speaker) or "rep"
        elif speaker in roles.colleagues:
            base = people.id_of(speaker) or COLLEAGUE
        else:
            base = CUSTOMER
        mapping[speaker] = _free(base, taken)
        taken.add(mapping[speaker])
    return mapping


def rename_speakers(transcript: Transcript, roles: RoleAssignment,
                    mapping: dict[str, str]) -> tuple[Transcript, RoleAssignment]:
    """The transcript and the roles with every speaker label renamed by ``mapping``."""
    def new(label: str) -> str:
        return mapping.get(label, label)

    segments = tuple(
        Segment(new(s.speaker), s.start, s.end, s.text,
                tuple(replace(w, speaker=new(w.speaker)) for w in s.words))
        for s in transcript.segments)
    renamed = replace(
        transcript, segments=segments, speakers=tuple(dict.fromkeys(map(new, transcript.speakers))),
        activity=tuple(replace(t, speaker=new(t.speaker)) for t in transcript.activity),
        voices={new(s): v for s, v in transcript.voices.items()})
    return renamed, replace(roles, rep_speakers=tuple(map(new, roles.rep_speakers)),
                            colleagues=tuple(map(new, roles.colleagues)),
                            reason=_renamed(roles.reason, mapping))


def _renamed(reason: str, mapping: dict[str, str]) -> str:
    """The roles' reason with the speaker labels that were names replaced too."""
    changed = sorted((old for old, label in mapping.items() if old != label), key=len,
                     reverse=True)
    if not changed or not reason:
        return reason
    pattern = re.compile("|".join(rf"(?<!\w){re.escape(old)}(?!\w)" for old in changed))
    return pattern.sub(lambda m: mapping[m.group(0)], reason)


def _free(base: str, taken: set[str]) -> str:
    if base not in taken:
        return base
    n = 2
    while f"{base} {n}" in taken:
        n += 1
    return f"{base} {n}"
