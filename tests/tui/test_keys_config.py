"""Every key of the app has an id the config file can name, and a wrong id is named with the
closest real ones instead of being ignored."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest
from textual.binding import Binding

import explorer.tui
from explorer.api import ConfigError
from explorer.tui.keys import BINDING_IDS, parse_tui_config


def _binding_ids() -> set[str]:
    ids: set[str] = set()
    for info in pkgutil.walk_packages(explorer.tui.__path__, "explorer.tui."):
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            for binding in getattr(cls, "BINDINGS", None) or []:
                if isinstance(binding, Binding) and binding.id:
                    ids.add(binding.id)
    return ids


def test_every_binding_has_a_known_id_with_help() -> None:
    missing = _binding_ids() - set(BINDING_IDS)
    assert not missing, f"add these to BINDING_IDS (with a line of help): {sorted(missing)}"
    assert all(text.strip() for text in BINDING_IDS.values())


def test_a_mistyped_binding_id_is_named_with_the_closest_ones() -> None:
    with pytest.raises(ConfigError) as info:
        parse_tui_config({"keys": {"items.nxt_page": "n"}}, "config.toml")
    assert "'items.nxt_page'" in str(info.value) and "'items.next_page'" in str(info.value)


def test_real_ids_are_taken() -> None:
    config = parse_tui_config({"keys": {"items.next_page": "n,]", "editor.save": "ctrl+s"}})
    assert config.keymap == {"items.next_page": "n,]", "editor.save": "ctrl+s"}
