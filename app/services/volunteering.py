"""一支队: a volunteer logs their own attendance of an activity (from the screen or a phone)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..extensions import db
from ..models import Attendance, Volunteer
from .commands import command


class AttendanceError(ValueError):
    pass


@command
def attend(activity, user_id: int) -> tuple[Attendance, bool]:
    """(the user's attendance of ``activity``, whether it was recorded now); committed, or
    AttendanceError and nothing written.
    The user's volunteer record (in the activity's community) must name their account."""
    me = db.session.scalars(select(Volunteer).where(Volunteer.user_id == user_id,
                                                    Volunteer.community_id == activity.community_id)).first()
    if me is None:
        raise AttendanceError(_l("Your account is not linked to a volunteer of this community."))
    found = db.session.scalars(select(Attendance).where(Attendance.activity_id == activity.id,
                                                        Attendance.volunteer_id == me.id)).first()
    if found is not None:
        return found, False
    attendance = Attendance(activity_id=activity.id, volunteer_id=me.id, hours=activity.hours)
    db.session.add(attendance)
    return attendance, True
