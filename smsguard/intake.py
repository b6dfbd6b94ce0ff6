"""What the engine takes in: the shapes of a message it accepts, the checks on them, and batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from typing import Any

from smsguard.errors import InputError
from smsguard.model import Message

# ``check_many`` and ``scan`` judge at most this many messages, or this many characters (a longer message goes
# alone), stage by stage at a time (see ``Engine.judge_many``): the batch's intermediate results are held at once.
BATCH = 64
BATCH_CHARS = 32_000


def as_message(item: str | Message | Mapping[str, Any]) -> Message:
    """Accept the shapes ``check_many`` takes."""
    if isinstance(item, Message):
        return item
    if isinstance(item, str):
        return Message(item)
    if isinstance(item, Mapping):
        text = item.get("text")
        if not isinstance(text, str):
            raise InputError("a message needs a 'text' string")
        sender = item.get("sender")
        received = item.get("received_at")
        when = parse_time(received) if isinstance(received, str) and received else None
        return Message(text, str(sender) if sender not in (None, "") else None, when)
    raise InputError(f"cannot judge a {type(item).__name__}")


def parse_time(value: str) -> datetime:
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise InputError("received_at must be an ISO 8601 date and time") from None


def batched(messages: Iterable[Message]) -> Iterator[list[Message]]:
    """Messages in batches of at most ``BATCH`` messages or ``BATCH_CHARS`` characters (a longer one alone)."""
    batch: list[Message] = []
    size = 0
    for message in messages:
        if batch and (len(batch) >= BATCH or size + len(message.text) > BATCH_CHARS):
            yield batch
            batch, size = [], 0
        batch.append(message)
        size += len(message.text)
    if batch:
        yield batch


def check_input(message: Message) -> None:
    """Raise :class:`InputError` for a message whose text or sender is not a string."""
    if not isinstance(message.text, str):
        raise InputError(f"message text must be a string, not {type(message.text).__name__}")
    if message.sender is not None and not isinstance(message.sender, str):
        raise InputError(f"sender must be a string, not {type(message.sender).__name__}")
