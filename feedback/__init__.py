"""Manyi (满意): citizen satisfaction and feedback for public service windows."""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from flask import Flask

from feedback.config import Config

PROJECT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build a Manyi application. Nothing here touches the database schema."""
    instance_path = os.environ.get("MANYI_INSTANCE_PATH") or os.path.join(PROJECT_ROOT, "instance")
    app = Flask(
        __name__,
        instance_path=instance_path,
        template_folder=os.path.join(PROJECT_ROOT, "templates"),
        static_folder=os.path.join(PROJECT_ROOT, "static"),
    )
    os.makedirs(app.instance_path, exist_ok=True)
    app.config.from_object(Config(app.instance_path))
    if test_config:
        app.config.update(test_config)
    app.jinja_env.add_extension("jinja2.ext.do")

    if app.config["PROXY_FIX"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        hops = app.config["PROXY_FIX"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)  # type: ignore[method-assign]

    _init_extensions(app)
    _register_blueprints(app)

    from feedback import errors, i18n, permissions
    from feedback.cli import register_commands
    from feedback.periodic.queries import troubled_steps

    errors.register(app)
    i18n.register(app)
    app.add_template_global(troubled_steps, "troubled_periodic_steps")
    app.before_request(permissions.refuse_undeclared_routes)
    app.after_request(_security_headers)
    register_commands(app)
    return app


def _init_extensions(app: Flask) -> None:
    from feedback import database
    from feedback.extensions import babel, csrf, db, limiter, login_manager, migrate
    from feedback.i18n import select_locale

    db.init_app(app)
    database.configure_engine_events()
    migrate.init_app(
        app, db, directory=os.path.join(os.path.dirname(__file__), "migrations"),
        render_as_batch=True, compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(
        app,
        locale_selector=select_locale,
        default_translation_directories=os.path.join(os.path.dirname(__file__), "translations"),
    )
    limiter.init_app(app)

    from feedback.accounts import auth

    login_manager.init_app(app)
    auth.configure_login_manager(login_manager)


def _register_blueprints(app: Flask) -> None:
    from feedback.accounts.views import bp as accounts_bp
    from feedback.alerts.views import bp as alerts_bp
    from feedback.api.cases import bp as api_cases_bp
    from feedback.api.stats import bp as api_stats_bp
    from feedback.api.views import bp as api_bp
    from feedback.audit.views import bp as audit_bp
    from feedback.cards.views import bp as cards_bp
    from feedback.cases.public import bp as cases_public_bp
    from feedback.cases.views import bp as cases_bp
    from feedback.dashboards.views import bp as dashboards_bp
    from feedback.evaluations.public import bp as rate_bp
    from feedback.evaluations.views import bp as evaluations_bp
    from feedback.main.views import bp as main_bp
    from feedback.notices.public import bp as notices_public_bp
    from feedback.notices.views import bp as notices_bp
    from feedback.notifications.views import bp as notifications_bp
    from feedback.orgs.views import bp as orgs_bp
    from feedback.questionnaires.views import bp as questionnaires_bp
    from feedback.reports.views import bp as reports_bp
    from feedback.windows.views import bp as windows_bp
    from feedback.workdays.views import bp as workdays_bp

    for bp in (main_bp, accounts_bp, orgs_bp, windows_bp, audit_bp, rate_bp, evaluations_bp,
               cards_bp, api_bp, questionnaires_bp, workdays_bp):
        app.register_blueprint(bp)
    app.register_blueprint(notifications_bp)
    app.register_blueprint(alerts_bp)
    app.register_blueprint(api_stats_bp)
    app.register_blueprint(notices_bp)
    app.register_blueprint(notices_public_bp)
    app.register_blueprint(cases_bp)
    app.register_blueprint(cases_public_bp)
    app.register_blueprint(api_cases_bp)
    app.register_blueprint(dashboards_bp)
    app.register_blueprint(reports_bp)


def _security_headers(response):
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("X-Frame-Options", "DENY")
    response.headers.setdefault("Referrer-Policy", "same-origin")
    # Everything is served from this origin: no CDN, no inline script.
    response.headers.setdefault(
        "Content-Security-Policy",
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
    )
    return response
