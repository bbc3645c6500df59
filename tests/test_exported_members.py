"""The public API is curated: everything exported is listed, and nothing else is public."""

from __future__ import annotations

import senim


def test_all_imports_are_exported() -> None:
    included_private = ["__version__"]
    public = [
        name
        for name, value in vars(senim).items()
        if (not name.startswith("_") or name in included_private)
        and not (isinstance(value, type(senim)))  # sub-modules are not API members
        and name != "annotations"
    ]
    assert sorted(senim.__all__, key=str.casefold) == sorted(public, key=str.casefold)


def test_public_names_resolve() -> None:
    for name in senim.__all__:
        assert getattr(senim, name) is not None
