"""The hub folder.

```
HUB/hub.json        {"format": "vaxdesk-hub", "version": 1, "id", "engine", "database"}
HUB/hub.key         database and personal-number keys (owner-only, see keyfile.py)
HUB/hub.db          the embedded SQLCipher database (engine "sqlcipher" only)
HUB/keys/           the hub's own ID.key.json (0600) and ID.pub.json (PACKAGE-FORMAT.md §7)
HUB/trust/          the current signed trust.json + trust.sig (public; for provisioning terminals)
HUB/quarantine/     refused packages with a report
```

``database`` is a PostgreSQL URL for the "postgresql" engine (the file is owner-only because the
URL may hold a password) and null for the embedded engine.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from app.domain.ids import is_valid_municipality_code
from app.hub.errors import HubConfigError, HubInvalidInput, HubNotInitialised

PARTY_ID_RE = re.compile(r"^[0-9]{6}-[A-Z0-9]{1,16}\Z")
ENGINES = ("sqlcipher", "postgresql")


def validate_party_id(value: str) -> str:
    """A party id ``192015-HUB``: municipality code with a valid check digit, then a name."""
    if not PARTY_ID_RE.match(value):
        raise HubInvalidInput(
            "ID は「団体コード6桁-英大文字・数字16文字以内」の形式で指定してください"
            "（例: 192015-HUB）。",
            code="E_HUB_ID",
        )
    if not is_valid_municipality_code(value[:6]):
        raise HubInvalidInput(
            "ID の地方公共団体コードのチェックデジットが一致しません。", code="E_HUB_ID"
        )
    return value


@dataclass(frozen=True, slots=True)
class HubConfig:
    hub_id: str
    engine: str
    database: str | None

    def to_json(self) -> dict[str, object]:
        return {
            "format": "vaxdesk-hub",
            "version": 1,
            "id": self.hub_id,
            "engine": self.engine,
            "database": self.database,
        }


@dataclass(frozen=True, slots=True)
class HubLayout:
    root: Path

    @property
    def config(self) -> Path:
        return self.root / "hub.json"

    @property
    def key_file(self) -> Path:
        return self.root / "hub.key"

    @property
    def database(self) -> Path:
        return self.root / "hub.db"

    @property
    def keys_dir(self) -> Path:
        return self.root / "keys"

    @property
    def trust_dir(self) -> Path:
        return self.root / "trust"

    @property
    def quarantine_dir(self) -> Path:
        return self.root / "quarantine"

    def exists(self) -> bool:
        return self.config.exists()

    def write_config(self, config: HubConfig) -> None:
        fd = os.open(self.config, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.write(fd, (json.dumps(config.to_json(), indent=2) + "\n").encode("utf-8"))
            os.fsync(fd)
        finally:
            os.close(fd)

    def read_config(self) -> HubConfig:
        if not self.config.is_file():
            raise HubNotInitialised()
        try:
            obj = json.loads(self.config.read_text(encoding="utf-8"))
            config = HubConfig(str(obj["id"]), str(obj["engine"]), obj.get("database"))
            if obj.get("format") != "vaxdesk-hub" or obj.get("version") != 1:
                raise ValueError("format")
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise HubConfigError("hub.json の内容が不正です。") from exc
        if config.engine not in ENGINES or (config.engine == "postgresql") != bool(config.database):
            raise HubConfigError("hub.json のデータベース設定が不正です。")
        validate_party_id(config.hub_id)
        return config
