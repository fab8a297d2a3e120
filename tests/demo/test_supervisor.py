"""The demo's supervisor: a dead child is restarted after a pause that doubles with every crash in a
row, goes back to the first pause once the child stayed up, and every restart is counted."""

from dataclasses import dataclass, field

from newswire.supervisor import Backoff, Supervisor


@dataclass
class FakeChild:
    name: str
    alive: bool = False
    code: int | None = None
    stops: int = 0

    def running(self) -> bool:
        return self.alive

    @property
    def returncode(self) -> int | None:
        return None if self.alive else self.code

    def stop(self, *, timeout: float = 30.0) -> None:
        self.stops += 1

    def crash(self, code: int = -9) -> None:
        self.alive, self.code = False, code


@dataclass
class Clock:
    now: float = 0.0

    def __call__(self) -> float:
        return self.now


@dataclass
class Run:
    clock: Clock = field(default_factory=Clock)
    messages: list[str] = field(default_factory=list)

    def supervisor(self, **backoff: float) -> Supervisor:
        return Supervisor(backoff=Backoff(**backoff), report=self.messages.append, clock=self.clock)

    def at(self, supervisor: Supervisor, now: float) -> None:
        self.clock.now = now
        supervisor.check()


def starter(child: FakeChild, log: list[str] | None = None):
    def start() -> None:
        child.alive = True
        if log is not None:
            log.append("start")

    return start


def test_a_crashed_child_is_restarted_after_a_doubling_pause_and_counted() -> None:
    run = Run()
    supervisor = run.supervisor(initial=1, factor=2, maximum=60, stable=60)
    enricher, starts = FakeChild("enricher"), []
    supervisor.add(enricher, starter(enricher, starts))
    assert starts == ["start"]

    restart_times = []
    for _ in range(4):  # crashes in a row, each right after the restart
        enricher.crash()
        run.at(supervisor, run.clock.now)  # noticed
        crashed_at = run.clock.now
        while not enricher.alive:
            run.at(supervisor, run.clock.now + 0.5)
        restart_times.append(run.clock.now - crashed_at)
    assert restart_times == [1.0, 2.0, 4.0, 8.0]
    assert supervisor.restarts() == {"enricher": 4}
    assert enricher.stops == 4  # each dead child is reaped (and its process group cleared)
    assert "enricher exited with code -9" in run.messages[0] and "restarting it in 1 s" in run.messages[0]
    assert any("enricher restarted (restart 4)" in m for m in run.messages)


def test_the_pause_is_capped_and_starts_over_once_the_child_stayed_up() -> None:
    run = Run()
    supervisor = run.supervisor(initial=1, factor=2, maximum=5, stable=30)
    api = FakeChild("api")
    supervisor.add(api, starter(api))
    pauses = []
    for _ in range(5):
        api.crash(1)
        run.at(supervisor, run.clock.now)
        began = run.clock.now
        while not api.alive:
            run.at(supervisor, run.clock.now + 0.5)
        pauses.append(run.clock.now - began)
    assert pauses == [1.0, 2.0, 4.0, 5.0, 5.0]
    run.at(supervisor, run.clock.now + 31)  # up long enough: the next crash is a first one
    api.crash(1)
    run.at(supervisor, run.clock.now)
    began = run.clock.now
    while not api.alive:
        run.at(supervisor, run.clock.now + 0.5)
    assert run.clock.now - began == 1.0


def test_one_child_crashing_never_touches_the_others() -> None:
    run = Run()
    supervisor = run.supervisor()
    broker, scraper, enricher = FakeChild("broker"), FakeChild("scraper"), FakeChild("enricher")
    for child in (broker, scraper, enricher):
        supervisor.add(child, starter(child))
    enricher.crash()
    run.at(supervisor, 0.0)
    assert supervisor.waiting() == ["enricher"]
    assert broker.alive and scraper.alive and broker.stops == scraper.stops == 0


def test_a_start_that_fails_is_one_more_crash_with_a_longer_pause() -> None:
    run = Run()
    supervisor = run.supervisor(initial=1, factor=2, maximum=60, stable=60)
    broker, attempts = FakeChild("broker"), []
    supervisor.add(broker, starter(broker))

    def failing_start() -> None:
        attempts.append(run.clock.now)
        if len(attempts) < 3:
            raise RuntimeError("port still held")
        broker.alive = True

    supervisor._children["broker"].start = failing_start
    broker.crash(1)
    run.at(supervisor, 0.0)
    while not broker.alive:
        run.at(supervisor, run.clock.now + 0.5)
    assert attempts == [1.0, 3.0, 7.0]  # pauses 1, 2, 4
    assert any("failed to start (port still held)" in m for m in run.messages)
    assert supervisor.restarts() == {"broker": 3}
