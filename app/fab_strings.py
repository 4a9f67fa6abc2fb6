"""Flask-AppBuilder's own UI strings that its Chinese catalogue lacks.

Listed here so that translations/update.py extracts them into our catalogue, which is loaded
after FAB's and so fills its gaps (tests/views/test_i18n.py keeps the list complete).
"""
from flask_babel import lazy_gettext as _l

FAB_STRINGS_MISSING_IN_ZH = (
    _l("Add"), _l("Edit"), _l("Show"), _l("Delete"), _l("Database Error"),
    _l("Are you sure you want to delete this item?"),
    _l("Contains (insensitive)"), _l("In"), _l("Not In"), _l("Start with"), _l("Not a valid choice"),
    _l("Groups"), _l("List Groups"), _l("Add Group"), _l("Edit Group"), _l("Show Group"),
    _l("Either select a role or a group"), _l("Edit User Information"), _l("User information changed"),
    _l("The user's password for authentication"),
    _l("User(s) exists in the group, cannot delete"), _l("User(s) exists in the role, cannot delete"),
    _l("Must have at least two capital letters, one special character, two digits, three lower case "
       "letters and a minimal length of 10."),
    _l("Sign In with "), _l("OpenID"), _l("Enter your OpenID Username"),
    _l("It's not a good policy to remove a user, just make it inactive"),
)
