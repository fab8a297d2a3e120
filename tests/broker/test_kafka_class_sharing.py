"""The Apache Kafka launcher records a class-data-sharing archive once and maps it afterwards."""

import shutil
from pathlib import Path

import pytest

from newswire.broker.kafka import KafkaBroker
from newswire.ports import free_port

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(shutil.which("java") is None, reason="Apache Kafka needs Java"),
]


def test_second_start_maps_the_archive_the_first_recorded(tmp_path: Path) -> None:
    first = KafkaBroker(port=free_port(), data_dir=tmp_path / "first")
    with first:
        pass
    archive = first.archive_path()
    assert archive.exists() and archive.stat().st_size > 1_000_000
    assert not list(archive.parent.glob(f"{archive.name}.*.part"))  # no recording left behind

    second = KafkaBroker(port=free_port(), data_dir=tmp_path / "second")
    with second:
        assert f"-XX:SharedArchiveFile={archive}" in second.command()
    # The JVM reports an archive it cannot map as a warning on stdout: there is none.
    assert "cds" not in second.log_path.read_text().lower()
