"""Entry point: ``python run.py`` serves the app; ``flask --app run …`` runs commands."""
import sys

from app import StartupError, create_app

try:
    app = create_app()
except StartupError as error:
    print(f"Error: {error}", file=sys.stderr)
    raise SystemExit(1) from None

if __name__ == "__main__":
    from app.services.bootstrap import prepare_and_serve
    prepare_and_serve(app)
