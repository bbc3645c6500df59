"""Personal-data discovery: detectors, registry, scanner, findings, column classification."""

from senim.discovery._detector import Candidate, Detector, Pattern
from senim.discovery._model import FINDINGS_SCHEMA, Adjustment, Explanation, Finding
from senim.discovery._protect import KeyedHasher, mask_preview
from senim.discovery._registry import BUILTIN_DETECTORS, ENTRY_POINT_GROUP, DetectorRegistry
from senim.discovery._scanner import Scanner

__all__ = [
    "BUILTIN_DETECTORS",
    "ENTRY_POINT_GROUP",
    "FINDINGS_SCHEMA",
    "Adjustment",
    "Candidate",
    "Detector",
    "DetectorRegistry",
    "Explanation",
    "Finding",
    "KeyedHasher",
    "Pattern",
    "Scanner",
    "mask_preview",
]
