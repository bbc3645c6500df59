"""A small, safe condition language for rule packs, with three-valued (Kleene) logic.

Rules say *when* they apply with expressions over system-card fields::

    "biometric_identification" in capabilities and biometrics.public_spaces == true
        and not (biometrics.consent == true or biometrics.purpose in ["public_order", "health"])

Grammar (``parse`` is a hand-written recursive-descent parser; nothing is ever passed to
``eval`` or ``compile``, and the input size and nesting depth are bounded)::

    expr     := and ("or" and)*
    and      := not ("and" not)*
    not      := "not" not | compare
    compare  := operand [op operand]     op: == != < <= > >= in "not in" intersects
    operand  := path | string | number | true | false | list | call | "(" expr ")"
    list     := "[" [literal ("," literal)*] "]"
    call     := known(path) | days_since(path)
    path     := name ("." name)*

A card field the card does not state is *unknown*. Comparisons with an unknown operand are
unknown; ``and``/``or``/``not`` follow Kleene logic (``false and unknown`` is false, ``true or
unknown`` is true). :func:`evaluate` returns the truth value together with the unknown fields
that could still change it, which is how ``senim classify`` reports "what the card does not say".
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "MAX_DEPTH",
    "MAX_LENGTH",
    "UNKNOWN",
    "ConditionError",
    "FieldType",
    "Node",
    "Outcome",
    "check",
    "evaluate",
    "parse",
    "paths",
]

MAX_LENGTH = 4000
MAX_DEPTH = 40
MAX_LIST = 200

Scalar: TypeAlias = bool | int | float | str | dt.date
Value: TypeAlias = Scalar | tuple[Scalar, ...]


class _Unknown:
    """The value of a card field the card does not state."""

    _instance: _Unknown | None = None

    def __new__(cls) -> _Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()


class ConditionError(ValueError):
    """A condition cannot be parsed or does not fit the card schema.

    ``key`` is a message-catalogue key, ``params`` its parameters, ``position`` the character
    offset in the condition (or -1).
    """

    def __init__(self, key: str, /, *, position: int = -1, **params: object) -> None:
        self.key = key
        self.position = position
        self.params = {"position": position, **params}
        super().__init__(f"{key} at {position}: {params}")


# ---------------------------------------------------------------- tokens

TokenKind = Literal["num", "str", "name", "op", "punct", "end"]

_KEYWORDS = {"and", "or", "not", "in", "intersects", "true", "false"}
_FUNCTIONS = {"known", "days_since"}
_TOKEN = re.compile(
    r"""
    (?P<ws>\s+)
  | (?P<num>-?\d{1,15}(?:\.\d{1,15})?)(?![\w.])
  | (?P<str>"(?:[^"\\\n]|\\.){0,500}"|'(?:[^'\\\n]|\\.){0,500}')
  | (?P<name>[A-Za-z_][A-Za-z0-9_]{0,63}(?:\.[A-Za-z_][A-Za-z0-9_]{0,63}){0,8})
  | (?P<op>==|!=|<=|>=|<|>)
  | (?P<punct>[()\[\],])
    """,
    re.VERBOSE,
)
_ESCAPES = {'"': '"', "'": "'", "\\": "\\", "n": "\n", "t": "\t"}


@dataclass(frozen=True, slots=True)
class _Token:
    kind: TokenKind
    text: str
    pos: int


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while pos < len(source):
        match = _TOKEN.match(source, pos)
        if match is None:
            raise ConditionError("risk.cond.bad_character", position=pos, char=source[pos])
        kind = match.lastgroup
        if kind != "ws":
            tokens.append(_Token(kind, match.group(), pos))  # type: ignore[arg-type]
        pos = match.end()
    tokens.append(_Token("end", "", len(source)))
    return tokens


def _unquote(text: str, pos: int) -> str:
    body = text[1:-1]
    out: list[str] = []
    i = 0
    while i < len(body):
        char = body[i]
        if char == "\\":
            nxt = body[i + 1] if i + 1 < len(body) else ""
            if nxt not in _ESCAPES:
                raise ConditionError("risk.cond.bad_escape", position=pos + i + 1, char=nxt)
            out.append(_ESCAPES[nxt])
            i += 2
            continue
        out.append(char)
        i += 1
    return "".join(out)


# ---------------------------------------------------------------- syntax tree


@dataclass(frozen=True, slots=True)
class Lit:
    value: Scalar
    pos: int


@dataclass(frozen=True, slots=True)
class ListLit:
    items: tuple[Lit, ...]
    pos: int


@dataclass(frozen=True, slots=True)
class Path:
    name: str
    pos: int


@dataclass(frozen=True, slots=True)
class Call:
    func: str
    arg: Path
    pos: int


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node
    pos: int


@dataclass(frozen=True, slots=True)
class BoolOp:
    op: Literal["and", "or"]
    operands: tuple[Node, ...]
    pos: int


CompareOp = Literal["==", "!=", "<", "<=", ">", ">=", "in", "not in", "intersects"]


@dataclass(frozen=True, slots=True)
class Compare:
    op: CompareOp
    left: Node
    right: Node
    pos: int


Node: TypeAlias = Lit | ListLit | Path | Call | Not | BoolOp | Compare


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokenize(source)
        self.i = 0
        self.depth = 0

    # helpers
    def peek(self) -> _Token:
        return self.tokens[self.i]

    def take(self) -> _Token:
        token = self.tokens[self.i]
        self.i += 1
        return token

    def at(self, text: str) -> bool:
        token = self.peek()
        return token.kind in ("name", "op", "punct") and token.text == text

    def expect(self, text: str) -> _Token:
        token = self.peek()
        if not self.at(text):
            raise ConditionError(
                "risk.cond.expected", position=token.pos, expected=text, found=_shown(token)
            )
        return self.take()

    def enter(self, pos: int) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise ConditionError("risk.cond.too_deep", position=pos, limit=MAX_DEPTH)

    # grammar
    def parse(self) -> Node:
        node = self.expr()
        token = self.peek()
        if token.kind != "end":
            raise ConditionError("risk.cond.trailing", position=token.pos, found=_shown(token))
        return node

    def expr(self) -> Node:
        self.enter(self.peek().pos)
        first = self.conj()
        operands = [first]
        while self.at("or"):
            self.take()
            operands.append(self.conj())
        self.depth -= 1
        return first if len(operands) == 1 else BoolOp("or", tuple(operands), _pos(first))

    def conj(self) -> Node:
        first = self.negation()
        operands = [first]
        while self.at("and"):
            self.take()
            operands.append(self.negation())
        return first if len(operands) == 1 else BoolOp("and", tuple(operands), _pos(first))

    def negation(self) -> Node:
        if self.at("not"):
            token = self.take()
            self.enter(token.pos)
            operand = self.negation()
            self.depth -= 1
            return Not(operand, token.pos)
        return self.compare()

    def compare(self) -> Node:
        left = self.operand()
        token = self.peek()
        op: CompareOp | None = None
        if token.kind == "op" or self.at("in") or self.at("intersects"):
            op = token.text  # type: ignore[assignment]
            self.take()
        elif self.at("not") and self._next_is("in"):
            self.take()
            self.take()
            op = "not in"
        if op is None:
            return left
        right = self.operand()
        return Compare(op, left, right, token.pos)

    def _next_is(self, text: str) -> bool:
        nxt = self.tokens[self.i + 1]
        return nxt.kind == "name" and nxt.text == text

    def operand(self) -> Node:
        token = self.peek()
        if token.kind == "num":
            self.take()
            number = float(token.text) if "." in token.text else int(token.text)
            return Lit(number, token.pos)
        if token.kind == "str":
            self.take()
            return Lit(_unquote(token.text, token.pos), token.pos)
        if self.at("("):
            self.take()
            node = self.expr()
            self.expect(")")
            return node
        if self.at("["):
            return self.list_literal()
        if token.kind == "name":
            if token.text in ("true", "false"):
                self.take()
                return Lit(token.text == "true", token.pos)
            if token.text in _KEYWORDS:
                raise ConditionError(
                    "risk.cond.unexpected", position=token.pos, found=_shown(token)
                )
            self.take()
            if self.at("("):
                return self.call(token)
            return Path(token.text, token.pos)
        raise ConditionError("risk.cond.unexpected", position=token.pos, found=_shown(token))

    def call(self, name: _Token) -> Node:
        if name.text not in _FUNCTIONS:
            raise ConditionError(
                "risk.cond.unknown_function",
                position=name.pos,
                name=name.text,
                choices=", ".join(sorted(_FUNCTIONS)),
            )
        self.expect("(")
        arg = self.peek()
        if arg.kind != "name" or arg.text in _KEYWORDS:
            raise ConditionError("risk.cond.call_needs_field", position=arg.pos, name=name.text)
        self.take()
        self.expect(")")
        return Call(name.text, Path(arg.text, arg.pos), name.pos)

    def list_literal(self) -> Node:
        start = self.expect("[")
        items: list[Lit] = []
        while not self.at("]"):
            item = self.operand()
            if not isinstance(item, Lit):
                raise ConditionError("risk.cond.list_literal_only", position=_pos(item))
            items.append(item)
            if len(items) > MAX_LIST:
                raise ConditionError("risk.cond.list_too_long", position=item.pos, limit=MAX_LIST)
            if not self.at("]"):
                self.expect(",")
        self.expect("]")
        return ListLit(tuple(items), start.pos)


def _shown(token: _Token) -> str:
    return token.text if token.kind != "end" else "end of condition"


def _pos(node: Node) -> int:
    return node.pos


def parse(source: str) -> Node:
    """Parse ``source`` into a syntax tree; raises :class:`ConditionError` with a position."""
    if not isinstance(source, str):
        raise ConditionError("risk.cond.not_text", position=0)
    if len(source) > MAX_LENGTH:
        raise ConditionError("risk.cond.too_long", position=MAX_LENGTH, limit=MAX_LENGTH)
    if not source.strip():
        raise ConditionError("risk.cond.empty", position=0)
    return _Parser(source).parse()


def _walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Not):
        yield from _walk(node.operand)
    elif isinstance(node, BoolOp):
        for operand in node.operands:
            yield from _walk(operand)
    elif isinstance(node, Compare):
        yield from _walk(node.left)
        yield from _walk(node.right)
    elif isinstance(node, Call):
        yield node.arg


def paths(node: Node) -> set[str]:
    """Every field path the condition refers to."""
    return {item.name for item in _walk(node) if isinstance(item, Path)}


# ---------------------------------------------------------------- static types


@dataclass(frozen=True, slots=True, kw_only=True)
class FieldType:
    """What a card field holds: a scalar kind, optionally an enumeration, optionally a list."""

    kind: Literal["bool", "int", "float", "str", "date"]
    values: frozenset[str] | None = None
    is_list: bool = False

    def describe(self) -> str:
        base = self.kind if self.values is None else "one of " + ", ".join(sorted(self.values))
        return f"list of {base}" if self.is_list else base


_BOOL = FieldType(kind="bool")
_INT = FieldType(kind="int")


def _literal_type(value: Scalar) -> FieldType:
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, int):
        return _INT
    if isinstance(value, float):
        return FieldType(kind="float")
    if isinstance(value, dt.date):
        return FieldType(kind="date")
    return FieldType(kind="str")


def _compatible(a: FieldType, b: FieldType) -> bool:
    numeric = {"int", "float"}
    if a.kind in numeric and b.kind in numeric:
        return True
    return a.kind == b.kind


def check(node: Node, schema: Mapping[str, FieldType]) -> list[ConditionError]:
    """Check ``node`` against the card schema: fields exist, types fit, enum values are valid."""
    errors: list[ConditionError] = []

    def field_type(path: Path) -> FieldType | None:
        found = schema.get(path.name)
        if found is None:
            from difflib import get_close_matches

            close = get_close_matches(path.name, list(schema), n=1)
            errors.append(
                ConditionError(
                    "risk.cond.unknown_field",
                    position=path.pos,
                    field=path.name,
                    hint=close[0] if close else "-",
                )
            )
        return found

    def value_type(node: Node) -> FieldType | None:
        if isinstance(node, Lit):
            return _literal_type(node.value)
        if isinstance(node, ListLit):
            kinds = {_literal_type(item.value).kind for item in node.items}
            if len(kinds) > 1:
                errors.append(ConditionError("risk.cond.mixed_list", position=node.pos))
                return None
            kind = kinds.pop() if kinds else "str"
            return FieldType(kind=kind, is_list=True)
        if isinstance(node, Path):
            return field_type(node)
        if isinstance(node, Call):
            target = field_type(node.arg)
            if target is None:
                return None
            if node.func == "known":
                return _BOOL
            if target.kind != "date" or target.is_list:
                errors.append(
                    ConditionError(
                        "risk.cond.type_mismatch",
                        position=node.pos,
                        op=node.func,
                        left=target.describe(),
                        right="date",
                    )
                )
            return _INT
        boolean(node)
        return _BOOL

    def literal_values(node: Node) -> list[Lit]:
        if isinstance(node, Lit):
            return [node]
        if isinstance(node, ListLit):
            return list(node.items)
        return []

    def enum_check(field: FieldType | None, other: Node) -> None:
        if field is None or field.values is None:
            return
        for lit in literal_values(other):
            if isinstance(lit.value, str) and lit.value not in field.values:
                errors.append(
                    ConditionError(
                        "risk.cond.bad_value",
                        position=lit.pos,
                        value=lit.value,
                        choices=", ".join(sorted(field.values)),
                    )
                )

    def mismatch(node: Compare, left: FieldType, right: FieldType) -> None:
        errors.append(
            ConditionError(
                "risk.cond.type_mismatch",
                position=node.pos,
                op=node.op,
                left=left.describe(),
                right=right.describe(),
            )
        )

    def compare(node: Compare) -> None:
        left, right = value_type(node.left), value_type(node.right)
        if left is None or right is None:
            return
        scalar_left = FieldType(kind=left.kind, values=left.values)
        scalar_right = FieldType(kind=right.kind, values=right.values)
        if node.op in ("==", "!="):
            if left.is_list or right.is_list or not _compatible(left, right):
                mismatch(node, left, right)
            enum_check(left, node.right)
            enum_check(right, node.left)
        elif node.op in ("<", "<=", ">", ">="):
            ordered = left.kind in ("int", "float", "date") and not left.is_list
            if not ordered or right.is_list or not _compatible(left, right):
                mismatch(node, left, right)
        elif node.op in ("in", "not in"):
            if left.is_list or not right.is_list or not _compatible(scalar_left, scalar_right):
                mismatch(node, left, right)
            enum_check(right, node.left)
            enum_check(left, node.right)
        else:  # intersects
            if not (left.is_list and right.is_list) or not _compatible(left, right):
                mismatch(node, left, right)
            enum_check(left, node.right)
            enum_check(right, node.left)

    def boolean(node: Node) -> None:
        if isinstance(node, Not):
            boolean(node.operand)
        elif isinstance(node, BoolOp):
            for operand in node.operands:
                boolean(operand)
        elif isinstance(node, Compare):
            compare(node)
        elif isinstance(node, Lit | ListLit | Path | Call):
            kind = value_type(node)
            if kind is not None and (kind.kind != "bool" or kind.is_list):
                errors.append(
                    ConditionError(
                        "risk.cond.not_boolean", position=node.pos, found=kind.describe()
                    )
                )

    boolean(node)
    return errors


# ---------------------------------------------------------------- evaluation

Truth: TypeAlias = bool | None  # None: unknown


@dataclass(frozen=True, slots=True)
class Outcome:
    """The truth value of a condition, and the unknown fields that could still change it."""

    value: Truth
    unknown: frozenset[str] = field(default_factory=frozenset)


Lookup: TypeAlias = Callable[[str], "Value | _Unknown"]


def evaluate(node: Node, lookup: Lookup, *, today: dt.date | None = None) -> Outcome:
    """Evaluate a (checked) condition; ``lookup(path)`` returns a value or :data:`UNKNOWN`."""
    as_of = today or dt.date.today()

    def operand(node: Node) -> tuple[Value | _Unknown, frozenset[str]]:
        if isinstance(node, Lit):
            return node.value, frozenset()
        if isinstance(node, ListLit):
            return tuple(item.value for item in node.items), frozenset()
        if isinstance(node, Path):
            value = lookup(node.name)
            return value, frozenset({node.name}) if value is UNKNOWN else frozenset()
        if isinstance(node, Call):
            value = lookup(node.arg.name)
            if node.func == "known":
                return value is not UNKNOWN, frozenset()
            if value is UNKNOWN:
                return UNKNOWN, frozenset({node.arg.name})
            if not isinstance(value, dt.date):
                raise TypeError(f"days_since({node.arg.name}) needs a date")
            return (as_of - value).days, frozenset()
        outcome = truth(node)
        if outcome.value is None:
            return UNKNOWN, outcome.unknown
        return outcome.value, frozenset()

    def compare(node: Compare) -> Outcome:
        left, left_unknown = operand(node.left)
        right, right_unknown = operand(node.right)
        if left is UNKNOWN or right is UNKNOWN:
            return Outcome(None, left_unknown | right_unknown)
        assert not isinstance(left, _Unknown)
        assert not isinstance(right, _Unknown)
        result: bool
        if node.op == "==":
            result = left == right
        elif node.op == "!=":
            result = left != right
        elif node.op in ("in", "not in"):
            if not isinstance(right, tuple):
                raise TypeError(f"'{node.op}' needs a list on the right")
            result = (left in right) == (node.op == "in")
        elif node.op == "intersects":
            if not isinstance(left, tuple) or not isinstance(right, tuple):
                raise TypeError("'intersects' needs two lists")
            result = bool(set(left) & set(right))
        else:
            result = _order(node.op, left, right)
        return Outcome(result)

    def truth(node: Node) -> Outcome:
        if isinstance(node, Compare):
            return compare(node)
        if isinstance(node, Not):
            inner = truth(node.operand)
            return inner if inner.value is None else Outcome(not inner.value)
        if isinstance(node, BoolOp):
            decisive = node.op == "or"  # the value that settles the whole expression
            unknown: set[str] = set()
            undecided = False
            for item in node.operands:
                outcome = truth(item)
                if outcome.value is decisive:
                    return Outcome(decisive)
                if outcome.value is None:
                    undecided = True
                    unknown |= outcome.unknown
            return Outcome(None, frozenset(unknown)) if undecided else Outcome(not decisive)
        value, unknown_paths = operand(node)
        if value is UNKNOWN:
            return Outcome(None, unknown_paths)
        if not isinstance(value, bool):
            raise TypeError(f"not a truth value: {value!r}")
        return Outcome(value)

    return truth(node)


def _order(op: str, left: Value, right: Value) -> bool:
    if isinstance(left, tuple) or isinstance(right, tuple):
        raise TypeError(f"'{op}' cannot compare lists")
    pairs: dict[str, Callable[[object, object], bool]] = {
        "<": lambda a, b: a < b,  # type: ignore[operator]
        "<=": lambda a, b: a <= b,  # type: ignore[operator]
        ">": lambda a, b: a > b,  # type: ignore[operator]
        ">=": lambda a, b: a >= b,  # type: ignore[operator]
    }
    return pairs[op](left, right)
