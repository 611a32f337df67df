"""`sweep`: run a grid of variants x replications as independent tasks on any executor."""

from __future__ import annotations

import numbers
import time
import uuid
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import pandas as pd

from supportsim._errors import ScenarioError
from supportsim.capacity import warn_if_overloaded
from supportsim.scenario import Scenario
from supportsim.simulation import resolve_seed
from supportsim.sweeps._executors import Backend, SweepError, open_executor
from supportsim.sweeps._grid import BASE_STRATEGY, Task, Variant, build_variants
from supportsim.sweeps._result import SweepResult
from supportsim.sweeps._store import FORMAT, Store, read_manifest
from supportsim.sweeps._table import SummaryRows, failures_frame, tickets_frame, variants_frame
from supportsim.sweeps._task import TaskOutput, TaskSpec, build_variant, run_task

__all__ = ["SweepFailureWarning", "sweep"]

_IN_FLIGHT_PER_WORKER = 2  # keeps workers busy while the parent holds few results


class SweepFailureWarning(RuntimeWarning):
    """Some tasks of a sweep failed; the others' results are in the table."""


def sweep(
    base: Scenario,
    factors: Mapping[str, Sequence[Any]] | None = None,
    strategies: Mapping[str, Mapping[str, Any]] | None = None,
    replications: int | None = None,
    executor: Any = None,
    store: str | Path | None = None,
    keep_tickets: bool = False,
    seed: int | None = None,
    progress: bool = True,
) -> SweepResult:
    """Simulate every factor combination under every strategy, replication by replication.

    Each task, a variant in one replication, runs independently on `executor` and returns
    summary rows, not its ticket table. Every stream, demand and engine, depends on (seed,
    replication) only, as in :func:`supportsim.simulate`: a variant's rows are exactly
    those of ``simulate(variant, seed=seed)``, all variants see the same tickets and
    engine draws in replication ``r`` (common random numbers), and no stream depends on
    the variant, task order or worker: every executor gives the identical table.

    Parameters
    ----------
    base : Scenario
    factors : mapping of str to list, optional
        Dotted key -> values, e.g. ``{"demand.rate": [10, 14], "team.tiers.l1.staff":
        [6, 7, 8]}``; the grid is their product.
    strategies : mapping of str to mapping, optional
        Name -> dotted overrides, e.g. ``{"tiered": {}, "swarming": {"team.structure":
        "swarming"}}``; every strategy is crossed with the factor grid. Default: one
        strategy, ``"base"``, the base scenario as it is.
    replications : int, optional
        Defaults to ``base.replications``.
    executor : None, int, concurrent.futures.Executor or str
        None: a process pool over all local cores; an int: that many processes (1 runs
        here, without a pool); an Executor, e.g. ``dask.distributed.Client(...)
        .get_executor()``, used as is and not shut down; ``"dask://host:port"``: a Dask
        scheduler, connected to for this sweep.
    store : str or Path, optional
        A directory keeping each finished task; running the same sweep again reads
        those and runs only the rest (see docs/sweeps.md).
    keep_tickets : bool
        Also return (and store) every task's ticket table.
    seed : int, optional
        Root seed; defaults to ``base.seed``, then to the store's seed, then to fresh
        OS entropy (recorded in the result and the store).
    progress : bool
        Show a progress bar (tqdm; renders in Jupyter; in a log, a line each tenth).

    Returns
    -------
    SweepResult

    Warns
    -----
    CapacityWarning
        Once, before any task runs, if the `base` scenario overloads a tier (as
        :func:`~supportsim.simulate` would). Variants are not checked: overload is what
        sweeps look for, and the summary reports it per variant.

    Raises
    ------
    ScenarioError
        A factor or strategy is malformed, or not a single variant gives a valid
        scenario (a misspelt key, say). A variant that fails on its own is reported in
        ``SweepResult.failures`` and with a :class:`SweepFailureWarning`, and the others
        still run.
    SweepError
        Bad `executor`, unreachable scheduler, or `store` belongs to another sweep.

    Examples
    --------
    >>> import supportsim as ss
    >>> sc = ss.load_scenario("scenarios/mmc.toml")  # doctest: +SKIP
    >>> sw = ss.sweep(sc, factors={"team.tiers.l1.staff": [6, 7, 8]},
    ...               replications=5, executor=2)  # doctest: +SKIP
    >>> sw.sla()  # doctest: +SKIP
    """
    started = time.perf_counter()
    if not isinstance(base, Scenario):
        raise TypeError(f"base must be a Scenario, got {type(base).__name__}")
    if base.auto_warmup:  # each task scores its replication alone; "auto" needs them all
        raise SweepError("warmup = 'auto' cannot be swept: each task scores one replication "
                         "on its own, and MSER-5 needs them all. Find the warm-up with "
                         "warmup = 'auto' in ss.simulate on the base (res.scenario.warmup) "
                         "and sweep with that explicit value" + (f" ({base.source})"
                                                                 if base.source else ""))
    variants = build_variants(factors or {}, strategies, base.source)
    grid = {key: list(values) for key, values in (factors or {}).items()}
    count = base.replications if replications is None else replications
    if isinstance(count, bool) or not isinstance(count, numbers.Integral) or count < 1:
        raise ValueError(f"replications must be an integer >= 1, got {replications!r}")
    count = int(count)
    _check_some_variant_builds(base, variants)
    warn_if_overloaded(base)

    if seed is None and base.seed is None and store is not None:
        manifest = read_manifest(store)
        seed = None if manifest is None else int(manifest["seed"])
    root_seed = resolve_seed(base, seed)
    # Replication-major: an interrupted sweep has whole replications of every variant, and
    # heavy and light variants alternate, which evens out the workers' last tasks.
    tasks = [Task(v, r) for r in range(count) for v in variants]
    named = dict(strategies) if strategies else {BASE_STRATEGY: {}}
    opened = None if store is None else _open_store(store, base, root_seed, grid, named,
                                                    variants, count, keep_tickets)
    try:  # the store is locked until this sweep ends, however it ends
        return _run_tasks(base, variants, grid, named, tasks, opened, executor, root_seed,
                          count, keep_tickets, progress, started)
    finally:
        if opened is not None:
            opened.close()


def _run_tasks(base: Scenario, variants: list[Variant], grid: dict[str, list[Any]],
               named: dict[str, Any], tasks: list[Task], opened: Store | None,
               executor: Any, root_seed: int, count: int, keep_tickets: bool,
               progress: bool, started: float) -> SweepResult:
    """Reuse the stored tasks, run the rest and assemble the result (see :func:`sweep`)."""
    rows = SummaryRows(variants, grid)
    tickets: dict[tuple[str, int], pd.DataFrame] = {}
    if opened is not None:
        for task in tasks:
            found = opened.load(task, keep_tickets)
            if found is not None:
                rows.add(*task.key, found[0])
                if found[1] is not None:
                    tickets[task.key] = found[1]
    reused = len(rows)
    todo = [task for task in tasks if task.key not in rows]

    failures: list[dict[str, Any]] = []
    run_id = uuid.uuid4().hex[:12]
    label = "nothing to run"
    with _progress_bar(len(tasks), reused, progress) as bar, ExitStack() as stack:
        # All finished already: no executor, so no pool to start or scheduler to reach.
        backend = stack.enter_context(open_executor(executor, len(todo))) if todo else None
        for output in _execute(backend, todo, base, root_seed, keep_tickets):
            key = (output.variant_id, output.replication)
            if output.ok:
                if opened is not None:
                    opened.save(output)
                assert output.summary is not None
                rows.add(*key, output.summary)
                if output.tickets is not None:
                    tickets[key] = output.tickets
            else:
                failures.append({"variant_id": output.variant_id,
                                 "replication": output.replication, "error": output.error,
                                 "message": output.message, "traceback": output.traceback})
                bar.set_postfix(failed=len(failures), refresh=False)
            if opened is not None:
                opened.log(run_id, output)
            bar.update(1)
        if backend is not None:
            label = backend.label

    by_id = {v.id: v for v in variants}
    failure_rows = [{"variant": by_id[f["variant_id"]].name, **f} for f in failures]
    if opened is not None:
        opened.write_failures(failure_rows)
    result = SweepResult(
        scenario=base, seed=root_seed, replications=count, factors=grid,
        strategies={k: dict(v) for k, v in named.items()},
        variants=variants_frame(variants, grid),
        table=rows.table(base),
        failures=failures_frame(failure_rows, variants),
        tickets=tickets_frame(variants, count, tickets) if keep_tickets else None,
        tasks_run=len(todo), tasks_reused=reused,
        wall_seconds=time.perf_counter() - started, executor=label,
        store=None if opened is None else opened.root,
    )
    if failures:
        first = result.failures.iloc[0]
        warnings.warn(
            f"{len(failures)} of {len(tasks)} sweep tasks failed (see SweepResult.failures); "
            f"first: variant {first['variant']!r} replication {first['replication']}: "
            f"{first['error']}: {first['message']}", SweepFailureWarning, stacklevel=3)
    return result


# --------------------------------------------------------------------------- preparation


def _check_some_variant_builds(base: Scenario, variants: list[Variant]) -> None:
    """Raise the first error if no variant gives a valid scenario (a misspelt key, say).

    Stops at the first variant that builds, so a valid sweep pays for one validation.
    Variants that fail on their own are left to their tasks, which report them.
    """
    first: ScenarioError | None = None
    for variant in variants:
        try:
            build_variant(base, variant.overrides)
            return
        except ScenarioError as exc:
            first = first or exc
    assert first is not None
    raise ScenarioError(f"no variant of the sweep is a valid scenario; first: {first}") \
        from first


def _open_store(root: str | Path, base: Scenario, seed: int, factors: dict[str, list[Any]],
                strategies: dict[str, Any], variants: list[Variant], count: int,
                keep_tickets: bool) -> Store:
    from supportsim import __version__

    identity = {"format": FORMAT, "supportsim": __version__, "scenario": base.fingerprint(),
                "seed": seed}
    grid = {
        "scenario_name": base.name, "scenario_source": base.source,
        "factors": factors, "strategies": strategies, "replications": count,
        "keep_tickets": keep_tickets,
        "variants": [{"id": v.id, "name": v.name, "strategy": v.strategy,
                      "overrides": v.overrides} for v in variants],
    }
    return Store.open(root, identity, grid, base.to_toml())


@contextmanager
def _progress_bar(total: int, done: int, enabled: bool) -> Iterator[Any]:
    """A bar (:func:`supportsim._progress.progress_bar`: a widget in Jupyter) counting
    tasks, with failures shown."""
    from supportsim._progress import progress_bar

    bar = progress_bar(total, initial=done, desc="sweep", unit="task", progress=enabled)
    if enabled:
        bar.set_postfix(failed=0)
    try:
        yield bar
    finally:
        bar.close()


# --------------------------------------------------------------------------- execution


def _execute(backend: Backend | None, todo: list[Task], base: Scenario, seed: int,
             keep_tickets: bool) -> Iterator[TaskOutput]:
    """Submit `todo` with at most a few tasks per worker in flight; yield outputs as done.

    Bounding the tasks in flight keeps the parent's memory flat however large the grid:
    results are handled (stored, reduced) as they arrive and then dropped.
    """
    if backend is None:
        return
    pending: dict[Future[TaskOutput], Task] = {}
    queue = iter(todo)
    exhausted = False
    try:
        while True:
            while not exhausted and len(pending) < _IN_FLIGHT_PER_WORKER * backend.workers():
                task = next(queue, None)
                if task is None:
                    exhausted = True
                    break
                spec = TaskSpec(base=base, variant_id=task.variant.id,
                                overrides=task.variant.overrides,
                                replication=task.replication, seed=seed,
                                keep_tickets=keep_tickets)
                try:
                    future = backend.executor.submit(run_task, spec)
                except Exception as exc:  # e.g. a broken pool: fail this task, go on
                    future = Future()
                    future.set_exception(exc)
                pending[future] = task
            if not pending:
                return
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for future in done:
                task = pending.pop(future)
                yield _output(future, task)
    finally:
        for future in pending:
            future.cancel()


def _output(future: Future[TaskOutput], task: Task) -> TaskOutput:
    """The task's output; an executor-level failure (a worker died) becomes a failed task."""
    try:
        return future.result()
    except Exception as exc:
        return TaskOutput(variant_id=task.variant.id, replication=task.replication,
                          error=type(exc).__name__,
                          message=" ".join(str(exc).split()) or repr(exc))
