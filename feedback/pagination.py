"""One pagination for every list page."""

from __future__ import annotations

from flask import current_app, request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from feedback.extensions import db


def paginate(query: Select) -> Pagination:
    """Page ``query`` by ``?page=``; an out-of-range page answers 404."""
    return db.paginate(
        query,
        per_page=current_app.config["PAGE_SIZE"],
        max_per_page=current_app.config["PAGE_SIZE"],
        error_out=True,
        page=request.args.get("page", 1, type=int),
    )
