"""`ngo-bot sandbox --script`: the whole bot in a terminal, with no token and no network."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import _report_mistakes

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"


def sandbox(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )


def test_first_contact_script_answers_in_kazakh(tmp_path):
    result = sandbox("--script", str(EXAMPLES / "first-contact.txt"), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    transcript = result.stdout
    assert "> /start" in transcript
    assert "[1] Қазақша" in transcript
    assert "Сәлеметсіз бе" in transcript
    assert "Мен не істей аламын" in transcript
    assert "Traceback" not in result.stderr


def test_a_missing_button_fails_the_run_and_names_what_was_there(tmp_path):
    script = tmp_path / "broken.txt"
    script.write_text("/start\n[Deutsch]\n", encoding="utf-8")
    result = sandbox("--script", str(script), "--lang", "en", cwd=tmp_path)
    assert result.returncode != 0
    assert "[Deutsch]" in result.stderr
    assert "[Қазақша]" in result.stderr and "[English]" in result.stderr


@pytest.mark.parametrize("script", sorted(p.name for p in EXAMPLES.glob("*.txt")))
def test_every_shipped_example_runs(tmp_path, script):
    result = sandbox(
        "--script", str(EXAMPLES / script), "--db", str(tmp_path / "s.db"), cwd=tmp_path
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


def test_a_script_fails_when_the_bot_sent_what_telegram_refuses(capsys):
    class World:
        def mistakes(self):
            return ["answerCallbackQuery: Bad Request: query is too old"]

    assert _report_mistakes(World()) == 1
    assert "answerCallbackQuery" in capsys.readouterr().err
