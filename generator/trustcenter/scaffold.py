"""`trustcenter new` and `trustcenter init`: start from files that already pass `check`."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from datetime import date
from pathlib import Path
from string import Template

from .findings import ConfigError, error, printable
from .schema import ARTIFACT_TYPES, SLUG

SCAFFOLD = Path(__file__).parent / "scaffold"


def new_artifact(root: Path, type_name: str, artifact_id: str, title: str | None, today: date) -> Path:
    """Write a draft artifact of `type_name` at its folder; refuses to overwrite."""
    if not re.match(SLUG, artifact_id):
        raise ConfigError([error("<command line>", 1, "id-not-slug",
                                 f"'{artifact_id}' is not a valid id: use lower-case letters and "
                                 "digits joined by single hyphens")])
    artifact_type = ARTIFACT_TYPES[type_name]
    path = root / artifact_type.folder / f"{artifact_id}.md"
    if path.exists():
        raise ConfigError([error(path.relative_to(root).as_posix(), 1, "artifact-exists",
                                      "an artifact with this id already exists")])
    template = Template((SCAFFOLD / "artifacts" / f"{type_name}.md").read_text(encoding="utf-8"))
    title = title or artifact_id.replace("-", " ").capitalize()
    if not title.strip() or any(unicodedata.category(character) == "Cc" for character in title):
        raise ConfigError([error("<command line>", 1, "usage",
                                 f"--title '{printable(title)}': a title is one line of text, "
                                 "without control characters")])
    text = template.substitute(
        title=json.dumps(title, ensure_ascii=False)[1:-1],  # JSON escapes are YAML's, inside "…"
        today=today.isoformat(),
        review=date(today.year + 1, today.month, min(today.day, 28)).isoformat(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def init_trust_center(directory: Path, today: date) -> None:
    """A new trust-center repository: configuration, folders, a home page and a first draft."""
    if directory.exists() and not directory.is_dir():
        raise ConfigError([error(str(directory), 1, "init-not-folder", "the path exists and is not a folder")])
    if directory.exists() and any(directory.iterdir()):
        raise ConfigError([error(str(directory), 1, "init-not-empty",
                                 "the directory exists and is not empty")])
    shutil.copytree(SCAFFOLD / "repository", directory, dirs_exist_ok=True)
    for artifact_type in ARTIFACT_TYPES.values():
        (directory / artifact_type.folder).mkdir(parents=True, exist_ok=True)
    home = directory / "content" / "pages" / "home.md"   # a draft, dated today, like `new` writes
    home.write_text(Template(home.read_text(encoding="utf-8")).substitute(today=today.isoformat()),
                    encoding="utf-8")
    new_artifact(directory, "policy", "ai-acceptable-use", "AI acceptable use policy", today)
