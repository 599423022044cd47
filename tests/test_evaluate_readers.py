"""Two readers' agreement on the sales sets' labels, and the flags against each reader
(``analyzer.evaluate.readers``), on labels and a conversation written here."""

from __future__ import annotations

from pathlib import Path

from conftest import write_sales_folder

from analyzer.evaluate.readers import main

HEADER = "set,file,n,role,labels\n"


def _write(path: Path, rows: str) -> str:
    path.write_text(HEADER + rows, encoding="utf-8")
    return str(path)


def _rows(out: str) -> dict[str, str]:
    return {line.split()[0]: line for line in out.splitlines() if line.startswith(
        ("customer_question", "ask", "acknowledgement"))}


def test_evaluate_readers_second_reader_scored_against_the_first(tmp_path: Path,
                                                                  capsys) -> None:
    # Four rep turns: the first reader hears questions about the customer in turns 0 and 2,
    # the second only in turn 0 (P 1.00, R 0.50; agreement 3 of 4, chance 0.5: kappa 0.50).
    first = _write(tmp_path / "first.csv", "mine,a.txt,0,rep,customer_question\n"
                   "mine,a.txt,1,customer,\nmine,a.txt,2,rep,customer_question;ask\n"
                   "mine,a.txt,3,customer,\nmine,a.txt,4,rep,\nmine,a.txt,5,customer,\n"
                   "mine,a.txt,6,rep,\n")
    second = _write(tmp_path / "second.csv", "mine,a.txt,0,rep,customer_question\n"
                    "mine,a.txt,1,customer,\nmine,a.txt,2,rep,ask\nmine,a.txt,3,customer,\n"
                    "mine,a.txt,4,rep,\nmine,a.txt,5,customer,\nmine,a.txt,6,rep,\n")
    none = str(tmp_path / "absent.csv")  # no connection labels: those labels not compared
    assert main(["--first", first, none, "--second", second, none]) == 0
    rows = _rows(capsys.readouterr().out)
    assert "4 items, yes 2 / 1, both 1, kappa 0.50" in rows["customer_question"]
    assert rows["customer_question"].endswith("1.00 / 0.50")
    assert rows["ask"].endswith("1.00 / 1.00")
    assert "acknowledgement" not in rows


def test_evaluate_readers_flags_against_each_reader(tmp_path: Path, capsys) -> None:
    folder = write_sales_folder(tmp_path / "mine", {"a.txt": ("Dana", (
        "Dana: What does your team use for invoicing today?\nSam: Spreadsheets.\n"
        "Dana: Does Thursday at 2pm work for a demo?\nSam: Sure.\n"))})
    first = _write(tmp_path / "first.csv", "mine,a.txt,0,rep,customer_question\n"
                   "mine,a.txt,1,customer,\nmine,a.txt,2,rep,\nmine,a.txt,3,customer,\n")
    # The second reader also counts the scheduling question: the readers disagree on turn 2,
    # which the last column leaves out.
    second = _write(tmp_path / "second.csv", "mine,a.txt,0,rep,customer_question\n"
                    "mine,a.txt,1,customer,\nmine,a.txt,2,rep,customer_question\n"
                    "mine,a.txt,3,customer,\n")
    none = str(tmp_path / "absent.csv")
    # A folder without its manifest is skipped with a line; the other is still scored.
    assert main([str(folder), str(tmp_path / "other"), "--first", first, none, "--second",
                 second, none]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'other'}: no manifest.csv, skipped" in out.splitlines()
    row = _rows(out)["customer_question"]
    assert row.split()[-12:] == ["0.50", "/", "1.00", "1.00", "/", "1.00", "1.00", "/", "0.50",
                                 "1.00", "/", "1.00"], row


def test_evaluate_readers_shipped_second_reading_lines_up_with_the_first(capsys) -> None:
    from analyzer.evaluate.language_real import read_rows
    from analyzer.evaluate.readers import SECOND_CONNECTION, SECOND_LABELS
    from analyzer.evaluate.sales import CONNECTION_PATH, LABELS_PATH

    for second, first in ((SECOND_LABELS, LABELS_PATH), (SECOND_CONNECTION, CONNECTION_PATH)):
        sides = {(r["set"], r["file"], r["n"]): r["role"] for r in read_rows(first)}
        rows = read_rows(second)
        assert {r["set"] for r in rows} == {"real4", "real5", "real7", "real10"}
        assert all(sides[(r["set"], r["file"], r["n"])] == r["role"] for r in rows)
    assert main([]) == 0
    rows = _rows(capsys.readouterr().out)
    # 559 rep turns read twice, for the sales labels and apart for the connection ones.
    assert "559 items" in rows["ask"] and "559 items" in rows["acknowledgement"]


def test_evaluate_readers_two_readings_of_the_next_step(tmp_path: Path, capsys) -> None:
    # Three calls read twice: the readings agree that a.txt and c.txt end agreed (their steps
    # one turn apart in a.txt, five in c.txt) and disagree on b.txt. Agreement 2 of 3, yes 2
    # and 3 of 3: chance (2*3 + 1*0) / 9, kappa 0.00.
    head = "set,file,split,next_step_agreed,has_time,step_turn,agree_turn\n"
    first = tmp_path / "steps.csv"
    first.write_text(head + "mine,a.txt,tune,yes,yes,8,9\nmine,b.txt,test,no,no,,\n"
                     "mine,c.txt,test,yes,no,20,\n", encoding="utf-8")
    second = tmp_path / "second_steps.csv"
    second.write_text(head + "mine,a.txt,tune,yes,yes,10,10\nmine,b.txt,test,yes,no,4,5\n"
                      "mine,c.txt,test,yes,no,25,25\n", encoding="utf-8")
    none = str(tmp_path / "absent.csv")
    labels = _write(tmp_path / "first.csv", "mine,a.txt,0,rep,\n")
    assert main(["--first", labels, none, "--second", labels, none,
                 "--next-steps", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "next step agreed, two readings (all): 3 items, yes 2 / 3, both 2, kappa 0.00" in out
    assert "next step agreed, two readings (test): 2 items, yes 1 / 2, both 1" in out
    assert "where both say agreed, their steps within 2 turns: 1/2" in out


def test_evaluate_readers_two_readings_of_the_phases(tmp_path: Path, capsys) -> None:
    # A shipped call of 20 turns (its length from sources.csv): the readings differ on turns 2
    # and 3 only. 18 of 20 the same; chance (4*2 + 11*13 + 5*5) / 400 = 0.44: kappa 0.82.
    row = "sales1,01_tribeai_cold-call-success.txt,tune,"
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(f"set,file,split,turn,phase\n{row}0,opening\n{row}4,discovery\n"
                     f"{row}15,next_steps\n", encoding="utf-8")
    second.write_text(f"set,file,split,turn,phase\n{row}0,opening\n{row}2,discovery\n"
                      f"{row}15,next_steps\n", encoding="utf-8")
    assert main(["--phases", str(first), str(second)]) == 0
    out = capsys.readouterr().out
    assert "phases, two readings (tune): 18/20 turns the same (0.90), kappa 0.82" in out, out
    assert "phases, two readings (all): 18/20" in out and "(test)" not in out.split("phases,")[-1]


def test_evaluate_readers_shipped_phase_readings(capsys) -> None:
    """The two shipped cuts of the 149 sales calls into phases, turn by turn (each call's
    length from sources.csv)."""
    assert main([]) == 0
    out = capsys.readouterr().out
    assert "phases, two readings (all): 8184/8498 turns the same (0.96), kappa 0.95" in out
