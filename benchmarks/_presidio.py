"""Presidio's analyzer in its fastest mode (pattern recognizers only), shared by benchmarks."""

from __future__ import annotations

import logging
from typing import Any


def pattern_analyzer() -> Any | None:
    """An ``AnalyzerEngine`` on ``NoOpNlpEngine`` (no NLP model), or ``None`` if not installed."""
    logging.getLogger("tldextract").setLevel(
        logging.CRITICAL
    )  # it tries the network, then falls back
    try:
        from presidio_analyzer import AnalyzerEngine
        from presidio_analyzer.nlp_engine import NoOpNlpEngine
    except ImportError:
        return None
    nlp = NoOpNlpEngine(models=[{"lang_code": "en", "model_name": "none"}])
    return AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
