"""Errors the local gateway raises when a template asks for something it cannot run locally."""


class TemplateError(Exception):
    """The template (or samconfig) cannot be loaded or run locally; the message names where."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(f"{where}: {problem}")
        self.where = where
        self.problem = problem


class GatewayStartError(Exception):
    """The gateway cannot start (for example, its port is already in use)."""
