"""The planning cockpit: the S&OP game played alone, a month at a time, in a notebook.

:func:`planning_cockpit` shows the five stages of the month as tabs
(:data:`sopcourse.game.meeting.STAGES`) and a sixth with the scorecard and the log. The
learner plays one role, or all of them (``role="all"``); the computer plays the others
(:func:`sopcourse.game.meeting.computer_parts`), and their controls are shown, greyed.
"Decide and play" merges the roles' parts, checks them (a refused decision changes
nothing and says why) and plays the month. With ``save_to`` the game is saved after
every month and picked up again from that file after a kernel restart.

The stages' content comes from the pure functions of :mod:`sopcourse.game.meeting`;
the cockpit only gathers the controls into a decision set and redraws.
"""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .._files import write_atomic
from ..game import engine, meeting
from ..game.debrief import benchmark_world, debrief
from ..game.engine import World, new_game
from ..game.rules import ACTION_ROLES, ROLE_KEYS, merge_role_decisions
from ..game.scoring import monthly_scorecard, scorecard
from ..plotting import COLORS
from ._display import ExplorerChart, description_style, html_table, require_ipywidgets

__all__ = ["planning_cockpit", "team_cockpit", "PlanningCockpit"]

ROLES = ("all", *ROLE_KEYS)
_OWNER = {"demand": "demand_planner", "supply": "supply_planner", "finance": "finance",
          "executive": "executive"}  # fmt: skip
_MONEY = ",.0f"
_ACTION_COSTS = (
    "<p><b>What actions cost.</b> A promotion (demand planner): EUR "
    f"{engine.PROMOTION_COST:,.0f}, runs next month, lifts demand by {engine.PROMO_ELASTICITY:g} x "
    "the discount, with a dip the month after. A price change (finance): EUR "
    f"{engine.PRICE_CHANGE_COST:,.0f}, from next month. Expediting kits (supply planner): "
    f"{engine.EXPEDITE_PREMIUM:.0%} of their material cost on top, this month. A station or "
    f"machine (executive): EUR {engine.CAPACITY_LEASE:,.0f} a month from the order, working "
    f"after {engine.CAPACITY_LEAD} months.</p>"
)


def _list(items) -> str:
    return "<ul>" + "".join(f"<li>{html.escape(str(x))}</li>" for x in items) + "</ul>"


def _frame_html(frame: pd.DataFrame, fmt: str = ",.1f", **formats) -> str:
    """A lesson-style table: a (plant, work centre) index as one label, NaN as a dash."""
    frame = frame.round(3)
    if isinstance(frame.index, pd.MultiIndex):
        frame.index = [" ".join(map(str, key)) for key in frame.index]
    shown = frame.astype(object).where(frame.notna(), "\u2014")
    return html_table(shown, formats={str(c): formats.get(str(c), fmt) for c in frame})


#: How the cockpit writes each figure of the scorecard.
_CARD_FORMATS = {"profit": ",.0f", "fill_rate": ".1%", "fill_rate_A": ".1%",
                 "fill_rate_B": ".1%", "fill_rate_C": ".1%", "inventory_turns": ".1f",
                 "cash_to_cash_days": ".1f", "forecast_wape": ".1%", "forecast_bias": "+.1%",
                 "plan_stability": ".1%"}  # fmt: skip


class PlanningCockpit:
    """The cockpit of one game: ``widget`` (display it), ``world``, ``play()`` to decide
    and play a month from the controls as they are (what the button does)."""

    def __init__(self, world: World, *, role: str = "all", save_to=None, seat=None):
        w = require_ipywidgets()
        if role not in ROLES:
            raise ValueError(f"role must be one of {list(ROLES)}, not {role!r}")
        if seat is not None and role == "all":
            raise ValueError("in a team game you play one role: give role='demand_planner', ...")
        self.world, self.role, self.save_to, self.seat = world, role, save_to, seat
        self.message = w.HTML()
        self.header = w.HTML()
        fams, markets = list(world.data.families), list(world.data.markets)
        # 1. data pack
        self.pack = w.HTML()
        # 2. demand review
        sources = ["statistical", *meeting.INPUTS]
        self.weights = {s: w.FloatSlider(value=1.0 if s == "statistical" else 0.0, min=0,
                                         max=1, step=0.05, description=f"weight {s}",
                                         continuous_update=False) for s in sources}  # fmt: skip
        self.adjust = {f: w.FloatSlider(value=0.0, min=-0.3, max=0.3, step=0.01,
                                        description=f"adjust {f}", readout_format=".0%",
                                        continuous_update=False) for f in fams}  # fmt: skip
        self.assumption = w.Text(placeholder="e.g. e-bike demand follows marketing's input",
                                 description="assumption", layout=w.Layout(width="90%"))  # fmt: skip
        self.promo = w.Checkbox(value=False, description="run a promotion next month")
        self.promo_family = w.Dropdown(options=fams, description="family")
        self.promo_market = w.Dropdown(options=markets, description="market")
        self.promo_discount = w.FloatSlider(value=0.1, min=0.05, max=0.3, step=0.01,
                                            description="discount", readout_format=".0%")  # fmt: skip
        self.demand_table = w.HTML()
        # 3. supply review
        self.supply_table = w.HTML()
        self.expedite_family = w.Dropdown(options=fams, description="expedite")
        self.expedite_units = w.BoundedIntText(value=0, min=0, max=5000, description="kits")
        # 4. pre-S&OP (finance's price change)
        self.pre_table = w.HTML()
        self.price_family = w.Dropdown(options=["none", *fams], description="price of")
        self.price_change = w.FloatSlider(value=0.0, min=-0.3, max=0.3, step=0.01,
                                          description="change", readout_format=".0%")  # fmt: skip
        # 5. executive
        self.scenario = w.Dropdown(options=list(meeting.SCENARIOS), value="lp",
                                   description="scenario")  # fmt: skip
        self.rule = w.ToggleButtons(options=["fair_share", "priority"], description="allocation")
        self.first_market = w.Dropdown(options=markets, description="first market")
        centres = [f"{p} {c}" for p in world.data.plants for c in world.data.work_centres[p]]
        self.capacity_at = w.Dropdown(options=centres, description="invest in")
        self.capacity_units = w.BoundedIntText(value=0, min=0, max=10, description="stations")
        self.reason = w.Textarea(placeholder="why this scenario: the trade-off you accept",
                                 description="reason", layout=w.Layout(width="90%"))  # fmt: skip
        self.button = w.Button(description="Decide and play the month", button_style="primary",
                               layout=w.Layout(width="auto"))  # fmt: skip
        self.button.on_click(lambda _: self.play())
        self.refresh = w.Button(
            description="Refresh from the team's game",
            layout=w.Layout(width="auto", display="" if seat else "none"),
        )
        self.refresh.on_click(lambda _: self.reload())
        # 6. scorecard and log
        self.card = w.HTML()
        self.chart = ExplorerChart((7, 2.8))
        self.image = w.Image(format="png")
        self.log = w.HTML()
        self.debrief = w.HTML()
        self.tabs = self._layout(w)
        self.tabs.observe(self._on_tab, names="selected_index")
        for control in (*self.weights.values(), *self.adjust.values()):
            control.observe(lambda _: self._redraw_demand(), names="value")
        self._grey()
        self.widget = w.VBox([w.HBox([self.header, self.refresh]), self.tabs, self.message])
        self.redraw()

    def _layout(self, w):
        style = description_style(["weight statistical", "adjust mountain", "first market"])
        for c in (*self.weights.values(), *self.adjust.values(), self.first_market):
            c.style = style
        for c in (*self.weights.values(), *self.adjust.values()):
            c.layout.width = "380px"  # the description plus a track long enough to aim
        stages = [
            w.VBox([self.pack]),
            w.VBox([self.demand_table, w.HBox([w.VBox(list(self.weights.values())),
                                               w.VBox(list(self.adjust.values()))]),
                    self.assumption,
                    w.HBox([self.promo, self.promo_family, self.promo_market,
                            self.promo_discount])]),
            w.VBox([self.supply_table, w.HBox([self.expedite_family, self.expedite_units])]),
            w.VBox([self.pre_table, w.HBox([self.price_family, self.price_change])]),
            w.VBox([self.scenario, w.HBox([self.rule, self.first_market]),
                    w.HBox([self.capacity_at, self.capacity_units]), w.HTML(_ACTION_COSTS),
                    self.reason, self.button]),
            w.VBox([self.card, self.image, self.debrief, self.log]),
        ]  # fmt: skip
        tabs = w.Tab(children=stages)
        for i, title in enumerate([*meeting.STAGES.values(), "Scorecard & log"]):
            tabs.set_title(i, title)
        return tabs

    def _mine(self, role: str) -> bool:
        return self.role in ("all", role)

    def _grey(self) -> None:
        owned = {
            "demand_planner": [*self.weights.values(), *self.adjust.values(), self.promo,
                               self.promo_family, self.promo_market, self.promo_discount],
            "supply_planner": [self.expedite_family, self.expedite_units, self.scenario],
            "finance": [self.price_family, self.price_change],
            "executive": [self.rule, self.first_market, self.capacity_at, self.capacity_units],
        }  # fmt: skip
        for role, controls in owned.items():
            for c in controls:
                c.disabled = not self._mine(role)

    def _repr_mimebundle_(self, **kwargs):
        return self.widget._repr_mimebundle_(**kwargs)

    # -- the decision set from the controls ---------------------------------------------
    def demand_plan(self) -> dict:
        """The consensus plan of the demand stage (the computer's when it plays it)."""
        if not self._mine("demand_planner"):
            if self.seat is not None:  # the team's demand planner's plan, once it is in
                for d in self.seat.store.decisions(self.seat.game_id):
                    if d["month_index"] == self.world.month and d["role"] == "demand_planner":
                        if d["part"].get("demand_plan"):
                            return d["part"]["demand_plan"]
            return meeting.computer_parts(self.world, ["demand_planner"])["demand_planner"][
                "demand_plan"
            ]
        weights = {s: c.value for s, c in self.weights.items()}
        if sum(weights.values()) <= 0:
            weights = {"statistical": 1.0}
        adjust = {f: c.value for f, c in self.adjust.items() if c.value}
        return meeting.consensus_plan(self.world, weights, adjust)

    def _actions(self) -> list:
        acts = []
        if self.promo.value:
            acts.append({"kind": "promotion", "family": self.promo_family.value,
                         "market": self.promo_market.value,
                         "discount": round(self.promo_discount.value, 2),
                         "month_index": self.world.month + 1})  # fmt: skip
        if self.expedite_units.value > 0:
            acts.append({"kind": "expedite", "family": self.expedite_family.value,
                         "units": int(self.expedite_units.value)})  # fmt: skip
        if self.price_family.value != "none" and self.price_change.value:
            acts.append({"kind": "price_change", "family": self.price_family.value,
                         "change": round(self.price_change.value, 2)})  # fmt: skip
        if self.capacity_units.value > 0:
            plant, centre = self.capacity_at.value.split(" ", 1)
            acts.append({"kind": "capacity", "plant": plant, "work_centre": centre,
                         "units": int(self.capacity_units.value)})  # fmt: skip
        return [a for a in acts if self._mine(ACTION_ROLES[a["kind"]])]

    def decisions(self) -> dict:
        """The month's decision set: the learner's parts and the computer's."""
        plan = self.demand_plan()
        view = meeting.view_with_plan(self.world.view(), plan)
        scenario = self.scenario.value if self._mine("supply_planner") else "lp"
        supply = meeting.SCENARIOS[scenario](view)
        allocation = {"rule": self.rule.value}
        if self.rule.value == "priority":
            allocation["priority"] = [self.first_market.value]
        mine = {"demand_plan": plan, **{k: supply[k] for k in ROLE_KEYS["supply_planner"]
                                        if k in supply}, "allocation": allocation}  # fmt: skip
        others = [r for r in ROLE_KEYS if not self._mine(r)]
        computer = meeting.computer_parts(self.world, others, demand_plan=plan)
        parts = {}
        for role, keys in ROLE_KEYS.items():
            if role in computer:
                parts[role] = computer[role]
            else:
                parts[role] = {k: mine[k] for k in keys if k in mine}
        actions = self._actions()
        for a in actions:
            parts[ACTION_ROLES[a["kind"]]].setdefault("actions", []).append(a)
        return merge_role_decisions(parts)

    def part(self) -> dict:
        """The learner's role's part of the decision set (what a team game submits)."""
        dec = self.decisions()
        part = {k: dec[k] for k in ROLE_KEYS[self.role] if k != "actions" and k in dec}
        acts = [a for a in dec.get("actions", []) if ACTION_ROLES[a["kind"]] == self.role]
        if acts:
            part["actions"] = acts
        return part

    def reload(self) -> None:
        """Team game: read the game's state again (another player may have closed a month)."""
        if self.seat is not None:
            self.world = World.from_json(self.seat.store.state(self.seat.game_id))
            self.redraw()

    def _submit(self) -> dict | None:
        seat, reason = self.seat, self.reason.value.strip() or "(no reason given)"
        month = self.world.month
        try:
            out = seat.store.submit(seat.game_id, month, self.role, seat.player, self.part(),
                                    reason=reason)  # fmt: skip
        except ValueError as exc:
            self.message.value = (f"<b style='color:#b03a48'>Refused, nothing was sent:</b> "
                                  f"{html.escape(str(exc))}")  # fmt: skip
            return None
        self.reload()
        if out.get("result"):
            r = out["result"]
            self.message.value = (f"<b>Your part closed {r['month']}:</b> operating profit EUR "
                                  f"{r['pnl']['operating_profit']:{_MONEY}}, fill rate "
                                  f"{r['service']['all']:.1%}.")  # fmt: skip
        else:
            waiting = seat.store.status(seat.game_id)["waiting_for"]
            who = ", ".join(r.replace("_", " ") for r in waiting) or "nobody"
            self.message.value = (f"<b>{html.escape(out['status'].capitalize())}</b> for game month "
                                  f"{month + 1}; waiting for: {html.escape(who)}. Press Refresh "
                                  "to see the month once it closes.")  # fmt: skip
        return out

    def play(self) -> dict | None:
        """Decide and play the month; the month's result, or None when it was refused.
        In a team game: submit this role's part (the store's answer, or None)."""
        if self.seat is not None and not self.world.finished:
            return self._submit()
        if self.world.finished:
            self.message.value = "<b>The game is over.</b> See the scorecard and the debrief."
            return None
        reason = self.reason.value.strip() or "(no reason given)"
        try:
            dec = self.decisions()
            problems = self.world.problems(dec)
            if problems:
                raise ValueError("; ".join(problems))
        except ValueError as exc:
            self.message.value = (f"<b style='color:#b03a48'>Refused, nothing was played:</b> "
                                  f"{html.escape(str(exc))}")  # fmt: skip
            return None
        if self.assumption.value.strip():
            self.world.note("assumption", self.assumption.value, stage="demand_review")
        label = self.scenario.value if self._mine("supply_planner") else "lp (computer)"
        self.world.note("decision", f"{label}: {reason}", stage="executive")
        result = self.world.step(dec)
        if self.save_to is not None:
            write_atomic(self.save_to, self.world.to_json(), make_folder=True)
        self.reason.value = self.assumption.value = ""
        self.promo.value = False
        self.expedite_units.value = self.capacity_units.value = 0
        self.price_family.value = "none"
        pnl = result["pnl"]
        self.message.value = (
            f"<b>Played {result['month']}:</b> operating profit EUR "
            f"{pnl['operating_profit']:{_MONEY}}, fill rate {result['service']['all']:.1%}. "
            "The data pack now shows the month."
        )
        self.redraw()
        return result

    # -- drawing ------------------------------------------------------------------------
    def redraw(self) -> None:
        world = self.world
        who = "every role" if self.role == "all" else self.role.replace("_", " ")
        nxt = "finished" if world.finished else f"next: {world.month_label}"
        saved = f"saved to {self.save_to}" if self.save_to else "not saved (no save_to)"
        if self.seat is not None:
            who = f"{who} as {self.seat.player}"
            saved = f"team game {self.seat.game_id}, kept in {self.seat.store.where}"
        self.header.value = (f"<b>Tallridge S&amp;OP game</b>, seed {world.seed}: month "
                             f"{world.month} of {world.months} played ({nxt}); you play "
                             f"{html.escape(who)}, {'your team' if self.seat else 'the computer'} "
                             f"the rest; {html.escape(saved)}.")  # fmt: skip
        self.button.disabled = world.finished
        self._redraw_pack()
        self._redraw_demand()
        self._redraw_card()
        if self.tabs.selected_index in (2, 3):
            self._on_tab({"new": self.tabs.selected_index})
        else:
            self.supply_table.value = self.pre_table.value = (
                "<i>Opened when you open this stage (it plans on the consensus plan).</i>"
            )

    def _redraw_pack(self) -> None:
        pack = meeting.data_pack(self.world)
        title = pack["month"] or "the opening position"
        kpis = pack["kpis"]
        self.pack.value = (
            f"<h4>What happened: {html.escape(title)}</h4>"
            + (html_table(kpis, formats={"value": ",.3f", "target": ",.2f"}) if len(kpis) else "")
            + _frame_html(pack["plan_vs_actual"], ",.0f", error_pct=".1%")
            + "<b>Exceptions</b>" + _list(pack["exceptions"])
        )  # fmt: skip

    def _redraw_demand(self) -> None:
        if self.world.finished:
            self.demand_table.value = "<i>The game is over.</i>"
            return
        review = meeting.demand_review(self.world)
        plan = self.demand_plan()
        review["consensus next"] = [sum(v[0] for v in plan[f].values()) for f in review.index]
        review["consensus horizon"] = [sum(map(sum, plan[f].values())) for f in review.index]
        note = "" if self._mine("demand_planner") else " (the computer's: you do not play it)"
        biases = ", ".join(f"{n} +{s['bias']:.0%} ({s['says']})" for n, s in meeting.INPUTS.items())

        def part(suffix):
            out = review.filter(like=suffix)
            out.columns = [c.replace(suffix, "").strip() for c in out.columns]
            return out

        self.demand_table.value = (
            f"<h4>Demand review for {self.world.month_label}{note}</h4>"
            f"<p>Known biases of the inputs: {html.escape(biases)}. A weight takes an input "
            "net of its bias.</p><b>Units next month</b>" + _frame_html(part(" next"), ",.0f")
            + "<b>Units over the horizon</b>" + _frame_html(part(" horizon"), ",.0f")
            + "<b>Each input's bias so far (input - orders, share of the orders)</b>"
            + _frame_html(part(" bias so far"), "+.1%")
        )  # fmt: skip

    def _on_tab(self, change) -> None:
        if self.world.finished or change["new"] not in (2, 3):
            return
        plan = self.demand_plan()
        if change["new"] == 2:
            sr = meeting.supply_review(self.world, plan)
            self.supply_table.value = (
                "<h4>Rough-cut capacity of the consensus plan (chase production)</h4>"
                + _frame_html(sr["load"], ",.1f", utilisation=".0%")
                + "<b>The horizon: units that fit, and each plant's busiest work centre</b>"
                + _frame_html(sr["horizon"], ",.0f", **{c: ".0%" for c in sr["horizon"] if "peak" in c})
                + "<b>Kits and stock</b>" + _frame_html(sr["kits"], ",.0f")
                + "<b>The balancing LP's production (adviser)</b>"
                + _frame_html(sr["adviser"], ",.0f") + _list(sr["constraints"])
            )  # fmt: skip
        else:
            ps = meeting.pre_sop(self.world, plan)
            self.pre_table.value = (
                "<h4>Scenarios projected on the consensus plan (no peeking at orders)</h4>"
                + _frame_html(ps["scenarios"], ",.0f", fill_rate=".1%")
                + "<b>Issues for the executive meeting</b>" + _list(ps["issues"])
            )  # fmt: skip

    def _redraw_card(self) -> None:
        world = self.world
        if not world.history:
            self.card.value = "<i>The scorecard starts after the first month.</i>"
            self.log.value = self.debrief.value = ""
            return
        bench = benchmark_world(world, "chase")
        table = pd.DataFrame({"you": scorecard(world), "chase": scorecard(bench)})
        keep = ["profit", "fill_rate", "fill_rate_A", "fill_rate_B", "fill_rate_C",
                "inventory_turns", "cash_to_cash_days", "forecast_wape", "plan_stability"]  # fmt: skip
        table = table.loc[keep].astype(object)
        for key in keep:
            table.loc[key] = [format(v, _CARD_FORMATS.get(key, ",.2f")) for v in table.loc[key]]
        table.index.name = "figure"
        self.card.value = (f"<h4>Scorecard after {len(world.history)} month(s), against "
                           "the chase policy on the same seed</h4>" + html_table(table))  # fmt: skip
        you, them = monthly_scorecard(world), monthly_scorecard(bench)
        ax = self.chart.ax
        ax.clear()
        gap = (you["operating_profit"] - them["operating_profit"].to_numpy()).cumsum() / 1e3
        months = range(1, len(gap) + 1)
        ax.bar(months, gap, color=[COLORS["good"] if g >= 0 else COLORS["bad"] for g in gap])
        ax.axhline(0, color="grey", lw=1)
        ax.set_xticks(list(months))
        ax.set_xlabel("game month")
        ax.set_ylabel("EUR thousand")
        ax.set_title("Your cumulative profit minus chase's (above 0: you earn more)", loc="left")
        self.image.value = self.chart.png()
        notes = [f"{n['month']} [{n['kind']}] {n['text']}" for n in world.notes]
        if self.seat is not None:
            notes = [_team_note(e) for e in self.seat.store.log(self.seat.game_id)]
        self.log.value = "<b>Assumptions and decisions</b>" + _list(notes or ["none yet"])
        table = debrief(world, "chase")
        self.debrief.value = (
            "<b>Debrief: where your decisions helped or hurt against chase</b>"
            + _list(f"{m}: {v}" for m, v in table["verdict"].items())
        )


@dataclass(frozen=True)
class TeamSeat:
    """A player's seat in a team game: the store, the game and the player's name."""

    store: object
    game_id: str
    player: str


def _team_note(entry: dict) -> str:
    month = "" if entry["month_index"] is None else f"month {entry['month_index'] + 1} "
    text = entry["text"]
    if entry["kind"] in ("decision", "revision"):
        try:
            text = json.loads(text).get("reason") or "(no reason given)"
        except (ValueError, AttributeError):
            pass
    role = (entry["role"] or "").replace("_", " ")
    return f"{month}[{entry['kind']}] {role} {entry['player'] or ''}: {text}".strip()


def team_cockpit(store, game_id: str, role: str, player: str) -> PlanningCockpit:
    """The cockpit of one player in a team game kept in ``store``
    (:class:`sopcourse.game.GameStore`): takes (or finds again) the player's seat in
    ``role``, shows the game's state, and *Decide* submits the role's part. The month
    closes when all four roles are in; *Refresh* shows it. A deputy's part is logged as a
    proposal to the role's lead."""
    if role not in ROLE_KEYS:
        raise ValueError(f"role must be one of {list(ROLE_KEYS)}, not {role!r}")
    store.join(game_id, role, player)
    world = World.from_json(store.state(game_id))
    return PlanningCockpit(world, role=role, seat=TeamSeat(store, game_id, str(player).strip()))


def planning_cockpit(world: World | None = None, *, seed: int = 0, months: int = 12,
                     start: str = "2026-01", role: str = "all", save_to=None) -> PlanningCockpit:  # fmt: skip
    """The planning cockpit of a game (display its ``widget``, or the cockpit itself).

    ``world``: a game to play (default: a new one of ``seed``, ``start`` and ``months``).
    ``role``: the role you play (``"all"`` or one of ``ROLE_KEYS``); the computer plays
    the others. ``save_to``: a file the game is saved to after every month; when the file
    exists (and no ``world`` is given), the saved game is picked up where it was left.
    """
    path = None if save_to is None else Path(save_to)
    if path is not None and path.exists():
        if world is not None:
            raise ValueError(
                f"a saved game is in {path}: leave world out to go on with it, or give "
                "another save_to for a new game (the saved one is not overwritten)"
            )
        world = World.from_json(path.read_text(encoding="utf-8"))
    elif world is None:
        world = new_game(seed=seed, start=start, months=months)
    elif not isinstance(world, World):
        raise ValueError("world must be a game from sop.game.new_game(...)")
    return PlanningCockpit(world, role=role, save_to=path)
