"""What the request and response bodies of every resource share (pydantic): text checks, limits
read from settings, an article, problem details. Each resource's own bodies are in its package
(service/briefings/schemas.py, ...); spectree validates requests and responses with them and
generates /openapi.json from them (service/openapi.py).

Some limits are settings of each app (articles per request, characters per article, clusters per
job, the models a request may name), while these models are built once: `AtMost` and `OneOf` read
the limit from the app's settings (`current_settings()`, by field name) when a request is
validated, and mark the field so that `with_settings` writes each app's own limit into its
/openapi.json. The briefing options of a request derive from the library's options model
(service/briefings/schemas.py). The briefing inside a response is the summariser's own `Briefing`
dataclass, so its schema cannot drift from it.
"""

from __future__ import annotations

import copy
from collections.abc import Sized
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

from summarizer import (
    CONTROL_CHARACTER,
    CONTROL_CHARACTERS,
)

from .settings import ServiceSettings, current_settings, variable_name

# White space, spelt out (what Python's str.strip() removes, but the control characters below):
# regex engines disagree on what `\s` covers (Rust's, which pydantic checks patterns with,
# Python's and ECMAScript's, which JSON Schema tools read them with).
WHITE_SPACE = r"\t\n\x0B\x0C\r\x20\x85\xA0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000"
# Contains something other than white space (JSON Schema patterns match anywhere in a string).
NOT_BLANK = f"[^{WHITE_SPACE}]"
# Every string a request stores is refused with a control character (the library's
# CONTROL_CHARACTERS), on every database alike (a 422 naming the field), before anything is stored.
# The JSON Schema patterns of such strings: no control character; and, for NOT_BLANK ones, also
# something other than white space.
TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}]*$"
NOT_BLANK_TEXT_PATTERN = f"^[^{CONTROL_CHARACTERS}]*[^{WHITE_SPACE}{CONTROL_CHARACTERS}][^{CONTROL_CHARACTERS}]*$"
# The JSON Schema keywords whose value is a setting, as {keyword: setting}, for `with_settings`.
SETTINGS_KEY = "x-newsbrief-settings"


class AfterCheck:
    """Annotated metadata whose `check` runs after pydantic's own validation of the field, and
    whose `schema_keywords` add to the field's JSON Schema."""

    def __post_init__(self) -> None:
        # A setting named wrong would fail on the first request: fail where the schema is made.
        setting = getattr(self, "setting", None)
        if setting is not None and setting not in ServiceSettings.model_fields:
            raise ValueError(f"{setting!r} is no setting of the service")

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(self.check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        json_schema = handler(schema)
        json_schema.update(self.schema_keywords(json_schema))
        return json_schema

    def check(self, value: Any) -> Any:
        raise NotImplementedError

    def schema_keywords(self, json_schema: JsonSchemaValue) -> JsonSchemaValue:
        raise NotImplementedError


@dataclass(frozen=True)
class AtMost(AfterCheck):
    """At most the `setting` (a settings field, max_articles) items (a list) or characters (a string)."""

    setting: str

    def schema_keywords(self, json_schema: JsonSchemaValue) -> JsonSchemaValue:
        keyword = "maxItems" if json_schema.get("type") == "array" else "maxLength"
        return {SETTINGS_KEY: {keyword: self.setting}}

    def check(self, value: Sized) -> Sized:
        limit = getattr(current_settings(), self.setting)
        if len(value) > limit:
            unit = "characters" if isinstance(value, str) else "items"
            raise PydanticCustomError(
                "too_long",
                "at most {limit} {unit} ({variable})",
                {"limit": limit, "unit": unit, "variable": variable_name(self.setting)},
            )
        return value


@dataclass(frozen=True)
class OneOf(AfterCheck):
    """One of the names in the `setting` (a settings field, models)."""

    setting: str

    def schema_keywords(self, json_schema: JsonSchemaValue) -> JsonSchemaValue:
        return {SETTINGS_KEY: {"enum": self.setting}}

    def check(self, value: str) -> str:
        names = getattr(current_settings(), self.setting)
        if value not in names:
            raise PydanticCustomError(
                "not_configured",
                "must be one of {names} ({variable})",
                {"names": ", ".join(names), "variable": variable_name(self.setting)},
            )
        return value


@dataclass(frozen=True)
class NoControlCharacters(AfterCheck):
    """Text without CONTROL_CHARACTERS (after any `pattern=NOT_BLANK`, whose check it keeps while
    its schema pattern says both)."""

    def schema_keywords(self, json_schema: JsonSchemaValue) -> JsonSchemaValue:
        return {"pattern": NOT_BLANK_TEXT_PATTERN if json_schema.get("pattern") == NOT_BLANK else TEXT_PATTERN}

    def check(self, value: str) -> str:
        if found := CONTROL_CHARACTER.search(value):
            raise PydanticCustomError(
                "control_character",
                "must not contain control characters other than tab, newline and carriage return "
                "(U+{code} at character {position})",
                {"code": f"{ord(found.group()):04X}", "position": found.start() + 1},
            )
        return value


def with_settings(spec: dict, settings: ServiceSettings) -> dict:
    """A copy of `spec` whose setting-bound keywords (marked by AtMost and OneOf) hold `settings`' values."""
    found = copy.deepcopy(spec)
    pending: list[Any] = [found]
    while pending:
        node = pending.pop()
        if isinstance(node, dict):
            for keyword, setting in node.pop(SETTINGS_KEY, {}).items():
                node[keyword] = getattr(settings, setting)
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)
    return found


def _no_null_default(schema: dict) -> None:
    del schema["default"]


def omitted(description: str | None = None, alias: str | None = None) -> Any:
    """The default of a field that a request may leave out but not set to null: the model holds None
    for it, but null is no value of its type, so the schema has no default."""
    return Field(None, alias=alias, description=description, json_schema_extra=_no_null_default)


class Strict(BaseModel):
    # Strict: "150" is not a number and 1 is not true; unknown keys are errors, never ignored.
    model_config = ConfigDict(strict=True, extra="forbid")


def _whole_number(value: object) -> object:
    return int(value) if isinstance(value, float) and value.is_integer() else value


# Annotated metadata after an int's constraints: an integer as JSON Schema has it, so 60.0 is one
# too (its `integer` is any number without a fraction); "60", true and 60.5 are not (strict mode
# refuses them).
WHOLE_NUMBER = BeforeValidator(_whole_number)
ArticleBody = Annotated[str, Field(min_length=1, pattern=NOT_BLANK), AtMost("max_article_chars"), NoControlCharacters()]
Meta = Annotated[str, Field(max_length=2000), NoControlCharacters()] | None
# What the summariser needs; JSON Schema cannot tell a sentence, so the rest is said in words.
SENTENCES_NEEDED = (
    "The articles of a request need at least one complete sentence of prose between them (several words "
    "ending in a full stop, not only a headline, labels, links or markup): without one the answer is 422, "
    '"the articles contain no complete sentences to summarise".'
)


class Article(Strict):
    """One article: `text` (plain text) or `html` (a whole page; the article is extracted). One of the
    two is required."""

    # "text or html", in the schema (as a condition: generated clients read `anyOf` as a union of
    # types); the check itself is article_from_dict's, a 422 naming `text`.
    model_config = ConfigDict(json_schema_extra={"if": {"not": {"required": ["html"]}}, "then": {"required": ["text"]}})

    id: Meta = Field(default=None, description="Defaults to article-N (N counts from 1)")
    title: Meta = None
    # Typed str, not str | None: null is refused; None only stands for a key left out.
    text: ArticleBody = omitted(f"Plain text. {SENTENCES_NEEDED}")
    html: ArticleBody = omitted(f"A whole HTML page; its main text is extracted. {SENTENCES_NEEDED}")
    content_type: Literal["text", "html"] | None = Field(default=None, description='"html" when `text` holds HTML')
    url: Meta = None
    source: Meta = None
    published: Meta = None


Articles = Annotated[list[Article], Field(min_length=1), AtMost("max_articles")]


class ProblemError(BaseModel):
    field: str
    message: str


class Problem(BaseModel):
    """RFC 9457 problem details; `fields` names the request parts at fault."""

    type: str
    title: str
    status: int
    detail: str
    fields: list[str]
    errors: list[ProblemError]


class ClusterError(BaseModel):
    message: str
    field: str | None = Field(description="The part of the request at fault, like clusters[3].articles")
