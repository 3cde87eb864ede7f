"""The bodies of POST /v1/briefings and GET /v1/briefings/<id> (pydantic).

The briefing options of a request and of a response derive from the library's options model
(summarizer/options.py): the same types, bounds and descriptions, so they cannot drift from it.
"""

from __future__ import annotations

from datetime import datetime
from types import NoneType, UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import BaseModel, ConfigDict, Field, create_model

from summarizer import Briefing, SummaryOptions

from ..schemas import WHOLE_NUMBER, Articles, OneOf, Strict, omitted

EXAMPLE_REQUEST: dict[str, Any] = {
    "articles": [
        {
            "id": "wire",
            "title": "Floods kill 12 in the north",
            "text": "Floods killed 12 people in the northern province on Monday, officials said. "
            "Rescue teams reached the cut-off villages on Tuesday morning. "
            "The regional governor declared a state of emergency.",
        },
        {
            "id": "local",
            "title": "State of emergency after deadly floods",
            "text": "Officials said the floods killed 12 people in the northern province on Monday. "
            "The governor declared a state of emergency on Monday night. "
            "Schools in the province will stay closed until Friday.",
        },
    ],
    "options": {"max_words": 60},
}


# Options a request may not set: a tokenizer is a folder on the server, and the n-gram rule is the
# operator's (NEWSBRIEF_NO_REPEAT_NGRAM_SIZE).
SERVER_ONLY_OPTIONS = frozenset({"tokenizer", "no_repeat_ngram_size"})
# What a request's option adds to the model's field, and says instead of its description: the
# model must be one this server serves.
REQUEST_CHECKS = {"model": (OneOf("models"), "One of GET /v1/models")}


def request_options() -> type[BaseModel]:
    """The options a request may set: each a field of the options model, with its type, bounds and
    description, optional (left out or null: the server's default), strict as every request body."""
    fields: dict[str, Any] = {}
    for name, field in SummaryOptions.model_fields.items():
        if name in SERVER_ONLY_OPTIONS:
            continue
        value_type: Any = field.annotation
        if get_origin(value_type) in (Union, UnionType):  # int | None: null is "not given" here anyway
            value_type = next(arm for arm in get_args(value_type) if arm is not NoneType)
        # 60.0 is a whole number too, as JSON Schema has it.
        checks = [*field.metadata, *([WHOLE_NUMBER] if value_type is int else [])]
        check, description = REQUEST_CHECKS.get(name, (None, field.description or ""))
        checks += [check] if check is not None else []
        annotation: Any = Annotated[(value_type, *checks)] if checks else value_type
        fields[name] = (annotation | None, Field(None, description=description))
    return create_model(
        "BriefingOptions",
        __base__=Strict,
        __doc__="Unset options take the server's defaults (NEWSBRIEF_ENGINE, NEWSBRIEF_MODEL, ...).",
        **fields,
    )


BriefingOptions = request_options()


class BriefingRequest(Strict):
    """The POST /v1/briefings body."""

    model_config = ConfigDict(json_schema_extra={"examples": [EXAMPLE_REQUEST]})
    articles: Articles
    since: Articles = omitted(
        "Articles the reader has read already: the briefing is then an update, only what `articles` add "
        '(new facts, changed figures citing both sides); each sentence says `novelty` "new" or "update", and '
        "these articles are listed first among the sources, marked `earlier`"
    )
    options: BriefingOptions = Field(default_factory=BriefingOptions)  # type: ignore[valid-type]


class EffectiveOptions(SummaryOptions):
    """The options the briefing was made with, server defaults filled in."""

    # Every option is in every response. An option added later is stored only when not at its
    # default (service/fingerprint.py), so a stored request may lack it: its default is filled in;
    # one stored by an older version and since dropped is left out, not refused.
    model_config = ConfigDict(extra="ignore", json_schema_serialization_defaults_required=True)


class BriefingResource(BaseModel):
    model_config = ConfigDict(json_schema_serialization_defaults_required=True)
    id: str
    content_hash: str = Field(description="sha256 of the articles, the options and the summariser version")
    created_at: datetime
    options: EffectiveOptions
    briefing: Briefing
