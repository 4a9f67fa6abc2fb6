"""Flask CLI commands: ``flask --app run seed demo``, ``flask --app run stats``."""


def register_commands(app) -> None:
    pass
