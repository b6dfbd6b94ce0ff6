"""Functions that plugins contribute to the rule language: typed and pure.

A function receives a read-only :class:`~smsguard.matching.MessageView` and constant arguments written in the
rule, and returns a value of its declared type. It may not keep state between calls or touch anything outside
the message: the same message and arguments always give the same value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from smsguard.matching import MessageView

ParamType = Literal["string", "number", "bool"]
ReturnType = Literal["bool", "number", "string"]
FunctionValue = bool | int | float | str


@dataclass(frozen=True, slots=True)
class RuleFunction:
    """A function of the rule language provided by a plugin.

    :param name: the name rules call it by; must not shadow a built-in function.
    :param params: the types of its positional arguments, all constants in the rule.
    :param returns: the type of its result.
    :param impl: ``impl(view, *args)``; must be pure.
    :param description: one line for ``smsguard plugins`` and the docs.
    """

    name: str
    params: tuple[ParamType, ...]
    returns: ReturnType
    impl: Callable[..., FunctionValue]
    description: str = ""
    plugin: str = ""


__all__ = ["FunctionValue", "MessageView", "ParamType", "ReturnType", "RuleFunction"]
