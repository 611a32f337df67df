"""Turn pydantic's validation errors into one-line :class:`ScenarioError` messages.

Every message names the dotted key, the rule, the value and the source:
``team.tiers.l1.staff must be an integer >= 0, got -2 (rollout.toml)``; unknown keys
and misspelt choices get a did-you-mean.
"""

from __future__ import annotations

import difflib
import types
import typing
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, BeforeValidator, Discriminator, Tag, ValidationError
from pydantic.fields import FieldInfo

from supportsim._errors import ScenarioError
from supportsim.scenario._schema import KeyedError, KnockOnError, _hours
from supportsim.scenario._written import written
from supportsim.units import format_duration

_MAX_REPORTED = 3
#: Longest value echoed in a message, in characters; longer ones are cut (see `shown`).
MAX_SHOWN = 60


def cut(text: str) -> str:
    """`text` cut to MAX_SHOWN characters with the full length named.

    A 10,000-character string in a file must not become a 10,000-character error line.
    """
    return text if len(text) <= MAX_SHOWN else f"{text[:MAX_SHOWN]}… ({len(text):,} characters)"


def shown(value: object) -> str:
    """`value` as written (:func:`~supportsim.scenario._written.written`: ``repr``, dates
    as in TOML), :func:`cut`."""
    return cut(written(value))


def _short_key(key: str) -> str:
    """A dotted key with any part longer than MAX_SHOWN cut like a value."""
    return ".".join(cut(p) for p in key.split("."))


def _shorten_quoted(rule: str) -> str:
    """Cut the value that a validator quotes at the end of its rule (``, got '...'``).

    Only the text after ``, got `` is a value: the rule before it is the message, and an
    apostrophe in it ("the shifts' staff") is no quote to cut at.
    """
    head, got, value = rule.partition(", got ")
    return f"{head}{got}{cut(value)}" if got else rule


def dotted(loc: Sequence[int | str]) -> str:
    """``("team", "tiers", "l1", "staff")`` -> ``"team.tiers.l1.staff"``."""
    return ".".join(str(part) for part in loc)


def _source_suffix(source: str | None) -> str:
    return f" ({source})" if source else ""


def _unwrap(annotation: Any) -> list[Any]:
    """The model-or-container types a field annotation can hold."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _unwrap(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        return [t for arg in typing.get_args(annotation) for t in _unwrap(arg)]
    return [annotation]


def _tags(field: FieldInfo) -> set[str]:
    """The tags a discriminated-union field puts into error locations (e.g. "shifts")."""
    if field.discriminator is None and not any(
        isinstance(m, Discriminator) for m in field.metadata
    ):
        return _optional_tags(field.annotation)
    return _member_tags(field.annotation)


def _member_tags(union: Any) -> set[str]:
    return {
        meta.tag
        for member in typing.get_args(union)
        if typing.get_origin(member) is typing.Annotated
        for meta in member.__metadata__
        if isinstance(meta, Tag)
    }


def _optional_tags(annotation: Any) -> set[str]:
    """Tags of a discriminated union that is optional (``Union | None``, e.g.
    ``retry_after``): the discriminator sits on the inner Annotated union."""
    if typing.get_origin(annotation) not in (typing.Union, types.UnionType):
        return set()
    tags: set[str] = set()
    for member in typing.get_args(annotation):
        if typing.get_origin(member) is typing.Annotated and any(
                isinstance(m, Discriminator) for m in member.__metadata__):
            tags |= _member_tags(typing.get_args(member)[0])
    return tags


def _step(candidates: list[Any], part: int | str) -> tuple[list[Any], set[str]]:
    """The types one step down `part` from `candidates`, and the union tags to expect next."""
    following: list[Any] = []
    tags: set[str] = set()
    for cand in candidates:
        origin = typing.get_origin(cand)
        if isinstance(cand, type) and issubclass(cand, BaseModel):
            field = cand.model_fields.get(str(part)) or next(
                (f for f in cand.model_fields.values() if f.alias == part), None
            )
            if field is not None:
                following.extend(_unwrap(field.annotation))
                tags |= _tags(field)
        elif origin is dict:
            following.extend(_unwrap(typing.get_args(cand)[1]))
        elif origin in (tuple, list) and isinstance(part, int):
            following.extend(_unwrap(typing.get_args(cand)[0]))
    return following, tags


def _model_at(root: type[BaseModel], loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The section model that the path `loc` points into, if any."""
    candidates: list[Any] = [root]
    for part in loc:
        candidates, _ = _step(candidates, part)
    models = [c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)]
    return models[0] if models else None


def _field_at(root: type[BaseModel], loc: Sequence[int | str]) -> FieldInfo | None:
    model = _model_at(root, loc[:-1]) if loc else None
    return model.model_fields.get(str(loc[-1])) if model else None


def _expects_integer(root: type[BaseModel], loc: Sequence[int | str]) -> bool:
    """Whether the schema declares the key at `loc` a whole number (not the input's type)."""
    field = _field_at(root, loc)
    if field is None:
        return False
    kinds = _unwrap(field.annotation)
    return int in kinds and float not in kinds


def _expects_duration(root: type[BaseModel], loc: Sequence[int | str]) -> bool:
    """Whether the key at `loc` is a duration (its bounds are then written with a unit)."""
    field = _field_at(root, loc)
    if field is None:
        return False
    # pydantic moves a field's outer Annotated metadata to `metadata`; an optional
    # duration keeps it inside the union.
    metadata: list[Any] = list(field.metadata)
    annotations: list[Any] = [field.annotation]
    while annotations:
        annotation = annotations.pop()
        if typing.get_origin(annotation) is typing.Annotated:
            metadata.extend(annotation.__metadata__)
            annotations.append(typing.get_args(annotation)[0])
        elif typing.get_origin(annotation) in (typing.Union, types.UnionType):
            annotations.extend(typing.get_args(annotation))
    return any(isinstance(m, BeforeValidator) and m.func is _hours for m in metadata)


def closest(word: str, choices: Sequence[str]) -> str | None:
    """The choice most like `word` (a misspelling of it, or the same in another case:
    "de" for "DE", "p1" for "P1"), or None."""
    same = [c for c in choices if c != word and c.casefold() == word.casefold()]
    if same:  # difflib compares case-sensitively: "p1" is only half like "P1"
        return same[0]
    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def _did_you_mean(word: str, choices: Sequence[str]) -> str:
    close = closest(word, choices)
    return f" (did you mean {close!r}?)" if close else ""


def _clean_loc(
    loc: Sequence[int | str], root: type[BaseModel], kind: str = ""
) -> list[int | str]:
    """The path as the user wrote it.

    Discriminated unions put their tag ("named", "weights", "shifts") right after the
    field, and dict-key errors end in "[key]"; neither is a key the user wrote. Only those
    positions are dropped: a user's own key may well be called "named" or "shifts".
    """
    out: list[int | str] = []
    candidates: list[Any] = [root]
    tags: set[str] = set()
    for index, part in enumerate(loc):
        if isinstance(part, str) and part in tags:
            tags = set()
            continue
        if part == "[key]" and index == len(loc) - 1 and kind != "extra_forbidden":
            continue
        out.append(part)
        candidates, tags = _step(candidates, part)
    return out


def _rule(error: Any, root: type[BaseModel]) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    value = error.get("input")
    loc = _clean_loc(error["loc"], root, kind)
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        model = _model_at(root, loc[:-1])
        known = [f.alias or name for name, f in model.model_fields.items()] if model else []
        return f"is not a known key{_did_you_mean(str(loc[-1]), known)}"
    if kind == "literal_error":
        expected = ctx.get("expected", "")
        choices = [c.strip().strip("'") for c in str(expected).replace(" or ", ", ").split(",")]
        hint = _did_you_mean(value, choices) if isinstance(value, str) else ""
        return f"must be one of {expected}{hint}"
    bounds = {
        "greater_than_equal": (">=", "ge"),
        "greater_than": (">", "gt"),
        "less_than_equal": ("<=", "le"),
        "less_than": ("<", "lt"),
    }
    if kind in bounds:
        op, name = bounds[kind]
        noun = "an integer" if _expects_integer(root, loc) else "a number"
        limit = ctx.get(name)
        if _expects_duration(root, loc) and isinstance(limit, int | float):
            return f"must be a duration {op} {_duration_text(limit)}"
        return f"must be {noun} {op} {limit:g}" if isinstance(limit, float) else (
            f"must be {noun} {op} {limit}")
    if kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        return "must be an integer"
    if kind in ("float_type", "float_parsing"):
        return "must be a number"
    if kind == "finite_number":
        return "must be a finite number"
    if kind in ("too_short", "too_long"):
        least = "at least" if kind == "too_short" else "at most"
        limit = ctx.get("min_length" if kind == "too_short" else "max_length")
        return f"must have {least} {limit} item{'s' if limit != 1 else ''}"
    message = str(error.get("msg", kind))
    return message.removeprefix("Value error, ").replace("Input should be", "must be")


def _duration_text(hours: float) -> str:
    """A bound in the coarsest unit that writes it exactly ("1s", "520w"), else in hours."""
    written = format_duration(hours)
    return written if isinstance(written, str) else f"{hours:g}" + (" h" if hours else "")


def _shows_value(rule: str, value: object) -> bool:
    # Rules from validators (e.g. parse_duration's) often quote the value already.
    return value is not None and not isinstance(value, dict) and ", got " not in rule


def _as_written(given: Any, loc: Sequence[int | str], value: object) -> object:
    """The value at `loc` of the data as given when validation turned it into this number
    ("1min" -> 0.016666 h, -2 -> -2.0), so that the message shows what the user wrote."""
    if not isinstance(value, int | float) or isinstance(value, bool):
        return value
    node = given
    for part in loc:
        if isinstance(node, dict) and part in node:
            node = node[part]
        elif isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list | tuple) and str(part).lstrip("-").isdigit() and (
                -len(node) <= int(part) < len(node)):
            node = node[int(part)]
        else:
            return value
    try:  # only the text this very number came from (not, e.g., a mean computed from it)
        same = not isinstance(node, bool) and _hours(node) == value
    except (ValueError, TypeError, OverflowError):
        return value
    return (node.strip() if isinstance(node, str) else node) if same else value


def scenario_error(
    exc: ValidationError, root: type[BaseModel], source: str | None, given: Any = None
) -> ScenarioError:
    """One :class:`ScenarioError` describing (up to three of) the problems in `exc`;
    values are shown as written in `given` (the data validated), where it has them."""
    parts = []
    errors = exc.errors()
    # An error that only follows from another one is left out while that one is reported.
    errors = [e for e in errors if not isinstance((e.get("ctx") or {}).get("error"),
                                                  KnockOnError)] or errors
    for error in errors[:_MAX_REPORTED]:
        loc = _clean_loc(error["loc"], root, error["type"])
        original = (error.get("ctx") or {}).get("error")
        if isinstance(original, KeyedError):
            loc = [*loc, *original.key.split(".")]
            rule, value = original.rule, original.value
        else:
            rule, value = _rule(error, root), error.get("input")
        value = _as_written(given, loc, value)
        text = f"{_short_key(dotted(loc)) or 'scenario'} {_shorten_quoted(rule)}"
        if _shows_value(rule, value) and error["type"] != "missing":
            text += f", got {shown(value)}"
        parts.append(text)
    more = len(errors) - _MAX_REPORTED
    if more > 0:
        parts.append(f"and {more} more problem{'s' if more > 1 else ''}")
    return ScenarioError("; ".join(parts) + _source_suffix(source))


def keyed_error(error: KeyedError, source: str | None) -> ScenarioError:
    """A :class:`ScenarioError` from a cross-section rule raised outside pydantic."""
    text = f"{_short_key(error.key)} {_shorten_quoted(error.rule)}"
    if _shows_value(error.rule, error.value):
        text += f", got {shown(error.value)}"
    return ScenarioError(text + _source_suffix(source))
