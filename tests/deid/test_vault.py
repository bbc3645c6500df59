from __future__ import annotations

import os
import uuid

import pytest

from senim.deid import Deidentifier, DeidKeys, Vault, parse_policy
from senim.deid._vault_schema import reid_log, vault
from senim.errors import UsageError
from senim.store import Store


@pytest.fixture
def store(db_url: str):  # type: ignore[no-untyped-def]
    s = Store.open(db_url)
    yield s
    s.close()


def test_vault_round_trip_and_log(store: Store, other_keys: DeidKeys) -> None:
    keys = DeidKeys(master=os.urandom(32))  # a fresh key: tokens are new even in a shared store
    policy = parse_policy(
        {
            "entities": {
                "KZ_IIN": {"operator": "pseudonym", "vault": True},
                "EMAIL": {"operator": "encrypt", "mode": "siv"},
            }
        }
    )
    deid = Deidentifier(policy=policy, keys=keys, vault=Vault(store=store, keys=keys))
    actor = "analyst-" + uuid.uuid4().hex[:6]
    out = deid.text("ИИН 900101300007, почта ivanov@mail.kz")
    assert "900101300007" not in out
    assert "ivanov@mail.kz" not in out
    token = out.split()[1].rstrip(",")
    enc = out.split()[-1]
    assert deid.summary.vault_tokens == 1
    deid.text("ещё раз ИИН 900101300007")  # same token, stored once
    assert deid.summary.vault_tokens == 1
    with store.transaction() as conn:
        sealed = conn.execute(vault.select().where(vault.c.token == token)).one()
    assert b"900101300007" not in bytes(sealed.sealed)

    v = Vault(store=store, keys=keys)
    got = v.reidentify(
        [token, enc, "KZ_IIN_0000000000000000"], reason="court order 12/3", actor=actor
    )
    assert [(r.outcome, r.value) for r in got] == [
        ("ok", "900101300007"),
        ("ok", "ivanov@mail.kz"),
        ("not_found", None),
    ]
    wrong = Vault(store=store, keys=other_keys).reidentify(
        [token, enc], reason="try other key", actor=actor
    )
    assert [r.outcome for r in wrong] == ["wrong_key", "wrong_key"]
    with store.transaction() as conn:
        rows = conn.execute(reid_log.select().where(reid_log.c.actor == actor)).all()
    assert len(rows) == 5
    assert sum(r.granted for r in rows) == 2
    assert all("900101300007" not in r.token + r.reason for r in rows)


def test_reidentify_requires_a_reason(store: Store, keys: DeidKeys) -> None:
    with pytest.raises(UsageError) as info:
        Vault(store=store, keys=keys).reidentify(["x"], reason="  ")
    assert info.value.key == "deid.reason_required"
