"""Kept page parts (app/views/fragments.py) are exactly what FAB renders afresh."""
from flask_appbuilder.widgets import SearchWidget
from flask_babel import force_locale

from app.views.base import ScopedView
from app.views.fragments import GridSearchWidget
from conftest import signed_in


def test_every_lists_kept_search_form_is_fabs_own(app):
    """Every list in the app's registry, in both languages, first counted then kept."""
    views = [view for view in app.appbuilder.baseviews if isinstance(view, ScopedView)]
    assert len(views) > 20
    for locale in ("zh", "en"):
        for view in views:
            name = type(view).__name__
            with signed_in(app, "secretary", f"{view.route_base}/list/?_flt_0_id=1"), force_locale(locale):
                columns, filters, _order, _direction = view._requested_list()
                fab = SearchWidget(route_base=view.route_base, form=view.search_form.refresh(), include_cols=columns,
                                   exclude_cols=[], filters=filters)()
                for _ in range(2):  # counted, then kept
                    ours = GridSearchWidget(route_base=view.route_base, form_factory=view.search_form.refresh,
                                            include_cols=columns, exclude_cols=[], filters=filters, view=name)()
                    assert ours.split() == fab.split(), (name, locale)
                assert ("Add Filter" in fab) == (locale == "en")
