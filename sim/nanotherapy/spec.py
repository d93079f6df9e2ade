"""Declarative description of a linear compartmental model.

A model is a list of states (amounts, mg), the volumes that turn amounts
into concentrations, and first-order transfers between states. Each
transfer moves ``rate * amount(source)`` per hour from its source to its
target, so the system matrix has zero column sums wherever every target is a
state, and mass is conserved by construction. A transfer may carry a
time-dependent multiplier (a Hill uptake curve or a drug-release hazard);
the matrix is then ``A(t) = A0 + sum_j g_j(t) * B_j``, a linear
time-varying system. Volumetric blood flows are declared separately so
that :meth:`ModelSpec.flow_imbalance` can check that every blood pool
receives what it sends out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
from numpy.typing import NDArray

from .parameters import Value

__all__ = ["Transfer", "Flow", "ModelSpec"]

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class Transfer:
    """First-order transfer of amount from ``source`` to ``target``.

    ``rate_per_h`` is the rate constant (1/h), or an array of them, one per
    subject of a virtual population. When ``modulator`` names a
    time-dependent curve of the spec, the rate is ``rate_per_h * curve(t)``.
    ``process`` labels the term for readers (flow, permeation, res_uptake,
    res_release, urine, bile, binding, release, elimination). A transfer
    with ``consumes_source=False`` produces into its target without
    depleting the source: drug released from particles leaves the particle
    mass unchanged.
    """

    source: str
    target: str
    rate_per_h: Value
    process: str
    modulator: str | None = None
    consumes_source: bool = True


@dataclass(frozen=True)
class Flow:
    """Volumetric blood flow (L/h) from one blood pool to another."""

    source: str
    target: str
    l_per_h: Value


@dataclass(frozen=True)
class ModelSpec:
    """States, volumes, transfers, blood flows and time-dependent curves.

    ``curves`` maps a modulator name to ``(rate(t), mean(t0, t1))``: the
    curve value and its exact or quadrature mean over ``[t0, t1]``, both
    vectorised over time arrays.
    """

    states: tuple[str, ...]
    volumes_l: Mapping[str, Value]
    transfers: tuple[Transfer, ...]
    flows: tuple[Flow, ...] = ()
    curves: Mapping[str, Callable[..., FloatArray]] = field(default_factory=dict)
    curve_means: Mapping[str, Callable[[FloatArray, FloatArray], FloatArray]] = field(default_factory=dict)

    def index(self, state: str) -> int:
        """Return the position of ``state`` in the state vector."""
        return self.states.index(state)

    @property
    def modulators(self) -> tuple[str, ...]:
        """Names of the time-dependent curves, in matrix order."""
        return tuple(sorted({t.modulator for t in self.transfers if t.modulator}))

    def batch_shape(self) -> tuple[int, ...]:
        """Shape of the batch of subjects: rates may be arrays of one common shape."""
        return tuple(np.broadcast_shapes(*(np.shape(t.rate_per_h) for t in self.transfers)))

    def matrices(self) -> tuple[FloatArray, FloatArray]:
        """Return ``A0`` (batch, m, m) and ``B`` (batch, J, m, m) with ``A(t) = A0 + sum_j g_j(t) B_j``.

        The batch shape is ``()`` when every rate is a scalar.
        """
        m = len(self.states)
        names = self.modulators
        batch = self.batch_shape()
        a0 = np.zeros(batch + (m, m))
        b = np.zeros(batch + (len(names), m, m))
        for transfer in self.transfers:
            source, target = self.index(transfer.source), self.index(transfer.target)
            if transfer.modulator is None:
                matrix = a0
            else:
                matrix = b[..., names.index(transfer.modulator), :, :]
            matrix[..., target, source] += transfer.rate_per_h
            if transfer.consumes_source:
                matrix[..., source, source] -= transfer.rate_per_h
        return a0, b

    def modulated_entries(self) -> list[tuple[int, int, int, FloatArray, bool]]:
        """Return the time-dependent terms as ``(curve index, target, source, rate, consumes_source)``."""
        names = self.modulators
        entries = []
        for t in self.transfers:
            if t.modulator is not None:
                rate = np.asarray(t.rate_per_h, dtype=float)
                entries.append(
                    (names.index(t.modulator), self.index(t.target), self.index(t.source), rate, t.consumes_source)
                )
        return entries

    def constant_matrix(self) -> FloatArray:
        """Return ``A0`` (batch, m, m), the matrix of the terms without a time-dependent curve."""
        m = len(self.states)
        a0 = np.zeros(self.batch_shape() + (m, m))
        for transfer in self.transfers:
            if transfer.modulator is not None:
                continue
            source, target = self.index(transfer.source), self.index(transfer.target)
            a0[..., target, source] += transfer.rate_per_h
            if transfer.consumes_source:
                a0[..., source, source] -= transfer.rate_per_h
        return a0

    def curve_values(self, t_h: FloatArray) -> FloatArray:
        """Return the curve values ``g_j(t)`` with shape (len(t), J)."""
        t = np.atleast_1d(np.asarray(t_h, dtype=float))
        if not self.modulators:
            return np.zeros((t.size, 0))
        return np.stack([self.curves[name](t) for name in self.modulators], axis=-1).reshape(
            t.size, len(self.modulators)
        )

    def curve_step_means(self, t0: FloatArray, t1: FloatArray) -> FloatArray:
        """Return the mean of each curve over each step ``[t0, t1]``, shape (steps, J)."""
        columns = [self.curve_means[name](t0, t1) for name in self.modulators]
        if not columns:
            return np.zeros((np.size(t0), 0))
        return np.stack(columns, axis=-1).reshape(np.size(t0), len(self.modulators))

    def flow_imbalance(self) -> dict[str, Value]:
        """Return inflow minus outflow (L/h) for every blood pool that appears in a flow."""
        balance: dict[str, Value] = {}
        for flow in self.flows:
            balance[flow.source] = balance.get(flow.source, 0.0) - flow.l_per_h
            balance[flow.target] = balance.get(flow.target, 0.0) + flow.l_per_h
        return balance

    def subject(self, index: int) -> ModelSpec:
        """Return the spec of one subject of a batch (rates taken at ``index``)."""
        batch = self.batch_shape()
        transfers = tuple(
            replace(t, rate_per_h=float(np.broadcast_to(t.rate_per_h, batch).reshape(-1)[index]))
            for t in self.transfers
        )
        volumes = {k: float(np.broadcast_to(v, batch).reshape(-1)[index]) for k, v in self.volumes_l.items()}
        return replace(self, transfers=transfers, volumes_l=volumes)

    def reachable(self, sources: tuple[str, ...]) -> ModelSpec:
        """Return the spec restricted to the states that ``sources`` can reach.

        States that no transfer can ever fill stay zero: the phagocytic cells
        of an organ without uptake, or receptor-bound particles without
        targeting. Dropping them shrinks every matrix exponential.
        """
        reached = set(sources)
        frontier = list(sources)
        while frontier:
            state = frontier.pop()
            for t in self.transfers:
                if t.source == state and t.target not in reached and np.any(np.asarray(t.rate_per_h) != 0):
                    reached.add(t.target)
                    frontier.append(t.target)
        states = tuple(s for s in self.states if s in reached)
        transfers = tuple(t for t in self.transfers if t.source in reached and t.target in reached)
        volumes = {k: v for k, v in self.volumes_l.items() if k in reached}
        return replace(self, states=states, transfers=transfers, volumes_l=volumes)

    def merge_sinks(self, sinks: tuple[str, ...], merged: str) -> ModelSpec:
        """Return the spec with the absorbing states ``sinks`` lumped into one state ``merged``.

        Only valid for states no transfer leaves. Totals and mass balance are
        unchanged, and the matrices shrink by one less than the number of
        sinks present. Sinks absent from the spec (dropped by :meth:`reachable`
        because nothing fills them) are skipped, and the spec is returned
        unchanged when none is present.
        """
        if any(t.source in sinks for t in self.transfers):
            raise ValueError(f"states {sinks} are not all absorbing; only sinks can be merged")
        sinks = tuple(s for s in sinks if s in self.states)
        if not sinks:
            return self
        position = min(self.index(s) for s in sinks)
        kept = [s for s in self.states if s not in sinks]
        kept.insert(position, merged)
        transfers = tuple(replace(t, target=merged) if t.target in sinks else t for t in self.transfers)
        return replace(self, states=tuple(kept), transfers=transfers)

    def describe(self) -> list[str]:
        """Write each transfer as a readable term, e.g. ``liver.blood -> venous: 12.3/h (flow)``."""
        lines = []
        for t in self.transfers:
            factor = f" * {t.modulator}(t)" if t.modulator else ""
            rate = np.mean(t.rate_per_h)
            lines.append(f"{t.source} -> {t.target}: {rate:.6g}/h{factor} ({t.process})")
        return lines
