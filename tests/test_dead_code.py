"""No dead code in the product packages: vulture, configured in pyproject's
[tool.vulture], finds nothing beyond vulture_allowlist.py (each name there with its reason)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def vulture(*paths: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "vulture", *paths],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )


def test_the_product_has_no_dead_code() -> None:
    result = vulture()
    assert (result.returncode, result.stdout) == (0, ""), (
        "vulture found dead code: remove it, or add the name to vulture_allowlist.py "
        "with the reason it is used\n" + result.stdout + result.stderr
    )


def test_a_forgotten_function_is_found(tmp_path: Path) -> None:
    # The same configuration (decorators ignored, confidence) still sees a plain dead function.
    module = tmp_path / "forgotten.py"
    module.write_text("def forgotten_helper():\n    return 1\n", encoding="utf-8")
    result = vulture("vulture_allowlist.py", str(module))
    assert result.returncode == 3
    assert "unused function 'forgotten_helper'" in result.stdout
