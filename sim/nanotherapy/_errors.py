"""Exception and warning classes of :mod:`sim.nanotherapy`.

Every invalid argument raises a subclass of :class:`PbpkInputError`, itself a
:class:`ValueError`, so callers can catch one root. Numerical trouble that
does not invalidate a result is reported with :class:`PbpkAccuracyWarning`.
"""

__all__ = ["PbpkInputError", "UnknownPresetError", "ClinicalRecordError", "PbpkAccuracyWarning"]


class PbpkInputError(ValueError):
    """An argument of the nanoparticle PBPK model is invalid."""


class UnknownPresetError(PbpkInputError):
    """A formulation preset name is not in the shipped tables."""


class ClinicalRecordError(PbpkInputError):
    """A patient's clinical record has a missing, unknown or out-of-range key."""


class PbpkAccuracyWarning(UserWarning):
    """A solution is usable but a numerical check (mass balance, eigenbasis) was loose."""
