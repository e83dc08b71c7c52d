"""App-wide behaviour: header and READ-ONLY badge, notices as plain notifications (a 403 names
the scope), the unreachable banner, ``?``, the command palette's commands, remapped keys,
quitting (asks only with unsaved edits), the trash, the connection screen."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from textual.widgets import Checkbox, DataTable, Input, Static

from explorer.api import Settings
from explorer.emulator import ApiKey
from explorer.model import Journal
from explorer.tui.app import make_app
from explorer.tui.connect import ConnectScreen
from explorer.tui.datasets import DatasetsScreen
from explorer.tui.dialogs import ConfirmModal
from explorer.tui.header import AppHeader
from explorer.tui.items import ItemsScreen
from explorer.tui.keys import TuiConfig
from explorer.tui.keys_help import KeysHelp
from tests._emulator import RunningEmulator
from tests.conftest import EmulatorFactory
from tests.tui._app_harness import (
    FAST_RETRIES,
    RedirectTransport,
    build_app,
    cursor_key,
    dataset_id_named,
    isolate_env,
    settle,
    sync_client,
    table_keys,
    wait_for,
)

pytestmark = pytest.mark.usefixtures("isolate_env")
__all__ = ["isolate_env"]


def notifications(app: object) -> list[tuple[str, str]]:
    return [(n.severity, n.message) for n in app._notifications]  # type: ignore[attr-defined]


def footer_text(app: object) -> str:
    """The words of the footer's keys as drawn (descriptions of the offered bindings)."""
    from textual.widgets import Footer as TextualFooter

    screen = app.screen  # type: ignore[attr-defined]
    footers = list(screen.query(TextualFooter))
    words: list[str] = []
    for footer in footers:
        for child in footer.query("*"):
            description = getattr(child, "description", None)
            if isinstance(description, str):
                words.append(description)
    return " ".join(words)


def closed_port_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


async def test_header_shows_host_project_and_no_badge(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        header = app.screen.query_one(AppHeader)
        where = str(header.query_one("#header-where", Static).render())
        assert demo_server.url in where and "project 1" in where
        assert not header.query_one("#header-readonly").display


async def test_read_only_badge_and_writes_refused_before_sending(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo")
    app = build_app(server, tmp_path, read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert app.screen.query_one("#header-readonly").display
        await pilot.press("slash", *"rag", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#header-readonly").display
        # writes are not offered at all (k9s-style), and a key pressed anyway does nothing
        assert not {"Delete", "Edit", "Add", "Undo"} & set(footer_text(app).split())
        await pilot.press("d", "a", "e")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        offered = [c.title for c in app.get_system_commands(app.screen)]
        assert "Next page" in offered and not {"Delete", "Edit", "Add"} & set(offered)
        assert not [n for n in notifications(app) if n[0] == "error"]
    dataset_id = dataset_id_named(server, "rag-answers-golden")
    with sync_client(server) as client:
        assert client.items.list(dataset=dataset_id, limit=1).count == 300


async def test_a_403_names_the_missing_scope(
    emulator_factory: EmulatorFactory, tmp_path: Path
) -> None:
    server = emulator_factory("demo", api_keys=[ApiKey("phx_reader", scopes={"dataset:read"})])
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, ItemsScreen)
        assert not app.screen.query_one("#header-readonly").has_class("-on")
        assert "Delete" in footer_text(app).split()
        await pilot.press("d")
        await settle(pilot)
        severity, message = notifications(app)[-1]
        assert severity == "error" and "dataset:write" in message
        assert isinstance(app.screen, ItemsScreen) and table_keys(app, "#items-table")
        # learned from the refusal: read-only from now on, badge shown, writes no longer offered
        assert "read-only from now on" in message
        assert app.screen.query_one("#header-readonly").has_class("-on")
        assert not {"Delete", "Edit", "Add"} & set(footer_text(app).split())


async def test_unreachable_banner_until_a_request_succeeds(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    transport = RedirectTransport(demo_server.url)
    app = build_app(demo_server, tmp_path, transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        banner = app.screen.query_one("#header-banner", Static)
        assert not banner.display
        shown = table_keys(app, "#datasets-table")
        transport.target = closed_port_url()
        await pilot.press("r")
        await settle(pilot)
        assert banner.display and "Cannot reach" in str(banner.render())
        assert table_keys(app, "#datasets-table") == shown  # what was loaded stays
        assert notifications(app)[-1][0] == "error"
        transport.target = demo_server.url
        await pilot.press("r")
        await settle(pilot)
        assert not banner.display


async def test_http_hosts_load_no_certificates_and_https_always_verifies(
    demo_server: RunningEmulator,
) -> None:
    import ssl

    import httpx

    from explorer.tui.reachability import ReachabilityTransport

    transport = ReachabilityTransport()
    async with httpx.AsyncClient(transport=transport) as http:
        response = await http.get(f"{demo_server.url}/api/projects/1/datasets/")
        assert response.status_code in (200, 401, 403)
        assert transport._tls is None  # no CA bundle loaded for a plain http:// host
        with pytest.raises(httpx.TransportError):
            await http.get(closed_port_url().replace("http://", "https://"))
        assert transport.unreachable
    assert transport._tls is not None
    context = transport._tls._pool._ssl_context  # type: ignore[attr-defined]
    assert context.verify_mode == ssl.CERT_REQUIRED and context.check_hostname


async def test_starting_unreachable_says_so_and_r_retries(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    transport = RedirectTransport(closed_port_url())
    app = build_app(demo_server, tmp_path, transport=transport)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        empty = app.screen.query_one("#datasets-empty", Static)
        assert empty.display and "failed" in str(empty.render())
        assert app.screen.query_one("#header-banner").display
        transport.target = demo_server.url
        await pilot.press("r")
        await settle(pilot)
        assert table_keys(app, "#datasets-table")
        assert not empty.display


async def test_notices_are_plain_text(emulator_factory: EmulatorFactory, tmp_path: Path) -> None:
    server = emulator_factory("none")
    app = build_app(server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c", *"[bold red]x[/bold red]", "ctrl+s")
        await settle(pilot)
        _, message = notifications(app)[-1]
        assert message == "Created dataset [bold red]x[/bold red]."
        assert all(not n.markup for n in app._notifications)


async def test_question_mark_lists_every_key_of_the_screen(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        assert isinstance(app.screen, KeysHelp)
        table = app.screen.query_one(DataTable)
        ids = {str(table.get_row(row.key)[2]) for row in table.ordered_rows}
        assert {"datasets.search", "datasets.sort", "datasets.create", "app.quit"} <= ids
        await pilot.press("question_mark")
        assert isinstance(app.screen, DatasetsScreen)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("question_mark")
        table = app.screen.query_one(DataTable)
        ids = {str(table.get_row(row.key)[2]) for row in table.ordered_rows}
        assert {"items.next_page", "items.go_to_page", "items.duplicate", "items.move"} <= ids
        await pilot.press("escape")
        assert isinstance(app.screen, ItemsScreen)


async def test_palette_offers_the_commands_of_the_screen(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Search", "Sort", "Create", "Refresh"} <= titles
        assert "Next page" not in titles or "Go to page" not in titles
        # chosen in the palette, a command does what its key does
        await pilot.press("ctrl+p", *"sort")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await settle(pilot)
        assert app.model.state.datasets.order_by == "created_at"
        await pilot.press("enter")
        await settle(pilot)
        titles = {c.title for c in app.get_system_commands(app.screen)}
        assert {"Next page", "Go to page", "Duplicate", "Move", "Back"} <= titles
        assert "Create" not in titles


async def test_keys_remapped_from_config(demo_server: RunningEmulator, tmp_path: Path) -> None:
    config = TuiConfig(keymap={"datasets.sort": "o", "items.next_page": "n"})
    app = build_app(demo_server, tmp_path, tui_config=config)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("s")
        await settle(pilot)
        assert app.model.state.datasets.order_by == "-created_at"
        await pilot.press("o")
        await settle(pilot)
        assert app.model.state.datasets.order_by == "created_at"
        await pilot.press("slash", *"sql", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert app.model.state.page.page_number == 2


async def test_q_quits_at_once_without_unsaved_edits(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("q")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_q_asks_when_an_edit_is_unsaved(demo_server: RunningEmulator, tmp_path: Path) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"rag", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        item_id = cursor_key(app, "#items-table")
        assert item_id is not None
        await app.model.select(item_id)
        await app.model.edit_field("metadata", '{"draft": true}')
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal)
        await pilot.press("n")
        assert app.is_running and isinstance(app.screen, ItemsScreen)
        await pilot.press("q", "y")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0


@pytest.mark.parametrize("how", ["ctrl+q", "palette"])
async def test_every_way_to_quit_asks_when_an_edit_is_unsaved(
    demo_server: RunningEmulator, tmp_path: Path, how: str
) -> None:
    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        item_id = cursor_key(app, "#items-table")
        assert item_id is not None
        await app.model.select(item_id)
        await app.model.edit_field("metadata", '{"draft": true}')
        if how == "ctrl+q":
            await pilot.press("ctrl+q")
        else:  # the command palette's Quit runs Textual's quit action
            await app.run_action("quit")
        await pilot.pause()
        assert isinstance(app.screen, ConfirmModal) and app.is_running
        await pilot.press("y")
        await wait_for(pilot, lambda: not app.is_running)
    assert app.return_code == 0


async def test_capital_t_opens_the_trash(demo_server: RunningEmulator, tmp_path: Path) -> None:
    from explorer.tui.trash import TrashScreen

    app = build_app(demo_server, tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("T")
        await wait_for(pilot, lambda: isinstance(app.screen, TrashScreen))
        await pilot.press("escape")
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetsScreen))


async def test_connect_screen_connects_and_saves_the_profile_only_if_asked(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    app = make_app(
        None,
        journal=Journal(tmp_path / "journal.sqlite3"),
        retries=FAST_RETRIES,
        config_file=config_file,
        offer_demo=False,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
        key = app.screen.query_one("#connect-key", Input)
        assert key.password  # the key is masked
        await pilot.press("ctrl+s")
        error = app.screen.query_one("#connect-error", Static)
        assert "Fill in the host, project id, key" in str(error.render())
        app.screen.query_one("#connect-host", Input).value = demo_server.url
        app.screen.query_one("#connect-project", Input).value = "1"
        key.value = "phc_project_key"
        await pilot.press("ctrl+s")
        assert "project API key" in str(error.render())
        key.value = demo_server.api_key
        app.screen.query_one("#connect-save", Checkbox).value = True
        app.screen.query_one("#connect-profile", Input).value = "local"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        assert table_keys(app, "#datasets-table")
    assert config_file.stat().st_mode & 0o077 == 0
    settings = Settings.resolve(config_path=config_file, env={})
    assert (settings.profile, settings.host, settings.project_id) == ("local", demo_server.url, 1)
    assert settings.api_key == demo_server.api_key


async def test_connect_screen_without_saving_writes_nothing(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    app = make_app(
        None, journal=Journal(tmp_path / "j.sqlite3"), config_file=config_file, offer_demo=False
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        app.screen.query_one("#connect-host", Input).value = demo_server.url
        app.screen.query_one("#connect-project", Input).value = "1"
        app.screen.query_one("#connect-key", Input).value = demo_server.api_key
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
    assert not config_file.exists()


async def test_connect_screen_offers_the_demo(tmp_path: Path) -> None:
    app = make_app(None, journal=Journal(tmp_path / "j.sqlite3"))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetsScreen), within=20)
        await settle(pilot)
        assert len(table_keys(app, "#datasets-table")) == 4
        host = app.model.state.host
    # the demo server stopped with the app
    port = int(host.rsplit(":", 1)[1])
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError):
        sock.connect(("127.0.0.1", port))


async def test_read_only_holds_when_connecting_through_the_form(
    demo_server: RunningEmulator, tmp_path: Path
) -> None:
    config_file = tmp_path / "config.toml"
    app = make_app(
        None,
        journal=Journal(tmp_path / "journal.sqlite3"),
        retries=FAST_RETRIES,
        config_file=config_file,
        offer_demo=False,
        read_only=True,
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        assert isinstance(app.screen, ConnectScreen)
        note = app.screen.query_one("#connect-readonly", Static)
        assert "Read-only (--read-only)" in str(note.render())
        app.screen.query_one("#connect-host", Input).value = demo_server.url
        app.screen.query_one("#connect-project", Input).value = "1"
        app.screen.query_one("#connect-key", Input).value = demo_server.api_key
        app.screen.query_one("#connect-save", Checkbox).value = True
        app.screen.query_one("#connect-profile", Input).value = "local"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DatasetsScreen)
        header = app.screen.query_one(AppHeader)
        assert header.query_one("#header-readonly").display  # the READ-ONLY badge
        assert "READ-ONLY" in str(header.query_one("#header-readonly", Static).render())
        assert app.model.state.read_only and app.model.client.settings.read_only
        await pilot.press("slash", *"rag", "enter")
        await settle(pilot)
        await pilot.press("enter")
        await settle(pilot)
        assert app.screen.query_one("#header-readonly").display
        await pilot.press("d")  # delete is not offered: nothing happens, nothing is sent
        await settle(pilot)
        assert "Delete" not in footer_text(app).split()
    dataset_id = dataset_id_named(demo_server, "rag-answers-golden")
    with sync_client(demo_server) as client:
        assert client.items.list(dataset=dataset_id, limit=1).count == 300
    # the flag is for this run: the saved profile is not made read-only
    assert not Settings.resolve(config_path=config_file, env={}).read_only


async def test_read_only_holds_for_the_demo_started_from_the_form(tmp_path: Path) -> None:
    app = make_app(None, journal=Journal(tmp_path / "j.sqlite3"), read_only=True)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+d")
        await wait_for(pilot, lambda: isinstance(app.screen, DatasetsScreen), within=20)
        await settle(pilot)
        assert app.screen.query_one(AppHeader).query_one("#header-readonly").display
        assert app.model.state.read_only
