"""Prompt templates per model family, read from the top-level `prompts/` folder.

Each family's TOML file says how documents are laid out for that model: a
task prefix (T5), an instruction (FLAN-T5), a document separator (PEGASUS,
LED/PRIMERA) and whether the first token needs global attention (LED).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from importlib import resources

DEFAULT_FAMILY = "bart"


@dataclass(frozen=True)
class PromptTemplate:
    family: str
    template: str
    document_separator: str
    group_by_article: bool
    global_attention_first_token: bool
    model_types: tuple[str, ...] = ()
    name_contains: tuple[str, ...] = ()

    def render(self, documents: list[list[str]]) -> str:
        """The model input for documents given as lists of sentences."""
        body = self.document_separator.join(" ".join(sentences) for sentences in documents if sentences)
        return self.template.format(documents=body)


@cache
def templates() -> dict[str, PromptTemplate]:
    found = {}
    for entry in resources.files("newsbrief_prompts").iterdir():
        if entry.name.endswith(".toml"):
            data = tomllib.loads(entry.read_text(encoding="utf-8"))
            data["model_types"] = tuple(data.get("model_types", ()))
            data["name_contains"] = tuple(data.get("name_contains", ()))
            found[data["family"]] = PromptTemplate(**data)
    return found


def template_for(model_name: str, model_type: str | None = None) -> PromptTemplate:
    """The family template for a model: telling parts of its name first (FLAN, PRIMERA), then its
    config's model_type, then a name part equal to a model type ("t5-small"); else BART's."""
    all_templates = templates()
    lower = model_name.lower()
    for tpl in all_templates.values():
        if any(part in lower for part in tpl.name_contains):
            return tpl
    for tpl in all_templates.values():
        if model_type and model_type in tpl.model_types:
            return tpl
    name_tokens = set(re.split(r"[-_/.]", lower))
    for tpl in all_templates.values():
        if name_tokens & set(tpl.model_types):
            return tpl
    return all_templates[DEFAULT_FAMILY]
