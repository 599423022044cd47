"""The turn-by-turn scoring of the labels on sales conversations (``analyzer.evaluate.sales``),
on a conversation written here: the real ones are not in the repository."""

from __future__ import annotations

from pathlib import Path

from conftest import write_sales_folder

from analyzer.evaluate.sales import main

# A conversation of two turns: one question of the rep's, the customer's short answer.
INVOICING = "Dana: What does your team use for invoicing today?\nSam: Spreadsheets.\n"


def test_evaluate_sales_scores_a_folder_turn_by_turn(tmp_path: Path, capsys) -> None:
    folder = write_sales_folder(tmp_path / "mine", {"a.txt": ("Dana", (
        "Dana: Thanks for jumping on. What does your team use for invoicing today?\n"
        "Sam: Spreadsheets. Honestly, $900 a month is above what we were expecting.\n"
        "Dana: Would Thursday at 2pm work for a follow-up call?\n"
        "Sam: Friday at 10 works.\n"))})
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\nmine,a.txt,0,rep,customer_question\n"
                      "mine,a.txt,1,customer,objection:price\nmine,a.txt,2,rep,ask\n"
                      "mine,a.txt,3,customer,commitment\n"
                      # b.txt is in the other half of the set, not in this folder.
                      "mine,b.txt,0,rep,ask\n", encoding="utf-8")
    assert main([str(folder), "--labels", str(labels), "--errors"]) == 0
    out = capsys.readouterr().out
    assert "mine: 1 conversations, 4 turns" in out
    rows = {line.split()[0]: line.split()[1:] for line in out.splitlines()
            if len(line.split()) == 7}
    for label in ("customer_question", "ask", "objection", "commitment"):
        assert rows[label][:2] == ["1.000", "1.000"], (label, out)
    assert "objection kind right where both found one: 1/1" in out


def test_evaluate_sales_scores_each_calls_agreed_next_step(tmp_path: Path, capsys) -> None:
    folder = write_sales_folder(tmp_path / "mine", {
        "a.txt": ("Dana", "Dana: Would Thursday at 2pm work for a follow-up call with your CFO?\n"
                          "Sam: Yes, Thursday at 2pm works.\n"),
        "b.txt": ("Dana", INVOICING)})
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\nmine,a.txt,0,rep,ask\n", encoding="utf-8")
    steps = tmp_path / "next_steps.csv"
    # The reader says b.txt ended agreed too (on its turn 1): one call right, one missed.
    steps.write_text("set,file,split,next_step_agreed,has_time,step_turn,agree_turn\n"
                     "mine,a.txt,test,yes,yes,0,1\nmine,b.txt,test,yes,no,1,1\n",
                     encoding="utf-8")
    assert main([str(folder), "--labels", str(labels), "--next-steps", str(steps),
                 "--errors"]) == 0
    out = capsys.readouterr().out
    assert ("next step agreed right (test): 1/2 calls (2 agreed by hand); said agreed wrongly 0,"
            " missed 1; the step shown on the readers' turn 1/1, within 2 turns 1/1") in out, out
    assert "next step mine/b.txt: hand yes (turns 1), found -1: ''" in out


def test_evaluate_sales_skips_a_folder_without_labels(tmp_path: Path, capsys) -> None:
    (tmp_path / "manifest.csv").write_text("file,rep_speaker\n", encoding="utf-8")
    assert main([str(tmp_path)]) == 0
    assert "skipped" in capsys.readouterr().out


def test_evaluate_sales_no_veto_scores_the_rules_alone(tmp_path: Path, capsys) -> None:
    folder = write_sales_folder(tmp_path / "mine", {"a.txt": ("Dana", INVOICING)})
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\nmine,a.txt,0,rep,customer_question\n"
                      "mine,a.txt,1,customer,\n", encoding="utf-8")
    assert main([str(folder), "--labels", str(labels), "--no-veto"]) == 0
    rows = {line.split()[0]: line.split()[1:] for line in capsys.readouterr().out.splitlines()
            if len(line.split()) == 7}
    assert rows["customer_question"][:2] == ["1.000", "1.000"]


def test_evaluate_sales_check_says_whether_a_rebuilt_folder_lines_up(tmp_path: Path,
                                                                      capsys) -> None:
    sources = tmp_path / "sources.csv"
    sources.write_text("set,file,rep_speaker,customer_speaker,repo,path,turns\n"
                       "mine,a.txt,Dana,Sam,owner/repo,calls/a.md,3\n", encoding="utf-8")
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\nmine,a.txt,0,rep,\nmine,a.txt,1,customer,\n"
                      "mine,a.txt,2,rep,ask\n", encoding="utf-8")
    folder = tmp_path / "mine"
    folder.mkdir()
    (folder / "a.txt").write_text("Dana: Hi Sam.\nSam: Hi.\nDana: Shall we start a pilot?\n",
                                  encoding="utf-8")
    args = [str(folder), "--check", "--sources", str(sources), "--labels", str(labels)]
    assert main(args) == 0
    assert "every conversation lines up" in capsys.readouterr().out
    assert (folder / "manifest.csv").read_text(encoding="utf-8") == "file,rep_speaker\na.txt,Dana\n"
    # Two turns of one side joined and the rep's last line given to the buyer.
    (folder / "a.txt").write_text("Dana: Hi Sam.\nSam: Hi. Shall we start a pilot?\n",
                                  encoding="utf-8")
    assert main(args) == 1
    out = capsys.readouterr().out
    assert "2 turns, sources.csv says 3" in out
    (folder / "a.txt").unlink()
    assert main(args) == 1 and "missing" in capsys.readouterr().out


def test_evaluate_sales_leaves_out_a_call_mostly_not_in_english(tmp_path: Path, capsys) -> None:
    """`real9` holds a Dutch call nobody labelled: the product refuses it, the scoring says so
    and scores the rest."""
    folder = write_sales_folder(tmp_path / "mine", {
        "a.txt": ("Dana", INVOICING),
        "nl.txt": ("Lukas", "Lukas: Ik ga een korte voorstelling doen, als dat goed is.\n"
                            "Broes: Het is op onze site, maar ik denk dat het beter kan.\n")})
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\nmine,a.txt,0,rep,customer_question\n"
                      "mine,a.txt,1,customer,\n", encoding="utf-8")
    assert main([str(folder), "--labels", str(labels)]) == 0
    captured = capsys.readouterr()
    assert "left out " in captured.err and "nl.txt: not in English: 2 of 2" in captured.err
    rows = {line.split()[0]: line.split()[1:] for line in captured.out.splitlines()
            if len(line.split()) == 7}
    assert rows["customer_question"][:2] == ["1.000", "1.000"]


def test_evaluate_sales_scores_each_utterances_phase(tmp_path: Path, capsys) -> None:
    folder = write_sales_folder(tmp_path / "mine", {"a.txt": ("Dana", (
        "Dana: Hi Sam, how are you?\nSam: Good, thanks.\n"
        "Dana: What does your team use for invoicing today?\nSam: Spreadsheets.\n"
        "Dana: Would Thursday at 2pm work for a follow-up call?\nSam: Thursday works.\n"))})
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\nmine,a.txt,0,rep,\n", encoding="utf-8")
    # The reader hears the customer's answer as presentation: five of six turns agree.
    phases = tmp_path / "phases.csv"
    phases.write_text("set,file,split,turn,phase\nmine,a.txt,test,0,opening\n"
                      "mine,a.txt,test,2,discovery\nmine,a.txt,test,3,presentation\n"
                      "mine,a.txt,test,4,next_steps\n", encoding="utf-8")
    assert main([str(folder), "--labels", str(labels), "--phases", str(phases),
                 "--errors"]) == 0
    out = capsys.readouterr().out
    assert "utterances in the right phase (test): 5/6 = 0.833 (target 0.80)" in out, out
    assert ("per phase (precision, recall): discovery 0.50/1.00 (n=1), next_steps 1.00/1.00 "
            "(n=2), opening 1.00/1.00 (n=2), presentation 0.00/0.00 (n=1)") in out
    assert "readers -> found (commonest mistakes): presentation->discovery 1" in out
    assert ("phases mine/a.txt: 5/6; readers opening@0 discovery@2 presentation@3 "
            "next_steps@4; found opening@0 discovery@2 next_steps@4") in out
    # Discovery came first for both; words per turn 5, 2, 8, 1, 9, 2 (27 in all).
    assert ("presented before discovery: right on 1/1 calls (readers say yes on 0, found yes "
            "on 0, 0 of them right)") in out
    assert ("share of the words in each phase (readers/found): opening 0.26/0.26, discovery "
            "0.30/0.33, presentation 0.04/0.00, pricing 0.00/0.00, objection 0.00/0.00, "
            "next_steps 0.41/0.41") in out


def test_evaluate_sales_by_rule_counts_each_rules_right_and_wrong_turns(tmp_path: Path,
                                                                       capsys) -> None:
    """The question about the customer is right (labelled); the same rule's flag on a turn
    labelled otherwise is wrong."""
    folder = write_sales_folder(tmp_path / "mine", {"a.txt": ("Dana", (
        "Dana: What does your team use for invoicing today?\nSam: Spreadsheets.\n"
        "Dana: What do you use for payroll?\nSam: A service.\n"))})
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\nmine,a.txt,0,rep,customer_question\n"
                      "mine,a.txt,1,customer,\nmine,a.txt,2,rep,\nmine,a.txt,3,customer,\n",
                      encoding="utf-8")
    assert main([str(folder), "--labels", str(labels), "--by-rule"]) == 0
    rows = [line.split() for line in capsys.readouterr().out.splitlines()
            if line.startswith("  rule customer_question")]
    assert [(r[4], r[6]) for r in rows] == [("1", "1")], rows


def test_evaluate_sales_veto_held_out_learns_only_from_the_tune_part(tmp_path: Path,
                                                                       capsys) -> None:
    """The shipped veto learned from sets that are now the test part; scored with
    ``--veto-held-out`` the test part is judged by a veto trained on the tune part alone."""
    tune = write_sales_folder(tmp_path / "early", {"a.txt": ("Dana", EVERY_LABEL)})
    test = write_sales_folder(tmp_path / "late", {"b.txt": ("Dana", INVOICING)})
    labels = tmp_path / "labels.csv"
    labels.write_text("set,file,n,role,labels\n" + "".join(
        f"early,a.txt,{n},{'rep' if n % 2 == 0 else 'customer'},{said}\n"
        for n, said in enumerate(("customer_question", "objection:price", "self_promotion",
                                  "", "pushy", "commitment", "ask", "", "")))
        + "late,b.txt,0,rep,customer_question\nlate,b.txt,1,customer,\n", encoding="utf-8")
    connection = tmp_path / "connection.csv"
    connection.write_text("set,file,n,role,labels\n"
                          "early,a.txt,8,rep,acknowledgement;follow_up_question\n",
                          encoding="utf-8")
    steps = tmp_path / "next_steps.csv"
    steps.write_text("set,file,split,next_step_agreed,has_time,step_turn,agree_turn\n"
                     "early,a.txt,tune,no,no,,\nlate,b.txt,test,no,no,,\n", encoding="utf-8")
    assert main([str(tune), str(test), "--labels", str(labels), "--connection",
                 str(connection), "--next-steps", str(steps), "--veto-held-out"]) == 0
    out = capsys.readouterr().out
    assert "sales veto trained afresh on the tune part: early\n" in out
    assert "late: 1 conversations, 2 turns" in out


# One turn for each label the veto judges, each side's other turns saying none of it.
EVERY_LABEL = (
    "Dana: What does your team use for invoicing today?\n"
    "Sam: Spreadsheets, and the price of new tools is too high for us.\n"
    "Dana: We are the fastest invoicing platform on the market.\n"
    "Sam: Okay.\n"
    "Dana: This price ends Friday, so sign today.\n"
    "Sam: I will talk to my boss about the price tomorrow.\n"
    "Dana: Would it make sense to set up a pilot with your team next week?\n"
    "Sam: Sure.\n"
    "Dana: That's great to hear, so why was the price too high for your team?\n")
