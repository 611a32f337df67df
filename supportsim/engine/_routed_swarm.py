"""Swarming with agent groups: owners and the experts who join must hold the skill.

The swarming desk (:mod:`supportsim.engine._swarm`) with teams
(:mod:`supportsim.engine._teams`): one queue per skill instead of the one queue, taken by
the lowest tier with an idle agent holding the ticket's skill; requests for help wait per
needed level and skill, and only an agent holding the skill answers one or joins a
swarm. The rules are stated in docs/assumptions.md, "Routing".
"""

from __future__ import annotations

from collections import deque

import numpy as np

from supportsim.demand import TicketStream
from supportsim.engine._swarm import SwarmDesk
from supportsim.engine._teams import Teams
from supportsim.scenario import Scenario

__all__ = ["RoutedSwarmDesk"]

_INF = float("inf")


class RoutedSwarmDesk(Teams, SwarmDesk):
    """One replication of a swarming desk whose tiers are split into agent groups.

    Queue ``s`` holds the tickets of skill ``s`` nobody owns yet (ordered as the swarming
    desk's one queue: channel class, then priority, then arrival).
    """

    QUEUE_CHANGES = ("_join", "_take", "_patience_over", "_overflow", "_ask_for_help",
                     "_take_help")

    def queue_count(self) -> int:
        return self.skills

    def __init__(self, scenario: Scenario, tickets: TicketStream, rng: np.random.Generator
                 ) -> None:
        self._setup_teams(scenario, tickets, rng, shared=True)
        classes = len(scenario.priorities) if scenario.team.discipline != "fifo" else 1
        # Requests for help per needed level (1..3), skill and priority class.
        self.skill_help: list[list[list[deque[int]]]] = [
            [[deque() for _ in range(classes)] for _ in range(self.skills)] for _ in range(3)]
        super().__init__(scenario, tickets, rng)
        self._setup_queues(scenario, tickets)

    def _backlog_help(self, i: int, level: int) -> None:
        """Backlog ticket `i`, waiting at `level`, asks for an agent of its need's level
        holding its skill, with no owner (as :meth:`SwarmDesk._backlog_help`)."""
        needed = max(self.need[i], level)
        self.help_level[i] = needed
        self.help_since[i] = self.env._now
        s = self.skill[i]
        for t, lv in enumerate(self.levels):
            if lv >= needed:
                expert = self._idle_agent(self.teams_for[t][s])
                if expert >= 0:
                    self._form_swarm(expert, i)
                    return
        self.skill_help[needed - 1][s][self.queue_class[i]].append(i)

    def _enter(self, q: int, i: int) -> None:
        # The lowest tier with an idle agent holding the skill takes it (experts stay free).
        s = self.skill[i]
        for teams in self.teams_for:
            a = self._idle_agent(teams[s])
            if a >= 0:
                self._start(a, i)
                return
        if self.preemptive and self._preempt(s, i):
            return
        self._join(s, i, self.env._now)

    def _eligible_tiers(self, t: int) -> list[int]:
        return list(range(len(self.levels)))

    def _ask_for_help(self, a: int, i: int) -> None:
        """Owner `a` keeps ticket `i` and waits for an agent of the needed level holding
        its skill (as :meth:`SwarmDesk._ask_for_help`, per skill)."""
        self._hold_for_help(a, i)
        needed, s = self.help_level[i], self.skill[i]
        for t, level in enumerate(self.levels):
            if level >= needed:
                expert = self._idle_agent(self.teams_for[t][s])
                if expert >= 0:
                    self._form_swarm(expert, i)
                    return
        self.skill_help[needed - 1][s][self.queue_class[i]].append(i)

    def _idle_member(self, t: int, i: int) -> int:
        return self._idle_agent(self.teams_for[t][self.skill[i]])

    def _free(self, a: int) -> None:
        if not self.agent_on[a]:
            return
        p = self.agent_team[a]
        # Requests for help go ahead of new tickets: own level first, then lower needs.
        for needed in range(self.levels[self.agent_tier[a]], 0, -1):
            i = self._take_help(p, needed)
            if i >= 0:
                self._form_swarm(a, i)
                return
        i = self._take(p)
        if i >= 0:
            self._start(a, i)
        else:
            self.idle_since[a] = self.env._now
            self.team_idle[p].append(a)

    def _take_help(self, p: int, needed: int) -> int:
        """The request for help at level `needed` an agent of team `p` answers, if any:
        across its skills, the most urgent class (with queue = "priority"), then the
        longest waiting."""
        best, best_key = None, (_INF, _INF)
        help_since = self.help_since
        for s in self.team_skills[p]:
            for k, waiting in enumerate(self.skill_help[needed - 1][s]):
                if waiting:
                    key = (k if self.by_priority else 0, help_since[waiting[0]])
                    if key < best_key:
                        best, best_key = waiting, key
                    if self.by_priority:
                        break
        return best.popleft() if best is not None else -1

    def tier_queued(self) -> list[int]:
        """Tickets waiting for each tier: the skills' queues count at the lowest tier,
        requests for help at the level they need."""
        counts = [sum(len(w) for queues in self.skill_help[level - 1] for w in queues)
                  for level in self.levels]
        counts[0] += sum(self.queued)
        return counts

    def oldest_wait(self, t: int) -> float:
        if t == 0:
            return max(self._oldest(queues, lambda i: self.arrived[i])
                       for queues in self.queues)
        now = self.env._now
        since = [self.help_since[w[0]] for queues in self.skill_help[self.levels[t] - 1]
                 for w in queues if w]
        return now - min(since, default=now)
