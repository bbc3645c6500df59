"""Modules whose import registers store migrations. Each area adds one line for its schema."""

MODULES: tuple[str, ...] = (
    "senim.deid._vault_schema",
    "senim.sources._state_schema",
)
