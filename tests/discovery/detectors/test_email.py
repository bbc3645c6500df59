"""EMAIL validation: the per-domain shortcut gives email-validator's verdict on the address
(``_valid``: email-validator on the whole address, pinned by the table in test_generic)."""

from __future__ import annotations

from collections.abc import Callable

from hypothesis import example, given, settings
from hypothesis import strategies as st

from senim.discovery.detectors.email import EmailDetector
from senim.discovery.detectors.email import _valid as email_validator_says

_ATEXT = "abcxyzABC0189_!#$%&'*+/=?^`{|}~-"
_local = st.text(alphabet=_ATEXT + ".әқ", min_size=0, max_size=70)
_label = st.one_of(
    st.text(alphabet="abz09-", min_size=1, max_size=64),
    st.text(alphabet="пошта-қазәі", min_size=1, max_size=30),
    st.sampled_from(["mail", "kz", "қаз", "localhost", "local", "xn--80a1acny", "com", "рф"]),
)
_domain = st.lists(_label, min_size=1, max_size=6).map(".".join)


@settings(max_examples=400)
@given(local=_local, domain=_domain, pad=st.integers(0, 250))
@example(local="a" * 60, domain="b" * 63 + "." + "c" * 63 + "." + "d" * 63 + ".kz", pad=0)
@example(local="a" * 30, domain="қ" * 50 + "." + "ә" * 50 + ".қаз", pad=0)
@example(local="a..b", domain="mail.kz", pad=0)
def test_validate_agrees_with_email_validator(local: str, domain: str, pad: int) -> None:
    # long local parts reach the 254-octet limit only together with the domain
    address = (local + "x" * pad if pad > 200 else local) + "@" + domain
    assert EmailDetector().validate(address) is email_validator_says(address)


def test_email_validator_is_loaded_by_the_first_candidate(
    fresh_python: Callable[[str], list[str]],
) -> None:
    """Scanning text without an e-mail address never loads email-validator (its import
    compiles its grammar); the first candidate does."""
    probe = (
        "import sys\n"
        "from senim.discovery import Scanner\n"
        "scanner = Scanner()\n"
        "print([f.entity for f in scanner.scan_text('ИИН 900101300007')],\n"
        "      'email_validator' in sys.modules)\n"
        "print([f.entity for f in scanner.scan_text('почта: aigerim@mail.kz')],\n"
        "      'email_validator' in sys.modules)\n"
    )
    assert fresh_python(probe) == ["['KZ_IIN'] False", "['EMAIL'] True"]
