"""Rows to JSON text, fields in the API's order.

Stored JSON fields are spliced in as they are (they are valid JSON text, written by json.dumps),
so nothing is re-parsed on the way out and big integers stay exact.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping

from explorer.emulator.auth import User
from explorer.emulator.store import Row


def _s(value: str | None) -> str:
    return "null" if value is None else json.dumps(value, ensure_ascii=False)


def _j(text: str | None) -> str:
    return "null" if text is None else text


def _b(value: int | None) -> str:
    return "null" if value is None else ("true" if value else "false")


def user_json(user: User) -> str:
    doc = {
        "id": user.id,
        "uuid": user.uuid,
        "distinct_id": user.distinct_id,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "is_email_verified": user.is_email_verified,
        "hedgehog_config": user.hedgehog_config,
        "role_at_organization": user.role_at_organization,
    }
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def user_from_row(row: Row) -> User:
    (id_, uuid_, distinct_id, first, last, email, verified, hedgehog, role) = row
    return User(
        id=id_,
        uuid=uuid_,
        distinct_id=distinct_id,
        first_name=first,
        last_name=last,
        email=email,
        is_email_verified=None if verified is None else bool(verified),
        hedgehog_config=None if hedgehog is None else json.loads(hedgehog),
        role_at_organization=role,
    )


def user_row(user: User) -> Row:
    hedgehog = None if user.hedgehog_config is None else json.dumps(user.hedgehog_config)
    return (
        user.id,
        user.uuid,
        user.distinct_id,
        user.first_name,
        user.last_name,
        user.email,
        user.is_email_verified,
        hedgehog,
        user.role_at_organization,
    )


def dataset_json(row: Row, users: Mapping[int, str]) -> str:
    (id_, name, description, metadata, created_at, updated_at, deleted, created_by, team) = row
    return (
        f'{{"id":"{id_}","name":{_s(name)},"description":{_s(description)},'
        f'"metadata":{_j(metadata)},"created_at":"{created_at}","updated_at":"{updated_at}",'
        f'"deleted":{_b(deleted)},"created_by":{users.get(created_by, "null")},"team":{team}}}'
    )


def item_json(row: Row, users: Mapping[int, str]) -> str:
    (
        id_,
        dataset,
        input_,
        output,
        metadata,
        ref_trace_id,
        ref_timestamp,
        ref_source_id,
        deleted,
        created_at,
        updated_at,
        created_by,
        team,
    ) = row
    return (
        f'{{"id":"{id_}","dataset":"{dataset}","input":{_j(input_)},"output":{_j(output)},'
        f'"metadata":{_j(metadata)},"ref_trace_id":{_s(ref_trace_id)},'
        f'"ref_timestamp":{_s(ref_timestamp)},"ref_source_id":{_s(ref_source_id)},'
        f'"deleted":{_b(deleted)},"created_at":"{created_at}","updated_at":"{updated_at}",'
        f'"created_by":{users.get(created_by, "null")},"team":{team}}}'
    )


def page_json(
    count: int, next_url: str | None, previous_url: str | None, results: Iterable[str]
) -> str:
    return (
        f'{{"count":{count},"next":{_s(next_url)},"previous":{_s(previous_url)},'
        f'"results":[{",".join(results)}]}}'
    )
