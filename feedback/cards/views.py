"""QR codes and printable desk cards (台牌) of a window's rating link, and of transaction tokens.

Only people who may edit a window get its QR code or card: the code carries the window's
current key, and handing it out freely would defeat revoking a copied card. Revoking is for
those who manage the window (admins and supervisors of its subtree).
"""

from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from feedback.accounts.models import Role
from feedback.cards.desk import SIZES, render_desk_cards
from feedback.cards.qr import DEFAULT_BOX, qr_png, qr_svg
from feedback.cards.queries import count_printable_windows, desk_card, list_printable_windows
from feedback.cards.services import revoke_window_qr
from feedback.evaluations.links import rating_url
from feedback.evaluations.services import get_token
from feedback.extensions import db
from feedback.orgs.queries import get_unit_by_code
from feedback.permissions import login_required, require
from feedback.windows.views import get_window

bp = Blueprint("cards", __name__)

EDITORS = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
MANAGERS = (Role.ADMIN, Role.SUPERVISOR)
IMAGE_TYPES = {"png": ("image/png", qr_png), "svg": ("image/svg+xml", qr_svg)}
# A card takes 50-80 ms to draw on an idle machine and twice that on a busy one (the slow
# test_render_times prints it): 100 cards stay inside a worker's 30-second timeout. A county's
# windows fit; a province printing everything at once is asked to go unit by unit.
MAX_CARDS_PER_PDF = 100
PRIVATE = {"Cache-Control": "private, no-store"}


def _qr_response(data: str, fmt: str) -> Response:
    if fmt not in IMAGE_TYPES:
        abort(404)
    mimetype, render = IMAGE_TYPES[fmt]
    raw_size = request.args.get("size", str(DEFAULT_BOX))
    if not raw_size.isdigit():
        abort(400, _("The size must be a whole number."))
    try:
        body = render(data, error=request.args.get("ec", "M").upper(), box_size=int(raw_size))
    except ValueError as exc:
        abort(400, str(exc))
    return Response(body, mimetype=mimetype, headers=PRIVATE)


def _card_size() -> str:
    size = request.args.get("size", "a4")
    if size not in SIZES:
        abort(400, _("The card size must be one of: %(sizes)s.", sizes=", ".join(SIZES)))
    return size


def _pdf_response(pdf: bytes, filename: str) -> Response:
    return Response(pdf, mimetype="application/pdf",
                    headers={**PRIVATE, "Content-Disposition": f'inline; filename="{filename}"'})


@bp.route("/windows/<code>/qr.<fmt>")
@login_required(*EDITORS)
def window_qr(code: str, fmt: str):
    """The window's desk-card QR code: ``?size=`` module pixels (2–40), ``?ec=`` L/M/Q/H."""
    window = get_window(code, "edit")
    return _qr_response(rating_url(window), fmt)


@bp.route("/windows/<code>/card.pdf")
@login_required(*EDITORS)
def window_card(code: str):
    """The window's desk card 台牌 to print: ``?size=a4`` (portrait) or ``tent`` (folded)."""
    window = get_window(code, "edit")
    size = _card_size()
    pdf = render_desk_cards([desk_card(window)], size, title=f"{window.name} 台牌")
    return _pdf_response(pdf, f"card-{window.code}-{size}.pdf")


@bp.route("/admin/org-units/<code>/cards.pdf")
@login_required(*MANAGERS)
def unit_cards(code: str):
    """The desk cards of every active window below a unit, one per page."""
    unit = get_unit_by_code(code) or abort(404)
    require("view", unit)
    size = _card_size()
    back = redirect(url_for("windows.index", unit=unit.code))
    count = count_printable_windows(current_user, unit)
    if count == 0:
        flash(_("%(unit)s has no active windows to print cards for.", unit=unit.name), "error")
        return back
    if count > MAX_CARDS_PER_PDF:
        flash(_("%(unit)s has %(count)d windows; print at most %(max)d at once, unit by unit.",
                unit=unit.name, count=count, max=MAX_CARDS_PER_PDF), "error")
        return back
    cards = [desk_card(window) for window in list_printable_windows(current_user, unit)]
    pdf = render_desk_cards(cards, size, title=f"{unit.name} 台牌")
    return _pdf_response(pdf, f"cards-{unit.code}-{size}.pdf")


@bp.route("/admin/windows/<code>/revoke-qr", methods=["POST"])
@login_required(*MANAGERS)
def revoke_qr(code: str):
    """Withdraw every printed QR code of the window, after a desk card was lost or copied."""
    window = get_window(code, "manage")
    back = redirect(url_for("windows.edit", code=window.code, _anchor="desk-card"))
    if request.form.get("confirm") != "yes":
        flash(_("Nothing was withdrawn: tick the box to confirm first."), "error")
        return back
    revoke_window_qr(current_user, window)
    db.session.commit()
    flash(_("The printed QR codes of %(name)s no longer work. Print its new desk card now.",
            name=window.name), "success")
    return back


@bp.route("/admin/tokens/<token>/qr.<fmt>")
@login_required(*EDITORS, Role.STAFF)
def token_qr(token: str, fmt: str):
    """A one-transaction evaluation code to print on the receipt."""
    found = get_token(token) or abort(404)
    require("view", found.window)
    return _qr_response(url_for("rate.token_form", token=found.token, _external=True), fmt)
