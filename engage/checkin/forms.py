"""What comes in to check-in: the pages' forms, and the JSON API's scan request."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, EmailField, HiddenField, IntegerField, RadioField, SelectChoice, SelectField,
                     StringField, SubmitField, TelField, TextAreaField)

from ..forms import Form
from ..i18n import LANGUAGE_LABELS, LANGUAGES
from ..validators import Email, MaxLength, NumberRange, Optional, Required, RequiredInput
from . import groups
from .models import METHODS
from ..params import MAX_ID
from .services import CheckinRefusal

#: What the API takes: every method but "poster", which is only the residents' own page.
API_METHODS = tuple(m for m in METHODS if m != "poster")


def new_nonce() -> str:
    return uuid.uuid4().hex


class NonceForm(Form):
    """A form that carries a nonce made when the page was drawn: sending it twice (a double tap, a
    reload, a retry on a bad signal) is answered once."""

    nonce = HiddenField()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not self.nonce.data:
            self.nonce.data = new_nonce()


class SelfCheckinForm(NonceForm):
    name = StringField(_l("Your name (optional)"), validators=[Optional(), MaxLength(120)], render_kw={"autocomplete": "name"})
    email = EmailField(_l("Your email address (optional)"), validators=[Optional(), MaxLength(254), Email()],
                       render_kw={"autocomplete": "email"})
    consent = BooleanField(_l("I agree that the organisers may keep my name and email to tell me about what came of this event. They are deleted 90 days after the event."))
    passed = HiddenField()  # the pass from a rotating code (rotating.form_pass)
    submit = SubmitField(_l("Check in"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if (self.name.data or self.email.data) and not self.consent.data:
            self.consent.errors.append(_l("Tick the box to agree, or leave your name and email empty"))
            ok = False
        return ok


class PosterCodeForm(Form):
    """The poster's code, typed by someone without a camera at ``/c`` (``EventCheckin.typed_code``)."""

    code = StringField(_l("Code from the poster"), description=_l("6 letters and numbers, for example K7P Q2X."),
                       validators=[Required(_l("Enter the code from the poster")), MaxLength(20)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    submit = SubmitField(_l("Continue"))


class RegisterForm(Form):
    name = StringField(_l("Your name"), validators=[Required(_l("Enter your name")), MaxLength(120)],
                       render_kw={"autocomplete": "name"})
    email = EmailField(_l("Email address"), validators=[Optional(), MaxLength(254), Email()],
                       render_kw={"autocomplete": "email"})
    phone = TelField(_l("Phone number"), validators=[Optional(), MaxLength(30)], render_kw={"autocomplete": "tel"})
    preferred_lang = RadioField(_l("Which language would you like us to use?"),
                                choices=[SelectChoice(code, LANGUAGE_LABELS[code]) for code in LANGUAGES],
                                validators=[Required(_l("Select a language"))])
    #: Left out (a form from before groups, or an event that takes one per registration): one person.
    places = IntegerField(_l("How many people, including you?"), default=1, validators=[Optional()])
    access_needs = TextAreaField(_l("Do you have any access needs? (optional)"),
                                 description=_l("For example a hearing loop, step-free access or an interpreter."),
                                 validators=[Optional(), MaxLength(1000)])
    consent = BooleanField(_l("I agree that the organisers keep these details to run the event. They are deleted 90 days after the event."),
                           validators=[Required(_l("Tick the box to agree, so the organisers can keep your details"))])
    submit = SubmitField(_l("Register"))

    def __init__(self, *args: Any, max_party: int = 1, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.max_party = max_party
        self.places.description = _l("Up to %(most)s people on one registration.", most=max_party)
        self.places.render_kw = {"min": 1, "max": max_party}

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.places.data is not None and not self.places.errors and not 1 <= self.places.data <= self.max_party:
            self.places.errors.append(_l("Enter a number between %(min)s and %(max)s", min=1, max=self.max_party))
            ok = False
        if not (self.email.data or "").strip() and not (self.phone.data or "").strip():
            self.email.errors.append(_l("Enter an email address or a phone number"))
            ok = False
        return ok


class TypedCodeForm(NonceForm):
    code = StringField(_l("Ticket code"), description=_l("8 letters and numbers, as printed on the ticket."),
                       validators=[Required(_l("Enter the ticket code")), MaxLength(20)],
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    submit = SubmitField(_l("Check in"))


class WalkInForm(NonceForm):
    audience = SelectField(_l("Audience (optional)"), coerce=int, validators=[Optional()], validate_choice=False)
    people = IntegerField(_l("How many walked in?"), default=1, render_kw={"min": 1, "max": 50})
    submit = SubmitField(_l("+1 walk-in"))


class SettingsForm(Form):
    opens_minutes_before = IntegerField(_l("Opens this many minutes before the start"),
                                        validators=[RequiredInput(_l("Enter a number of minutes")), NumberRange(0, 1440)])
    closes_minutes_after = IntegerField(_l("Closes this many minutes after the end"),
                                        validators=[RequiredInput(_l("Enter a number of minutes")), NumberRange(0, 1440)])
    registration_open = BooleanField(_l("People can register and get a personal ticket"))
    rotating = BooleanField(_l("Use a changing QR code on a screen instead of the printed poster"),
                            description=_l("The code changes every 30 seconds, so a photo shared with people who are not there stops working."))
    ask_contact = BooleanField(_l("Ask people who check in from the poster for a name and email (optional for them)"))
    capacity = IntegerField(_l("Places (optional)"), validators=[Optional(), NumberRange(1, 100000)],
                            description=_l("When every place is taken, people can join a waiting list. A place "
                                           "given up goes to the first person on it, with their ticket by email."))
    #: Left out (a form from before groups): unchanged (services.update_settings).
    max_party = IntegerField(_l("Most people on one registration"), validators=[Optional(), NumberRange(1, 20)],
                             description=_l("People registering say how many are coming, themselves included. "
                                            "Each person takes a place."))
    submit = SubmitField(_l("Save"))


@dataclass(frozen=True)
class ScanRequest:
    """The JSON API's scan body, checked: each field has its type, or is None (see the README)."""

    method: str
    nonce: str | None
    token: str | None
    code: str | None
    ticket_id: int | None
    scanned_at: datetime | None
    device: str | None
    audience_id: int | None
    #: Sent from the door page's offline queue: only then is ``scanned_at`` considered.
    queued: bool = False
    #: How many of a group ticket have arrived (or walk-ins at once); None: not said.
    people: int | None = None

    @classmethod
    def from_json(cls, body: Any) -> ScanRequest:
        """The request in ``body`` (decoded JSON); CheckinRefusal("bad_request") if it has no known method."""
        if not isinstance(body, dict) or body.get("method") not in API_METHODS:
            raise CheckinRefusal("bad_request")
        # A field of the wrong type is treated as missing, as a form would treat an unknown field:
        # the scan is still judged (and most likely answered "invalid"), never a 500.
        text = {name: _text(body.get(name)) for name in ("nonce", "token", "code", "device")}
        text["token"] = _token_from(text["token"])
        whole = {name: _an_id(body.get(name)) for name in ("ticket_id", "audience_id")}
        # A number of people is either said right or refused: a guess would let in the wrong number.
        people = groups.people_from(body["people"]) if type(body.get("people")) is int else None
        if body.get("people") is not None and people is None:
            raise CheckinRefusal("bad_people")
        return cls(method=body["method"], scanned_at=_zoned_time(body.get("scanned_at")),
                   queued=body.get("queued") is True, people=people, **text, **whole)


def _text(value: Any) -> str | None:
    """A JSON string a database can hold: JSON may carry half of a UTF-16 pair ("\\ud800"), which
    no UTF-8 can encode (a UnicodeEncodeError on the way to the database)."""
    if not isinstance(value, str):
        return None
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return value


def _an_id(value: Any) -> int | None:
    """A whole number that can be a row's id. JSON's true and false are not numbers, though Python's
    bool is an int; and a number past ``MAX_ID`` would overflow the database's INTEGER."""
    return value if type(value) is int and 0 < value <= MAX_ID else None


def _token_from(value: str | None) -> str | None:
    """Accept the token itself or the whole URL the QR code holds (…/t/<token>)."""
    if value and "/t/" in value:
        return value.rsplit("/t/", 1)[1].split("?", 1)[0].strip("/")
    return value


def _zoned_time(value: Any) -> datetime | None:
    """An ISO time with its zone (a device's clock for an offline scan); None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        found = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else None
