"""Shared CLI plumbing: consoles, language option, and the single error mapping."""

from __future__ import annotations

import errno
import logging
import os
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from senim._i18n import for_terminal, message, resolve_lang
from senim.errors import PartialFailure, SenimError

if TYPE_CHECKING:
    from rich.console import Console

T = TypeVar("T")

log = logging.getLogger("senim")


class LazyConsole:
    """A rich :class:`~rich.console.Console` made when first used: importing rich costs
    about 35 ms of start-up, which a command that prints nothing (``senim scan -f jsonl
    --no-progress`` writing its findings) need not pay."""

    def __init__(self, **options: Any) -> None:
        self._options = options
        self._console: Console | None = None

    @property
    def console(self) -> Console:
        if self._console is None:
            from rich.console import Console

            self._console = Console(**self._options)
        return self._console

    @property
    def is_terminal(self) -> bool:
        return self.console.is_terminal

    def print(self, *objects: Any, **options: Any) -> None:
        self.console.print(*objects, **options)


stdout = LazyConsole(highlight=False, soft_wrap=True)
stderr = LazyConsole(stderr=True, highlight=False, soft_wrap=True)

LangOption = Annotated[
    str | None,
    typer.Option(
        "--lang",
        help="Language of messages and reports: kk, ru or en (default: $SENIM_LANG or en).",
        show_default=False,
    ),
]
DebugOption = Annotated[
    bool, typer.Option("--debug", help="Show internal tracebacks (for bug reports).")
]


def debug_enabled(flag: bool = False) -> bool:
    return flag or os.environ.get("SENIM_DEBUG", "") not in ("", "0")


def report_problems(problems: list[str], lang: str | None) -> None:
    from rich.markup import escape

    prefix = message("error.prefix", lang)
    for problem in problems:
        text = escape(for_terminal(problem))  # it names files and columns: not markup
        stderr.print(f"[bold red]{prefix}:[/] {text}", markup=True, highlight=False)


@contextmanager
def handle_errors(lang: str | None, debug: bool = False) -> Iterator[None]:
    """Map every error once: SenimError -> its message and exit code; others -> generic."""
    lang = resolve_lang(lang)
    try:
        yield
    except typer.Exit:
        raise
    except PartialFailure as exc:
        report_problems(exc.problems, lang)
        stderr.print(for_terminal(exc.message(lang)), markup=False)
        raise typer.Exit(exc.exit_code) from None
    except SenimError as exc:
        if debug_enabled(debug):
            raise
        prefix = message("error.prefix", lang)
        stderr.print(f"{prefix}: {for_terminal(exc.message(lang))}", markup=False)
        raise typer.Exit(exc.exit_code) from None
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    except BrokenPipeError:
        # the reader of our output went away (``senim scan ... | head``): stop quietly
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        raise typer.Exit(0) from None
    except Exception as exc:
        if debug_enabled(debug):
            raise
        log.debug("internal error", exc_info=True)
        stderr.print(message("error.internal", lang, kind=type(exc).__name__), markup=False)
        raise typer.Exit(70) from None


def run(fn: Callable[[], T], lang: str | None, debug: bool = False) -> T:
    with handle_errors(lang, debug):
        return fn()
    raise AssertionError("unreachable")  # pragma: no cover


def check_output(*paths: str | None) -> None:
    """Refuse an output path that cannot be written before the work that fills it, not
    after it (a scan of a lake, then "is a directory"): a folder, a file in a folder that
    does not exist, or one this process may not write. ``None`` and ``-`` (standard output)
    pass. Nothing is created; what happens to the folder meanwhile is still reported when
    the output is written."""
    from senim.errors import InputError

    for path in paths:
        if path in (None, "-"):
            continue
        code = _unwritable(path)
        if code is not None:
            raise InputError("error.output_write", path=path, reason=os.strerror(code))


def _unwritable(path: str) -> int | None:
    """Why ``path`` cannot be written (an errno code), or ``None`` when it can."""
    if os.path.isdir(path):
        return errno.EISDIR
    if os.path.exists(path):
        return None if os.access(path, os.W_OK) else errno.EACCES
    folder = os.path.dirname(path) or "."
    if not os.path.isdir(folder):
        return errno.ENOTDIR if os.path.exists(folder) else errno.ENOENT
    return None if os.access(folder, os.W_OK | os.X_OK) else errno.EACCES


def write_text_output(text: str, path: str | None) -> None:
    """Write to ``path`` or stdout ("-" or None); on a terminal, control characters from
    the data are escaped (:func:`~senim._i18n.for_terminal`)."""
    if path in (None, "-"):
        if sys.stdout.isatty():
            text = for_terminal(text)
        sys.stdout.write(text)
        if text and not text.endswith("\n"):
            sys.stdout.write("\n")
        sys.stdout.flush()
        return
    from senim.errors import InputError

    try:
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
    except OSError as exc:
        raise InputError("error.output_write", path=path, reason=exc.strerror or str(exc)) from exc
