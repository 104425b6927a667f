"""HTML → PDF with WeasyPrint, fenced in.

- WeasyPrint fetches nothing but the project's own static files (looked up by path under
  STATIC_ROOT and the STATICFILES_DIRS, never outside them) and `data:` URIs. Every other URL —
  http(s), file://, anything — is refused, and there is nothing to redirect since no network
  request is ever made.
- Each render runs in a forked child process with a memory ceiling (RLIMIT_AS) and a time limit
  (the parent kills it); so does the merge of a report rendered in parts (`run_limited` takes any
  callable: joining 3,255 pages with pypdf reached 857 MiB when it ran in the worker itself).
  Why a child rather than limits on the Celery worker: RLIMIT_AS on a long-lived worker would
  stay for every later task, and `worker_max_memory_per_child` only replaces a worker *after* a
  task finished — neither stops one runaway document. The child costs a fork (a few ms,
  copy-on-write, WeasyPrint already imported by the parent) and protects the worker, the CLI and
  the benchmark alike. The Celery task keeps soft/hard time limits on top, for the database work
  around the render.
- `import weasyprint` costs ~0.85 s: it happens here, in the render path only, never in web
  processes.
"""

import contextlib
import io
import logging
import mimetypes
import multiprocessing
import os
import resource
import signal
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pikepdf
from django.conf import settings
from django.utils.translation import gettext as _

# One INFO line per page and layout pass would flood the worker's log.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)

T = TypeVar("T")

# Tagged PDF/UA-1 (RGAA 13.3): a structure tree (headings, lists, tables with their header cells,
# figures with their alternative text), the document's title shown by viewers, its language, and
# bookmarks from the headings. WeasyPrint tags what the HTML says: the templates keep it semantic.
PDF_VARIANT = "pdf/ua-1"


class RenderError(Exception):
    """The render failed for a reason that retrying will not change (too big, too long)."""


def static_roots() -> list[Path]:
    roots = [Path(settings.STATIC_ROOT)] if settings.STATIC_ROOT else []
    roots += [
        Path(str(entry[1] if isinstance(entry, tuple) else entry)) for entry in settings.STATICFILES_DIRS
    ]
    return [root.resolve() for root in roots]


def static_base_url() -> str:
    """The base URL given to WeasyPrint: relative URLs in the report resolve under it."""
    return f"{settings.SITE_URL}/"


def resolve_static(url: str) -> Path | None:
    """The file a URL of our static files names, or None when the URL is anything else.

    Only `<SITE_URL><STATIC_URL>path` is accepted, and `path` must stay inside a static root once
    resolved (no `..`, no symlink out).
    """
    prefix = f"{settings.SITE_URL}{settings.STATIC_URL}"
    if not url.startswith(prefix):
        return None
    relative = urllib.parse.unquote(urllib.parse.urlsplit(url[len(prefix) :]).path)
    if not relative or relative.startswith("/") or "\x00" in relative:
        return None
    for root in static_roots():
        candidate = (root / relative).resolve()
        if candidate.is_relative_to(root) and candidate.is_file():
            return candidate
    return None


def _fetcher_class():
    # local import: weasyprint takes about a second to import; only a report's render needs it.
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnlyFetcher(URLFetcher):
        """Serves our static files and data: URIs; refuses everything else."""

        def __init__(self):
            super().__init__(allowed_protocols=(), allow_redirects=False, fail_on_errors=False)
            self.refused: list[str] = []

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                with urllib.request.urlopen(url) as response:
                    return URLFetcherResponse(
                        url, response.read(), {"Content-Type": response.headers.get_content_type()}
                    )
            path = resolve_static(url)
            if path is None:
                self.refused.append(url)
                raise ValueError(f"URL refusée par la liste blanche : {url}")
            content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": content_type})

    return StaticOnlyFetcher


def make_fetcher():
    """An allow-list URL fetcher (imports WeasyPrint)."""
    return _fetcher_class()()


@dataclass(frozen=True)
class Rendered:
    """What a render gives besides the file: its page count and the page (from 1) on which each
    element whose id starts with the asked prefix begins (e.g. each site section of a part)."""

    pages: int
    anchors: dict[str, int] = field(default_factory=dict)


def render_pdf_bytes(html: str, *, anchor_prefix: str = "") -> tuple[bytes, Rendered]:
    """Render in this process (no limits): the PDF bytes, the page count and the anchors' pages."""
    # local import: weasyprint takes about a second to import; only a report's render needs it.
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=static_base_url(), url_fetcher=make_fetcher()).render()
    anchors = {}
    if anchor_prefix:
        for number, page in enumerate(document.pages, start=1):
            for name in page.anchors:
                if name.startswith(anchor_prefix):
                    anchors.setdefault(name, number)
    return scope_header_cells(document.write_pdf(pdf_variant=PDF_VARIANT)), Rendered(
        len(document.pages), anchors
    )


def scope_header_cells(data: bytes) -> bytes:
    """The tagged PDF with a /Scope on every header cell: a column's in a table's head, a row's
    elsewhere (what the templates' `scope` attributes say). WeasyPrint tags `<th>` as TH without
    it, which leaves a screen reader (and a PDF/UA checker) unable to tie a cell to its headers."""
    with pikepdf.open(io.BytesIO(data)) as document:
        root = document.Root.get("/StructTreeRoot")
        if root is None:
            return data
        stack = [(root, ())]
        while stack:
            node, ancestors = stack.pop()
            tag = node.get("/S")
            if tag == "/TH":
                scope = "/Column" if "/THead" in ancestors[-2:] else "/Row"
                attributes = node.get("/A")
                if not isinstance(attributes, pikepdf.Dictionary):
                    attributes = pikepdf.Dictionary(O=pikepdf.Name("/Table"))
                    node.A = attributes
                attributes.Scope = pikepdf.Name(scope)
                continue
            kids = node.get("/K")
            if kids is None:
                continue
            kids = kids if isinstance(kids, pikepdf.Array) else [kids]
            path = (*ancestors, str(tag)) if tag is not None else ancestors
            stack.extend((kid, path) for kid in kids if isinstance(kid, pikepdf.Dictionary) and "/S" in kid)
        output = io.BytesIO()
        document.save(output)
    return output.getvalue()


def _write_synced(output: str | Path, data: bytes) -> None:
    with open(output, "wb") as handle:
        handle.write(data)
        handle.flush()
        os.fsync(handle.fileno())


def _child(work: Callable[[], object], memory_bytes: int, pipe) -> None:
    if memory_bytes:
        resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    try:
        pipe.send(("ok", work()))
    except (MemoryError, SystemError):
        # A C extension whose allocation fails under the ceiling may return an error without
        # setting MemoryError: Python then raises SystemError ("error return without exception").
        pipe.send(("memory", 0))
    except Exception as exc:  # the parent turns it into a RenderError with the reason
        pipe.send(("error", f"{type(exc).__name__}: {exc}"))
    finally:
        pipe.close()


MEMORY_EXIT_CODE = 75


def _reap(pid: int, *, kill: bool) -> int | None:
    """Wait for the limited child (killing it first if asked); its exit code or signal."""
    if kill:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:
        return None
    return os.waitstatus_to_exitcode(status)


def run_limited(
    work: Callable[[], T], *, step: str = "", seconds: int | None = None, memory_mb: int | None = None
) -> T:
    """Call `work()` in a forked child under the memory ceiling (ATC_REPORT_MEMORY_MB) and the
    time limit (ATC_REPORT_RENDER_SECONDS); what it returns (it crosses a pipe: picklable).

    `work` must not touch the database: the child shares the parent's connections. Import the
    libraries it needs before calling, so that every fork inherits them instead of importing them
    under the ceiling. Raises RenderError, whose reason begins with `step` (« Le rendu » unless
    told), when the child runs out of time or memory or `work` raises.
    """
    step = step or _("Le rendu")
    seconds = seconds or settings.ATC_REPORT_RENDER_SECONDS
    memory_mb = settings.ATC_REPORT_MEMORY_MB if memory_mb is None else memory_mb
    receiver, sender = multiprocessing.Pipe(duplex=False)
    # A bare fork, not multiprocessing.Process: Celery's prefork pool runs tasks in daemonic
    # processes, which multiprocessing forbids to have children.
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            receiver.close()
            _child(work, memory_mb * 1024 * 1024, sender)
        except MemoryError:
            # Out of memory even to report it: the exit code tells the parent.
            code = MEMORY_EXIT_CODE
        except BaseException:
            code = 1
        finally:
            # Skip the parent's atexit handlers and inherited database connections.
            os._exit(code)
    sender.close()
    exit_code = None
    try:
        if not receiver.poll(seconds):
            raise RenderError(
                _("%(step)s a dépassé la limite de %(seconds)s s : réduisez le périmètre ou la période.")
                % {"step": step, "seconds": seconds}
            )
        try:
            status, detail = receiver.recv()
        except EOFError as exc:
            # The child closed the pipe without a word: it is exiting; its code says why.
            exit_code = _reap(pid, kill=False)
            if exit_code == MEMORY_EXIT_CODE or exit_code == -signal.SIGABRT:
                # Python's MemoryError, or a C library aborting on a failed allocation under the
                # address-space ceiling (what SIGABRT means in this child).
                status, detail = "memory", 0
            else:
                # Under the address-space ceiling, a library may crash rather than raise.
                raise RenderError(
                    _(
                        "%(step)s s'est arrêté (code %(code)s) ; cause probable : plafond de mémoire "
                        "de %(mb)s Mio atteint. Réduisez le périmètre."
                    )
                    % {"step": step, "code": exit_code, "mb": memory_mb}
                ) from exc
    finally:
        if exit_code is None:
            _reap(pid, kill=True)
        receiver.close()
    if status == "memory":
        raise RenderError(
            _("%(step)s a dépassé le plafond de mémoire de %(mb)s Mio : réduisez le périmètre.")
            % {"step": step, "mb": memory_mb}
        )
    if status != "ok":
        raise RenderError(_("%(step)s a échoué : %(detail)s") % {"step": step, "detail": detail})
    return detail


def render_to_file(
    html: str, output: Path, *, seconds: int | None = None, memory_mb: int | None = None
) -> int:
    """Render `html` into the file `output` in a limited child process; the page count.

    Raises RenderError when the child runs out of time or memory or WeasyPrint fails.
    """
    return render_with_anchors(html, output, seconds=seconds, memory_mb=memory_mb).pages


def render_with_anchors(
    html: str,
    output: Path,
    *,
    anchor_prefix: str = "",
    seconds: int | None = None,
    memory_mb: int | None = None,
) -> Rendered:
    """`render_to_file`, also telling on which page each element whose id starts with
    `anchor_prefix` begins."""
    # local import: weasyprint takes about a second to import and only a report's render needs it;
    # imported here, in the parent, so every fork inherits it.
    import weasyprint  # noqa: F401

    def work() -> Rendered:
        data, rendered = render_pdf_bytes(html, anchor_prefix=anchor_prefix)
        _write_synced(output, data)
        return rendered

    return run_limited(work, seconds=seconds, memory_mb=memory_mb)
