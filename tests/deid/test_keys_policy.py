from __future__ import annotations

import os
from pathlib import Path

import pytest

from senim.deid import (
    Deidentifier,
    DeidKeys,
    Policy,
    dump_policy,
    generate_key_file,
    load_keys,
    load_policy,
    parse_policy,
)
from senim.deid.operators import Generalise, Pseudonym, Tag
from senim.errors import ConfigError, InputError

HEX = bytes(range(7, 39)).hex()


def test_key_from_env_hex_and_passphrase() -> None:
    a = load_keys(environ={"SENIM_DEID_KEY": HEX})
    assert a.subkey("pseudonym") == load_keys(environ={"SENIM_DEID_KEY": HEX}).subkey("pseudonym")
    assert a.subkey("pseudonym") != a.subkey("vault")
    b = load_keys(environ={"SENIM_DEID_KEY": "correct horse battery staple, said Abai in 1890"})
    assert a.key_id != b.key_id
    assert HEX not in repr(a)


def test_key_file_wins_and_must_be_private(tmp_path: Path) -> None:
    path = generate_key_file(tmp_path / "k.key")
    assert os.stat(path).st_mode & 0o777 == 0o600
    keys = load_keys(environ={"SENIM_DEID_KEY_FILE": str(path), "SENIM_DEID_KEY": HEX})
    assert (
        keys.key_id
        == load_keys(key_file=path).key_id
        != load_keys(environ={"SENIM_DEID_KEY": HEX}).key_id
    )
    os.chmod(path, 0o644)
    with pytest.raises(ConfigError) as info:
        load_keys(key_file=path)
    assert info.value.key == "deid.key_file_open"
    with pytest.raises(InputError) as exists:
        generate_key_file(path)
    assert exists.value.key == "deid.key_file_exists"


@pytest.mark.parametrize(
    ("environ", "key", "text"),
    [
        ({}, "deid.key_missing", "No de-identification key: set $SENIM_DEID_KEY_FILE"),
        ({"SENIM_DEID_KEY": "short"}, "deid.key_weak_short", "too weak: 40 bits"),
        ({"SENIM_DEID_KEY": "ab" * 40}, "deid.key_weak_repetitive", "repeats a few characters"),
        ({"SENIM_DEID_KEY_FILE": "/nonexistent/k"}, "deid.key_file_missing", "does not exist"),
    ],
)
def test_missing_or_weak_keys(environ: dict[str, str], key: str, text: str) -> None:
    with pytest.raises(ConfigError) as info:
        load_keys(environ=environ)
    assert info.value.key == key
    assert text in info.value.message("en")


def test_policy_parses_validates_and_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(
        "entities:\n  KZ_IIN: {operator: pseudonym, length: 20}\n"
        "  DATE_OF_BIRTH: {operator: generalise, to: year}\n"
        "columns:\n  iin: {operator: pseudonym, entity: KZ_IIN}\n  note: scan\n  age: keep\n",
        "utf-8",
    )
    policy = load_policy(path)
    assert isinstance(policy.entities["KZ_IIN"], Pseudonym)
    assert isinstance(policy.entities["DATE_OF_BIRTH"], Generalise)
    assert policy.columns["note"] == "scan"
    assert policy.needs_key
    assert not policy.uses_vault
    assert parse_policy(__import__("yaml").safe_load(dump_policy(policy))) == policy


@pytest.mark.parametrize(
    ("text", "key", "fragment"),
    [
        ("entities: {KZ_IIN: {operator: shred}}", "deid.policy_invalid", "entities.KZ_IIN"),
        ("entities: {KZ_IIN: {operator: mask, keep: 3}}", "deid.policy_invalid", "keep"),
        ("key: abc", "deid.policy_invalid", "key"),
        ("- a\n- b", "deid.policy_invalid", "not a mapping"),
    ],
)
def test_policy_errors_name_the_problem(tmp_path: Path, text: str, key: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ConfigError) as info:
        load_policy(path)
    assert info.value.key == key
    assert fragment in info.value.message("en")


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"entities": {"KZ_NOPE": {"operator": "tag"}}}, "deid.policy_unknown_entity"),
        ({"entities": {"PERSON": {"operator": "generalise"}}}, "deid.policy_unsupported"),
        ({"default": {"operator": "generalise"}}, "deid.policy_unsupported"),
        ({"columns": {"iin": {"operator": "tag"}}}, "deid.policy_column_entity"),
        ({"entities": {"KZ_IIN": {"operator": "pseudonym", "vault": True}}}, "deid.key_needed"),
    ],
)
def test_policy_cross_checks(data: dict[str, object], key: str) -> None:
    with pytest.raises(ConfigError) as info:
        Deidentifier(policy=parse_policy(data))
    assert info.value.key == key


def test_vault_policy_needs_a_store(keys: DeidKeys) -> None:
    policy = parse_policy({"entities": {"KZ_IIN": {"operator": "pseudonym", "vault": True}}})
    with pytest.raises(ConfigError) as info:
        Deidentifier(policy=policy, keys=keys)
    assert info.value.key == "deid.vault_needed"


def test_default_policy_is_tags() -> None:
    assert isinstance(Policy().default, Tag)
    assert not Policy().needs_key
