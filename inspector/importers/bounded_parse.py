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
server never run the parser in their own process.

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
from dataclasses import dataclass
from typing import Any, Callable, TypeVar

from inspector.errors import BadInput

try:
    import resource
except ImportError:  # Windows
    resource = None  # type: ignore[assignment]  # the module, or None where there is none

PARSE_TIMEOUT_S = 60.0  # wall-clock seconds a parse may take, child start included
PARSE_MEMORY_BYTES = 2 * 1024 ** 3  # address space of the parsing child (RLIMIT_AS)
RESULT_LIMIT_BYTES = 512 * 1024 ** 2  # the pickled result the child may send back
CPU_MARGIN_S = 5  # RLIMIT_CPU is the time bound plus this, so the wall clock normally decides

T = TypeVar("T")


@dataclass(frozen=True)
class ParseBounds:
    seconds: float = PARSE_TIMEOUT_S
    memory_bytes: int = PARSE_MEMORY_BYTES
    result_bytes: int = RESULT_LIMIT_BYTES


def run_parse(parse: Callable[..., T], *args: Any, name: str, bounds: ParseBounds = ParseBounds()) -> T:
    """``parse(*args)`` run in a bounded child process; its result, or BadInput naming ``name`` (the file)
    when the parse refused the input, failed, or passed a bound. ``parse`` must be importable by name."""
    context = multiprocessing.get_context("spawn")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_child_main, args=(sender, bounds, parse, args), daemon=True,
                            name=f"parse {name}")
    child.start()
    sender.close()
    try:
        ready = multiprocessing.connection.wait([receiver, child.sentinel], timeout=bounds.seconds)
        if not ready:
            raise _over_time(name, bounds)
        try:
            payload = receiver.recv_bytes(bounds.result_bytes) if receiver.poll() else None
        except OSError:  # longer than the cap (the child checks first; this is the backstop)
            raise _too_much(name, bounds) from None
        except EOFError:
            payload = None
    finally:
        if child.is_alive():
            child.kill()
        child.join()
        receiver.close()
    if payload is None:
        raise _died(name, bounds, child.exitcode)
    return _outcome(name, bounds, pickle.loads(payload))


def _child_main(sender: Any, bounds: ParseBounds, parse: Callable[..., Any], args: tuple) -> None:
    """In the child: lower the limits, parse, send back ``("ok", result)`` or what went wrong."""
    if resource is not None:
        _lower_limit(resource.RLIMIT_AS, bounds.memory_bytes)
        _lower_limit(resource.RLIMIT_CPU, math.ceil(bounds.seconds) + CPU_MARGIN_S)
    try:
        outcome: tuple = ("ok", parse(*args))
    except BadInput as exc:
        outcome = ("refused", exc.zh, exc.en)
    except MemoryError:
        outcome = ("memory",)
    except BaseException as exc:  # noqa: BLE001 - a native parser's panic is a BaseException; the file is at fault
        outcome = ("failed", f"{type(exc).__name__}: {exc}"[:2000])
    try:
        payload = pickle.dumps(outcome, protocol=pickle.HIGHEST_PROTOCOL)
    except MemoryError:
        payload = pickle.dumps(("memory",))
    if len(payload) > bounds.result_bytes:
        payload = pickle.dumps(("too_much",))
    sender.send_bytes(payload)
    sender.close()


def _lower_limit(limit: int, value: int) -> None:
    soft, hard = resource.getrlimit(limit)
    if hard != resource.RLIM_INFINITY:
        value = min(value, hard)
    if soft == resource.RLIM_INFINITY or value < soft:
        resource.setrlimit(limit, (value, hard))


def _outcome(name: str, bounds: ParseBounds, outcome: tuple) -> Any:
    kind = outcome[0]
    if kind == "ok":
        return outcome[1]
    if kind == "refused":
        raise BadInput(outcome[1], outcome[2])
    if kind == "memory":
        raise _over_memory(name, bounds)
    if kind == "too_much":
        raise _too_much(name, bounds)
    raise BadInput(f"无法读取 {name}：{outcome[1]}", f"cannot read {name}: {outcome[1]}")


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
