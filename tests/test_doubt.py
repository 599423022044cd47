"""The sales veto: it withdraws a rule's flag the model doubts, never a coach's, never adds one;
its training and held-out measurement run on labelled turns."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import realdata_path

from analyzer.call.doubt import (
    NO_VETO,
    VETO_DIR,
    Doubt,
    Veto,
    doubted_flags,
    load_veto,
)
from analyzer.call.linear import TextModel
from analyzer.evaluate import train_veto
from analyzer.types import CUSTOMER, REP, Flag, Utterance

# A model that likes "budget" and dislikes "weather" (intercept 0: an unknown text is 0.5).
MODEL = TextModel(re.compile(r"[a-z']+"), 1, {"budget": 1.0, "weather": 1.0},
                  {"budget": 3.0, "weather": -3.0}, 0.0)
VETO = Veto({"customer_question": Doubt(REP, MODEL, 0.3)})
LONG = " And the rest of this sentence is here to make it long enough to be judged at all."


def utterance(role: str, text: str) -> Utterance:
    return Utterance(role, role, 0.0, 1.0, text)


def flag(label: str, role: str, index: int, coach: str = "") -> Flag:
    return Flag(role, 0.0, 1.0, label, "", "rule", "text", "", index, coach)


def test_doubt_withdraws_only_the_flags_the_model_doubts() -> None:
    said = (utterance(REP, "What is your budget?"), utterance(REP, "How is the weather?"),
            utterance(CUSTOMER, "The weather is fine."))
    long = tuple(utterance(u.role, u.text + LONG) for u in said)
    flags = (flag("customer_question", REP, 0), flag("customer_question", REP, 1),
             flag("customer_question", CUSTOMER, 2),  # not the veto's side: kept
             flag("self_promotion", REP, 1),  # no veto for the label: kept
             flag("customer_question", REP, 1, coach="added"))  # a coach's: kept
    kept = doubted_flags(flags, said, VETO)
    assert kept == (flags[0],) + flags[2:]
    assert doubted_flags(flags, said, NO_VETO) == flags
    # A short utterance is not judged: the rule's flag stays.
    gated = Veto(VETO.labels, min_words=15)
    assert doubted_flags(flags, said, gated) == flags
    assert doubted_flags(flags, long, gated) == (flags[0],) + flags[2:]


def test_doubt_the_shipped_veto_reads_every_label_of_its_config() -> None:
    config = json.loads((VETO_DIR / "config.json").read_text(encoding="utf-8"))
    veto = load_veto()
    flags = {f for label in config["labels"].values() for f in label["flags"]}
    assert set(veto.labels) == flags
    readme = (VETO_DIR.parent / "README.md").read_text(encoding="utf-8")
    for key in config:
        if not key.startswith("_"):
            assert f"`{key}`" in readme, key


def test_doubt_the_shipped_veto_keeps_a_plain_question_and_doubts_a_pitch() -> None:
    """The shipped customer_question model on sentences written here: a discovery question
    is kept, a rep's statement about the product would be withdrawn were a rule to flag it."""
    veto = load_veto()
    assert not veto.doubts("customer_question", REP,
                           "What does your team use for invoicing today? We have been looking "
                           "at a few options for the finance people this quarter.")
    assert veto.doubts("customer_question", REP,
                       "Our platform integrates with everything and our clients love it, and "
                       "we have been the leading platform in this space for ten years.")
    assert not veto.doubts("self_promotion", REP, "We are the market leader.")  # too short


def test_doubt_the_shipped_veto_judges_asks_and_commitments() -> None:
    """From stop 33 the close's asks and the customer's commitments are judged too: a long
    description read as an ask and small talk read as a commitment are withdrawn, a plain
    long ask and commitment stay."""
    veto = load_veto()
    assert veto.doubts("ask", REP, "So the way our dashboard works is that every report is "
                       "refreshed overnight and the numbers show up in the morning.")
    assert not veto.doubts("ask", REP, "Would it make sense to set up a two week pilot with "
                           "your team next month so you can see it working?")
    assert veto.doubts("commitment", CUSTOMER, "Well the weather here has been terrible all "
                       "week and my kids have been home sick from school since Monday.")
    assert veto.doubts("next_step", CUSTOMER, "Well the weather here has been terrible all "
                       "week and my kids have been home sick from school since Monday.")
    assert not veto.doubts("commitment", CUSTOMER, "Yes, absolutely, I will sign the contract "
                           "and send it back to you by Friday so we can start the pilot.")
    assert not veto.doubts("objection", CUSTOMER, "Honestly the price is far too high for us "
                           "this year and we would never get the budget approved for this.")


def _labelled(tmp_path: Path) -> tuple[Path, Path]:
    """A labelled set of six calls from three repositories: the rep asks about the budget
    (a customer question) or talks about the weather (none)."""
    folder = tmp_path / "mine"
    folder.mkdir()
    rows, labels = ["file,rep_speaker,repo"], ["set,file,n,role,labels"]
    for i in range(6):
        name = f"c{i}.txt"
        (folder / name).write_text("Dana: What is your budget this year?\nSam: About ten.\n"
                                   "Dana: Lovely weather here today.\nSam: Yes.\n",
                                   encoding="utf-8")
        rows.append(f"{name},Dana,owner/r{i % 3}")
        labels += [f"mine,{name},0,rep,customer_question", f"mine,{name},1,customer,",
                   f"mine,{name},2,rep,", f"mine,{name},3,customer,"]
    (folder / "manifest.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    (tmp_path / "labels.csv").write_text("\n".join(labels) + "\n", encoding="utf-8")
    return folder, tmp_path / "labels.csv"


def test_doubt_training_and_held_out_on_labelled_turns(tmp_path: Path) -> None:
    folder, labels = _labelled(tmp_path)
    turns = train_veto.labelled_turns([folder], labels, tmp_path / "no-connection.csv")
    assert len(turns) == 24 and {t.source for t in turns} == {"owner/r0", "owner/r1", "owner/r2"}
    config = {"token_pattern": "[a-z']+", "max_n": 2, "min_df": 1, "C": 4.0,
              "labels": {"customer_question": {"side": REP, "flags": ["customer_question"],
                                               "threshold": 0.3}}}
    data = train_veto.fit(turns, config)
    model = train_veto.models(data, config)["customer_question"]
    from analyzer.call.linear import probability

    assert probability(model, "what is your budget") > 0.5 > probability(model, "lovely weather")
    # The rules flag both rep turns: the held-out veto withdraws the weather, keeps the budget.
    found = {t.key: {"customer_question"} for t in turns if t.role == REP}
    counts = train_veto.held_out(turns, found, config, [0.0, 0.3])
    assert counts["customer_question"][0.0]["mine"] == [6, 6, 0]
    assert counts["customer_question"][0.3]["mine"] == [6, 0, 0]
    assert "0.3: all 1.00/1.00 (6/6)" in train_veto.report(counts)


def test_doubt_training_without_sales_folders_leaves_the_model_alone() -> None:
    model = VETO_DIR / "model.json"
    before = model.read_bytes()
    with pytest.raises(SystemExit, match="no labelled turns"):
        train_veto.main([])
    assert model.read_bytes() == before


def test_doubt_a_manifest_without_repo_counts_its_folder_as_the_source(tmp_path: Path) -> None:
    folder, labels = _labelled(tmp_path)
    manifest = folder / "manifest.csv"
    manifest.write_text("\n".join(",".join(line.split(",")[:2])
                                  for line in manifest.read_text().splitlines()) + "\n")
    turns = train_veto.labelled_turns([folder], labels, tmp_path / "no-connection.csv")
    assert len(turns) == 24 and {t.source for t in turns} == {"mine"}


def test_doubt_learns_the_donation_asks_of_the_chats_tune_half_only() -> None:
    from analyzer.evaluate.closing import read_dialogues

    realdata_path("persuasion", "dialogues.csv")
    config = json.loads((VETO_DIR / "config.json").read_text(encoding="utf-8"))
    chats = train_veto.donation_turns(config)
    tune = set(sorted(read_dialogues())[0::2])
    assert {t.key[1] for t in chats} == tune and {t.source for t in chats} == {"persuasion"}
    asks = [t for t in chats if "ask" in t.gold]
    assert asks and all(t.role == REP for t in asks)
    assert all(t.labelled == {"ask", "commitment", "objection"} for t in chats)
    # The held-out loop trains on them but scores only the sales sets.
    turns = [replace(t, key=("mine", "a.txt", i), source="mine") for i, t in enumerate(asks[:4])]
    small = {**config, "min_df": 1, "labels": {"ask": config["labels"]["ask"]}}
    counts = train_veto.held_out(turns, {}, small, [0.0], always=chats)
    assert set(counts["ask"][0.0]) == {"mine"}
