"""The doors between areas, as import-linter contracts (pyproject.toml): no area imports another area's
models to read or write its tables; it calls that area's queries.py or service.py. A new shortcut fails
here as in CI."""

import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _lint_imports() -> str:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which(
        "lint-imports"
    )
    assert found, "import-linter is a test dependency: pip install -e '.[test]'"
    return found


def test_every_area_with_tables_is_guarded_by_a_contract():
    contracts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    protected = {m for c in contracts if c["type"] == "protected" for m in c["protected_modules"]}
    areas = {p.parent.name for p in (ROOT / "coordination").glob("*/models.py")}
    assert protected == {f"coordination.{area}.models" for area in areas}
    for contract in contracts:
        if contract["type"] == "protected":
            area = re.match(r"coordination\.(\w+)\.models", contract["protected_modules"][0]).group(1)
            assert contract["allowed_importers"] == [f"coordination.{area}", "coordination.models"]


def test_areas_meet_only_through_their_doors():
    result = subprocess.run([_lint_imports()], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    assert " 0 broken" in result.stdout
