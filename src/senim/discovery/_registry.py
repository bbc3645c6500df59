"""One registry for detectors: senim's built-ins and third-party plugins use the same path.

Built-ins are listed in :data:`BUILTIN_DETECTORS` (module:Class strings) and registered by
:meth:`DetectorRegistry.default`. Plugins expose detector classes (or zero-argument callables
returning a list of them) under the ``senim.detectors`` entry-point group; they are loaded
lazily by :meth:`DetectorRegistry.load_plugins`, never at import time.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Iterator
from importlib.metadata import entry_points

from senim.discovery._detector import Detector
from senim.errors import PluginError, UsageError

__all__ = ["BUILTIN_DETECTORS", "ENTRY_POINT_GROUP", "DetectorRegistry"]

ENTRY_POINT_GROUP = "senim.detectors"

BUILTIN_DETECTORS: tuple[str, ...] = (
    "senim.discovery.detectors.kz_iin:KzIinDetector",
    "senim.discovery.detectors.kz_bin:KzBinDetector",
    "senim.discovery.detectors.kz_iban:KzIbanDetector",
    "senim.discovery.detectors.kz_phone:KzPhoneDetector",
    "senim.discovery.detectors.kz_vehicle_plate:KzVehiclePlateDetector",
    "senim.discovery.detectors.kz_passport:KzPassportDetector",
    "senim.discovery.detectors.kz_id_card:KzIdCardDetector",
    "senim.discovery.detectors.kz_postal_code:KzPostalCodeDetector",
    "senim.discovery.detectors.email:EmailDetector",
    "senim.discovery.detectors.payment_card:PaymentCardDetector",
    "senim.discovery.detectors.iban:IbanDetector",
    "senim.discovery.detectors.ip_address:IpAddressDetector",
    "senim.discovery.detectors.phone:PhoneDetector",
    "senim.discovery.detectors.date_of_birth:DateOfBirthDetector",
    "senim.discovery.detectors.address:AddressDetector",
    "senim.discovery.detectors.person:PersonDetector",
)


def _import(path: str) -> object:
    module, _, attr = path.partition(":")
    return getattr(importlib.import_module(module), attr)


class DetectorRegistry:
    """Named detectors, in registration order."""

    def __init__(self, detectors: Iterable[Detector] = ()) -> None:
        self._detectors: dict[str, Detector] = {}
        for detector in detectors:
            self.register(detector)

    @classmethod
    def default(cls, *, plugins: bool = True) -> DetectorRegistry:
        """Built-in detectors, plus installed plugins when ``plugins`` is true."""
        registry = cls()
        for path in BUILTIN_DETECTORS:
            detector_cls = _import(path)
            assert isinstance(detector_cls, type)
            assert issubclass(detector_cls, Detector)
            registry.register(detector_cls())
        if plugins:
            registry.load_plugins()
        return registry

    def register(self, detector: Detector, *, replace: bool = False) -> None:
        if not isinstance(detector, Detector):
            raise PluginError("plugin.not_a_detector", name=type(detector).__name__)
        name = detector.name
        if name in self._detectors and not replace:
            raise PluginError("plugin.duplicate", name=name)
        self._detectors[name] = detector

    def load_plugins(self) -> list[str]:
        """Register detectors from the ``senim.detectors`` entry points; returns their names."""
        loaded: list[str] = []
        for ep in entry_points(group=ENTRY_POINT_GROUP):
            try:
                obj = ep.load()
            except Exception as exc:  # a broken plugin must name itself, not crash senim
                raise PluginError("plugin.load_failed", name=ep.name, reason=str(exc)) from exc
            items = obj() if callable(obj) and not isinstance(obj, type) else obj
            classes = items if isinstance(items, list | tuple) else [items]
            for item in classes:
                detector = item() if isinstance(item, type) else item
                if not isinstance(detector, Detector):
                    raise PluginError("plugin.not_a_detector", name=ep.name)
                self.register(detector, replace=True)
                loaded.append(detector.name)
        return loaded

    def __iter__(self) -> Iterator[Detector]:
        return iter(self._detectors.values())

    def __len__(self) -> int:
        return len(self._detectors)

    def __contains__(self, name: object) -> bool:
        return name in self._detectors

    def get(self, name: str) -> Detector:
        return self._detectors[name]

    @property
    def entities(self) -> list[str]:
        return sorted({d.entity for d in self})

    def select(self, entities: Iterable[str] | None) -> list[Detector]:
        """Detectors reporting one of ``entities`` (all when ``None``); unknown names fail."""
        if entities is None:
            return list(self)
        wanted = {e.strip().upper() for e in entities if e.strip()}
        unknown = wanted - set(self.entities)
        if unknown:
            raise UsageError(
                "scan.unknown_entity",
                entity=", ".join(sorted(unknown)),
                choices=", ".join(self.entities),
            )
        return [d for d in self if d.entity in wanted]
