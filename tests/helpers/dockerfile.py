"""The Dockerfile's instructions as parsed by dockerfile-parse (continuation lines joined, comments
dropped, ARG and ENV values substituted), split into build stages."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass

from dockerfile_parse import DockerfileParser

from .paths import ROOT

DOCKERFILE = ROOT / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    name: str  # upper case: FROM, RUN, COPY, ...
    value: str  # the arguments, continuation lines joined

    def exec_form(self) -> list[str]:
        """The JSON array of an exec-form CMD, ENTRYPOINT or SHELL."""
        argv = json.loads(self.value)
        assert isinstance(argv, list) and all(isinstance(a, str) for a in argv), f"{self.name} is not in exec form"
        return argv

    def flags(self) -> dict[str, str]:
        """Its leading `--name=value` options (COPY --from, HEALTHCHECK --interval, ...)."""
        found = {}
        for word in shlex.split(self.value):
            if not word.startswith("--"):
                break
            name, _, value = word[2:].partition("=")
            found[name] = value
        return found

    def operands(self) -> list[str]:
        """Its words after the leading options (COPY's sources and destination)."""
        words = shlex.split(self.value)
        return words[len(self.flags()) :]

    def healthcheck(self) -> tuple[dict[str, str], list[str]]:
        """A HEALTHCHECK's options and its exec-form command."""
        options, _, command = self.value.partition("CMD ")
        return Instruction("HEALTHCHECK", options).flags(), Instruction("CMD", command).exec_form()

    def commands(self) -> list[list[str]]:
        """A shell-form RUN's commands, split at `&&`, each as its words."""
        commands: list[list[str]] = [[]]
        for word in shlex.split(self.value):
            if word == "&&":
                commands.append([])
            else:
                commands[-1].append(word)
        return commands


def parsed() -> DockerfileParser:
    return DockerfileParser(str(DOCKERFILE), cache_content=True)


def stages() -> list[list[Instruction]]:
    """The instructions of each stage, its FROM first (ARGs before the first FROM left out)."""
    found: list[list[Instruction]] = []
    for item in parsed().structure:
        instruction = Instruction(item["instruction"], item["value"])
        if instruction.name == "FROM":
            found.append([])
        if found and instruction.name != "COMMENT":
            found[-1].append(instruction)
    return found


def image_command() -> list[str]:
    """ENTRYPOINT + CMD of the Dockerfile's final stage (exec form), as the container runs them."""
    final = stages()[-1]
    entrypoint = [i.exec_form() for i in final if i.name == "ENTRYPOINT"]
    cmd = [i.exec_form() for i in final if i.name == "CMD"]
    if not entrypoint and not cmd:
        raise AssertionError("the Dockerfile's final stage has no ENTRYPOINT or CMD")
    return (entrypoint[-1] if entrypoint else []) + (cmd[-1] if cmd else [])
