"""All mapped classes; importing this package registers them on FAB's ``Model.metadata``."""
from flask_appbuilder.security.sqla import models as security_models  # noqa: F401  (ab_* tables)

from . import consistency  # noqa: F401  (flush-time derivations)
from .access import AuditEntry, SessionEpoch, UserScope  # noqa: F401
from .aid import AidItem, Campaign, Donor, FundEntry, NumberSeries, StockMove, Voucher, VoucherLine  # noqa: F401
from .cases import Case, CaseCategory, CaseEvent, CasePhoto  # noqa: F401
from .diary import DiaryEntry, Visit  # noqa: F401
from .tallies import CaseTally, DiaryTally, HouseholdTally, ResidentTally, StockTally  # noqa: F401
from .notices import GroupFeedback, GroupSize, Notice  # noqa: F401
from .volunteers import Activity, Attendance, Team, Volunteer  # noqa: F401
from .meetings import Meeting, MeetingFollowUp  # noqa: F401
from .supervision import ContactHousehold, GridSupervisor, SupervisionDay, SupervisionOpinion  # noqa: F401
from .cobuilding import BranchPairing, CobuildingUnit, UnitSupport  # noqa: F401
from .outreach import CardHandover  # noqa: F401
from .registry import Building, Community, Facility, Grid, Household, Resident  # noqa: F401
from .field import FieldReceipt, Patrol, PatrolPoint  # noqa: F401
from .freshness import DataVersion, FigureCacheEntry  # noqa: F401
