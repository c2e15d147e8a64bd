"""The kilvoice web app: conversationalists upload notes; officers review, correct and sign off themes.

    from kilvoice.web import create_app, Settings
    app = create_app(".kilvoice/default", Settings(max_upload_mb=20))

Run it with ``kilvoice serve --project DIR``. See docs/WEB.md.
"""
from kilvoice.web.app import create_app
from kilvoice.web.settings import LoginLimits, Settings

__all__ = ["create_app", "LoginLimits", "Settings"]
