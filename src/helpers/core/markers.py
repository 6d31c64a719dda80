"""Words that stand where a count should be: the activity did not take place (0), or the value is not known (empty).

A sheet prints ``中止`` or ``開催なし`` under a count of events or participants when nothing was held: the count is
0, and the marker stays in the note. ``未集計``, ``不明`` or a dash say only that the figure is missing: no value.
"""

from __future__ import annotations

import re

from helpers.core.text import nfkc

NOT_HELD_WORDS: tuple[str, ...] = ("中止", "開催なし", "実施なし", "実績なし", "未実施", "未開催")
"""The counted activity did not take place (山形市 progress sheet lines 38 and 305)."""
UNKNOWN_WORDS: tuple[str, ...] = ("未集計", "不明", "—", "―", "ー", "－", "-", "‐")
"""The value exists but the sheet does not give it."""

NOT_HELD_NOTE = "the activity did not take place: counted as 0"
"""Note added beside the marker when a not-held marker gives the value 0."""

_COUNTED = re.compile(r"回数|開催|参加|受講|人数|者数|件数|養成|研修|講座|教室|会議|訓練|相談会|イベント")
"""A label that counts events held or the people taking part in them."""
_SHARE = re.compile(r"率|割合|%")


def marker_kind(text: str) -> str:
    """``not_held`` when the text says the activity did not take place, ``unknown`` for a missing value, else "".

    >>> marker_kind("ー（新型コロナウイルス感染症拡大防止のため中止）"), marker_kind("未集計"), marker_kind("12回")
    ('not_held', 'unknown', '')
    """
    text = nfkc(text)
    if any(word in text for word in NOT_HELD_WORDS):
        return "not_held"
    if any(word in text for word in UNKNOWN_WORDS):
        return "unknown"
    return ""


def counts_events(label: str) -> bool:
    """True when an indicator label counts events or participants (a share or a rate is not a count).

    >>> counts_events("運動普及推進員の養成"), counts_events("会議の開催回数"), counts_events("組織化率")
    (True, True, False)
    """
    text = nfkc(label)
    return bool(_COUNTED.search(text)) and not _SHARE.search(text)


def zero_for_not_held(marker: str, label: str) -> bool:
    """True when a marker under this label means the count is 0 (the activity did not take place).

    >>> zero_for_not_held("中止", "講座の開催回数"), zero_for_not_held("未集計", "講座の開催回数")
    (True, False)
    >>> zero_for_not_held("中止", "福祉マップ作成自治会・町内会割合")
    False
    """
    return marker_kind(marker) == "not_held" and counts_events(label)
