"""Extension singletons, bound to an app in ``create_app``.

AppBuilder is made per app (it keeps views and menus), so it is not here."""
from flask_appbuilder.utils.legacy import get_sqla_class
from flask_migrate import Migrate
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect

db = get_sqla_class()()
migrate = Migrate()
csrf = CSRFProtect()
talisman = Talisman()
