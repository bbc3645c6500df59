"""senim's command-line interface: a thin typer layer over the library.

Each sub-module registers its commands; none holds business logic.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
import threading
from types import ModuleType

import typer
import typer.main

from senim.cli import _audit, _deid, _risk, _scan
from senim.cli._help import help_lang, localize


def _version(value: bool) -> None:
    if value:
        from senim._version import __version__

        typer.echo(f"senim {__version__}")
        raise typer.Exit()


def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Show the version and exit."
    ),
) -> None:
    """senim: personal-data and AI compliance workbench for Kazakhstan."""


def _new_app(*modules: ModuleType) -> typer.Typer:
    """The ``senim`` command with the commands of ``modules``."""
    made = typer.Typer(
        name="senim",
        help=(
            "senim (сенім, 'trust'): find, de-identify and govern personal data and AI systems "
            "under Kazakhstan's Personal Data Law 94-V and AI Law 230-VIII."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
    made.callback()(_root)
    for module in modules:
        module.register(made)
    return made


app = _new_app(_scan, _deid, _risk, _audit)

_ALONE = {"scan": _scan}
"""Commands a process may build on their own (typer builds every command's options from
its signature before it runs one: a few hundredths of a second for all of them, paid at
each scan's start)."""


def _app_for(args: list[str]) -> typer.Typer:
    """The app a process with ``args`` runs: only the command it names when that command
    stands alone (the same command, options and messages), else :data:`app`."""
    module = _ALONE.get(args[0]) if args else None
    return app if module is None else _new_app(module)


def main() -> None:
    """Console-script entry point (help in Kazakh or Russian: see :mod:`senim.cli._help`)."""
    try:
        lang = help_lang(sys.argv[1:])
        chosen = _app_for(sys.argv[1:])
        if lang is None:
            chosen()
        else:
            command = typer.main.get_command(chosen)
            localize(command, lang)
            command()
    except SystemExit as done:
        _end(done.code)
        raise
    finally:
        # the process ends here: the collector's passes during interpreter shutdown would
        # walk every object a scan left (about 0.15 s after 100,000 documents); frozen
        # objects are still released, files closed and exit handlers run
        gc.freeze()


def _end(code: object) -> None:
    """End the process with ``code`` as the interpreter would, less its teardown.

    Every file a command writes is closed by the time it returns. Exit handlers run and the
    standard streams are flushed; what is skipped is freeing every module and object one
    by one, which after a scan takes longer than many a command. Returns (and the
    interpreter exits as usual) while a non-daemon thread still runs, as the interpreter
    would wait for it.
    """
    main = threading.main_thread()
    if any(t is not main and not t.daemon for t in threading.enumerate()):
        return
    status = 0 if code is None else code if isinstance(code, int) else 1
    if not isinstance(code, int | None):
        print(code, file=sys.stderr)
    atexit._run_exitfuncs()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe: what Python reports as 120
            status = status or 120
    os._exit(status)
