"""Running the parse of an untrusted file in a child process, bounded in time and memory.

A parser in native code (python-calamine) can take the whole interpreter down
on a hostile file: a failed allocation aborts the process, a Rust panic
surfaces as an exception that is not an ``Exception``. :func:`run_parse`
therefore runs a parse function in a child process (``multiprocessing`` with
the ``spawn`` method, safe from the GUI's threads), which lowers its own
address space (``RLIMIT_AS``) and CPU time (``RLIMIT_CPU``, a backstop should
the caller die) before parsing. The caller waits for the pickled result at
most :attr:`ParseBounds.seconds` and reads it with a byte cap. Whatever
happens to the child — it refuses the file, runs out of memory, crashes or is
killed when the time is up — the caller gets the result or a
:class:`BadInput` saying which bound was hit; the GUI, the CLI and the sync
server never run the parser in their own process. :class:`ParseStream` does
the same for a parse that yields its result in parts: the caller works on
each part while the child parses the next (the child waits while the caller
has not read what it sent), under the same bounds.

Frozen builds (PyInstaller): ``spawn`` starts the bundle's executable again
with ``--multiprocessing-fork``; :func:`inspector.cli.main` calls
:func:`multiprocessing.freeze_support` first, which PyInstaller's
multiprocessing runtime hook makes run the child there (Linux and Windows).
On Windows there is no ``resource`` module: the time bound holds, the memory
bound does not.
"""
from __future__ import annotations

import math
import multiprocessing
import multiprocessing.connection
import pickle
import signal
import time
from dataclasses import dataclass
from typing import Any, Callable, Iterator, TypeVar, cast

from inspector.errors import BadInput

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]  # the module, or None where there is none

PARSE_TIMEOUT_S = 60.0  # wall-clock seconds a parse may take, child start included
PARSE_MEMORY_BYTES = 2 * 1024 ** 3  # address space of the parsing child (RLIMIT_AS)
RESULT_LIMIT_BYTES = 512 * 1024 ** 2  # the pickled result the child may send back
CPU_MARGIN_S = 5  # RLIMIT_CPU is the time bound plus this, so the wall clock normally decides
_CONTROL_BYTES = 65_536  # bytes the message that ends the stream (or says why not) may take beyond the result bound

T = TypeVar("T")


@dataclass(frozen=True)
class ParseBounds:
    seconds: float = PARSE_TIMEOUT_S
    memory_bytes: int = PARSE_MEMORY_BYTES
    result_bytes: int = RESULT_LIMIT_BYTES


def run_parse(parse: Callable[..., T], *args: Any, name: str, bounds: ParseBounds = ParseBounds()) -> T:
    """``parse(*args)`` run in a bounded child process; its result, or BadInput naming ``name`` (the file)
    when the parse refused the input, failed, or passed a bound. ``parse`` must be importable by name."""
    with ParseStream(_whole, parse, *args, name=name, bounds=bounds) as parts:
        return cast(T, next(iter(parts)))


def _whole(parse: Callable[..., T], *args: Any) -> Iterator[T]:
    """The result of ``parse(*args)`` as the one part of a stream."""
    yield parse(*args)


class ParseStream:
    """The parts a generator function ``parse(*args)`` yields in a bounded child process, as the child sends
    them (the child starts at once and waits while its sent parts are not read): iterating gives each part,
    or raises BadInput naming ``name`` when the parse refused the input, failed, or passed a bound. The
    bounds are those of :func:`run_parse`; the time bound counts the time spent waiting for the child, and
    the result bound all the parts together. Use it in a ``with`` block: leaving it stops the child."""

    def __init__(self, parse: Callable[..., Iterator[Any]], *args: Any, name: str,
                 bounds: ParseBounds = ParseBounds()) -> None:
        self._name, self._bounds = name, bounds
        context = multiprocessing.get_context("spawn")
        self._receiver, sender = context.Pipe(duplex=False)
        self._child = context.Process(target=_child_main, args=(sender, bounds, parse, args), daemon=True,
                                      name=f"parse {name}")
        self._child.start()
        sender.close()

    def __enter__(self) -> ParseStream:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()

    def close(self) -> None:
        """Stop the child (when it still runs) and let it go."""
        if self._child.is_alive():
            self._child.kill()
        self._child.join()
        self._receiver.close()

    def __iter__(self) -> Iterator[Any]:
        name, bounds = self._name, self._bounds
        waited = 0.0  # seconds spent waiting for the child
        received = 0  # bytes of the parts received
        while True:
            start = time.monotonic()
            ready = multiprocessing.connection.wait([self._receiver, self._child.sentinel],
                                                    timeout=max(bounds.seconds - waited, 0.0))
            waited += time.monotonic() - start
            if not ready:
                raise _over_time(name, bounds)
            try:
                payload = (self._receiver.recv_bytes(bounds.result_bytes - received + _CONTROL_BYTES)
                           if self._receiver.poll() else None)
            except OSError:  # longer than the cap (the child checks first; this is the backstop)
                raise _too_much(name, bounds) from None
            except EOFError:
                payload = None
            if payload is None:
                self._child.join()
                raise _died(name, bounds, self._child.exitcode)
            received += len(payload)
            outcome = pickle.loads(payload)
            if outcome[0] == "part":
                yield outcome[1]
            elif outcome[0] == "end":
                return
            else:
                raise _refusal(name, bounds, outcome)


def _child_main(sender: Any, bounds: ParseBounds, parse: Callable[..., Iterator[Any]], args: tuple) -> None:
    """In the child: lower the limits, parse, send ``("part", part)`` for each part the parse yields and
    ``("end",)`` after the last, or what went wrong."""
    if resource is not None:
        _lower_limit(resource.RLIMIT_AS, bounds.memory_bytes)
        _lower_limit(resource.RLIMIT_CPU, math.ceil(bounds.seconds) + CPU_MARGIN_S)
    budget = bounds.result_bytes  # bytes the parts may still take
    outcome: tuple
    try:
        for part in parse(*args):
            payload = pickle.dumps(("part", part), protocol=pickle.HIGHEST_PROTOCOL)
            if len(payload) > budget:
                outcome = ("too_much",)
                break
            budget -= len(payload)
            del part
            sender.send_bytes(payload)
            del payload
        else:
            outcome = ("end",)
    except BadInput as exc:
        outcome = ("refused", exc.zh, exc.en)
    except MemoryError:
        outcome = ("memory",)
    except BaseException as exc:  # noqa: BLE001 - a native parser's panic is a BaseException; the file is at fault
        outcome = ("failed", f"{type(exc).__name__}: {exc}"[:2000])
    payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    if len(payload) > _CONTROL_BYTES:
        payload = pickle.dumps(("too_much",))
    sender.send_bytes(payload)
    sender.close()


def _lower_limit(limit: int, value: int) -> None:
    soft, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        resource.setrlimit(limit, (value, hard))


def _refusal(name: str, bounds: ParseBounds, outcome: tuple) -> BadInput:
    """What the child's message that ends the stream other than ``("end",)`` says went wrong."""
    kind = outcome[0]
    if kind == "refused":
        return BadInput(outcome[1], outcome[2])
    if kind == "memory":
        return _over_memory(name, bounds)
    if kind == "too_much":
        return _too_much(name, bounds)
    return BadInput(f"无法读取 {name}：{outcome[1]}", f"cannot read {name}: {outcome[1]}")


def _died(name: str, bounds: ParseBounds, exitcode: int | None) -> BadInput:
    """The child ended without an answer: killed by the CPU limit, or crashed (most likely an allocation
    that the memory bound refused, which native code answers by aborting)."""
    if exitcode is not None and -exitcode == getattr(signal, "SIGXCPU", None):
        return _over_time(name, bounds)
    if exitcode is not None and exitcode < 0:
        megabytes = bounds.memory_bytes // 2 ** 20
        return BadInput(
            f"解析 {name} 时解析程序异常终止（信号 {-exitcode}），可能需要超过 {megabytes} MB 内存；文件无法导入",
            f"the parser was stopped on {name} (signal {-exitcode}), probably needing more than {megabytes} MB "
            f"of memory; the file cannot be imported",
        )
    return BadInput(f"解析 {name} 时解析程序异常退出（退出码 {exitcode}），文件无法导入",
                    f"the parser exited abnormally on {name} (exit code {exitcode}); the file cannot be imported")


def _over_time(name: str, bounds: ParseBounds) -> BadInput:
    return BadInput(f"{name} 未能在 {bounds.seconds:g} 秒内解析完毕，文件无法导入",
                    f"{name} could not be parsed within {bounds.seconds:g} s; the file cannot be imported")


def _over_memory(name: str, bounds: ParseBounds) -> BadInput:
    megabytes = bounds.memory_bytes // 2 ** 20
    return BadInput(f"{name} 无法在 {megabytes} MB 内存内解析，文件无法导入",
                    f"{name} could not be parsed within {megabytes} MB of memory; the file cannot be imported")


def _too_much(name: str, bounds: ParseBounds) -> BadInput:
    megabytes = bounds.result_bytes // 2 ** 20
    return BadInput(f"{name} 的内容超过 {megabytes} MB，请拆分后导入",
                    f"{name} holds more than {megabytes} MB of content; split it before importing")
