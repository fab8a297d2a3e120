"""Extraction quality on the gold set (eval/extraction): the figure the README reports."""

import pytest

from newswire.scraper.evaluation import DEFAULT_DIR, evaluate, main, token_f1


def test_token_f1() -> None:
    assert token_f1("a b c", "a b c") == (1.0, 1.0, 1.0)
    assert token_f1("", "a b") == (0.0, 0.0, 0.0)
    precision, recall, f1 = token_f1("a b c d", "a b")
    assert (precision, recall) == (0.5, 1.0) and f1 == pytest.approx(2 / 3)


def test_gold_set_f1_meets_the_target() -> None:
    scores = evaluate(DEFAULT_DIR, min_words=80)
    assert len(scores) >= 12
    assert all(s.error is None for s in scores), [s for s in scores if s.error]
    assert sum(s.f1 for s in scores) / len(scores) >= 0.95
    assert min(s.f1 for s in scores) >= 0.85
    assert all(s.title_ok for s in scores)


def test_evaluation_command_prints_a_table(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--min-f1", "0.95"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].split() == ["page", "precision", "recall", "F1", "title"]
    assert out.splitlines()[-1].startswith("overall")
