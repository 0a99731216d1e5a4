"""Forms for staff (pots, projects, codes) and voters (code, postcode, choices)."""
from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
import re
from datetime import datetime, time, timedelta

from flask_wtf.file import FileField
from wtforms import (BooleanField, DateTimeLocalField, IntegerField, PasswordField, RadioField, SelectChoice,
                     SelectField, StringField, SubmitField)

from ..bilingual import BilingualField
from ..dates import LOCAL_FORMAT, local_to_utc, today_local, utc_to_local
from ..money import pence_to_pounds, pounds_to_pence
from ..forms import Form
from ..params import record_id
from ..types import utcnow
from ..validators import MaxLength, NumberRange, Optional, Required, RequiredInput
from .labels import CAP_LABELS
from .models import MAX_CAP, Pot, Project

BALLOT_TYPE_LABELS = {
    "knapsack": _l("Choose projects whose total cost fits the budget"),
    "approval": _l("Choose up to a number of projects"),
    "points": _l("Spread a number of points across projects"),
}
RULE_LABELS = {
    "greedy": _l("Most votes first (greedy)"),
    "mes": _l("Method of Equal Shares"),
}
ELIGIBILITY_LABELS = {
    "codes": _l("Voter codes (printed cards, a desk at an event, a kiosk, paper ballots)"),
    "open": _l("Open: one ballot per browser, with a postcode question (lower assurance, small pots only)"),
}


def _money(field: StringField) -> int | None:
    try:
        return pounds_to_pence(field.data)
    except ValueError:
        field.errors.append(_l("Enter an amount in pounds, like 12500 or 12500.50"))
        return None


class PotForm(Form):
    title = BilingualField(_l("Title"), max_length=200)
    description = BilingualField(_l("Description"), multiline=True, max_length=5000)
    area = BilingualField(_l("Area"), max_length=100, description=_l("The place this pot is for, like Bangor."))
    budget = StringField(_l("Budget in pounds"), validators=[Required(_l("Enter the budget")), MaxLength(20)],
                         description=_l("For example 12500 or 12500.50."))
    ballot_type = RadioField(_l("How people vote"), choices=[SelectChoice(k, v) for k, v in BALLOT_TYPE_LABELS.items()],
                             validators=[Required(_l("Select how people vote"))])
    max_choices = IntegerField(_l("Most projects a voter may choose"), validators=[Optional(), NumberRange(1, 100)],
                               description=_l("Only for ‘Choose up to a number of projects’."))
    points_total = IntegerField(_l("Points each voter spreads"), validators=[Optional(), NumberRange(1, 1000)],
                                description=_l("Only for ‘Spread a number of points’."))
    rule = RadioField(_l("Counting rule"), choices=[SelectChoice(k, v) for k, v in RULE_LABELS.items()],
                      validators=[Required(_l("Select a counting rule"))],
                      description=_l("It cannot be changed once voting opens."))
    opens_at = DateTimeLocalField(_l("Voting opens (optional)"), format=LOCAL_FORMAT, validators=[Optional()],
                                  description=_l("Leave empty to open it by hand."))
    closes_at = DateTimeLocalField(_l("Voting closes (optional)"), format=LOCAL_FORMAT, validators=[Optional()],
                                   description=_l("Leave empty to close it by hand."))
    eligibility = RadioField(_l("Who may vote"), choices=[SelectChoice(k, v) for k, v in ELIGIBILITY_LABELS.items()],
                             validators=[Required(_l("Select who may vote"))])
    postcode_prefixes = StringField(_l("Postcodes in the area"), validators=[Optional(), MaxLength(500)],
                                    description=_l("Open voting only: the start of each postcode, separated by commas, like LL55, LL54."))
    max_per_postcode = IntegerField(CAP_LABELS["max_per_postcode"], validators=[Optional(), NumberRange(1, MAX_CAP)],
                                    description=_l("Open voting only, optional. Leave empty for no limit. "
                                                   "One postcode covers about 15 homes, some many more."))
    max_per_address = IntegerField(CAP_LABELS["max_per_address"], validators=[Optional(), NumberRange(1, MAX_CAP)],
                                   description=_l("Open voting only, optional. Leave empty for no limit. "
                                                  "Many people can share one address: a library, an office, "
                                                  "a mobile network. Do not set it too low."))
    submit = SubmitField(_l("Save"))

    @classmethod
    def for_pot(cls, pot: Pot | None) -> PotForm:
        if pot is None:
            form = cls()
            if not form.is_submitted():
                form.ballot_type.data, form.rule.data, form.eligibility.data = "knapsack", "greedy", "codes"
            return form
        data: dict[str, Any] = {name: pot.texts(name) for name in ("title", "description", "area")}
        data.update({name: getattr(pot, name) for name in ("ballot_type", "max_choices", "points_total", "rule",
                                                           "eligibility", "postcode_prefixes", *CAP_LABELS)})
        data.update(budget=pence_to_pounds(pot.budget_pence),
                    opens_at=utc_to_local(pot.opens_at).replace(tzinfo=None) if pot.opens_at else None,
                    closes_at=utc_to_local(pot.closes_at).replace(tzinfo=None) if pot.closes_at else None)
        return cls(data=data)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        ok = self.title.require_one() and ok
        self.budget_pence = _money(self.budget)
        if self.budget_pence is not None and self.budget_pence <= 0:
            self.budget.errors.append(_l("Enter an amount in pounds, like 12500 or 12500.50"))
        if self.ballot_type.data == "approval" and not self.max_choices.data:
            self.max_choices.errors.append(_l("Enter how many projects a voter may choose"))
        if self.ballot_type.data == "points" and not self.points_total.data:
            self.points_total.errors.append(_l("Enter how many points each voter spreads"))
        if self.opens_at.data and self.closes_at.data and self.opens_at.data >= self.closes_at.data:
            self.closes_at.errors.append(_l("Voting must close after it opens"))
        if self.eligibility.data == "open" and not (self.postcode_prefixes.data or "").strip():
            self.postcode_prefixes.errors.append(_l("Enter the postcodes of the area"))
        return ok and not any(f.errors for f in (self.budget, self.max_choices, self.points_total, self.closes_at,
                                                  self.postcode_prefixes))

    def to_data(self) -> dict[str, Any]:
        return {
            "title": self.title.data, "description": self.description.data, "area": self.area.data,
            "budget_pence": self.budget_pence, "ballot_type": self.ballot_type.data,
            "max_choices": self.max_choices.data, "points_total": self.points_total.data, "rule": self.rule.data,
            "opens_at": local_to_utc(self.opens_at.data) if self.opens_at.data else None,
            "closes_at": local_to_utc(self.closes_at.data) if self.closes_at.data else None,
            "eligibility": self.eligibility.data,
            "postcode_prefixes": (self.postcode_prefixes.data or "").strip().upper() or None,
            # Caps typed in and then "voter codes" chosen are not kept (nor refused as a change once open).
            **{name: getattr(self, name).data if self.eligibility.data == "open" else None for name in CAP_LABELS},
        }


class ProjectForm(Form):
    title = BilingualField(_l("Title"), max_length=200)
    summary = BilingualField(_l("Summary"), multiline=True, max_length=3000)
    description = BilingualField(_l("Full description (optional)"), multiline=True, max_length=10000,
                                 description=_l("Shown on the project’s own page. Both languages, or neither."))
    cost = StringField(_l("Cost in pounds"), validators=[Required(_l("Enter the cost")), MaxLength(20)],
                       description=_l("For example 4500 or 4500.50."))
    proposer = StringField(_l("Proposed by"), validators=[Optional(), MaxLength(200)],
                           description=_l("The group or person who proposed it."))
    category = BilingualField(_l("Category"), max_length=100)
    location = BilingualField(_l("Location"), max_length=200)
    image = FileField(_l("Picture (optional)"),
                      description=_l("JPEG, PNG or WebP, up to 10 MB; we resize it for phones and remove the "
                                     "camera’s location data."),
                      render_kw={"accept": "image/jpeg,image/png,image/webp"})
    remove_image = BooleanField(_l("Remove the picture"))
    image_alt = BilingualField(_l("Picture description"), max_length=300,
                               description=_l("What the picture shows, for people who cannot see it. "
                                              "Needed in both languages when there is a picture."))
    submit = SubmitField(_l("Save project"))

    #: Whether the project being edited already has a picture (set by ``for_project``).
    has_image = False

    @classmethod
    def for_project(cls, project: Project | None, *, posted: bool = False) -> ProjectForm:
        if project is None:
            return cls()
        if posted:
            form = cls()
        else:
            data: dict[str, Any] = {n: project.texts(n) for n in ("title", "summary", "description", "category",
                                                                  "location", "image_alt")}
            data.update(cost=pence_to_pounds(project.cost_pence), proposer=project.proposer)
            form = cls(data=data)
        form.has_image = project.image_id is not None
        return form

    @property
    def upload(self) -> Any:
        """The file chosen, or None when the input was left empty."""
        found = self.image.data
        return found if found is not None and getattr(found, "filename", "") else None

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        ok = self.title.require() and ok
        self.cost_pence = _money(self.cost)
        if self.cost_pence is not None and self.cost_pence <= 0:
            self.cost.errors.append(_l("Enter an amount in pounds, like 12500 or 12500.50"))
        texts = self.description.data
        if bool((texts["cy"] or "").strip()) != bool((texts["en"] or "").strip()):
            ok = self.description.require() and ok
        if self.upload is not None or (self.has_image and not self.remove_image.data):
            ok = self.image_alt.require() and ok
        return ok and not self.cost.errors

    def to_data(self) -> dict[str, Any]:
        """What ``pots.save_project`` takes; the picture's bytes are read by the route (``image``)."""
        return {"title": self.title.data, "summary": self.summary.data, "description": self.description.data,
                "category": self.category.data, "location": self.location.data, "image_alt": self.image_alt.data,
                "cost_pence": self.cost_pence, "proposer": (self.proposer.data or "").strip(),
                "remove_image": bool(self.remove_image.data) and self.upload is None}


class CodesForm(Form):
    count = IntegerField(_l("How many codes"), validators=[RequiredInput(_l("Enter how many codes to make")),
                                                           NumberRange(1, 2000)])
    submit = SubmitField(_l("Make codes"))


class CodeEntryForm(Form):
    code = StringField(_l("Your voter code"), validators=[Required(_l("Enter your voter code")), MaxLength(40)],
                       description=_l("12 letters and numbers, as printed on your card."),
                       render_kw={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"})
    submit = SubmitField(_l("Start voting"))


class PostcodeForm(Form):
    postcode = StringField(_l("Your postcode"), validators=[Required(_l("Enter your postcode")), MaxLength(10)],
                           description=_l("We only check that you live in the area. We do not keep it."),
                           render_kw={"autocomplete": "postal-code"})
    submit = SubmitField(_l("Start voting"))


class ActionForm(Form):
    """A button that changes something (CSRF only)."""


class ReceiptForm(Form):
    class Meta:
        csrf = False  # a GET form that changes nothing

    receipt = StringField(_l("Your receipt code"), validators=[Optional(), MaxLength(40)])


TIME_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])")


class KioskForm(Form):
    """Start a kiosk on this device: for which event, until when today, and the PIN that ends it."""

    event = SelectField(_l("Event"), coerce=record_id, validators=[Required(_l("Select the event"))],
                        validate_choice=False)
    until = StringField(_l("Kiosk open until"), validators=[Required(_l("Enter the time the kiosk closes")),
                                                            MaxLength(5)],
                        description=_l("A time like 16:30, at most 12 hours from now."),
                        render_kw={"type": "time"})
    pin = PasswordField(_l("PIN to end the kiosk"), validators=[Required(_l("Enter a PIN")), MaxLength(8)],
                        description=_l("4 to 8 digits. Staff type it on this device to end the kiosk."),
                        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submit = SubmitField(_l("Start the kiosk on this device"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.until.data and not TIME_RE.fullmatch(self.until.data.strip()):
            self.until.errors.append(_l("Enter a time like 16:30"))
        if self.pin.data and not re.fullmatch(r"[0-9]{4,8}", self.pin.data):
            self.pin.errors.append(_l("Enter a PIN of 4 to 8 digits"))
        return ok and not self.until.errors and not self.pin.errors

    def suggest(self, events: list[Any]) -> None:
        """Start from the event on now (or the only one offered), open until it ends or for 3 hours."""
        now = utcnow()
        on_now = [e for e in events if e.starts_at <= now < e.ends_at]
        chosen = on_now[0] if on_now else events[0] if len(events) == 1 else None
        if chosen is not None:
            self.event.data = chosen.id
        ends = chosen.ends_at if chosen is not None and now < chosen.ends_at <= now + timedelta(hours=12) \
            else now + timedelta(hours=3)
        self.until.data = utc_to_local(ends).strftime("%H:%M")

    def ends_at(self) -> datetime:
        """The time typed, as UTC: the next time the clock in Wales shows it (today, or after midnight
        for an event running late; the kiosk refuses more than 12 hours)."""
        found = TIME_RE.fullmatch(self.until.data.strip())
        assert found is not None
        today, clock = today_local(), time(int(found[1]), int(found[2]))
        ends = local_to_utc(datetime.combine(today, clock))
        return ends if ends > utcnow() else local_to_utc(datetime.combine(today + timedelta(days=1), clock))


class PinForm(Form):
    pin = PasswordField(_l("PIN"), validators=[Required(_l("Enter the PIN")), MaxLength(8)],
                        render_kw={"inputmode": "numeric", "autocomplete": "off"})
    submit = SubmitField(_l("End the kiosk"))
