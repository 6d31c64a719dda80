"""Two processes publishing into one folder at the same time (the analysis notebooks writing their tables side by
side) take turns: every file arrives and no journal or staging folder is left."""

from __future__ import annotations

import multiprocessing
import multiprocessing.synchronize

from helpers.tables.staging import JOURNAL_SUFFIX, STAGING_INFIX
from helpers.tables.store import write_outputs

ROUNDS = 40


def _publish_many(folder: str, name: str, start: multiprocessing.synchronize.Event) -> None:
    from pathlib import Path

    start.wait()
    for n in range(ROUNDS):
        write_outputs(Path(folder), {f"{name}.csv": f"{name},{n}\n", "shared.json": f'{{"by": "{name}"}}\n'})


def test_two_processes_publishing_into_one_folder_take_turns(tmp_path):
    folder = tmp_path / "processed"
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [context.Process(target=_publish_many, args=(str(folder), name, start)) for name in ("covid", "hub")]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(60)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert (folder / "covid.csv").read_text() == f"covid,{ROUNDS - 1}\n"
    assert (folder / "hub.csv").read_text() == f"hub,{ROUNDS - 1}\n"
    left = [p.name for p in tmp_path.iterdir() if JOURNAL_SUFFIX in p.name or STAGING_INFIX in p.name]
    assert left == []
