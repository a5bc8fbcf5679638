"""DESIGN.md's import rules: conditioning imports none of ours; generators and eval never import each other;
app talks to studio only; studio never imports finetune."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OURS = {"studio", "conditioning", "generators", "finetune", "eval", "app"}
ALLOWED = {
    "conditioning": {"conditioning"},
    "generators": {"generators", "conditioning"},
    "eval": {"eval", "conditioning"},
    "finetune": {"finetune", "conditioning", "generators", "eval"},
    "studio": {"studio", "conditioning", "generators", "eval"},
    "app": {"app", "studio"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module.split(".")[0])
    return found & OURS


def test_every_layer_imports_only_what_design_allows():
    violations = []
    for layer, allowed in ALLOWED.items():
        for path in (ROOT / layer).rglob("*.py"):
            bad = imported_packages(path) - allowed
            if bad:
                violations.append(f"{path.relative_to(ROOT)} imports {sorted(bad)}")
    assert not violations, violations
