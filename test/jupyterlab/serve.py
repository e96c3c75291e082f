"""Serves the test page (build/nbtest, `npm run build` here) with Debian 12's jupyter_server 1.23.
Usage: /usr/bin/python3 serve.py --ServerApp.root_dir=NOTEBOOK_DIR --ServerApp.port=8899 --ServerApp.token=secret
Page:  http://127.0.0.1:8899/nbtest?token=secret&path=<notebook path relative to root_dir>[&autosave=SECONDS]
Config files on JUPYTER_CONFIG_PATH apply as in any jupyter_server (the project's jupyter/ holds its
pre-save hook). Adapted from ../shared/jupyterlab."""
import json, os, sys
from jupyter_server.base.handlers import JupyterHandler
from jupyter_server.serverapp import ServerApp
from jupyter_server.utils import url_path_join as ujoin
from tornado import web, websocket

BUILD = os.path.join(os.path.dirname(os.path.abspath(__file__)), "build")

class PageHandler(JupyterHandler):
    @web.authenticated
    def get(self):
        config = {"baseUrl": self.base_url, "wsUrl": "", "token": self.token,
                  "notebookPath": self.get_argument("path"), "autosave": self.get_argument("autosave", "0")}
        static = ujoin(self.base_url, "static", "nbtest")
        cfg = json.dumps(config).replace("</", "<\\/")
        self.finish(f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>nbtest</title>
<script id="jupyter-config-data" type="application/json">{cfg}</script>
<link rel="stylesheet" href="{static}/bundle.css">
<style>#main {{ position: absolute; inset: 0; }}</style>
<script src="{static}/bundle.js"></script></head><body></body></html>""")

# jupyter_server 1.x has no /api/me (identity) or /api/events (event bus); @jupyterlab/services 7
# calls both (non-fatally). Stubs keep the browser console free of 404s.
class MeStub(JupyterHandler):
    @web.authenticated
    def get(self):
        self.finish(json.dumps({"identity": {"username": "ci", "name": "ci", "display_name": "ci",
            "initials": "CI", "avatar_url": None, "color": None}, "permissions": {}}))

class EventsStub(websocket.WebSocketHandler):
    def on_message(self, message):
        pass

if __name__ == "__main__":
    app = ServerApp.instance()
    app.initialize(argv=["--ServerApp.ip=127.0.0.1", "--ServerApp.open_browser=False",
                         f"--ServerApp.extra_static_paths={BUILD}", *sys.argv[1:]])
    base = app.base_url
    app.web_app.add_handlers(".*$", [(ujoin(base, "nbtest"), PageHandler),
                                     (ujoin(base, "api/me"), MeStub),
                                     (ujoin(base, "api/events/subscribe"), EventsStub)])
    app.start()
