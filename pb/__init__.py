"""Cyd: participatory budgeting and co-commissioning. `create_app()` builds the Flask app."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix

from config import CONFIGS, Config, ProductionConfig

ROOT = Path(__file__).resolve().parent.parent


def create_app(config: str | type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the app: config, extensions, blueprints, error handlers, security headers and CLI.

    `config` is a name from config.CONFIGS or a Config class; FLASK_CONFIG chooses when omitted.
    Keyword overrides are applied last (the tests use them to point at their own database).
    """
    if config is None or isinstance(config, str):
        config = CONFIGS[config or os.environ.get("FLASK_CONFIG", "development")]
    if config is ProductionConfig:
        ProductionConfig.check()

    app = Flask(
        __name__,
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.from_object(config)
    app.config.update(overrides)
    Path(app.instance_path).mkdir(exist_ok=True)
    if hops := int(app.config["PROXY_HOPS"]):
        # The client's own address (for rate limits) and scheme, as the proxies in front saw them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    _init_extensions(app)
    _register_blueprints(app)

    from pb.errors import register_error_handlers
    from pb.logs import keep_keys_out_of_the_log
    from pb.security import register_security_headers, register_session_timeouts
    from pb.templating import register_template_helpers

    keep_keys_out_of_the_log(app)
    register_error_handlers(app)
    register_security_headers(app)
    register_session_timeouts(app)
    register_template_helpers(app)

    from pb.cli import pb_cli

    app.cli.add_command(pb_cli)
    return app


def _init_extensions(app: Flask) -> None:
    from pb.accounts.services import load_user
    from pb.accounts.views import sign_in_to_continue
    from pb.extensions import babel, csrf, db, htmx, limiter, login_manager

    db.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.sign_in"
    login_manager.unauthorized_handler(sign_in_to_continue)
    login_manager.user_loader(load_user)


def _select_locale() -> str | None:
    if not has_request_context() or request.blueprint == "api":  # the CLI and open data speak English
        return None
    chosen = request.cookies.get("lang")
    if chosen in ("en", "cy"):
        return chosen
    return request.accept_languages.best_match(["en", "cy"])


def _register_blueprints(app: Flask) -> None:
    from pb.accounts.people_views import bp as people
    from pb.accounts.views import bp as accounts
    from pb.api.views import bp as api
    from pb.audit.views import bp as audit
    from pb.cycles.views import bp as cycles
    from pb.deliberation.views import bp as deliberation
    from pb.delivery.views import bp as delivery
    from pb.events.kiosk_views import kiosk_bp as kiosk
    from pb.events.views import bp as events
    from pb.mandates.template_views import bp as mandate_templates
    from pb.mandates.views import bp as mandates
    from pb.priorities.views import bp as priorities
    from pb.proposals.views import bp as proposals
    from pb.results.views import bp as results
    from pb.voting.views import bp as voting

    for blueprint in (accounts, cycles, mandates, priorities, proposals, deliberation, voting, results, audit, api,
                      events, people, mandate_templates):
        app.register_blueprint(blueprint)
    app.register_blueprint(delivery)
    app.register_blueprint(kiosk)  # its guard keeps a kiosk device to the kiosk's pages (docs/events.md)
