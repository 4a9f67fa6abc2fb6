"""View registration: menus and their order live here."""


def register_views(appbuilder) -> None:
    pass
