"""IP_ADDRESS: IPv4 and IPv6 in every notation (compressed, embedded IPv4, zone ids)."""

from __future__ import annotations

import ipaddress

from senim.discovery._detector import Detector, Pattern

_H = r"[0-9A-Fa-f]{1,4}"
_V4 = r"(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}"
_ZONE = r"(?:%[0-9A-Za-z._~-]+)?"
_V6 = (
    rf"(?:(?:{_H}:){{6}}{_V4}"  # full with embedded IPv4
    rf"|(?:{_H}(?::{_H}){{0,4}})?::(?:{_H}:){{0,4}}{_V4}"  # compressed + embedded IPv4
    rf"|(?:{_H}:){{7}}{_H}"  # full form
    rf"|(?:{_H}(?::{_H}){{0,6}})?::(?:{_H}(?::{_H}){{0,6}})?"  # compressed forms
    rf"){_ZONE}"
)


class IpAddressDetector(Detector):
    name = "ip_address"
    entity = "IP_ADDRESS"
    description = "IPv4 and IPv6 addresses, validated with Python's ipaddress module."
    patterns = (
        Pattern(name="ipv6", regex=_V6, score=0.5),
        Pattern(name="ipv4", regex=_V4, score=0.4),
    )
    boundary = "word"
    context = {
        "kk": ("ip", "ip мекенжай*", "ip-мекенжай*"),
        "ru": ("ip", "ip адрес*", "ip-адрес*", "айпи"),
        "en": ("ip", "ip address", "ipv4", "ipv6", "client ip", "host", "remote addr"),
    }
    negative_context = {
        "kk": ("нұсқа*", "нұсқасы"),
        "ru": ("верси*", "сборк*", "oid"),
        "en": ("version", "ver", "v", "build", "release", "oid", "snmp"),
    }
    column_hints = ("ip", "ip_*", "*_ip", "ipaddr*", "remote_addr*", "client_ip")

    def _bounded(self, text: str, start: int, end: int) -> bool:
        if not super()._bounded(text, start, end):
            return False
        # "1.2.3.4.5" (version strings, OIDs) and "a:b::c:" fragments are not addresses
        before = text[start - 1] if start else ""
        after = text[end] if end < len(text) else ""
        nxt = text[end + 1] if end + 1 < len(text) else ""
        if before in ".:" and start > 1 and text[start - 2].isalnum():
            return False
        return not (after in ".:" and nxt.isalnum())

    def validate(self, value: str) -> bool | None:
        if value in ("::", "0.0.0.0"):
            return False
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return False
        return True
