"""Progress reporting helpers for task waits: a ``tqdm`` bar and callback fan-out."""

from __future__ import annotations

from typing import Any

from ..errors import ConfigurationError
from .engine import ProgressCallback, TaskProgress, sane_percent


class ProgressBar:
    """A progress callback that draws a ``tqdm`` bar (0-100 %, the relay's status as the
    postfix). ``tqdm`` is optional: ``pip install tqdm``. Close it (or use ``with``) when the
    wait ends; the waits of ``client.videos`` / ``client.midjourney`` do that themselves."""

    def __init__(self, description: str | None = None, **tqdm_options: Any) -> None:
        try:
            from tqdm.auto import tqdm
        except ImportError:  # pragma: no cover - tqdm is in the dev extra
            raise ConfigurationError(
                "progress_bar=True needs tqdm: pip install tqdm (or pass on_progress=...)"
            ) from None
        options: dict[str, Any] = {"total": 100, "unit": "%", "desc": description}
        options.update(tqdm_options)
        self.bar = tqdm(**options)

    def __call__(self, progress: TaskProgress) -> None:
        self.bar.n = round(sane_percent(progress.percent) or 0.0)
        self.bar.set_postfix_str(progress.status or progress.state.value, refresh=False)
        self.bar.refresh()

    def close(self) -> None:
        self.bar.close()

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def fan_out(*callbacks: ProgressCallback | None) -> ProgressCallback | None:
    """One callback that calls each given one in order (``None``s skipped)."""
    chosen = [c for c in callbacks if c is not None]
    if not chosen:
        return None
    if len(chosen) == 1:
        return chosen[0]

    def call_all(progress: TaskProgress) -> None:
        for callback in chosen:
            callback(progress)

    return call_all
