"""De-identification operators, one per file, each a pydantic model of its parameters.

``OperatorRule`` is the tagged union a policy uses: ``{operator: mask, keep_end: 4}`` parses to
:class:`Mask` with validated parameters; unknown operators or parameters are errors.
"""

from typing import Annotated

from pydantic import Field

from senim.deid.operators._base import BaseOperator, OperatorContext, VaultEntry, normalise
from senim.deid.operators.encrypt import Encrypt, decrypt_token
from senim.deid.operators.generalise import Generalise
from senim.deid.operators.keep import Keep
from senim.deid.operators.mask import Mask
from senim.deid.operators.pseudonym import Pseudonym
from senim.deid.operators.redact import Redact
from senim.deid.operators.surrogate import Surrogate
from senim.deid.operators.tag import Tag

__all__ = [
    "OPERATORS",
    "BaseOperator",
    "Encrypt",
    "Generalise",
    "Keep",
    "Mask",
    "OperatorContext",
    "OperatorRule",
    "Pseudonym",
    "Redact",
    "Surrogate",
    "Tag",
    "VaultEntry",
    "decrypt_token",
    "normalise",
]

OperatorRule = Annotated[
    Redact | Tag | Mask | Pseudonym | Surrogate | Generalise | Encrypt | Keep,
    Field(discriminator="operator"),
]
"""Any built-in operator, chosen by its ``operator`` field."""

OPERATORS: dict[str, type[BaseOperator]] = {
    cls.name: cls for cls in (Redact, Tag, Mask, Pseudonym, Surrogate, Generalise, Encrypt, Keep)
}
"""Operator name -> model class."""
