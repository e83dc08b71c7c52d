"""v2 JSONL exports: create (pinned to a revision), status, content.

PostHog runs an export as a background workflow. Here an export completes when it is read at
least ``export_delay_s`` seconds after its creation (``None`` keeps it pending), and its content
is streamed from the pinned snapshot when downloaded: revisions are immutable, so the bytes are
the ones the workflow would have written. An export still pending 35.5 minutes after creation
reads as failed, as PostHog's stuck-export detection says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

from starlette.responses import Response, StreamingResponse

from explorer.emulator import errors
from explorer.emulator.app import Call, json_response
from explorer.emulator.ids import format_ts
from explorer.emulator.store import Row
from explorer.emulator.v2 import serialize
from explorer.emulator.v2 import validation as v
from explorer.emulator.v2.common import V2Handlers

STUCK_AFTER = timedelta(minutes=35, seconds=30)
STUCK = "This export took too long to finish. Try again. If it keeps failing, contact support."
TOO_LARGE = (
    "The dataset export is larger than 250 MB. Reduce the number or size of items and try again."
)
PENDING = "The export is still being prepared."
_EXPORT_ID = re.compile(r"^[0-9]{1,18}$")


def slugify(text: str) -> str:
    """Django's ``slugify``: ASCII, lower case, words joined by hyphens."""
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s]+", "-", text).strip("-_")


class Exports(V2Handlers):
    async def create(self, call: Call) -> Response:
        dataset = self.dataset(call, call.ids[0])
        body = v.strict_object(await call.request.body(), ("revision",))
        revision = v.int_field(body, "revision", required=False)
        if revision is v.MISSING:
            if dataset[5] is None:
                raise errors.export_conflict("Add an item before exporting this dataset.")
            revision = int(dataset[5])
        elif not self.store.revision_exists(dataset[0], revision):
            raise errors.export_conflict("This dataset revision does not exist.")
        now = self.state.clock.now()
        created_at = format_ts(now)
        filename = f"{slugify(f'{dataset[1]}-r{revision}')}-{now:%Y-%m-%d-%H%M%S}.jsonl"
        expires = (now + timedelta(days=7)).replace(hour=0, minute=0, second=0, microsecond=0)
        row = (
            call.team, call.api_key.user.id, dataset[0], revision, filename, created_at,
            format_ts(expires),
        )  # fmt: skip
        export_id = self.store.insert_export(row)
        body_json = serialize.export_json(
            export_id, "pending", revision, filename, created_at, format_ts(expires), None
        )
        return json_response(body_json, 201)

    def _export(self, call: Call) -> Row:
        """The export of this URL's dataset, made by this user, not expired; else 404."""
        dataset = self.dataset(call, call.ids[0])
        raw = call.ids[1]
        row = self.store.get_export(int(raw)) if _EXPORT_ID.match(raw) else None
        if (
            row is None
            or row[1] != call.team
            or row[2] != call.api_key.user.id
            or row[3] != dataset[0]
            or _parse(row[7]) <= datetime.now(UTC)
        ):
            raise errors.not_found()
        return self._settle(row)

    def _settle(self, row: Row) -> Row:
        """Complete (or fail) a pending export whose time has come."""
        exception, completed_at = row[8], row[9]
        if exception is not None or completed_at is not None:
            return row
        now = datetime.now(UTC)
        created = _parse(row[6])
        delay = self.state.export_delay_s
        if now - created > STUCK_AFTER or delay is None or now < created + timedelta(seconds=delay):
            return row
        size = sum(len(line.encode()) for line in self._lines(row))
        if size > self.state.limits.export_bytes:
            exception = TOO_LARGE
        else:
            completed_at = format_ts(now)
        self.store.settle_export(row[0], completed_at=completed_at, exception=exception)
        return (*row[:8], exception, completed_at)

    @staticmethod
    def _status(row: Row) -> tuple[str, str | None]:
        exception, completed_at = row[8], row[9]
        stuck = datetime.now(UTC) - _parse(row[6]) > STUCK_AFTER
        if exception is None and completed_at is None and stuck:
            exception = STUCK
        if exception is not None:
            return "failed", exception
        return ("complete" if completed_at is not None else "pending"), None

    async def status(self, call: Call) -> Response:
        row = self._export(call)
        status, exception = self._status(row)
        body = serialize.export_json(row[0], status, row[4], row[5], row[6], row[7], exception)
        return json_response(body)

    async def content(self, call: Call) -> Response:
        row = self._export(call)
        status, exception = self._status(row)
        if status == "failed":
            raise errors.export_conflict(str(exception))
        if status == "pending":
            raise errors.export_conflict(PENDING)
        headers = {
            "Content-Disposition": f'attachment; filename="{row[5]}"',
            "Cache-Control": "max-age=86400",
        }
        body = (line.encode() for line in self._lines(row))
        return StreamingResponse(body, headers=headers, media_type="application/x-ndjson")

    def _lines(self, row: Row) -> Iterator[str]:
        team, dataset_id, revision = row[1], row[3], row[4]
        for item in self.store.iter_snapshot(team, dataset_id, revision):
            yield serialize.export_line(item, revision)


def _parse(stamp: str) -> datetime:
    return datetime.fromisoformat(stamp)
