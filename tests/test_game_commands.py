"""``sopcourse game``: the instructor's commands for a class's team games."""

from __future__ import annotations

import subprocess
import sys

import pandas as pd

from sopcourse.cli import main
from sopcourse.game.store import GameStore


def test_an_instructor_starts_two_teams_closes_a_month_and_lists_the_teams(tmp_path, capsys):
    db = tmp_path / "class.sqlite"
    assert main(["game", "new", str(db), "--team", "A", "--team", "B", "--seed", "7",
                 "--months", "2"]) == 0  # fmt: skip
    out = capsys.readouterr().out
    store = GameStore(db)
    games = store.games()
    assert [g["name"] for g in games] == ["A", "B"] and {g["seed"] for g in games} == {7}
    assert all(g["game_id"] in out for g in games)
    store.join(games[0]["game_id"], "finance", "chen")
    assert main(["game", "status", str(db)]) == 0
    out = capsys.readouterr().out
    assert "month 1 of 2 open" in out and "finance=chen" in out
    assert main(["game", "close", str(db), games[0]["game_id"]]) == 0
    assert "closed 2026-01" in capsys.readouterr().out
    assert store.status(games[0]["game_id"])["month_index"] == 1
    csv = tmp_path / "teams.csv"
    assert main(["game", "teams", str(db), "--csv", str(csv)]) == 0
    table = pd.read_csv(csv, index_col="game_id")
    assert list(table["team"]) == ["A", "B"] and list(table["months"]) == [1, 0]
    assert table.loc[games[0]["game_id"], "profit_gap_to_chase"] == (
        table.loc[games[0]["game_id"], "profit"] - table.loc[games[0]["game_id"], "chase_profit"]
    )


def test_a_wrong_game_id_is_a_message_and_exit_code_2(tmp_path, capsys):
    db = tmp_path / "class.sqlite"
    assert main(["game", "new", str(db), "--team", "A"]) == 0
    assert main(["game", "close", str(db), "nope"]) == 2
    assert "no game 'nope'" in capsys.readouterr().err


def test_the_command_line_does_not_import_the_game_until_a_game_command_runs():
    code = ("import sys; from sopcourse.cli import build_parser; build_parser(); "
            "print('sopcourse.game' in sys.modules)")  # fmt: skip
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
