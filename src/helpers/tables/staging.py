"""All-or-nothing outputs: a run writes into staging folders and its files move into place only when it succeeds.

A run that fails at any step leaves the previous tables, figures and report exactly as they were. Staging folders
sit beside their targets, so every move is a rename on one file system. Publication itself (one rename per file)
is recorded in a journal beside the first target before the first rename: a process killed between two renames
leaves the journal, and the next start (``recover``) puts every replaced file back, so the folders hold the
complete previous outputs again; a journal marked ``moved`` means every file was in place, and only the clean-up
is left to finish.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from helpers.core.errors import PipelineError

PREVIOUS = ".previous"
"""Inside a staging folder: the files a publication replaced, kept until every move has succeeded."""
STAGING_INFIX = ".staging-"
JOURNAL_SUFFIX = ".publishing.json"
MOVING, MOVED = "moving", "moved"
"""Journal states: renames under way (roll back on recovery); every file in place (finish the clean-up)."""

FAULT_ENV = "PIPELINE_FAULT"
"""Fault injection for the tests: ``PIPELINE_FAULT=run:move:17`` kills the process (SIGKILL) as it passes the
17th time through the point ``move`` of a publication labelled ``run``; unset, the points do nothing."""
_passes: Counter[str] = Counter()


def fault_point(label: str, point: str) -> None:
    """Kill this process here if ``PIPELINE_FAULT`` names this pass through this point (tests only)."""
    wanted = os.environ.get(FAULT_ENV, "")
    if not label or not wanted:
        return
    name = f"{label}:{point}"
    _passes[name] += 1
    where, _, count = wanted.rpartition(":")
    if where == name and count.isdigit() and _passes[name] == int(count):
        os.kill(os.getpid(), signal.SIGKILL)


def staged_files(staging: Path) -> list[Path]:
    """Every file written into a staging folder, relative to it, in a stable order."""
    return sorted(
        p.relative_to(staging)
        for p in staging.rglob("*")
        if p.is_file() and p.relative_to(staging).parts[0] != PREVIOUS
    )


def journal_path(target: Path) -> Path:
    """Where a publication into ``target`` (as the first of its targets) keeps its journal."""
    return target.parent / f".{target.name}{JOURNAL_SUFFIX}"


def _write_json_durably(path: Path, data: object) -> None:
    """Write JSON under a temporary name, flush it to disk, then rename it into place."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as out:
        json.dump(data, out, ensure_ascii=False, indent=1)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temporary, path)


def _plan(pairs: Sequence[tuple[Path, Path]]) -> list[dict[str, object]]:
    """What a publication will do: per staging folder, its target, the files to move and the folders it creates."""
    plan = []
    for staging, target in pairs:
        files = [rel.as_posix() for rel in staged_files(staging)]
        new_dirs = set()
        for rel in files:
            _check_destination(target, target / rel)
            folder = (target / rel).parent
            while not folder.exists():
                new_dirs.add(folder)
                if folder == target:
                    break
                folder = folder.parent
        plan.append(
            {"staging": str(staging), "target": str(target), "files": files, "new_dirs": sorted(map(str, new_dirs))}
        )
    return plan


def _check_destination(target: Path, destination: Path) -> None:
    """Refuse, before the first rename, a destination that is a folder or lies under a file."""
    if destination.is_dir():
        raise PipelineError(f"{destination}: a folder stands where the run writes a file; move it away")
    for folder in destination.parents:
        if folder.exists() and not folder.is_dir():
            raise PipelineError(f"{folder}: a file stands where the run writes a folder; move it away")
        if folder == target:
            break


def _roll_back(plan: list[dict[str, object]]) -> None:
    """Undo a publication's renames, last first: every new file goes back to staging, every replaced file back to
    its place, every folder the publication created is removed. Safe to repeat after a kill part-way through."""
    for entry in reversed(plan):
        staging, target = Path(str(entry["staging"])), Path(str(entry["target"]))
        for rel in reversed(list(entry["files"])):  # type: ignore[call-overload]
            staged, destination, backup = staging / rel, target / rel, staging / PREVIOUS / rel
            if not staged.exists() and destination.exists():
                staged.parent.mkdir(parents=True, exist_ok=True)
                os.replace(destination, staged)
            if backup.exists():
                os.replace(backup, destination)
        for folder in sorted(map(Path, entry["new_dirs"]), key=lambda p: len(p.parts), reverse=True):  # type: ignore[arg-type]
            if folder.is_dir() and not any(folder.iterdir()):
                folder.rmdir()


def publish(pairs: Sequence[tuple[Path, Path]], label: str = "") -> list[Path]:
    """Move every staged file to the same place under its target, replacing what was there, with a journal that
    lets a later start undo a publication cut short; if any move fails here, put every replaced file back and
    re-raise. Returns the published paths. ``label`` names the publication for fault injection."""
    if not pairs:
        return []
    plan = _plan(pairs)
    journal = journal_path(pairs[0][1])
    journal.parent.mkdir(parents=True, exist_ok=True)
    _write_json_durably(journal, {"state": MOVING, "pairs": plan})
    fault_point(label, "journal")
    published: list[Path] = []
    try:
        for entry in plan:
            staging, target = Path(str(entry["staging"])), Path(str(entry["target"]))
            for rel in entry["files"]:  # type: ignore[union-attr]
                destination = target / rel
                if destination.exists():
                    backup = staging / PREVIOUS / rel
                    backup.parent.mkdir(parents=True, exist_ok=True)
                    os.replace(destination, backup)
                    fault_point(label, "backup")
                destination.parent.mkdir(parents=True, exist_ok=True)
                os.replace(staging / rel, destination)
                fault_point(label, "move")
                published.append(destination)
        _write_json_durably(journal, {"state": MOVED, "pairs": plan})
        fault_point(label, "moved")
    except BaseException:
        _roll_back(plan)  # should this fail too, the journal stays for ``recover`` to finish the job
        journal.unlink(missing_ok=True)
        raise
    return published


def _finish(journal: Path) -> None:
    """Remove a finished publication's staging folders, then its journal."""
    for entry in json.loads(journal.read_text(encoding="utf-8"))["pairs"]:
        shutil.rmtree(entry["staging"], ignore_errors=True)
    journal.unlink(missing_ok=True)


def recover(targets: Sequence[Path]) -> list[str]:
    """At the start of a run (holding the run lock): finish or undo a publication a killed run left, and remove
    staging folders no run is writing any more. Returns one line per thing done, for the log."""
    done = []
    for target in targets:
        journal = journal_path(target)
        if journal.is_file():
            try:
                record = json.loads(journal.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                record = {"state": "unreadable", "pairs": []}
            if record.get("state") == MOVING:
                _roll_back(record["pairs"])
                done.append(f"a publication into {target} was cut short: the previous outputs were put back")
            _finish(journal)
        journal.with_name(journal.name + ".tmp").unlink(missing_ok=True)
        # the run's own staging folders, and those its steps nested beside them (``..processed.staging-x.staging-y``)
        own = re.compile(rf"\.+{re.escape(target.name)}{re.escape(STAGING_INFIX)}.*")
        stale = sorted(p for p in target.parent.iterdir() if own.fullmatch(p.name)) if target.parent.is_dir() else []
        for debris in stale:
            if debris.is_dir():
                shutil.rmtree(debris, ignore_errors=True)
            else:
                debris.unlink(missing_ok=True)
        if stale:
            done.append(f"removed {len(stale)} staging folder(s) an interrupted run left beside {target}")
    return done


@contextmanager
def staged_directories(targets: Sequence[Path], label: str = "") -> Iterator[list[Path]]:
    """Yield an empty staging folder beside each target; publish them all if the block succeeds, and in every
    case remove the staging folders (so a failed run leaves the targets untouched and no debris). Publications
    into the same first target take turns (``publication_turn``): two notebooks that write tables side by side
    would otherwise share one journal."""
    stagings: list[Path] = []
    try:
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            stagings.append(Path(tempfile.mkdtemp(prefix=f".{target.name}{STAGING_INFIX}", dir=target.parent)))
        yield stagings
        fault_point(label, "staged")
        with publication_turn(targets):
            try:
                publish(list(zip(stagings, targets, strict=True)), label)
            finally:
                _remove_stagings(targets, stagings)
    except BaseException:
        with publication_turn(targets):
            _remove_stagings(targets, stagings)
        raise


def _remove_stagings(targets: Sequence[Path], stagings: list[Path]) -> None:
    """Remove the staging folders (with the lock of the publications made into them) and a finished journal, unless
    a roll-back failed (then ``recover`` needs both)."""
    journal = journal_path(targets[0]) if targets else None
    if journal is not None and _state(journal) == MOVING:
        return  # a roll-back that failed: the staged and replaced files stay for ``recover``
    for staging in stagings:
        shutil.rmtree(staging, ignore_errors=True)
        publication_lock_path(staging).unlink(missing_ok=True)
    if journal is not None and _state(journal) == MOVED:
        journal.unlink()


def publication_lock_path(target: Path) -> Path:
    """The lock file of publications into ``target``: in the system's temporary folder, named after the target's
    path, so that no output folder (nor the folder of cities the combining step lists) holds it."""
    digest = hashlib.sha256(str(target.resolve()).encode("utf-8")).hexdigest()[:32]
    return Path(tempfile.gettempdir()) / f"publication-{digest}.lock"


def publication_turn(targets: Sequence[Path]) -> contextlib.AbstractContextManager[object]:
    """The lock a publication into ``targets[0]`` holds from its journal to its clean-up, so that processes
    publishing into one folder at the same time (the analysis notebooks into the run's tables) take turns instead
    of overwriting each other's journal; nothing to hold without targets."""
    if not targets:
        return contextlib.nullcontext()
    from filelock import FileLock

    return FileLock(str(publication_lock_path(targets[0])))


def _state(journal: Path) -> str:
    """A journal's state, or an empty string when there is none."""
    try:
        return str(json.loads(journal.read_text(encoding="utf-8")).get("state", ""))
    except (OSError, ValueError):
        return ""


LOCK_SUFFIX = ".lock"


def lock_path(target: Path) -> Path:
    """The lock file of an output folder: beside it, so every run writing there takes the same one."""
    return target.parent / f".{target.name}{LOCK_SUFFIX}"


@contextmanager
def output_locks(targets: Sequence[Path], wait: float = 0) -> Iterator[None]:
    """Hold the lock of every output folder (in a fixed order) for the block, so one run at a time writes there;
    another run waits up to ``wait`` seconds, then is refused in one line. A killed run's lock goes with it."""
    from filelock import FileLock, Timeout

    with ExitStack() as stack:
        for target in sorted(set(targets)):
            target.parent.mkdir(parents=True, exist_ok=True)
            lock = FileLock(str(lock_path(target)))
            try:
                lock.acquire(timeout=wait)
            except Timeout:
                waited = f" after waiting {wait:g} s" if wait > 0 else ""
                raise PipelineError(
                    f"{target}: another run is writing to it (it holds {lock_path(target).name}){waited}; "
                    "let it finish, give other output folders, or --wait SECONDS"
                ) from None
            stack.callback(lock.release)
        yield


def _mode_for(path: Path) -> int:
    """The mode a replaced file keeps; a new file gets the usual mode under the process's umask."""
    try:
        return path.stat().st_mode & 0o7777
    except FileNotFoundError:
        umask = os.umask(0)
        os.umask(umask)
        return 0o666 & ~umask


def write_text_atomic(path: Path, text: str) -> None:
    """Replace a file's text in one rename, so a reader sees the old or the new file, never a half-written one;
    the file keeps its mode (a manifest a group may edit stays so)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = _mode_for(path)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def copy_file_atomic(source: Path, target: Path, mode: int) -> None:
    """Copy a file under a temporary name, set its mode, then rename it into place."""
    handle, temporary = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    os.close(handle)
    try:
        shutil.copyfile(source, temporary)
        os.chmod(temporary, mode)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
