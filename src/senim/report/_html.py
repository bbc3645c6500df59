"""Jinja environment for self-contained HTML reports.

Templates extend ``_base.html.j2`` (inline CSS, no external assets, no JavaScript needed) and
get ``t(key, **params)`` for catalogue messages in the report's language, ``lang``, and the
``svg`` filter marking pre-rendered SVG as safe.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Any

from senim._i18n import message, resolve_lang

if TYPE_CHECKING:
    from jinja2 import Environment


@cache
def _environment(extra_packages: tuple[str, ...]) -> Environment:
    # jinja2 loads with the first report, not with every command that could write one
    from jinja2 import ChoiceLoader, Environment, PackageLoader, select_autoescape
    from markupsafe import Markup

    loaders = [PackageLoader("senim.report", "templates")]
    loaders += [PackageLoader(pkg, "templates") for pkg in extra_packages]
    env = Environment(
        loader=ChoiceLoader(loaders),
        autoescape=select_autoescape(["html", "j2"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["svg"] = lambda value: Markup(value)
    env.filters["pct"] = lambda value, digits=1: f"{100 * float(value):.{digits}f}%"
    return env


def render_html(
    template: str,
    context: Mapping[str, Any],
    *,
    lang: str | None = None,
    package: str | None = None,
) -> str:
    """Render ``template`` (from ``senim.report`` or ``package``'s ``templates/`` folder)."""
    from senim._version import __version__

    code = resolve_lang(lang)
    env = _environment((package,) if package else ())

    def t(key: str, **params: object) -> str:
        return message(key, code, **params)

    return env.get_template(template).render(
        **context,
        t=t,
        lang=code,
        senim_version=__version__,
        generated_at=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
    )
