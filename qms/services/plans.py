"""Inspection plans: how many units of a lot to inspect and when the lot is accepted.

Characteristics and plans themselves are written through `core.services.master_data`
(validation in the models' `clean`, history, events); this module holds the sampling rule.
"""

from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from qms import sampling
from qms.models import InspectionPlan, SamplingMethod


def sample_for_lot(*, plan: InspectionPlan, lot_size: int) -> sampling.SamplingPlan:
    """The sample to draw from a lot of `lot_size` units and its accept/reject numbers.

    A fixed sample accepts with no nonconforming unit (Ac 0, Re 1); 100 % inspection samples
    the whole lot; Z1.4 looks the plan up in the standard's tables (normal inspection)."""
    if isinstance(lot_size, bool) or not isinstance(lot_size, int) or lot_size < 1:
        raise ValidationFailed(_("The lot size must be a whole number of at least 1."), field="lot_size")
    if plan.sampling == SamplingMethod.FULL:
        return sampling.SamplingPlan("", lot_size, 0, 1, full_inspection=True)
    if plan.sampling == SamplingMethod.FIXED:
        size = min(plan.sample_size, lot_size)
        return sampling.SamplingPlan("", size, 0, 1, full_inspection=size >= lot_size)
    if lot_size < 2:
        return sampling.SamplingPlan("", lot_size, 0, 1, full_inspection=True)
    try:
        return sampling.z14_single_sampling(lot_size=lot_size, aql=plan.aql, level=plan.inspection_level)
    except sampling.SamplingError as error:
        raise ValidationFailed(
            _("The plan's AQL or inspection level is not in the Z1.4 tables."), field="aql"
        ) from error
