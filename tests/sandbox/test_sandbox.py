"""`ngo-bot sandbox --script`: the whole bot in a terminal, with no token and no network.

Every example runs in Kazakh, Russian and English and must print its golden
transcript (see tests/sandbox/golden.py for regenerating them).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot.sandbox import _report_mistakes
from tests.sandbox.golden import (
    EXAMPLES,
    LANGUAGES,
    PINNED_NOW,
    golden_path,
    mask,
    updating,
)

SCRIPTS = Path(__file__).resolve().parent / "scripts"
EXAMPLE_NAMES = sorted(p.name for p in EXAMPLES.glob("*.txt"))
KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")


def sandbox(*args: str, cwd: Path, env: dict[str, str] | None = None):
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "DATABASE_"))}
    return subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", *args],
        cwd=cwd,
        env=clean | (env or {}),
        capture_output=True,
        text=True,
        timeout=600,
    )


def run_example(script: str, lang: str, tmp_path: Path, env: dict[str, str] | None = None) -> str:
    result = sandbox(
        "--script",
        str(EXAMPLES / script),
        "--lang",
        lang,
        "--db",
        str(tmp_path / "s.db"),
        "--now",
        PINNED_NOW,
        cwd=tmp_path,
        env=env,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    assert "Traceback" not in result.stderr
    return result.stdout


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("script", EXAMPLE_NAMES)
def test_every_example_prints_its_golden_transcript(tmp_path, script, lang):
    transcript = mask(run_example(script, lang, tmp_path))
    golden = golden_path(script, lang)
    if updating():
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(transcript, encoding="utf-8")
    assert golden.exists(), f"no {golden.name}: run with UPDATE_GOLDEN=1 and commit it"
    assert transcript == golden.read_text(encoding="utf-8")


def test_a_slow_telegram_gives_the_same_transcript(tmp_path):
    """Every request to the emulator takes 50-250 ms more: the runner waits for the
    bot to finish, not for a pause, so the broadcast and its delivery still show."""
    slow = {"NGO_BOT_SANDBOX_LATENCY": "0.05,0.25"}
    transcript = mask(run_example("broadcast.txt", "kk", tmp_path, env=slow))
    assert transcript == golden_path("broadcast.txt", "kk").read_text(encoding="utf-8")


def _bot_lines(transcript: str) -> list[str]:
    """What the bot showed: its messages and their buttons, not what people typed."""
    lines, bot_speaking = [], False
    for line in transcript.splitlines():
        if line.startswith(("> ", "── ")):
            bot_speaking = False
        elif line.startswith(("< ", "! ", "!! ")):
            bot_speaking = True
        if bot_speaking:
            lines.append(line)
    return lines


@pytest.mark.parametrize("script", EXAMPLE_NAMES)
def test_the_kazakh_transcript_is_kazakh(script):
    transcript = golden_path(script, "kk").read_text(encoding="utf-8")
    shown = _bot_lines(transcript)
    assert sum(bool(KAZAKH_LETTERS.search(line)) for line in shown) > len(shown) / 3
    buttons = {cell for line in shown for cell in re.findall(r"\[\d+\] (.+?)(?=   \[|$)", line)}
    # "> [⬅️ Артқа] (⬅️ Back)": the script's English label, pressed in Kazakh.
    translated = set(re.findall(r"^> \[.+\] \((.+)\)$", transcript, re.M))
    pressed = re.findall(r"^\[(.+)\]$", (EXAMPLES / script).read_text(encoding="utf-8"), re.M)
    assert bool(translated) == bool(pressed)
    assert not translated & buttons


def test_first_contact_answers_in_kazakh(tmp_path):
    transcript = run_example("first-contact.txt", "kk", tmp_path)
    assert "> /start" in transcript
    assert "[1] Қазақша" in transcript
    assert "> [Қазақша]" in transcript
    assert "Сәлеметсіз бе" in transcript
    assert "Мен не істей аламын" in transcript


def test_a_missing_button_fails_the_run_and_names_what_was_there(tmp_path):
    script = tmp_path / "broken.txt"
    script.write_text("/start\n[Deutsch]\n", encoding="utf-8")
    result = sandbox("--script", str(script), "--lang", "en", cwd=tmp_path)
    assert result.returncode != 0
    assert "broken.txt:2:" in result.stderr and "[Deutsch]" in result.stderr
    assert "[Қазақша]" in result.stderr and "[English]" in result.stderr


def test_every_kind_of_line(tmp_path):
    result = sandbox("--script", str(SCRIPTS / "everything.txt"), "--lang", "ru", cwd=tmp_path)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    lines = result.stdout.splitlines()
    # Digits are typed text: a BIN, "0" and "1" reach the bot as messages.
    for typed in ("1", "0", "940140000385"):
        assert f"> {typed}" in lines
    assert "> [🏢 Зарегистрировать организацию]" in lines  # [1]: the first button
    # The refused press shows its alert.
    assert any(line.startswith("!! ") for line in lines), result.stdout
    for shown in (
        "> 📍 43.238 76.946",
        "> 👤 contact +77011234567",
        "> 🎤 voice 3 s",
        "> ⏺ video note 5 s",
        "> 📎 charter.pdf Our charter",
        "> as written",
        "… 1d later",
        "> 🔗 t.me/ngo_sandbox_bot?start=join_nobody",
    ):
        assert shown in lines, result.stdout


def test_a_script_fails_when_the_bot_sent_what_telegram_refuses(capsys):
    class World:
        def mistakes(self):
            return ["answerCallbackQuery: Bad Request: query is too old"]

    assert _report_mistakes(World()) == 1
    assert "answerCallbackQuery" in capsys.readouterr().err
