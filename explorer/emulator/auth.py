"""Personal API keys, their scopes and projects, and the users who own them."""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from dataclasses import dataclass, field

from explorer.emulator import errors

DEMO_API_KEY = "phx_demo_key"
READ = "dataset:read"
WRITE = "dataset:write"
ALL_SCOPES: frozenset[str] = frozenset({"*"})


@dataclass(frozen=True)
class User:
    """PostHog's UserBasic, fields in the order the API sends them."""

    id: int
    uuid: str
    distinct_id: str | None
    first_name: str
    last_name: str
    email: str
    is_email_verified: bool | None = True
    hedgehog_config: dict[str, object] | None = None
    role_at_organization: str | None = "engineering"


DEMO_USER = User(
    id=1,
    uuid="0195a0b8-7c00-7000-8000-000000000001",
    distinct_id="demo-user-distinct-id",
    first_name="Demo",
    last_name="User",
    email="demo@example.com",
)


@dataclass(frozen=True)
class ApiKey:
    """A personal API key. ``projects`` None means every project of the server."""

    key: str
    scopes: frozenset[str] = ALL_SCOPES
    projects: frozenset[int] | None = None
    user: User = field(default=DEMO_USER)

    def allows(self, scope: str) -> bool:
        if "*" in self.scopes or scope in self.scopes:
            return True
        # write implies read
        return scope == READ and WRITE in self.scopes


def parse_api_key(spec: str) -> ApiKey:
    """Parse ``KEY[=SCOPES][@PROJ1,PROJ2]`` (scopes comma-separated; default every scope).

    Raises ValueError on an empty key or a non-integer project.
    """
    head, _, projects_part = spec.partition("@")
    key, has_scopes, scopes_part = head.partition("=")
    key = key.strip()
    if not key:
        raise ValueError("an --api-key has an empty key (KEY[=SCOPES][@PROJECTS])")
    scopes = ALL_SCOPES
    if has_scopes:
        scopes = frozenset(s.strip() for s in scopes_part.split(",") if s.strip())
    projects: frozenset[int] | None = None
    if projects_part:
        try:
            projects = frozenset(int(p) for p in projects_part.split(",") if p.strip())
        except ValueError as exc:
            # never echo the spec: it holds the key
            raise ValueError(
                f"projects after @ must be integers, not {projects_part!r} (in an --api-key)"
            ) from exc
    return ApiKey(key, scopes, projects)


class KeyRing:
    """Looks up keys and answers PostHog's authentication and permission errors."""

    def __init__(self, keys: Iterable[ApiKey], projects: Iterable[int]) -> None:
        self._keys = {k.key: k for k in keys}
        self.projects: tuple[int, ...] = tuple(dict.fromkeys(projects))
        if not self.projects:
            raise ValueError("at least one project is needed")

    @property
    def keys(self) -> list[ApiKey]:
        return list(self._keys.values())

    def users(self) -> list[User]:
        return list({k.user.id: k.user for k in self._keys.values()}.values())

    def authenticate(self, authorization: str | None) -> ApiKey:
        if not authorization:
            raise errors.not_authenticated()
        scheme, _, token = authorization.strip().partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise errors.not_authenticated()
        token = token.strip()
        for candidate, api_key in self._keys.items():
            if hmac.compare_digest(candidate.encode(), token.encode()):
                return api_key
        raise errors.authentication_failed()

    def current_project(self, api_key: ApiKey) -> int:
        for project in self.projects:
            if api_key.projects is None or project in api_key.projects:
                return project
        return self.projects[0]

    def resolve_project(self, raw: str, api_key: ApiKey) -> int:
        """The project of a URL: an integer or ``@current``; 404 when unknown, 403 when barred."""
        if raw == "@current":
            project = self.current_project(api_key)
        elif raw.isascii() and raw.isdigit():
            try:
                project = int(raw)
            except ValueError:  # past int()'s digit limit (4,300): no project has such an id
                raise errors.project_not_found() from None
        else:
            raise errors.project_not_found()
        if project not in self.projects:
            raise errors.project_not_found()
        if api_key.projects is not None and project not in api_key.projects:
            raise errors.permission_denied("You don't have access to the project.")
        return project

    @staticmethod
    def require(api_key: ApiKey, scope: str) -> None:
        if not api_key.allows(scope):
            raise errors.permission_denied(f"API key missing required scope '{scope}'")
