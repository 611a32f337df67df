"""Abandonment by ticket and by attempt, with retrials (``demand.channels.NAME.retry``)."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["abandonment_shares"]


def abandonment_shares(tickets: pd.DataFrame, *, by: str | None = "channel") -> pd.DataFrame:
    """Abandonment per replication (and channel): of tickets, and of attempts.

    Without retrials every ticket is one attempt and both shares are the same (Erlang A's
    probability of abandonment on an M/M/c+M desk). With retrials a customer who comes
    back is the same ticket: ``abandoned`` counts tickets whose *last* attempt abandoned,
    while each return adds an attempt that abandoned before it.

    Parameters
    ----------
    tickets : DataFrame
        ``SimulationResult.tickets``; tickets of the warm-up are left out.
    by : str or None, default "channel"
        A further column to group by, or None for the replication alone.

    Returns
    -------
    DataFrame
        One row per replication (x `by`): ``tickets``; ``attempts`` (tickets plus
        ``retrials``); ``abandoned_attempts`` (``retrials`` + ``abandoned``: each return
        follows an abandoned attempt); ``retrials``; ``abandoned`` (tickets given up for
        good); ``abandoned_share`` (abandoned / tickets, as in ``res.summary()``);
        ``attempt_abandoned_share`` (abandoned attempts / attempts); ``retry_share``
        (retrials / abandoned attempts: the realised ``retry`` probability; NaN without
        an abandoned attempt).

    Notes
    -----
    An attempt that abandoned at the end of the run, its customer due back after the
    horizon, is in neither count: the ticket is open. Over a run much longer than
    ``retry_after`` this is a few tickets.
    """
    scored = tickets.loc[~tickets["warmup"].to_numpy(dtype=bool)]
    keys = ["replication"] if by is None else ["replication", by]
    frame = pd.DataFrame({
        **{k: scored[k] for k in keys},
        "tickets": 1,
        "retrials": scored["retrials"].to_numpy(dtype=np.int64),
        "abandoned": scored["abandoned"].to_numpy(dtype=np.int64),
    })
    out = frame.groupby(keys, observed=True).sum()
    out["attempts"] = out["tickets"] + out["retrials"]
    out["abandoned_attempts"] = out["retrials"] + out["abandoned"]
    out["abandoned_share"] = out["abandoned"] / out["tickets"]
    out["attempt_abandoned_share"] = out["abandoned_attempts"] / out["attempts"]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["retry_share"] = (out["retrials"] / out["abandoned_attempts"].where(
            out["abandoned_attempts"] > 0))
    return out[["tickets", "attempts", "abandoned_attempts", "retrials", "abandoned",
                "abandoned_share", "attempt_abandoned_share", "retry_share"]].reset_index()
