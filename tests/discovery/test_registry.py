from __future__ import annotations

from types import SimpleNamespace

import pytest

from senim.discovery import BUILTIN_DETECTORS, Detector, DetectorRegistry, Pattern, Scanner
from senim.discovery import _registry as registry_module
from senim.errors import PluginError

ENTITIES = [
    "KZ_IIN", "KZ_BIN", "KZ_IBAN", "KZ_PHONE", "KZ_VEHICLE_PLATE", "KZ_PASSPORT", "KZ_ID_CARD",
    "KZ_POSTAL_CODE", "EMAIL", "PAYMENT_CARD", "IBAN", "IP_ADDRESS", "PHONE", "DATE_OF_BIRTH",
    "ADDRESS", "PERSON",
]  # fmt: skip


class EmployeeIdDetector(Detector):
    name = "acme_employee_id"
    entity = "ACME_EMPLOYEE_ID"
    patterns = (Pattern(name="emp", regex=r"EMP-\d{6}", score=0.8),)


def test_builtins_cover_the_contract() -> None:
    registry = DetectorRegistry.default(plugins=False)
    assert len(registry) == len(BUILTIN_DETECTORS)
    assert registry.entities == sorted(ENTITIES)


@pytest.mark.parametrize("detector", DetectorRegistry.default(plugins=False), ids=lambda d: d.name)
def test_each_detector_is_complete_data(detector: Detector) -> None:
    assert detector.entity.isupper()
    assert detector.description
    assert set(detector.context) == {"kk", "ru", "en"}, "context words in all three languages"
    assert all(detector.context[lang] for lang in ("kk", "ru", "en"))
    assert detector.column_hints


def _fake_entry_points(obj: object):  # type: ignore[no-untyped-def]
    ep = SimpleNamespace(name="acme", load=lambda: obj)
    return lambda group: [ep] if group == registry_module.ENTRY_POINT_GROUP else []


def test_plugins_register_through_entry_points(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "entry_points", _fake_entry_points(EmployeeIdDetector))
    registry = DetectorRegistry.default()
    assert "acme_employee_id" in registry
    findings = Scanner(registry=registry).scan_text("badge EMP-123456")
    assert [(f.entity, f.detector) for f in findings] == [("ACME_EMPLOYEE_ID", "acme_employee_id")]


def test_plugin_factories_returning_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        registry_module, "entry_points", _fake_entry_points(lambda: [EmployeeIdDetector])
    )
    assert DetectorRegistry.default().load_plugins() == ["acme_employee_id"]


def test_broken_plugin_names_itself(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise ImportError("no module named acme_internal")

    ep = SimpleNamespace(name="acme", load=boom)
    monkeypatch.setattr(registry_module, "entry_points", lambda group: [ep])
    with pytest.raises(PluginError) as info:
        DetectorRegistry.default()
    assert info.value.message("en") == "Plugin acme failed to load: no module named acme_internal"


def test_not_a_detector_and_duplicates(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry_module, "entry_points", _fake_entry_points(object()))
    with pytest.raises(PluginError):
        DetectorRegistry.default()
    registry = DetectorRegistry([EmployeeIdDetector()])
    with pytest.raises(PluginError) as info:
        registry.register(EmployeeIdDetector())
    assert info.value.key == "plugin.duplicate"
