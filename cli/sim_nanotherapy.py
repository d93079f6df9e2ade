"""``consent-ledger sim pbpk``: registered on :data:`cli.sim.sim_app`."""
