"""senim (сенім, "trust"): personal-data and AI compliance workbench for Kazakhstan.

Public API (pinned by ``tests/test_exported_members.py``)::

    from senim import scan_text, scan_table, scan_paths, Scanner      # find personal data
    from senim import load_card, classify, assess                     # AI risk rulebook

Sub-packages load on first use, so ``import senim`` (and every CLI start) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from senim._lazy import lazy_attributes as _lazy_attributes
from senim.errors import (
    CheckFailed,
    ConfigError,
    InputError,
    PartialFailure,
    PluginError,
    SenimError,
    StorageError,
    UsageError,
)

_LAZY: dict[str, str] = {
    "__version__": "senim._version",  # importlib.metadata: looked up when asked for
    # scan
    "ColumnSummary": "senim.discovery._report",
    "Detector": "senim.discovery",
    "DetectorRegistry": "senim.discovery",
    "EntityShare": "senim.discovery._report",
    "Explanation": "senim.discovery",
    "Finding": "senim.discovery",
    "KeyedHasher": "senim.discovery",
    "Pattern": "senim.discovery",
    "ScanReport": "senim.discovery._report",
    "Scanner": "senim.discovery",
    "scan_database": "senim.discovery._api",
    "scan_paths": "senim.discovery._api",
    "scan_paths_spark": "senim.engine._spark",
    "scan_sources": "senim.discovery._api",
    "ArchiveLimits": "senim.sources",
    "ScanState": "senim.sources",
    "detect_encoding": "senim.sources",
    "scan_table": "senim.discovery._api",
    "scan_text": "senim.discovery._api",
    # risk: AI system cards, rule packs, impact assessment
    "CardInvalid": "senim.risk",
    "PackInvalid": "senim.risk",
    "SystemCard": "senim.risk",
    "assess": "senim.risk",
    "classify": "senim.risk",
    "load_card": "senim.risk",
    "load_pack": "senim.risk",
    "load_packs": "senim.risk",
    "run_golden": "senim.risk",
    # audit: fairness, explanations, robustness, drift
    "AuditPolicy": "senim.audit:Policy",
    "FairnessReport": "senim.audit",
    "audit_decisions": "senim.audit",
    "audit_fairness": "senim.audit",
    "drift_frames": "senim.audit",
    "explain_model": "senim.audit",
    "load_audit_policy": "senim.audit:load_policy",
    "load_model": "senim.audit",
    # deid: de-identification, vault, k-anonymity, differential privacy
    "AnonymityConfig": "senim.deid",
    "DPQuery": "senim.deid",
    "DPSession": "senim.deid",
    "DeidKeys": "senim.deid",
    "DeidPolicy": "senim.deid:Policy",
    "Deidentifier": "senim.deid",
    "Vault": "senim.deid",
    "anonymise_file": "senim.deid",
    "anonymise_table": "senim.deid",
    "deidentify_file": "senim.deid",
    "dump_policy": "senim.deid",
    "generate_key_file": "senim.deid",
    "load_deid_policy": "senim.deid:load_policy",
    "load_keys": "senim.deid",
    "parse_deid_policy": "senim.deid:parse_policy",
    "plan_file": "senim.deid",
    # storage
    "Store": "senim.store",
}

__all__ = [
    "AnonymityConfig",
    "ArchiveLimits",
    "AuditPolicy",
    "CardInvalid",
    "CheckFailed",
    "ColumnSummary",
    "ConfigError",
    "DPQuery",
    "DPSession",
    "DeidKeys",
    "DeidPolicy",
    "Deidentifier",
    "Detector",
    "DetectorRegistry",
    "EntityShare",
    "Explanation",
    "FairnessReport",
    "Finding",
    "InputError",
    "KeyedHasher",
    "PackInvalid",
    "PartialFailure",
    "Pattern",
    "PluginError",
    "ScanReport",
    "ScanState",
    "Scanner",
    "SenimError",
    "StorageError",
    "Store",
    "SystemCard",
    "UsageError",
    "Vault",
    "__version__",
    "anonymise_file",
    "anonymise_table",
    "assess",
    "audit_decisions",
    "audit_fairness",
    "classify",
    "deidentify_file",
    "detect_encoding",
    "drift_frames",
    "dump_policy",
    "explain_model",
    "generate_key_file",
    "load_audit_policy",
    "load_card",
    "load_deid_policy",
    "load_keys",
    "load_model",
    "load_pack",
    "load_packs",
    "parse_deid_policy",
    "plan_file",
    "run_golden",
    "scan_database",
    "scan_paths",
    "scan_paths_spark",
    "scan_sources",
    "scan_table",
    "scan_text",
]


__getattr__, __dir__ = _lazy_attributes(__name__, _LAZY, globals())


if TYPE_CHECKING:
    from senim._version import __version__
    from senim.audit import (
        FairnessReport,
        audit_decisions,
        audit_fairness,
        drift_frames,
        explain_model,
        load_model,
    )
    from senim.audit import Policy as AuditPolicy
    from senim.audit import load_policy as load_audit_policy
    from senim.deid import (
        AnonymityConfig,
        Deidentifier,
        DeidKeys,
        DPQuery,
        DPSession,
        Vault,
        anonymise_file,
        anonymise_table,
        deidentify_file,
        dump_policy,
        generate_key_file,
        load_keys,
        plan_file,
    )
    from senim.deid import Policy as DeidPolicy
    from senim.deid import load_policy as load_deid_policy
    from senim.deid import parse_policy as parse_deid_policy
    from senim.discovery import (
        Detector,
        DetectorRegistry,
        Explanation,
        Finding,
        KeyedHasher,
        Pattern,
        Scanner,
    )
    from senim.discovery._api import (
        scan_database,
        scan_paths,
        scan_sources,
        scan_table,
        scan_text,
    )
    from senim.discovery._report import ColumnSummary, EntityShare, ScanReport
    from senim.engine._spark import scan_paths_spark
    from senim.risk import (
        CardInvalid,
        PackInvalid,
        SystemCard,
        assess,
        classify,
        load_card,
        load_pack,
        load_packs,
        run_golden,
    )
    from senim.sources import ArchiveLimits, ScanState, detect_encoding
    from senim.store import Store
