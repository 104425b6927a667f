"""The Nu HTML checker (vnu.jar, from the npm package `vnu-jar` pinned in package.json), run on Debian's
Java. `scripts/system-deps.sh test` installs both; a missing one fails the test with what to run."""

import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

ROOT = Path(__file__).resolve().parents[2]
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


@dataclass(frozen=True)
class NuMessage:
    file: Path
    line: int | None
    message: str
    extract: str

    def __str__(self) -> str:
        where = f"line {self.line}" if self.line else "document"
        extract = " ".join(self.extract.split())[:160]
        return f"{where}: {self.message} — …{extract}…"


def missing_tool() -> str | None:
    """What is missing to run the checker, said as the command that installs it; None when ready."""
    if shutil.which("java") is None:
        return "Java is missing: run `scripts/system-deps.sh test` as root (Debian's default-jre-headless)."
    if not VNU_JAR.is_file():
        return f"{VNU_JAR} is missing: run `scripts/system-deps.sh test` (npm ci installs vnu-jar)."
    return None


def check(files: list[Path]) -> dict[Path, list[NuMessage]]:
    """Errors the checker finds in each file, in one run of the JVM (its start-up costs seconds)."""
    result = subprocess.run(
        ["java", "-jar", str(VNU_JAR), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    # vnu exits 1 when it found errors; its report is JSON on stderr either way.
    try:
        report = json.loads(result.stderr)
    except json.JSONDecodeError as exc:
        raise RuntimeError(
            f"vnu did not answer JSON (exit {result.returncode}): {result.stderr[:2000]}"
        ) from exc
    by_name = {str(path.resolve()): path for path in files}
    errors: dict[Path, list[NuMessage]] = {path: [] for path in files}
    for message in report["messages"]:
        if message["type"] not in ("error", "non-document-error"):
            continue
        path = by_name.get(unquote(message.get("url", "").removeprefix("file:")))
        if path is None:
            raise RuntimeError(f"vnu reported on an unknown document: {message}")
        errors[path].append(
            NuMessage(path, message.get("lastLine"), message["message"], message.get("extract", ""))
        )
    return errors
