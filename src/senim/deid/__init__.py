"""De-identification: operators, policies, the vault, and file de-identification.

Discover -> plan -> apply: :func:`plan_file` writes the :class:`Policy` that
:func:`deidentify_file` would apply; :class:`Deidentifier` is the batch function behind both.
:func:`anonymise_table` k-anonymises quasi-identifiers and measures risk and utility;
:class:`DPSession` releases differentially private aggregates within an epsilon budget.
"""

from senim.deid._anonymity import anonymise_file
from senim.deid._dp import DPQuery, DPRelease, DPSession
from senim.deid._engine import Deidentifier, DeidSummary
from senim.deid._files import DeidResult, deidentify_file, plan_file
from senim.deid._kanon import AnonymityConfig, AnonymityResult, anonymise_table
from senim.deid._keys import DeidKeys, generate_key_file, load_keys
from senim.deid._policy import Policy, dump_policy, load_policy, parse_policy
from senim.deid._vault import Reidentified, Vault
from senim.deid.operators import (
    OPERATORS,
    Encrypt,
    Generalise,
    Keep,
    Mask,
    Pseudonym,
    Redact,
    Surrogate,
    Tag,
)

__all__ = [
    "OPERATORS",
    "AnonymityConfig",
    "AnonymityResult",
    "DPQuery",
    "DPRelease",
    "DPSession",
    "DeidKeys",
    "DeidResult",
    "DeidSummary",
    "Deidentifier",
    "Encrypt",
    "Generalise",
    "Keep",
    "Mask",
    "Policy",
    "Pseudonym",
    "Redact",
    "Reidentified",
    "Surrogate",
    "Tag",
    "Vault",
    "anonymise_file",
    "anonymise_table",
    "deidentify_file",
    "dump_policy",
    "generate_key_file",
    "load_keys",
    "load_policy",
    "parse_policy",
    "plan_file",
]
