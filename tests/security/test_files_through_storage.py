"""Files go through Django's Storage API only (`save`, `open`, `exists`, `delete`, `listdir`), never
a local path of the storage: with ATC_STORAGE=s3 there is none, and a path would work on one machine
and fail on the others. Reads the project's code (not the tests, whose local storage is a folder)."""

import os
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED = {".git", ".venv", "node_modules", "tests", "var"}
FORBIDDEN = {
    "a storage's local path (storage.path)": re.compile(r"storage\s*\.\s*path\s*\("),
    "a file field's local path (.file.path)": re.compile(r"\.file\s*\.\s*path\b"),
    "the media folder (MEDIA_ROOT), outside the settings": re.compile(r"\bMEDIA_ROOT\b"),
}
SETTINGS = ROOT / "atc" / "settings.py"


def local_paths(source: str, *, settings_file: bool = False) -> list[str]:
    """What in this code reaches stored files by a local path: one line per finding."""
    found = []
    for number, line in enumerate(source.splitlines(), start=1):
        for reason, pattern in FORBIDDEN.items():
            if settings_file and "MEDIA_ROOT" in reason:
                continue
            if pattern.search(line):
                found.append(f"{number}: {reason}: {line.strip()}")
    return found


def _project_python():
    for folder, subfolders, files in os.walk(ROOT):
        subfolders[:] = [name for name in subfolders if name not in SKIPPED]
        for name in files:
            if name.endswith(".py"):
                yield Path(folder) / name


def test_no_project_code_reaches_a_stored_file_by_a_local_path():
    findings = [
        f"{path.relative_to(ROOT)}:{finding}"
        for path in _project_python()
        for finding in local_paths(path.read_text(encoding="utf-8"), settings_file=path == SETTINGS)
    ]
    assert findings == []


def test_the_reading_finds_each_way_of_reaching_a_local_path():
    source = "\n".join(
        [
            "final = Path(default_storage.path(name))",
            "os.replace(temporary, report.file.path)",
            "folder = settings.MEDIA_ROOT / 'reports'",
            "with default_storage.open(name, 'rb') as handle:",
        ]
    )
    assert [finding.split(":")[0] for finding in local_paths(source)] == ["1", "2", "3"]
