from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import (BooleanField, DateField, DateTimeLocalField, IntegerField, RadioField, SelectChoice,
                     SelectField, SelectMultipleField, StringField, SubmitField, TextAreaField, widgets)

from ..bilingual import BilingualField
from ..dates import LOCAL_FORMAT, previous_month, today_local
from ..forms import Form
from ..params import record_id
from ..validators import MaxLength, NumberRange, Optional, Required, RequiredInput

KIND_CHOICES = [SelectChoice("engagement", _l("Engagement event")),
                SelectChoice("training", _l("Training or information sharing"))]
STATUS_CHOICES = [SelectChoice("planned", _l("Planned")), SelectChoice("held", _l("Held")),
                  SelectChoice("cancelled", _l("Cancelled"))]
LANGUAGE_CHOICES = [SelectChoice("bilingual", _l("Bilingual (Welsh and English)")), SelectChoice("cy", _l("Welsh")),
                    SelectChoice("en", _l("English")), SelectChoice("other", _l("Another language"))]
AGREE_CHOICES = [SelectChoice("5", _l("Strongly agree")), SelectChoice("4", _l("Agree")),
                 SelectChoice("3", _l("Neither agree nor disagree")), SelectChoice("2", _l("Disagree")),
                 SelectChoice("1", _l("Strongly disagree")), SelectChoice("0", _l("Prefer not to say"))]
# Full UK postcode, e.g. "LL55 1AB"; spaces optional.
POSTCODE_RE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


class CheckboxesField(SelectMultipleField):
    """Checkboxes for a multiple choice (easier on a phone than a multi-select)."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


def _choices(items: list[Any]) -> list[SelectChoice]:
    from ..bilingual import tr

    return [SelectChoice(item.id, str(tr(item, "name")) if not hasattr(item, "code") else f"{item.code} {tr(item, 'name')}")
            for item in items]


class EventForm(Form):
    title = BilingualField(_l("Title"), max_length=200)
    description = BilingualField(_l("Description"), multiline=True, max_length=5000)
    kind = RadioField(_l("What kind of event is it?"), choices=KIND_CHOICES,
                      validators=[Required(_l("Select what kind of event it is"))])
    starts_at = DateTimeLocalField(_l("Starts"), format=LOCAL_FORMAT,
                                   validators=[RequiredInput(_l("Enter when the event starts"))])
    ends_at = DateTimeLocalField(_l("Ends"), format=LOCAL_FORMAT,
                                 validators=[RequiredInput(_l("Enter when the event ends"))])
    online = BooleanField(_l("The event is online"))
    venue_name = BilingualField(_l("Venue name"), max_length=200)
    venue_address = TextAreaField(_l("Venue address"), validators=[Optional(), MaxLength(500)])
    postcode = StringField(_l("Postcode"), validators=[Optional(), MaxLength(10)])
    delivery_language = RadioField(_l("Language of delivery"), choices=LANGUAGE_CHOICES,
                                   validators=[Required(_l("Select the language of delivery"))])
    accessibility = BilingualField(_l("Accessibility information"), multiline=True, max_length=2000,
                                   description=_l("For example step-free access, hearing loop, quiet room, British Sign Language."))
    partners = BilingualField(_l("Partners"), max_length=500,
                              description=_l("Organisations you ran the event with, separated by commas."))
    themes = CheckboxesField(_l("Objectives of the programme"), coerce=record_id, validate_choice=False)
    audiences = CheckboxesField(_l("Audiences you aim to reach"), coerce=record_id, validate_choice=False)
    status = RadioField(_l("Status"), choices=STATUS_CHOICES, validators=[Required(_l("Select a status"))])
    public = BooleanField(_l("Show this event on the public pages"),
                          description=_l("Needs the title and description in both Welsh and English, and the venue, "
                                         "accessibility information and partners in both if you give them."))
    pulse_enabled = BooleanField(_l("Ask attendees the three anonymous cohesion questions afterwards"))
    submit = SubmitField(_l("Save event"))

    def set_choices(self, themes: list[Any], audiences: list[Any]) -> None:
        self.themes.choices = _choices(themes)
        self.audiences.choices = _choices(audiences)

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.starts_at.data and self.ends_at.data and self.ends_at.data <= self.starts_at.data:
            self.ends_at.errors.append(_l("The end must be after the start"))
            ok = False
        if not self.online.data and not any((v or "").strip() for v in self.venue_name.data.values()):
            self.venue_name.form["cy"].errors = list(self.venue_name.form["cy"].errors) + [
                _l("Enter the venue name, or tick that the event is online")]
            ok = False
        if self.postcode.data and not POSTCODE_RE.match(self.postcode.data.strip().upper()):
            self.postcode.errors.append(_l("Enter a real postcode, like LL55 1AB"))
            ok = False
        ok = self.title.require_one() and ok
        if self.public.data:
            # Everything the council writes for the public is needed in both languages; an optional
            # text (venue, accessibility, partners) given in one language is needed in the other too.
            # A staff-only draft may have gaps.
            ok = self.title.require() and ok
            ok = self.description.require() and ok
            for field in (self.venue_name, self.accessibility, self.partners):
                if any((v or "").strip() for v in field.data.values()):
                    ok = field.require() and ok
        allowed = {c.value for c in self.themes.choices or []}
        if set(self.themes.data or []) - allowed:
            self.themes.errors.append(_l("Select only options from the list"))
            ok = False
        allowed = {c.value for c in self.audiences.choices or []}
        if set(self.audiences.data or []) - allowed:
            self.audiences.errors.append(_l("Select only options from the list"))
            ok = False
        return ok

    def service_data(self) -> dict[str, Any]:
        from ..dates import local_to_utc

        return {
            "title": self.title.data, "description": self.description.data, "accessibility": self.accessibility.data,
            "kind": self.kind.data, "starts_at": local_to_utc(self.starts_at.data),
            "ends_at": local_to_utc(self.ends_at.data), "online": bool(self.online.data),
            "venue_name": self.venue_name.data,
            "venue_address": (self.venue_address.data or "").strip() or None,
            "postcode": (self.postcode.data or "").strip().upper() or None,
            "delivery_language": self.delivery_language.data, "partners": self.partners.data,
            "status": self.status.data, "public": bool(self.public.data), "pulse_enabled": bool(self.pulse_enabled.data),
            "themes": list(self.themes.data or []), "audiences": list(self.audiences.data or []),
        }


class OutcomeForm(Form):
    status = RadioField(_l("Status"), choices=STATUS_CHOICES, validators=[Required(_l("Select a status"))])
    narrative = BilingualField(_l("What happened, and what did people raise?"), multiline=True, max_length=10000)
    outcomes = BilingualField(_l("Outcomes"), multiline=True, max_length=5000)
    follow_up = BilingualField(_l("Follow-up actions"), multiline=True, max_length=5000)
    headcount = IntegerField(_l("How many people attended in total?"),
                             validators=[Optional(), NumberRange(0, 100000)])
    outcomes_public = BooleanField(_l("Publish what happened on the public event page"),
                                   description=_l("Needs the narrative and outcomes in both Welsh and English."))
    submit = SubmitField(_l("Save what happened"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        if self.outcomes_public.data:
            ok = self.narrative.require() and ok
            ok = self.outcomes.require() and ok
        return ok


class ThemeForm(Form):
    code = StringField(_l("Number"), description=_l("The objective’s number in the programme, like 2.3."),
                       validators=[Required(_l("Enter the number")), MaxLength(10)])
    name = BilingualField(_l("Name"), max_length=200)
    active = BooleanField(_l("In use"), default=True)
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        return self.name.require() and ok


class AudienceForm(Form):
    name = BilingualField(_l("Name"), max_length=200)
    active = BooleanField(_l("In use"), default=True)
    submit = SubmitField(_l("Save"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        return self.name.require() and ok


class ReportForm(Form):
    """Which month to report on: a month name (in the page's language) and a year, two plain
    selects that work in every browser without JavaScript."""

    #: How many years back the year list goes.
    YEARS_BACK = 5

    month = SelectField(_l("Month"), coerce=int, validators=[Required(_l("Select the month"))], validate_choice=False)
    year = SelectField(_l("Year"), coerce=int, validators=[Required(_l("Select the year"))], validate_choice=False)
    submit = SubmitField(_l("Make the report"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from flask_babel import get_locale
        from babel.dates import get_month_names

        today = today_local()
        super().__init__(*args, **kwargs)
        names = get_month_names("wide", context="stand-alone", locale=get_locale())
        self.month.choices = [SelectChoice(n, names[n]) for n in range(1, 13)]
        self.year.choices = [SelectChoice(y, str(y)) for y in range(today.year, today.year - self.YEARS_BACK - 1, -1)]
        if not self.is_submitted():
            self.month.data, self.year.data = previous_month(today)[1], previous_month(today)[0]

    def validate(self, extra_validators: Any = None) -> bool:
        from ..dates import is_future_month

        ok = super().validate(extra_validators)
        if ok:
            if self.month.data not in range(1, 13):
                self.month.errors.append(_l("Select the month"))
                return False
            if self.year.data not in [c.value for c in self.year.choices]:
                self.year.errors.append(_l("Select the year"))
                return False
            if is_future_month(self.year.data, self.month.data, today_local()):
                self.month.errors.append(_l("The month must be this month or earlier"))
                return False
        return ok

    @property
    def key(self) -> str:
        return f"{self.year.data:04d}-{self.month.data:02d}"


class KeepReportForm(Form):
    """Keep (send) the month's report, with the officer's overall narrative for the month."""

    narrative = BilingualField(_l("The month’s overall narrative"), multiline=True, max_length=10000,
                               description=_l("What the month’s work achieved, for the Welsh Government. "
                                              "It is kept with the report in both languages."))
    submit = SubmitField(_l("Keep this report"))


class FilterForm(Form):
    """The staff list's filters; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    date_from = DateField(_l("From"), validators=[Optional()])
    date_to = DateField(_l("To"), validators=[Optional()])
    theme = SelectField(_l("Objective"), coerce=record_id, validators=[Optional()], validate_choice=False)
    audience = SelectField(_l("Audience"), coerce=record_id, validators=[Optional()], validate_choice=False)
    kind = SelectField(_l("Kind"), validators=[Optional()],
                       choices=[SelectChoice("", _l("Any"))] + KIND_CHOICES)
    status = SelectField(_l("Status"), validators=[Optional()],
                         choices=[SelectChoice("", _l("Any"))] + STATUS_CHOICES)
    q = StringField(_l("Search"), validators=[Optional(), MaxLength(100)])

    def set_choices(self, themes: list[Any], audiences: list[Any]) -> None:
        self.theme.choices = [SelectChoice(0, _l("Any"))] + _choices(themes)
        self.audience.choices = [SelectChoice(0, _l("Any"))] + _choices(audiences)


class PulseForm(Form):
    belong = RadioField(_l("I feel I belong to my local area"), choices=AGREE_CHOICES,
                        validators=[Required(_l("Select an answer, or ‘Prefer not to say’"))])
    get_on = RadioField(_l("People from different backgrounds get on well together here"), choices=AGREE_CHOICES,
                        validators=[Required(_l("Select an answer, or ‘Prefer not to say’"))])
    respect = RadioField(_l("People here treat each other with respect"), choices=AGREE_CHOICES,
                         validators=[Required(_l("Select an answer, or ‘Prefer not to say’"))])
    submit = SubmitField(_l("Send answers"))
