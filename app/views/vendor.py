"""Front-end libraries installed from the npm registry (``package.json``), served by the app itself:
no page loads anything from another host. Only their ``dist`` folders are reachable."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parents[2] / "node_modules"
SERVED = ("leaflet/dist", "leaflet.heat/dist", "@geoman-io/leaflet-geoman-free/dist", "echarts/dist", "swagger-ui-dist")

vendor = Blueprint("vendor", __name__, url_prefix="/vendor")


@vendor.route("/<path:filename>")
def asset(filename: str):
    for folder in SERVED:
        if filename.startswith(folder + "/"):
            return send_from_directory(NODE_MODULES / folder, filename[len(folder) + 1:], max_age=86400)
    abort(404)
