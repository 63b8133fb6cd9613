"""Input problems, collected lazily so a user sees every problem of a load at once."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    file: str
    where: str  # "line 12, column 'Verdi'" / "field value[17]" / "" for the whole file
    what: str  # what is wrong
    fix: str  # how to fix it

    def __str__(self) -> str:
        loc = f"{self.file}" + (f", {self.where}" if self.where else "")
        return f"{loc}: {self.what}\n    How to fix: {self.fix}"


class InputError(Exception):
    """One or more problems in the input. Nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(self.render())

    def render(self, limit_per_kind: int = 10) -> str:
        shown: dict[tuple[str, str], int] = {}
        lines = []
        hidden = 0
        for p in self.problems:
            key = (p.file, p.what.split(":")[0])
            shown[key] = shown.get(key, 0) + 1
            if shown[key] > limit_per_kind:
                hidden += 1
                continue
            lines.append(str(p))
        n = len(self.problems)
        head = f"{n} problem{'s' if n != 1 else ''} found; nothing was loaded and the database is unchanged."
        tail = [f"... and {hidden} more of the same kinds."] if hidden else []
        return "\n".join([head, *lines, *tail])


class Collector:
    """Gathers problems for one file; raise at the end with ``check()``."""

    def __init__(self, file: str):
        self.file = file
        self.problems: list[Problem] = []

    def add(self, where: str, what: str, fix: str) -> None:
        self.problems.append(Problem(self.file, where, what, fix))

    def fail(self, where: str, what: str, fix: str) -> InputError:
        self.add(where, what, fix)
        return InputError(self.problems)

    def check(self) -> None:
        if self.problems:
            raise InputError(self.problems)
