"""The control map: which published artifacts evidence which reference controls."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from . import yamlsource
from .findings import Finding, error
from .load import Artifact

CATALOGUE_FILE = Path(__file__).with_name("controls.yml")


@dataclass(frozen=True)
class Control:
    framework: str         # "ISO42001"
    framework_name: str    # "ISO/IEC 42001:2023 Annex A"
    number: str            # "A.10.4"
    name: str
    description: str
    group: str             # "A.10"
    group_name: str
    always_shown: bool = True   # on the control map even when nothing cites it

    @property
    def reference(self) -> str:
        return f"{self.framework}:{self.number}"


@lru_cache(maxsize=1)
def catalogue() -> dict[str, Control]:
    """Every known control, by reference (ISO42001:A.10.4), in the standard's order."""
    data = yamlsource.load_data_file(CATALOGUE_FILE)
    controls = {}
    for framework, spec in data["frameworks"].items():
        groups = spec["groups"]
        for number, control in spec["controls"].items():
            # The longest group the number falls under: A.6.2.4 is in A.6, CC6.1 in CC6.
            group = max((g for g in groups if number.startswith(g + ".")), key=len)
            controls[f"{framework}:{number}"] = Control(framework, spec["name"], number, control["name"],
                                                         control["description"], group, groups[group],
                                                         spec.get("shown", "always") == "always")
    return controls


def control_findings(artifact: Artifact) -> list[Finding]:
    known = catalogue()
    return [error(artifact.path, artifact.line_of("controls", i), "control-unknown",
                  f"'{reference}' is not a known control (e.g. ISO42001:A.10.4; the control map lists them)")
            for i, reference in enumerate(artifact.meta.controls) if reference not in known]
