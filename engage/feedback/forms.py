from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectChoice, SelectField, StringField, SubmitField

from ..bilingual import BilingualField
from ..events.forms import CheckboxesField
from ..forms import Form
from ..i18n import LANGUAGE_LABELS, LANGUAGES
from ..money import pounds_to_pence
from ..params import record_id
from ..validators import Email, MaxLength, NumberRange, Optional, Required, RequiredInput
from .labels import STATUS_LABELS

STATUS_CHOICES = [SelectChoice(key, label) for key, label in STATUS_LABELS.items()]
class EntryForm(Form):
    title = BilingualField(_l("Title"), max_length=200)
    asked = BilingualField(_l("We asked"), multiline=True, max_length=5000,
                           description=_l("The question we asked, or the occasion."))
    said = BilingualField(_l("You said"), multiline=True, max_length=10000,
                          description=_l("What people told us: a summary, the main themes, and numbers."))
    did = BilingualField(_l("We did"), multiline=True, max_length=10000,
                         description=_l("The decision, who made it and when."))
    people_count = IntegerField(_l("How many people took part"), validators=[Optional(), NumberRange(0, 10_000_000)],
                                description=_l("Responses, attendees or votes."))
    decided_on = DateField(_l("Date of the decision"), validators=[Optional()])
    area = BilingualField(_l("Area"), max_length=100, description=_l("The place this is about, like Bangor or Gwynedd."))
    themes = CheckboxesField(_l("Objectives of the programme"), coerce=record_id, validate_choice=False)
    events = CheckboxesField(_l("Events where people told us this"), coerce=record_id, validate_choice=False)
    status = RadioField(_l("Status"), choices=STATUS_CHOICES, validators=[Required(_l("Select a status"))])
    reason = BilingualField(_l("Why it is not possible"), multiline=True, max_length=5000,
                            description=_l("Needed in both Welsh and English when the status is ‘Not possible’."))
    progress = IntegerField(_l("Progress (percentage)"), validators=[Optional(), NumberRange(0, 100)])
    budget = StringField(_l("Budget in pounds"), validators=[Optional(), MaxLength(20)],
                         description=_l("For example 12500 or 12500.50."))
    published = BooleanField(_l("Publish this entry"),
                             description=_l("Needs the title, We asked, You said and We did in both Welsh and English."))
    submit = SubmitField(_l("Save"))

    def set_choices(self, themes: list[Any], events: list[Any]) -> None:
        from ..bilingual import tr_text
        from ..formatting import long_date

        self.themes.choices = [SelectChoice(t.id, f"{t.code} {tr_text(t, 'name')}") for t in themes]
        self.events.choices = [SelectChoice(e.id, f"{tr_text(e, 'title')} ({long_date(e.starts_at)})") for e in events]

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        ok = self.title.require_one() and ok
        try:
            self.budget_pence = pounds_to_pence(self.budget.data)
        except ValueError:
            self.budget.errors.append(_l("Enter an amount in pounds, like 12500 or 12500.50"))
            ok = False
        if self.status.data == "not_possible":
            ok = self.reason.require() and ok
        if self.published.data:
            ok = all([field.require() for field in (self.title, self.asked, self.said, self.did)]) and ok
            if bool((self.area.data["cy"] or "").strip()) != bool((self.area.data["en"] or "").strip()):
                ok = self.area.require() and ok
        for field in (self.themes, self.events):
            if set(field.data or []) - {c.value for c in field.choices or []}:
                field.errors.append(_l("Select only options from the list"))
                ok = False
        return ok

    def service_data(self) -> dict[str, Any]:
        return {"title": self.title.data, "asked": self.asked.data, "said": self.said.data, "did": self.did.data,
                "area": self.area.data, "reason": self.reason.data, "status": self.status.data,
                "progress": self.progress.data, "budget_pence": self.budget_pence,
                "people_count": self.people_count.data, "decided_on": self.decided_on.data,
                "published": bool(self.published.data),
                "themes": list(self.themes.data or []), "events": list(self.events.data or [])}


class UpdateForm(Form):
    happened_on = DateField(_l("Date"), validators=[RequiredInput(_l("Enter the date of the update"))])
    body = BilingualField(_l("What has happened"), multiline=True, max_length=5000)
    status = RadioField(_l("New status"), choices=[SelectChoice("", _l("No change"))] + STATUS_CHOICES,
                        validators=[Optional()], default="")
    reason = BilingualField(_l("Why it is not possible"), multiline=True, max_length=5000,
                            description=_l("Needed in both Welsh and English when the status is ‘Not possible’."))
    progress = IntegerField(_l("Progress (percentage)"), validators=[Optional(), NumberRange(0, 100)])
    submit = SubmitField(_l("Add the update"))

    def validate(self, extra_validators: Any = None) -> bool:
        ok = super().validate(extra_validators)
        ok = self.body.require() and ok
        return ok


class FromEventForm(Form):
    event = SelectField(_l("Held event"), coerce=record_id, validators=[Required(_l("Select an event"))],
                        validate_choice=False)
    submit = SubmitField(_l("Start a draft from this event"))


LANG_CHOICES = [*(SelectChoice(code, LANGUAGE_LABELS[code]) for code in LANGUAGES),
                SelectChoice("both", _l("Both Welsh and English"))]


class FollowForm(Form):
    email = StringField(_l("Email address"), validators=[Required(_l("Enter your email address")), MaxLength(254), Email()])
    lang = RadioField(_l("Which language should we write to you in?"), choices=LANG_CHOICES,
                      validators=[Required(_l("Select a language"))])
    submit = SubmitField(_l("Follow this entry"))


class PublicFilterForm(Form):
    """The public index's filters; a GET form, so no CSRF token."""

    class Meta:
        csrf = False

    org = SelectField(_l("Organisation"), validators=[Optional()], validate_choice=False)
    area = SelectField(_l("Area"), validators=[Optional()], validate_choice=False)
    theme = SelectField(_l("Objective"), validators=[Optional()], validate_choice=False)
    status = SelectField(_l("Status"), validators=[Optional()], validate_choice=False,
                         choices=[SelectChoice("", _l("Any"))] + STATUS_CHOICES)

    def set_choices(self, options: dict[str, list[Any]]) -> None:
        from ..bilingual import tr_text

        any_ = [SelectChoice("", _l("Any"))]
        self.org.choices = any_ + [SelectChoice(o.slug, tr_text(o, "name")) for o in options["orgs"]]
        self.area.choices = any_ + [SelectChoice(e.area_slug, tr_text(e, "area")) for e in options["areas"]]
        self.theme.choices = any_ + [SelectChoice(t.code, f"{t.code} {tr_text(t, 'name')}") for t in options["themes"]]
