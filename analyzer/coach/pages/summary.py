"""The terminal summary of a rep's self-audit (``callcoach audit``): talk share, questions about
the customer against self-promotion with the egomaniac verdict, and each pushy phrase with its
time. Lines carry a tone (good, watch, bad, title) that the command line turns into colour."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from analyzer.coach.pages.call_page import LOW_CONFIDENCE, role_reason
from analyzer.coach.pages.display import view
from analyzer.coach.pages.html import clock, estimated, number
from analyzer.types import Flag


@dataclass(frozen=True)
class Line:
    """One line of the summary and its tone: "good", "watch", "bad", "title" or ""."""

    text: str
    tone: str = ""


def audit_summary(call: Mapping[str, Any], flags: Sequence[Flag]) -> list[Line]:
    """What a rep reads after auditing one call (plain text, no markup)."""
    duration = number(call.get("duration_s"))
    length = f", {clock(duration)}" if math.isfinite(duration) else ""
    confidence = number(call.get("role_confidence"))
    lines = [Line(f"{call['call_id']} (rep {call['rep']}{length}; roles by "
                  f"{call.get('role_method', '?')}, confidence {confidence:.2f})", "title")]
    if role_reason(call):
        lines.append(Line(f"Rep: {role_reason(call)}"))
    if confidence < LOW_CONFIDENCE:
        lines.append(Line(f"! The rep may be the other speaker (role confidence under "
                          f"{LOW_CONFIDENCE}): check the call page before trusting these "
                          f"numbers.", "bad"))
    lines.append(_talk_share(call))
    lines.extend(_questions(call))
    lines.extend(_pushy(call, flags))
    return lines


def _talk_share(call: Mapping[str, Any]) -> Line:
    item = view("rep_talk_share")
    share = call.get("rep_talk_share")
    status = str(call.get("rep_talk_share_status") or "")  # decided when the call was measured
    markers = dict(item.band.markers) if item.band is not None else {}
    target = markers.get("top performers")
    aim = f"; top performers stay near {target:.0%}" if target is not None else ""
    shown = item.show(share).replace("&ndash;", "unknown (no times)")
    notes = [status] * bool(status) + ["estimated from the words: no times"] * estimated(call)
    said = f"({'; '.join(notes)})" if notes else ""
    return Line(f"Talk share: {shown} {said}{aim}", status)


def _questions(call: Mapping[str, Any]) -> list[Line]:
    focused, promo = number(call.get("customer_focused_questions")), \
        number(call.get("self_promotion"))
    counts = Line(f"Questions about the customer: {focused:.0f}    "
                  f"Self-promotion: {promo:.0f}")
    if bool(call.get("egomaniac")):  # the verdict as the calls table records it
        verdict = Line("Egomaniac: yes - you promoted yourself more often than you asked about "
                       "the customer.", "bad")
    else:
        verdict = Line("Egomaniac: no - you asked about the customer at least as often as you "
                       "promoted yourself.", "good")
    return [counts, verdict]


def _pushy(call: Mapping[str, Any], flags: Sequence[Flag]) -> list[Line]:
    pushy = sorted((f for f in flags if f.role == "rep" and f.label == "pushy_close"),
                   key=lambda f: f.start if math.isfinite(f.start) else math.inf)
    if not pushy:
        return [Line("Pushy closing: none.", "good")]
    lines = [Line(f"Pushy closing: {len(pushy)} line{'s' if len(pushy) > 1 else ''}:", "bad")]
    for flag in pushy:
        when = clock(flag.start) if math.isfinite(flag.start) else "  ?  "
        why = f"{flag.subtype or flag.label}, rule {flag.rule}"
        matched = f", matched \"{flag.span}\"" if flag.span else ""
        lines.append(Line(f"  {when:>6}  \"{flag.text}\" ({why}{matched})", "watch"))
    return lines
