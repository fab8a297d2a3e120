"""The soak's verdict on memory: steady climbing is `growing`; a rise that levels off, noise, and a
restart (a new process starting small) are not."""

from tests.faults.memory import MemorySeries, judge


def series(*incarnations: list[float], every: float = 30.0) -> MemorySeries:
    made = MemorySeries("x")
    made.incarnations = [[(i * every, mb) for i, mb in enumerate(values)] for values in incarnations]
    return made


def test_steady_climbing_is_growing() -> None:
    verdict = judge(series([200 + 3 * i for i in range(60)]), warmup=120)
    assert verdict["verdict"] == "growing"
    assert verdict["start_mb"] == 200 and verdict["end_mb"] == 377


def test_a_rise_that_levels_off_is_not_growing() -> None:
    warm = [200 + 10 * i for i in range(15)] + [350] * 45  # caches fill, then stay
    assert judge(series(warm), warmup=120)["verdict"] == "levelled"


def test_noise_around_a_level_is_flat() -> None:
    noisy = [300 + (7 if i % 3 == 0 else -4) for i in range(60)]
    assert judge(series(noisy), warmup=120)["verdict"] == "flat"


def test_a_restart_starts_a_new_series_and_the_longest_is_judged() -> None:
    crashed_then_flat = series([400 + 5 * i for i in range(8)], [150] * 50)
    verdict = judge(crashed_then_flat, warmup=60)
    assert verdict["verdict"] == "flat" and verdict["incarnations"] == 2
    assert verdict["start_mb"] == 400 and verdict["end_mb"] == 150


def test_a_short_run_is_not_judged() -> None:
    assert judge(series([100, 200, 300]), warmup=60)["verdict"] == "too short to judge"
