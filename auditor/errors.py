"""The one error type the tool raises for bad input: it always names the file."""

from __future__ import annotations


class InputError(Exception):
    """A file that cannot be read as a budget document (empty, binary, unknown encoding…)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"{path}: {problem}")
        self.path = path
        self.problem = problem
