"""Small items for the ``bulk-100k`` benchmark dataset.

Each item is built from 64 random bits and its index with table look-ups only, so 100,000 of
them stream in a fraction of a second and nothing is kept between items.
"""

from __future__ import annotations

from typing import Any

_REVIEWS = (
    ("Arrived quickly and works great.", "positive"),
    ("Stopped working after a week.", "negative"),
    ("It's okay, nothing special.", "neutral"),
    ("Best purchase I've made this year!", "positive"),
    ("The box was damaged but the item is fine.", "neutral"),
    ("Customer service never replied.", "negative"),
    ("Exactly as described.", "positive"),
    ("Too loud for a bedroom.", "negative"),
    ("Does what it says, a bit pricey.", "neutral"),
    ("My kids love it.", "positive"),
    ("Instructions were useless.", "negative"),
    ("Fine for the price.", "neutral"),
)
_CAPITALS = (
    ("France", "Paris"),
    ("Japan", "Tokyo"),
    ("Kenya", "Nairobi"),
    ("Canada", "Ottawa"),
    ("Australia", "Canberra"),
    ("Brazil", "Brasília"),
    ("Norway", "Oslo"),
    ("Peru", "Lima"),
    ("Egypt", "Cairo"),
    ("Vietnam", "Hanoi"),
    ("Poland", "Warsaw"),
    ("Chile", "Santiago"),
    ("Turkey", "Ankara"),
    ("India", "New Delhi"),
    ("Morocco", "Rabat"),
    ("Ireland", "Dublin"),
)
_WORDS = (
    ("apple", "pomme"),
    ("house", "maison"),
    ("water", "eau"),
    ("book", "livre"),
    ("friend", "ami"),
    ("train", "train"),
    ("cheese", "fromage"),
    ("window", "fenêtre"),
    ("morning", "matin"),
    ("river", "rivière"),
    ("bread", "pain"),
    ("street", "rue"),
)
_SPLITS = ("train", "train", "train", "eval")


def bulk_item(bits: int, index: int) -> tuple[Any, Any, Any]:
    """(input, output, metadata) of bulk item ``index`` from 64 random ``bits``."""
    task = bits & 3
    a, b = (bits >> 2) & 0xFFF, (bits >> 14) & 0xFFF
    meta = {"task": "", "split": _SPLITS[(bits >> 26) & 3], "n": index}
    if task == 0:
        meta["task"] = "arithmetic"
        return {"question": f"What is {a} + {b}?"}, {"answer": str(a + b)}, meta
    if task == 1:
        text, label = _REVIEWS[a % len(_REVIEWS)]
        meta["task"] = "sentiment"
        return {"text": text}, {"label": label}, meta
    if task == 2:
        country, capital = _CAPITALS[a % len(_CAPITALS)]
        meta["task"] = "capitals"
        return {"question": f"What is the capital of {country}?"}, {"answer": capital}, meta
    word, french = _WORDS[a % len(_WORDS)]
    meta["task"] = "translation"
    return {"text": word, "target": "fr"}, {"translation": french}, meta
