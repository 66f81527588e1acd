"""Bureau configurations: validation, no secrets, staging for a build (no PyInstaller run)."""
from __future__ import annotations

from pathlib import Path

import pytest

from inspector.bureau import read
from inspector.errors import BadInput
from tests.bureau_build import build_bureau

stage_bureau = build_bureau.stage_bureau

REPO = Path(__file__).resolve().parents[1]


def test_sample_bureau_reads_and_stages(tmp_path):
    config = read(REPO / "bureaus" / "320900.toml")
    assert config.adcode == "320900" and config.server_url.startswith("https://")
    assert config.ca_certificate.name == "sample-ca.pem"
    staged = stage_bureau(config, tmp_path / "staged")
    again = read(staged / "bureau.toml")
    assert (again.name, again.adcode, again.server_url) == (config.name, config.adcode, config.server_url)
    assert again.ca_certificate.read_bytes() == config.ca_certificate.read_bytes()


@pytest.mark.parametrize("extra", ['password = "x"', 'api_token = "abc"', '[auth]\nsecret = "s"'])
def test_secrets_are_refused(tmp_path, extra):
    path = tmp_path / "b.toml"
    path.write_text(f'[bureau]\nname = "测试局"\nadcode = "320100"\n[server]\nurl = "https://x.invalid"\n{extra}\n',
                    encoding="utf-8")
    with pytest.raises(BadInput, match="密码|secrets"):
        read(path)


@pytest.mark.parametrize("body,fragment", [
    ('[bureau]\nname = "局"\nadcode = "110000"', "adcode"),
    ('[bureau]\nname = "局"\nadcode = "320100"\n[server]\nurl = "http://plain.invalid"', "https"),
    ('[bureau]\nname = "局"\nadcode = "320100"\n[server]\nca_certificate = "missing.pem"', "missing.pem"),
])
def test_bad_configurations(tmp_path, body, fragment):
    path = tmp_path / "b.toml"
    path.write_text(body + "\n", encoding="utf-8")
    with pytest.raises(BadInput, match=fragment):
        read(path)
