"""The output folder as generations: a build is written whole, then made current in one step.

Writing file after file over the previous build leaves a mixture when the process dies half
way (one new TEI file, the rest old), and renaming the four output folders one by one has
the same window. So every build or render writes a complete new generation beside the
current one and switches to it with one `rename` of one symbolic link:

    output/.generations/<n>/{tei,report,html,pdf}   one complete build each
    output/.current -> .generations/<n>             the switch: replaced by one atomic rename
    output/tei -> .current/tei  (report, html, pdf) the contract paths, fixed links that go
                                                    through `.current`, so all four switch at once
    output/review/                                  the review store: never part of a build
    output/.lock                                    held (flock) while a build or render runs

A reader opening `output/tei/x.xml` or `output/html/index.html` (a browser from file://
too: the URL keeps the link's path) sees the old build or the new one, never a mixture. The
folders are links rather than real folders because a real folder can only be swapped one at
a time; the cost is that tools which do not follow links (`os.walk`, `Path.rglob` in
Python 3.11 below `output/`) must be pointed at `output/tei` itself, not at `output/`.

Whatever a killed build left (a staged generation, a half-made link, `.tmp` files of the
older file-by-file writer) is removed by the next build, under the lock. The lock is
`fcntl.flock` on `output/.lock`: the kernel releases it when the process dies, so a killed
build never blocks the next one; a second build while one runs is refused (exit 2).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from .errors import OutputError, UsageError
from .tei import FILE_MODE

FOLDERS = ("tei", "report", "html", "pdf")  # what a build makes: the contract paths
GENERATIONS = ".generations"
CURRENT = ".current"
LOCK = ".lock"
_OLD = "old-"  # a real folder of the older layout, moved aside until the switch is done
_LEFTOVER_LINK = re.compile(r"^\.(current|tei|report|html|pdf)\.[^/]*\.tmp$")
_LEFTOVER_FILE = re.compile(r"^\..+\.tmp$")  # tempfile names of the file-by-file writer


def link_target(folder: str) -> str:
    """What `output/<folder>` points to: through `.current`, relative (the folder can move)."""
    return f"{CURRENT}/{folder}"


class OutputLock:
    """`fcntl.flock` on `<output>/.lock`, refused at once (never waited for) when held.

    The file is removed on release, after checking it is still the locked one, so a clean
    output folder holds no lock file; an acquirer checks that the file it locked is still
    the one at the path (the holder may have removed it meanwhile) and tries again if not.
    An output folder this lock created is removed again if it is still empty on release.
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out / LOCK
        self.fd: int | None = None
        self.created = False

    def acquire(self) -> None:
        if self.out.exists() and not self.out.is_dir():
            raise OutputError("the output folder is a file", path=self.out,
                              hint="name a folder with -o, or move the file away")
        for _ in range(10):
            if not self.out.exists():
                self.created = True
            try:
                self.out.mkdir(parents=True, exist_ok=True)
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
            except FileNotFoundError:
                continue  # the folder was removed by a build that just ended: try again
            except OSError as exc:
                raise OutputError(f"cannot create the output folder: {exc.strerror}",
                                  path=exc.filename or self.out,
                                  hint="check that the output folder is a writable folder"
                                  ) from exc
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
                os.close(fd)
                who = f" (pid {holder})" if holder.isdigit() else ""
                raise UsageError(
                    f"another edition build{who} is writing this output folder", path=self.out,
                    hint="wait for it to finish, or build into another folder with -o (the "
                         "lock is released when that process ends, even if it is killed)"
                ) from None
            if self._still_at_path(fd):
                os.ftruncate(fd, 0)
                os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
                self.fd = fd
                return
            os.close(fd)  # locked a file its holder had just removed: take the new one
        raise OutputError("cannot take the output folder's lock", path=self.path,
                          hint="another build keeps starting and ending; try again")

    def _still_at_path(self, fd: int) -> bool:
        try:
            return os.stat(self.path).st_ino == os.fstat(fd).st_ino
        except FileNotFoundError:
            return False

    def release(self) -> None:
        if self.fd is None:
            return
        if self._still_at_path(self.fd):
            self.path.unlink(missing_ok=True)
        if self.created:
            with contextlib.suppress(OSError):
                self.out.rmdir()  # only if still empty: nothing was written
        os.close(self.fd)
        self.fd = None


def current_generation(out: Path) -> Path | None:
    """The generation `.current` names, if it exists."""
    link = out / CURRENT
    if not link.is_symlink():
        return None
    target = out / os.readlink(link)
    return target if target.parent == out / GENERATIONS and target.is_dir() else None


def check_contract_paths(out: Path) -> None:
    """Refuse, before any work, an output path the build could only replace by force: a file
    where a folder goes, or a link the build did not make."""
    for folder in FOLDERS:
        path = out / folder
        if path.is_symlink():
            if os.readlink(path) != link_target(folder):
                raise OutputError(
                    f"is a link to {os.readlink(path)}, not the build's own link", path=path,
                    hint=f"remove the link; the build makes {folder} itself")
        elif path.exists() and not path.is_dir():
            raise OutputError("is a file where the build writes a folder", path=path,
                              hint="move the file out of the output folder")


def clean_leftovers(out: Path) -> int:
    """Remove what an interrupted build or render left: staged or older generations, half-made
    links, and `.tmp` files of the older writer in real output folders. Call under the lock."""
    removed = 0
    switch = out / CURRENT
    if switch.exists() and not switch.is_symlink():  # a copy made without keeping links
        _remove(switch)
        removed += 1
    current = current_generation(out)
    generations = out / GENERATIONS
    if generations.is_dir():
        for entry in generations.iterdir():
            if entry != current:
                _remove(entry)
                removed += 1
    if out.is_dir():
        for entry in out.iterdir():
            if _LEFTOVER_LINK.match(entry.name):
                entry.unlink(missing_ok=True)
                removed += 1
    for folder in FOLDERS:
        path = out / folder
        if path.is_dir() and not path.is_symlink():  # the older layout: real folders
            for root, _, files in os.walk(path):
                for name in files:
                    if _LEFTOVER_FILE.match(name):
                        (Path(root) / name).unlink(missing_ok=True)
                        removed += 1
    return removed


def _remove(path: Path) -> None:
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


def listing(root: Path) -> set[str]:
    """Relative paths of the files of the output's folders (through the links), hidden
    names left out."""
    found: set[str] = set()
    for folder in FOLDERS:
        base = root / folder
        if not base.is_dir():
            continue
        for dirpath, dirnames, files in os.walk(base, followlinks=True):
            dirnames[:] = [d for d in dirnames if not d.startswith(".")]
            rel = Path(dirpath).relative_to(root)
            found.update(str(rel / name) for name in files if not name.startswith("."))
    return found


class Generation:
    """A new generation being written under `.generations/<n>`; invisible until `commit`."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._path: Path | None = None
        self.committed = False
        self.leftovers = 0  # what an interrupted build had left, removed before this one

    @property
    def path(self) -> Path:
        """The staging folder (made on first use, so a build that fails early writes none)."""
        if self._path is None:
            generations = self.out / GENERATIONS
            numbers = [int(p.name) for p in generations.glob("*") if p.name.isdigit()] \
                if generations.is_dir() else []
            self._path = generations / str(max(numbers, default=0) + 1)
            try:
                self._path.mkdir(parents=True)
            except OSError as exc:
                raise _output_error(exc) from exc
        return self._path

    def staged(self, path: Path) -> Path:
        """Where the contract path `path` (under the output folder) is staged."""
        rel = path.relative_to(self.out)
        if rel.parts[0] not in FOLDERS:
            raise ValueError(f"{path} is not in one of the build's folders {FOLDERS}")
        return self.path / rel

    def write(self, files: dict[Path, bytes]) -> None:
        """Stage each file (contract path -> bytes), synced to disk before the switch."""
        try:
            for path, data in files.items():
                target = self.staged(path)
                target.parent.mkdir(parents=True, exist_ok=True)
                target.unlink(missing_ok=True)  # a carried file is a hard link: never write into it
                fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
                with os.fdopen(fd, "wb") as handle:
                    handle.write(data)
                    handle.flush()
                    os.fsync(handle.fileno())
        except OSError as exc:
            raise _output_error(exc) from exc

    def carry(self, folders: Iterable[str]) -> None:
        """Take `folders` of the current output over unchanged (hard links, or copies where the
        file system has none): what a render does not make again stays as it was."""
        try:
            for folder in folders:
                source = self.out / folder
                if not source.is_dir():
                    continue
                for dirpath, dirnames, files in os.walk(source, followlinks=True):
                    dirnames[:] = [d for d in dirnames if not d.startswith(".")]
                    target = self.path / folder / Path(dirpath).relative_to(source)
                    target.mkdir(parents=True, exist_ok=True)
                    for name in files:
                        if not name.startswith("."):
                            _link_or_copy(Path(dirpath) / name, target / name)
        except OSError as exc:
            raise _output_error(exc) from exc

    def commit(self) -> list[str]:
        """Make this generation the output in one step; the files of the previous output it
        no longer has (relative paths), now gone."""
        staged = self.path
        before = listing(self.out)
        removed = sorted(before - listing(staged))
        folders = [f for f in FOLDERS if (staged / f).is_dir()]
        try:
            for folder in folders:  # links first: until the switch they show the old build
                _ensure_link(self.out, folder)
            switch = self.out / f"{CURRENT}.{staged.name}.tmp"
            switch.unlink(missing_ok=True)
            os.symlink(f"{GENERATIONS}/{staged.name}", switch)
            os.replace(switch, self.out / CURRENT)  # the one step
            _fsync_dir(self.out)
        except OSError as exc:
            raise _output_error(exc) from exc
        self.committed = True
        for folder in set(FOLDERS) - set(folders):  # what this generation does not have
            path = self.out / folder
            if path.is_symlink():
                path.unlink(missing_ok=True)
            elif path.is_dir():
                shutil.rmtree(path, ignore_errors=True)
        for entry in (self.out / GENERATIONS).iterdir():
            if entry != staged:
                _remove(entry)
        return removed

    def discard(self) -> None:
        """Remove the staged generation unless it was committed."""
        if self._path is not None and not self.committed:
            shutil.rmtree(self._path, ignore_errors=True)
            with contextlib.suppress(OSError):
                self._path.parent.rmdir()  # only if empty: the first build failed


def _ensure_link(out: Path, folder: str) -> None:
    path = out / folder
    if path.is_symlink() and os.readlink(path) == link_target(folder):
        return
    if path.is_dir() and not path.is_symlink():  # the older layout: move it aside first
        aside = out / GENERATIONS / f"{_OLD}{folder}"
        _remove(aside)
        os.rename(path, aside)
    tmp = out / f".{folder}.link.tmp"
    tmp.unlink(missing_ok=True)
    os.symlink(link_target(folder), tmp)
    os.replace(tmp, path)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.EXDEV, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _output_error(exc: OSError) -> OutputError:
    return OutputError(f"cannot write the output: {exc.strerror}", path=exc.filename or "",
                       hint="check that the output folder is a writable folder with free "
                            "space; the previous output is unchanged")


@contextmanager
def transaction(out: Path) -> Iterator[Generation]:
    """Lock the output folder, clean an interrupted build's leftovers, and give a new
    generation to write; if it is not committed, it is removed and the output is unchanged."""
    lock = OutputLock(out)
    lock.acquire()
    try:
        check_contract_paths(out)
        generation = Generation(out)
        generation.leftovers = clean_leftovers(out)
        try:
            yield generation
        finally:
            generation.discard()
    finally:
        lock.release()
