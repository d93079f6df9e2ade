"""``consent-ledger sim guides`` and ``sim score``: registered on :data:`cli.sim.sim_app`."""
