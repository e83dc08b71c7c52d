"""v2 rows to JSON text, fields in the API's order; stored JSON is spliced in as it is."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from explorer.emulator.serialize import _b, _j, _s
from explorer.emulator.store import Row


def _user(users: Mapping[int, str], user_id: int | None) -> str:
    return "null" if user_id is None else users.get(user_id, "null")


def _int(value: int | None) -> str:
    return "null" if value is None else str(int(value))


def dataset_json(row: Row, users: Mapping[int, str], viewer: int) -> str:
    (id_, name, description, metadata, archived, revision, revision_id, created_at, updated_at,
     created_by, team) = row  # fmt: skip
    level = "manager" if created_by == viewer else "editor"
    return (
        f'{{"id":"{id_}","name":{_s(name)},"description":{_s(description)},'
        f'"metadata":{metadata},"archived":{_b(archived)},"current_revision":{_int(revision)},'
        f'"current_revision_id":{_s(revision_id)},"created_at":"{created_at}",'
        f'"updated_at":{_s(updated_at)},"created_by":{_user(users, created_by)},'
        f'"team_id":{team},"user_access_level":"{level}"}}'
    )


def item_json(row: Row, users: Mapping[int, str]) -> str:
    (id_, dataset, client_item_id, version, version_id, revision, revision_id, archived, input_,
     expected_output, source_output, metadata, source_trace_id, source_event_id, source_timestamp,
     created_at, updated_at, created_by, version_created_at, version_created_by,
     team) = row  # fmt: skip
    return (
        f'{{"id":"{id_}","dataset":"{dataset}","client_item_id":{_s(client_item_id)},'
        f'"version":{version},"version_id":"{version_id}","dataset_revision":{revision},'
        f'"dataset_revision_id":"{revision_id}","archived":{_b(archived)},"input":{input_},'
        f'"expected_output":{_j(expected_output)},"source_output":{_j(source_output)},'
        f'"metadata":{metadata},"source_trace_id":{_s(source_trace_id)},'
        f'"source_event_id":{_s(source_event_id)},"source_timestamp":{_s(source_timestamp)},'
        f'"created_at":"{created_at}","updated_at":{_s(updated_at)},'
        f'"created_by":{_user(users, created_by)},"version_created_at":"{version_created_at}",'
        f'"version_created_by":{_user(users, version_created_by)},"team_id":{team}}}'
    )


def revision_json(row: Row, users: Mapping[int, str]) -> str:
    id_, dataset_id, revision, created_at, created_by, team = row
    return (
        f'{{"id":"{id_}","dataset_id":"{dataset_id}","revision":{revision},'
        f'"created_at":"{created_at}","created_by":{_user(users, created_by)},"team_id":{team}}}'
    )


def export_json(export_id: int, status: str, revision: int, filename: str, created_at: str,
                expires_after: str, exception: str | None) -> str:  # fmt: skip
    return (
        f'{{"id":{export_id},"status":"{status}","dataset_revision":{revision},'
        f'"filename":{_s(filename)},"created_at":"{created_at}",'
        f'"expires_after":"{expires_after}","exception":{_s(exception)}}}'
    )


def export_line(row: Row, revision: int) -> str:
    """One JSONL row of an export: PostHog's 12 keys, compact, ``source_timestamp`` isoformat."""
    (id_, dataset, client_item_id, version, _vid, _rev, _rev_id, _archived, input_,
     expected_output, source_output, metadata, source_trace_id, source_event_id,
     source_timestamp) = row[:15]  # fmt: skip
    stamp = None
    if source_timestamp is not None:
        stamp = datetime.fromisoformat(source_timestamp).isoformat()
    return (
        f'{{"dataset_id":"{dataset}","dataset_revision":{revision},"item_id":"{id_}",'
        f'"client_item_id":{_s(client_item_id)},"version":{version},"input":{input_},'
        f'"expected_output":{_j(expected_output)},"source_output":{_j(source_output)},'
        f'"metadata":{metadata},"source_trace_id":{_s(source_trace_id)},'
        f'"source_event_id":{_s(source_event_id)},"source_timestamp":{_s(stamp)}}}\n'
    )
