"""Where the data sets come from: names, URLs and the published digests."""

from __future__ import annotations

import re
from urllib.parse import urlparse

from odfa.data.sources import SOURCES


def test_every_remote_file_has_a_unique_name_urls_and_a_hex_digest_or_none():
    files = [remote for remotes in SOURCES.values() for remote in remotes]
    assert len({remote.name for remote in files}) == len(files)
    for remote in files:
        assert remote.urls and all(urlparse(url).scheme in ("http", "https") for url in remote.urls)
        assert all(urlparse(url).path.endswith(remote.name) for url in remote.urls)
        assert remote.sha256 is None or re.fullmatch(r"[0-9a-f]{64}", remote.sha256)
