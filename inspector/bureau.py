"""The bureau configuration baked into a build: who the installation belongs to.

A city bureau's installer carries ``resources/bureau/bureau.toml`` (server URL,
CA certificate, bureau name and adcode, default basemap). The app reads it at
start (``inspector --version`` shows it; login uses its server and CA as
defaults). It never holds secrets: :func:`validate` refuses keys that look
like passwords or tokens.
"""
from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from inspector.errors import BadInput
from inspector.resources import resource_path

BUNDLED_CONFIG = ("bureau", "bureau.toml")
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|private|api[_-]?key|credential", re.IGNORECASE)
_ADCODE = re.compile(r"^32\d{4}$")  # Jiangsu: 32xxxx


@dataclass(frozen=True)
class BureauConfig:
    name: str
    adcode: str
    server_url: str | None
    ca_certificate: Path | None  # absolute, or None to use the system trust store
    basemap: Path | None
    source: Path

    def describe(self) -> str:
        return f"{self.name}（{self.adcode}）"


def _walk_keys(data: dict[str, Any], prefix: str = "") -> list[str]:
    keys = []
    for key, value in data.items():
        keys.append(prefix + key)
        if isinstance(value, dict):
            keys += _walk_keys(value, prefix + key + ".")
    return keys


def validate(data: dict[str, Any], source: Path) -> BureauConfig:
    """Check a parsed bureau TOML; relative paths are resolved next to ``source``."""
    secrets = [k for k in _walk_keys(data) if _SECRET_KEY.search(k.rsplit(".", 1)[-1])]
    if secrets:
        raise BadInput(f"单位配置中不得含有密码或令牌：{', '.join(secrets)}",
                       f"a bureau configuration must not contain secrets: {', '.join(secrets)}")
    bureau = data.get("bureau", {})
    name, adcode = str(bureau.get("name", "")).strip(), str(bureau.get("adcode", "")).strip()
    if not name or not _ADCODE.match(adcode):
        raise BadInput("单位配置需要 [bureau] name 和江苏行政区划代码 adcode（32xxxx）",
                       "a bureau configuration needs [bureau] name and a Jiangsu adcode (32xxxx)")
    server = data.get("server", {})
    url = server.get("url")
    if url is not None and not str(url).startswith("https://"):
        raise BadInput(f"服务器地址必须使用 https：{url}", f"the server URL must use https: {url}")

    def resolve(value: Any) -> Path | None:
        if not value:
            return None
        path = (source.parent / str(value)).resolve()
        if not path.is_file():
            raise BadInput(f"单位配置引用的文件不存在：{path}",
                           f"file named in the bureau configuration is missing: {path}")
        return path

    return BureauConfig(name=name, adcode=adcode, server_url=url,
                        ca_certificate=resolve(server.get("ca_certificate")),
                        basemap=resolve(data.get("basemap", {}).get("file")), source=source)


def read(path: str | Path) -> BureauConfig:
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise BadInput(f"无法读取单位配置 {path}：{exc}", f"cannot read bureau configuration {path}: {exc}") from exc
    return validate(data, path)


def bundled() -> BureauConfig | None:
    """The configuration baked into this build, or None for a generic build."""
    path = resource_path(*BUNDLED_CONFIG)
    return read(path) if path.is_file() else None
