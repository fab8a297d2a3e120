"""Apache Kafka (KRaft, single node) from Maven Central: resolve, format, run with `java`.

The jars of `org.apache.kafka:kafka_2.13` and its runtime dependencies are copied by Maven
(pom.xml beside this file) into a cache outside the repository, once per version.
"""

import base64
import hashlib
import importlib.resources
import logging
import os
import re
import shutil
import signal
import subprocess
import uuid
from pathlib import Path

from newswire.ports import free_port

from .errors import BrokerError
from .process import BrokerProcess

__all__ = [
    "DEFAULT_KAFKA_VERSION",
    "KafkaBroker",
    "default_cache_dir",
    "java_available",
    "remove_stale_recordings",
    "resolve_kafka_jars",
]

logger = logging.getLogger(__name__)

DEFAULT_KAFKA_VERSION = "4.4.0"
_READY_MARKER = ".complete"
#: `classes-<hash>.jsa.<owner pid>-<random>.part`: a recording in progress, or left by one that
#: was interrupted. Older launchers wrote `classes-<hash>.jsa.<random>.part` (no owner pid).
_PART_GLOB = "classes-*.jsa.*.part"
_OWNER = re.compile(r"\.jsa\.(\d+)-[0-9a-f]+\.part$")

_LOG4J2 = """\
status = warn
appender.file.type = File
appender.file.name = file
appender.file.fileName = {log_file}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = {level}
rootLogger.appenderRef.file.ref = file
"""


def java_available() -> bool:
    return shutil.which("java") is not None


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "newswire" / "kafka"


def resolve_kafka_jars(*, version: str = DEFAULT_KAFKA_VERSION, cache_dir: Path | None = None) -> Path:
    """Directory of the Kafka runtime jars for `version`, fetched with Maven on first use."""
    libs = (cache_dir or default_cache_dir()) / version / "libs"
    if (libs / _READY_MARKER).exists():
        return libs
    if shutil.which("mvn") is None:
        raise BrokerError("Apache Kafka needs Maven (mvn) on PATH to fetch its jars the first time")
    libs.mkdir(parents=True, exist_ok=True)
    pom = importlib.resources.files(__package__).joinpath("pom.xml")
    with importlib.resources.as_file(pom) as pom_path:
        cmd = [
            "mvn", "-B", "-q", "-f", str(pom_path), f"-Dkafka.version={version}",
            "dependency:copy-dependencies", "-DincludeScope=runtime", f"-DoutputDirectory={libs}",
        ]  # fmt: skip
        logger.info("fetching Apache Kafka %s jars with Maven into %s", version, libs)
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BrokerError(f"Maven could not resolve org.apache.kafka:kafka_2.13:{version}:\n{result.stdout[-4000:]}")
    if not any(libs.glob(f"kafka_2.13-{version}.jar")):
        raise BrokerError(f"Maven finished but kafka_2.13-{version}.jar is not in {libs}")
    (libs / _READY_MARKER).write_text(version)
    return libs


class KafkaBroker(BrokerProcess):
    """A single-node KRaft broker+controller listening on 127.0.0.1:`port`, data in `data_dir`."""

    engine = "kafka"

    def __init__(
        self,
        *,
        port: int,
        data_dir: Path,
        version: str = DEFAULT_KAFKA_VERSION,
        cache_dir: Path | None = None,
        heap: str = "768m",
        log_level: str = "WARN",
    ) -> None:
        super().__init__(port=port, log_path=data_dir / "broker.out")
        self.data_dir = data_dir
        self.version = version
        self.cache_dir = cache_dir
        self.heap = heap
        self.log_level = log_level
        self._libs: Path | None = None
        #: where this run records its class-data-sharing archive, until it is moved in place
        self._recording: Path | None = None

    def prepare(self) -> None:
        if not java_available():
            raise BrokerError("Apache Kafka needs Java 17+ (java on PATH); use --engine tansu without Java")
        self._libs = resolve_kafka_jars(version=self.version, cache_dir=self.cache_dir)
        # Recordings interrupted by a SIGKILL or a crash leave partial archives that nobody
        # would ever rename; they are never mapped (only the final name is), but they pile up.
        remove_stale_recordings(self._libs.parent)
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self._write_config()
        if not (self.data_dir / "log" / "meta.properties").exists():
            self._format()

    def command(self) -> list[str]:
        assert self._libs is not None
        return [
            "java", f"-Xmx{self.heap}", "-Xms128m", "-XX:+UseG1GC", "-Djava.awt.headless=true",
            *self._class_sharing(record=True), f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "-cp", f"{self._libs}/*", "kafka.Kafka", str(self.data_dir / "server.properties"),
        ]  # fmt: skip

    def stop(self, *, timeout: float = 30.0) -> None:
        proc = self._proc
        # A recording JVM writes the ~50 MB archive as it exits: on a busy machine that takes
        # longer than a plain stop, and a JVM killed half-way leaves nothing to map.
        super().stop(timeout=max(timeout, 120.0) if self._recording is not None else timeout)
        recording, self._recording = self._recording, None
        if recording is None:
            return
        # The JVM writes the archive as it exits; a killed JVM leaves none or a partial one.
        archive = self.archive_path()
        if proc is not None and proc.returncode != -signal.SIGKILL and recording.exists() and not archive.exists():
            # Atomic: a concurrent start sees either no archive or the whole one, never a part.
            try:
                os.replace(recording, archive)
                logger.info("recorded Kafka's class-data-sharing archive %s", archive)
            except FileNotFoundError:
                pass  # another launcher judged it stale meanwhile; the next start records again
        recording.unlink(missing_ok=True)

    def archive_path(self) -> Path:
        """The class-data-sharing archive for these jars and this JVM (a new JVM records anew)."""
        assert self._libs is not None
        java = Path(shutil.which("java") or "java").resolve()
        stamp = f"{java}:{java.stat().st_mtime_ns if java.exists() else 0}"
        return self._libs.parent / f"classes-{hashlib.sha256(stamp.encode()).hexdigest()[:12]}.jsa"

    def _class_sharing(self, *, record: bool) -> list[str]:
        """JVM flags for application class-data sharing: the first start records the classes
        Kafka loads as it exits; later starts (and the format tool) map them: the broker is ready
        in about 2 s instead of 3.6 s here. An archive the JVM cannot use is skipped with a
        warning, never an error."""
        archive = self.archive_path()
        if archive.exists():
            return [f"-XX:SharedArchiveFile={archive}"]
        if not record:
            return []
        # The owner pid in the name tells a later start whether anybody may still rename it.
        self._recording = archive.with_name(f"{archive.name}.{os.getpid()}-{uuid.uuid4().hex}.part")
        return [f"-XX:ArchiveClassesAtExit={self._recording}"]

    def _write_config(self) -> None:
        # The controller listener is internal to this one process: a fresh free port on every
        # start keeps two brokers (two demos, tests beside a demo) from colliding.
        controller_port = free_port()
        properties = {
            "process.roles": "broker,controller",
            "node.id": "1",
            "controller.quorum.voters": f"1@127.0.0.1:{controller_port}",
            "listeners": f"PLAINTEXT://127.0.0.1:{self.port},CONTROLLER://127.0.0.1:{controller_port}",
            "advertised.listeners": f"PLAINTEXT://127.0.0.1:{self.port}",
            "controller.listener.names": "CONTROLLER",
            "inter.broker.listener.name": "PLAINTEXT",
            "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
            "log.dirs": str(self.data_dir / "log"),
            "num.partitions": "6",
            "offsets.topic.replication.factor": "1",
            "offsets.topic.num.partitions": "6",
            "transaction.state.log.replication.factor": "1",
            "transaction.state.log.min.isr": "1",
            "share.coordinator.state.topic.replication.factor": "1",
            "share.coordinator.state.topic.min.isr": "1",
            # Consumers in tests and the demo join at once instead of waiting 3 s for peers.
            "group.initial.rebalance.delay.ms": "0",
            "message.max.bytes": str(16 * 1024 * 1024 + 1024),
            "auto.create.topics.enable": "true",
        }
        text = "".join(f"{k}={v}\n" for k, v in properties.items())
        (self.data_dir / "server.properties").write_text(text)
        log4j = _LOG4J2.format(log_file=self.data_dir / "broker.log", level=self.log_level)
        (self.data_dir / "log4j2.properties").write_text(log4j)

    def _format(self) -> None:
        assert self._libs is not None
        cluster_id = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=").replace("-", "_")
        cmd = [
            # A one-shot tool: the quick compiler alone starts it sooner.
            "java", "-XX:TieredStopAtLevel=1", *self._class_sharing(record=False), "-cp", f"{self._libs}/*",
            f"-Dlog4j2.configurationFile={self.data_dir / 'log4j2.properties'}",
            "kafka.tools.StorageTool", "format", "-t", cluster_id, "-c", str(self.data_dir / "server.properties"),
        ]  # fmt: skip
        result = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise BrokerError(f"formatting the KRaft log dir failed: {result.stdout}{result.stderr}")


def remove_stale_recordings(directory: Path) -> list[Path]:
    """Remove the partial archives in `directory` that no live process can still finish; returns them.

    A partial archive is live while the JVM recording it runs (its path is on that JVM's command
    line) or while the launcher that would rename it (the pid in its name) runs. Without /proc
    (not Linux), only partials of a dead owner are removed.
    """
    command_lines = _command_lines()
    removed = []
    for part in directory.glob(_PART_GLOB):
        owner = _OWNER.search(part.name)
        if owner is not None and _pid_alive(int(owner.group(1))):
            continue
        if command_lines is None and owner is None:
            continue
        if command_lines is not None and any(str(part).encode() in line for line in command_lines):
            continue
        part.unlink(missing_ok=True)
        removed.append(part)
    if removed:
        logger.info("removed %d partial class-data-sharing archive(s) of interrupted recordings", len(removed))
    return removed


def _command_lines() -> list[bytes] | None:
    proc = Path("/proc")
    if not proc.is_dir():
        return None
    lines = []
    for entry in proc.iterdir():
        if entry.name.isdigit():
            try:
                lines.append((entry / "cmdline").read_bytes())
            except OSError:
                continue  # the process ended while we looked
    return lines


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, owned by another user
    stat = Path(f"/proc/{pid}/stat")
    try:
        return stat.read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True
