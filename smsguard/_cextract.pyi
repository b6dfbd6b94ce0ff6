import re
from collections.abc import Callable

from smsguard.extract import Amount, Features, Link, TextFeature
from smsguard.normalize import NormalizedText

def setup(
    normalized_text: type[NormalizedText],
    features: type[Features],
    text_feature: type[TextFeature],
    amount: type[Amount],
    link: type[Link],
    nothing: Features,
    link_search: Callable[[str, int], re.Match[str] | None],
    fallback: Callable[[NormalizedText], Features],
    /,
) -> None: ...
def extract(ntext: NormalizedText, /) -> Features: ...
