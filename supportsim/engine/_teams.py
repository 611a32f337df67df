"""Agent groups inside the engine: *teams*, their idle agents and their skills' queues.

The user-facing key is ``team.tiers.lN.groups``; inside the engine an agent group is a
*team*, so it cannot be confused with the engine's *duty* groups (agents who share
working hours, :mod:`supportsim.engine._hours`): a team has one duty group per shift. A
tier without groups is one team holding every skill. A mixin of the routed desks
(:mod:`supportsim.engine._routing`, :mod:`supportsim.engine._routed_swarm`); the rules are
stated in docs/assumptions.md, "Routing".

Design for speed, as the rest of the engine: tickets are list indices; a tiered desk
keeps one queue per tier and skill (queue index ``tier * skills + skill``; a swarming
desk one per skill), each a deque per priority class as in
:class:`~supportsim.engine._desk.Desk`; each team keeps its idle agents in a deque,
longest idle first. An arriving ticket looks at the heads of the idle deques of the teams
holding its skill; a freed agent at the heads of the queues of its team's skills.
"""

from __future__ import annotations

import random
from collections import deque
from typing import TYPE_CHECKING, Any

import numpy as np
from simpy.events import Timeout

from supportsim._errors import ScenarioError
from supportsim.demand import TicketStream
from supportsim.scenario import Scenario
from supportsim.scenario._group_sites import group_site
from supportsim.scenario._routing import skill_names
from supportsim.scenario._schema import TIERS
from supportsim.scenario._team import AgentGroup, Tier

if TYPE_CHECKING:
    from supportsim.engine._desk import Desk

    _Base = Desk
else:
    _Base = object

__all__ = ["Teams"]

_INF = float("inf")


def _duties(staffing: Tier | AgentGroup) -> int:
    """How many duty groups a tier without groups, or an agent group, has (one per shift;
    :func:`supportsim.engine._hours.staffing_duty_groups`)."""
    return len(staffing.hours) if isinstance(staffing.hours, tuple) else 1


class Teams(_Base):
    """Teams, skills and the routing rules shared by the routed desks."""

    def _setup_teams(self, scenario: Scenario, tickets: TicketStream,
                     rng: np.random.Generator, *, shared: bool) -> None:
        """Everything the desk's ``__init__`` needs before agents join (`shared`: one set
        of skill queues for every tier, as in a swarming desk)."""
        self.shared = shared
        self.skill_names = skill_names(scenario)
        S = self.skills = len(self.skill_names)
        self.skill = tickets.skill.tolist()
        routing = scenario.team.routing
        discipline = scenario.team.discipline
        self.policy = routing.agent if routing is not None else "longest_idle"
        queue = routing.queue if routing is not None else None
        self.by_priority = (queue or ("oldest" if discipline == "fifo" else "priority")
                            ) == "priority"
        overflow = routing.overflow if routing is not None else None
        self.overflow_after = overflow.after if overflow is not None else None
        # An overflow to a skill goes to its holders; to a site (fallback -1: every
        # ticket's timer runs) to the groups working there.
        self.fallback = (self.skill_names.index(overflow.skill)
                         if overflow is not None and overflow.skill is not None else -1)
        overflow_site = overflow.site if overflow is not None else None

        # -- teams: (tier index, name, skills) in file order; duty group -> team
        self.team_tier: list[int] = []
        self.team_names: list[str] = []
        self.team_skills: list[list[int]] = []
        self.team_effort: list[list[float]] = []
        self.team_site: list[str] = []
        self.duty_team: list[int] = []
        tiers = list(scenario.team.tiers.items())
        for t, (tier_name, tier) in enumerate(tiers):
            if tier.groups is None:
                self._add_team(t, "", list(range(S)), [1.0] * S, _duties(tier))
                self.team_site.append(scenario.site_names[0])
                continue
            for name, group in tier.groups.items():
                skills = [self.skill_names.index(s) for s in group.skills]
                effort = [group.effort.get(s, 1.0) for s in self.skill_names]
                self._add_team(t, name, skills, effort, _duties(group))
                self.team_site.append(group_site(scenario, tier_name, name))
        self.scaled = any(f != 1.0 for effort in self.team_effort for f in effort)
        order = list(routing.order) if routing is not None else []
        rank = {name: k for k, name in enumerate(order)}
        # Teams of tier t holding skill s, in preference order (agent = "ordered"), else
        # file order; and the fallback skill's teams, for overflowing tickets.
        self.teams_for = [[sorted((p for p in range(len(self.team_tier))
                                   if self.team_tier[p] == t and s in self.team_skills[p]),
                                  key=lambda p: rank.get(self.team_names[p], len(order)))
                           for s in range(S)] for t in range(len(tiers))]
        # Teams of tier t an overflowing ticket may also go to.
        self.overflow_teams = [
            [p for p in range(len(self.team_tier)) if self.team_tier[p] == t
             and (self.team_site[p] == overflow_site if overflow_site is not None
                  else self.fallback in self.team_skills[p])] for t in range(len(tiers))]
        self.team_idle: list[deque[int]] = [deque() for _ in self.team_tier]
        # Queues a team's agents take work from (its tier's queues of its skills).
        self.team_queues = [[(0 if shared else t) * S + s for s in skills]
                            for t, skills in zip(self.team_tier, self.team_skills, strict=True)]
        self.agent_team: list[int] = []
        self.team_members: list[list[int]] = [[] for _ in self.team_tier]
        self.idle_since: list[float] = []
        self.enqueued_at = [0.0] * len(tickets)
        self.team_shots: list[tuple[int, ...]] = []
        if self.policy == "random":
            # A stream of its own, spawned from the engine's: workforce draws are unchanged.
            seed = np.random.default_rng(rng.bit_generator.seed_seq.spawn(1)[0])  # type: ignore[attr-defined]
            self.chooser = random.Random(int(seed.integers(2**63)))

    def _setup_queues(self, scenario: Scenario, tickets: TicketStream) -> None:
        """Queues per skill, after the desk's ``__init__`` (nothing is queued yet)."""
        S = self.skills
        tiers = list(scenario.team.tiers.items())
        discipline = scenario.team.discipline
        # Desk sized the entry queue's channel classes for queue 0 only: every skill's
        # queue at the entry tier orders by channel (nothing is queued yet).
        classes = len(scenario.priorities) if discipline != "fifo" else 1
        self.queues = [[deque() for _ in range(classes * (self.channel_classes if q < S else 1))]
                       for q in range(self.queue_count())]
        # Overflow: per tier, one queue of (ticket, entry) per priority class; an entry is
        # current while the ticket's `waiting_entry` equals it (taken or gone: -1).
        if self.overflow_after is not None:
            self.overflow_queues: list[list[deque[tuple[int, int]]]] = [
                [deque() for _ in range(classes * self.channel_classes)] for _ in tiers]
            self.waiting_entry = [-1] * len(tickets)
            self.entries = 0
            self.overflowed = [False] * len(tickets)
            for teams in self.overflow_teams:
                for p in teams:
                    # -1 - t: the overflow queue of tier t (a swarming desk's: 0)
                    self.team_queues[p].append(-1 - (0 if self.shared else self.team_tier[p]))

    def _add_team(self, t: int, name: str, skills: list[int], effort: list[float],
                  duties: int) -> None:
        p = len(self.team_tier)
        self.team_tier.append(t)
        self.team_names.append(name)
        self.team_skills.append(skills)
        self.team_effort.append(effort)
        self.duty_team.extend([p] * duties)

    # ------------------------------------------------------------------ agents

    def add_agent(self, t: int, g: int, origin: str, *, learner: bool, active: bool = True
                  ) -> int:
        # The team first: joining may put the agent to work at once.
        self.agent_team.append(self.duty_team[g])
        self.team_members[self.duty_team[g]].append(len(self.agent_team) - 1)
        self.idle_since.append(self.env._now)
        return super().add_agent(t, g, origin, learner=learner, active=active)

    def _idle_count(self, t: int) -> int:
        return sum(len(self.team_idle[p]) for p in range(len(self.team_tier))
                   if self.team_tier[p] == t)

    def _idle_take(self, t: int, i: int) -> int:
        # A backlog ticket in service at start: an idle agent holding its skill (by the
        # agent rule), in the order of the backlog.
        a = self._idle_agent(self.teams_for[t][self.skill[i]])
        if a < 0:
            backlog = self.scenario.backlog
            name = backlog.ids[i] if backlog is not None else str(i)
            raise ScenarioError(
                f"initial.backlog: ticket {name!r} is in service at "
                f"{TIERS[self.levels[t] - 1]} at start, but no agent of a group holding its "
                f"skill {self.skill_names[self.skill[i]]!r} is idle then; mark it waiting or "
                "put more agents of such a group on duty at start"
                + (f" ({self.scenario.source})" if self.scenario.source else ""))
        return a

    def agent_group_name(self, a: int) -> str:
        return self.team_names[self.agent_team[a]]

    def _drop_idle(self, a: int, t: int) -> None:
        self.team_idle[self.agent_team[a]].remove(a)

    def _idle_agent(self, teams: list[int]) -> int:
        """An idle agent of `teams` by the agent policy, taken off its idle deque; -1 if none."""
        idle = self.team_idle
        if len(teams) == 1:
            waiting = idle[teams[0]]
            if not waiting:
                return -1
            if self.policy != "random":
                return waiting.popleft()
        if self.policy == "ordered":
            for p in teams:
                if idle[p]:
                    return idle[p].popleft()
            return -1
        if self.policy == "random":
            count = sum(len(idle[p]) for p in teams)
            if not count:
                return -1
            k = int(self.chooser.random() * count)
            for p in teams:
                if k < len(idle[p]):
                    a = idle[p][k]
                    del idle[p][k]
                    return a
                k -= len(idle[p])
            raise AssertionError("idle count changed while choosing")
        best, since = -1, _INF
        idle_since = self.idle_since
        for p in teams:
            waiting = idle[p]
            if waiting and idle_since[waiting[0]] < since:
                best, since = p, idle_since[waiting[0]]
        return idle[best].popleft() if best >= 0 else -1

    # ------------------------------------------------------------------ tickets

    def _eligible_tiers(self, t: int) -> list[int]:
        """Tier indices whose agents may take a ticket waiting in tier index `t`'s queues
        (tiered: that tier; swarming: every tier, lowest first)."""
        raise NotImplementedError

    def _join(self, q: int, i: int, since: float, *, first: bool = False) -> None:
        """Ticket `i` waits in queue `q` (at the head of its class if `first`), as having
        joined at `since`; with overflow, its timer starts now."""
        self.enqueued_at[i] = since
        waiting = self.queues[q][self._queue_class(q, i)]
        if first:
            waiting.appendleft(i)
        else:
            waiting.append(i)
        self.queued[q] += 1
        s = self.skill[i]
        if self.overflow_after is not None and s != self.fallback:
            self.overflowed[i] = False  # in this wait (a ticket may wait at several tiers)
            self.entries += 1
            self.waiting_entry[i] = self.entries
            Timeout(self.env, self.overflow_after, (q // self.skills, i, self.entries)
                    ).callbacks.append(self._overflow)

    def _preempt(self, q: int, i: int) -> bool:
        """Take an agent holding `i`'s skill from the least urgent ticket less urgent than
        `i` (the most recently started among equals), if any; that ticket waits at the
        head of its class in its own skill's queue, as having joined when its service
        started, to resume its remaining work with any eligible agent."""
        rank, ticket, started = self.rank, self.agent_ticket, self.agent_started
        victim, victim_key = -1, (rank[i], _INF)
        t = q // self.skills
        for tier in self._eligible_tiers(t):
            for p in self.teams_for[tier][self.skill[i]]:
                for a in self.team_members[p]:
                    j = ticket[a]
                    if (j >= 0 and self.agent_on[a] and self._preemptible(a)
                            and (rank[j], started[a]) > victim_key):
                        victim, victim_key = a, (rank[j], started[a])
        if victim < 0:
            return False
        mode = self.agent_mode[victim]
        since = started[victim]
        # The work left, in the ticket's own effort (the next agent applies its group's
        # multiplier to it).
        remaining = self.agent_end[victim] - self.env._now
        if self.scaled:
            remaining /= self.team_effort[self.agent_team[victim]][self.skill[ticket[victim]]]
        j, worked = self._stop(victim)
        self.effort_spent[j] += worked
        self.remaining[j] = (remaining, mode)
        self.agent_event[victim] = None
        self._join(t * self.skills + self.skill[j], j, since, first=True)
        self._start(victim, i)
        return True

    def _overflow(self, event: Timeout) -> None:
        """Ticket `i` has waited `after` at tier `t`: the fallback skill's teams (or the
        overflow site's) may take it."""
        t, i, entry = event._value
        if self.waiting_entry[i] != entry or self.abandoned[i]:
            return  # taken, or gone, meanwhile
        self.overflowed[i] = True
        for tier in self._eligible_tiers(t):
            a = self._idle_agent(self.overflow_teams[tier])
            if a >= 0:
                self._unqueue(t, i)
                self._start(a, i)
                return
        q = t * self.skills + self.skill[i]
        self.overflow_queues[t][self._queue_class(q, i)].append((i, entry))

    def _queue_class(self, q: int, i: int) -> int:
        if q >= self.skills or self.channel_classes == 1:
            return self.queue_class[i]
        started = self.first_response[i] == self.first_response[i]  # not NaN
        return self.answered_class + self.queue_class[i] if started else self.entry_class[i]

    def _unqueue(self, t: int, i: int) -> None:
        """Take waiting ticket `i` out of its skill's queue at tier `t` (overflow)."""
        q = t * self.skills + self.skill[i]
        self.queues[q][self._queue_class(q, i)].remove(i)
        self.queued[q] -= 1
        self.waiting_entry[i] = -1

    def _entry_queue(self, i: int) -> int:
        return self.skill[i]  # the entry tier (index 0) or a swarming desk's one set

    def _left_queue(self, i: int) -> None:
        if self.overflow_after is not None:
            self.waiting_entry[i] = -1  # its overflow timer and entry are void

    def _patience_over(self, event: Timeout) -> None:
        i = event._value
        # NaN != NaN: nobody has started the ticket, so it waits at the entry tier.
        if self.first_response[i] != self.first_response[i]:
            self.abandoned[i] = True
            self.queued[self.skill[i]] -= 1
            self.closed += 1
            if self.overflow_after is not None:
                self.waiting_entry[i] = -1

    def _take(self, p: int) -> int:
        """The ticket a free agent of team `p` takes next, off its queue; -1 if none.

        ``queue = "priority"``: the most urgent class first, then the longest waiting;
        ``"oldest"``: the longest waiting. Waiting counts from joining the tier's queue.
        """
        queued, queues, abandoned = self.queued, self.queues, self.abandoned
        enqueued_at = self.enqueued_at
        best_q, best_k, best_key = 0, -1, (_INF, _INF)
        by_priority = self.by_priority
        for q in self.team_queues[p]:
            if q < 0:
                found = self._overflow_head(-1 - q, best_key)
                if found is not None:
                    best_q, best_k, best_key = q, found[0], found[1]
                continue
            if not queued[q]:
                continue
            for k, waiting in enumerate(queues[q]):
                while waiting and abandoned[waiting[0]]:
                    waiting.popleft()  # gave up: already off the count
                if waiting:
                    key = (k if by_priority else 0, enqueued_at[waiting[0]])
                    if key < best_key:
                        best_q, best_k, best_key = q, k, key
                    if by_priority:
                        break  # the first non-empty class is this queue's most urgent
        if best_k < 0:
            return -1
        if best_q < 0:
            t = -1 - best_q
            i = self.overflow_queues[t][best_k].popleft()[0]
            self._unqueue(t, i)
            return i
        i = queues[best_q][best_k].popleft()
        queued[best_q] -= 1
        if self.overflow_after is not None:
            self.waiting_entry[i] = -1
        return i

    def _overflow_head(self, t: int, than: tuple[float, float]
                       ) -> tuple[int, tuple[float, float]] | None:
        """(class, key) of the best current overflow entry at tier `t`, if better than `than`."""
        entry = self.waiting_entry
        for k, waiting in enumerate(self.overflow_queues[t]):
            while waiting and entry[waiting[0][0]] != waiting[0][1]:
                waiting.popleft()  # taken from its own queue, or gone
            if waiting:
                key = (k if self.by_priority else 0, self.enqueued_at[waiting[0][0]])
                if key < than:
                    return k, key
                if self.by_priority:
                    return None
        return None

    # ------------------------------------------------------------------ services

    def _serve(self, a: int, i: int, duration: float, mode: int) -> None:
        if self.scaled:
            duration *= self.team_effort[self.agent_team[a]][self.skill[i]]
        super()._serve(a, i, duration, mode)

    # ------------------------------------------------------------------ timeline

    def _snapshot(self, event: Any) -> None:
        super()._snapshot(event)
        busy = [0] * len(self.team_tier)
        on = [0] * len(self.team_tier)
        # Off duty with a ticket in hand: finishing it (the tiers' overtime, per group).
        over = [0] * len(self.team_tier)
        for a, p in enumerate(self.agent_team):
            working = self.agent_ticket[a] >= 0
            busy[p] += working
            on[p] += self.agent_on[a]
            over[p] += working and not self.agent_on[a]
        self.team_shots.append((*busy, *on, *over, *self.queued))

    def run(self) -> None:
        super().run()
        teams = len(self.team_tier)
        shots = np.array(self.team_shots, dtype=np.int32).reshape(
            -1, 3 * teams + len(self.queued))
        self.snapshot_team_busy = shots[:, :teams]
        self.snapshot_team_on_duty = shots[:, teams:2 * teams]
        self.snapshot_team_overtime = shots[:, 2 * teams:3 * teams]
        self.snapshot_skill_queued = shots[:, 3 * teams:]
