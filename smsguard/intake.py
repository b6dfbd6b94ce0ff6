"""What the engine takes in: the shapes of a message it accepts, the checks on them, and batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

from smsguard.errors import InputError
from smsguard.model import Message

# ``check_many`` and ``scan`` judge at most this many messages, or this many characters (a longer message goes
# alone), stage by stage at a time (see ``Engine.judge_many``): the batch's intermediate results are held at once.
BATCH = 64
BATCH_CHARS = 32_000


def as_message(item: str | Message | Mapping[str, Any]) -> Message:
    """Accept the shapes ``check_many`` takes: a :class:`Message`, a text, or a mapping with a ``text`` string and
    optional ``sender`` (a string, or a whole number as JSON gives a phone number) and ``received_at`` (a
    :class:`datetime` or an ISO 8601 string); anything else raises :class:`InputError`."""
    if isinstance(item, Message):
        return item
    if isinstance(item, str):
        return Message(item)
    if isinstance(item, Mapping):
        text = item.get("text")
        if not isinstance(text, str):
            raise InputError("a message needs a 'text' string")
        return Message(text, sender_value(item.get("sender")), _received_at(item.get("received_at")))
    raise InputError(f"cannot judge a {type(item).__name__}")


def sender_value(value: object) -> str | None:
    """A sender as given in a record: a string, or a whole number (JSON's phone number); None when absent."""
    if value is None or value == "":
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise InputError(f"sender must be a string or a whole number, not {type(value).__name__}")


def is_record_id(value: object) -> bool:
    """Whether ``value`` may be a record's id: a string or an integer (not a boolean)."""
    return isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))


def _received_at(value: object) -> datetime | None:
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value
    if isinstance(value, str):
        return parse_time(value)
    raise InputError(f"received_at must be a datetime or an ISO 8601 string, not {type(value).__name__}")


def parse_time(value: str) -> datetime:
    """An ISO 8601 date and time; a date alone is refused, since the time of day is evidence (night calls)."""
    try:
        when = datetime.fromisoformat(value)
    except ValueError:
        raise InputError("received_at must be an ISO 8601 date and time") from None
    try:
        date.fromisoformat(value)
    except ValueError:
        return when
    raise InputError("received_at needs a time of day, not only a date (for example 2025-03-01T21:30)")


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
    """Raise :class:`InputError` for a message whose fields are not of their declared types (a text string, a
    sender string or None, a :class:`datetime` or None, a mapping): plugins may rely on them."""
    if (
        type(message.text) is str
        and (message.sender is None or type(message.sender) is str)
        and message.received_at is None
        and type(message.meta) is dict
    ):
        return  # the usual message, checked without the costlier isinstance against the Mapping ABC
    if not isinstance(message.text, str):
        raise InputError(f"message text must be a string, not {type(message.text).__name__}")
    if message.sender is not None and not isinstance(message.sender, str):
        raise InputError(f"sender must be a string, not {type(message.sender).__name__}")
    if message.received_at is not None and not isinstance(message.received_at, datetime):
        raise InputError(f"received_at must be a datetime, not {type(message.received_at).__name__}")
    if not isinstance(message.meta, Mapping):
        raise InputError(f"meta must be a mapping, not {type(message.meta).__name__}")
