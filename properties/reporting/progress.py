"""Progress for long runs: a rich progress bar (done / total, elapsed, an estimate) above the
result lines on a terminal; on a pipe or a file, the plain lines only, one per finished item,
each already carrying ``[k/N]``.  rich comes with the kit (and with Keras 3); where it is
missing, every stream gets the plain lines.
"""

import sys
import threading


class Progress:
    """``with Progress(total, "soak center-zero") as progress: progress.line(text)`` once per
    finished item; ``total`` None for a run bounded by time, not count."""

    def __init__(self, total, description, stream=None):
        self.total, self.description, self.stream = total, description, stream or sys.stdout
        self.done, self.lock, self._bar = 0, threading.Lock(), None

    def __enter__(self):
        if getattr(self.stream, "isatty", lambda: False)():
            try:
                from rich.console import Console
                from rich.progress import (BarColumn, MofNCompleteColumn, Progress as RichProgress,
                                           TextColumn, TimeElapsedColumn, TimeRemainingColumn)
            except ImportError:
                return self
            self._bar = RichProgress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                                     TimeElapsedColumn(), TimeRemainingColumn(),
                                     console=Console(file=self.stream), transient=True)
            self._bar.__enter__()
            self._task = self._bar.add_task(self.description, total=self.total)
        return self

    def __exit__(self, *exc):
        if self._bar is not None:
            self._bar.__exit__(*exc)
        return False

    def prefix(self):
        """``[k/N]`` (``[k]`` without a total) for the item finishing now."""
        return f"[{self.done}/{self.total}]" if self.total else f"[{self.done}]"

    def line(self, text):
        """Count one finished item and show its line."""
        with self.lock:
            self.done += 1
            if self._bar is not None:
                self._bar.console.print(text, markup=False, highlight=False)
                self._bar.advance(self._task)
            else:
                print(text, file=self.stream, flush=True)
