"""Layering rules (STYLE.md rule 1) as import-linter contracts, and file-size hygiene."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_import_contracts_hold() -> None:
    lint = Path(sys.executable).with_name("lint-imports")
    result = subprocess.run([str(lint), "--config", str(ROOT / "setup.cfg")], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken" not in result.stdout.lower().replace("0 broken", "")


def test_every_core_module_says_what_it_owns() -> None:
    missing = [str(path.relative_to(ROOT)) for path in (ROOT / "core").rglob("*.py")
               if path.stat().st_size and not path.read_text(encoding="utf-8").lstrip()
               .startswith(('"""', 'r"""'))]
    assert not missing, f"modules without a docstring: {missing}"
